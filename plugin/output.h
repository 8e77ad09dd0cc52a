/*
 * output.h - the plugin's text: one status line with perfdata, then
 * long output, per PLUGIN-CONVENTIONS.md.
 *
 *   S3TABLES_EXPIRATION OK - job Successful 5h 3m ago, 1234 records / ... | age=18180s;...
 *   table: arn:aws:s3tables:...
 *   ...
 *
 * Text from AWS is made one-line and "|"-free; the whole output stays
 * under OUTPUT_MAX bytes so the perfdata always reaches the monitoring
 * core. Pure: formats into a buffer.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include "buf.h"
#include "evaluate.h"
#include "jobstatus.h"
#include "state.h"

#define OUTPUT_PREFIX "S3TABLES_EXPIRATION"
#define OUTPUT_MAX 4096 /* Nagios 3 reads 4 KiB, later cores 8 KiB */

struct report {
    const char *table_arn;
    const struct job_status *job;
    const struct eval_config *cfg;
    const struct evaluation *eval;
    double api_seconds; /* duration of the API call; < 0 when unknown */
};

/* The full output of a completed check, newline-terminated. */
void output_format_report(const struct report *r, struct buf *out);

/* "S3TABLES_EXPIRATION UNKNOWN - message\n", message made one line. */
void output_format_message(enum state s, const char *message, struct buf *out);

#endif
