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
#include "tables.h"

#define OUTPUT_PREFIX "S3TABLES_EXPIRATION"
#define OUTPUT_MAX 4096 /* Nagios 3 reads 4 KiB, later cores 8 KiB */

struct report {
    const char *table_arn;
    const struct job_status *job;
    const struct eval_config *cfg;
    const struct evaluation *eval;
    double api_seconds;                     /* duration of the API call; < 0 when unknown */
    const char *table_label;                /* "namespace.name", or NULL when not known */
    const struct expiration_config *config; /* --show-configuration; NULL: not asked */
    const char *config_error;               /* why the configuration is unknown, or NULL */
};

/* The full output of a completed check, newline-terminated. */
void output_format_report(const struct report *r, struct buf *out);

/* Shared with the bucket summary (summary.h). */

/* Why check c of r is not OK: "job status Failed", "age 2d 1h is outside
 * the warning range 48h"... */
void output_reason(const struct report *r, enum eval_check c, char *text, size_t len);

/* "enabled, records expire after 30 days", "disabled" or "none"; or
 * "unknown (why)" when config is NULL. */
void output_config_text(const struct expiration_config *config, const char *error, char *text,
                        size_t len);

/* ";warn;crit;0" of a perfdata value. */
void output_perf_range(const struct threshold *t, struct buf *out);

/* Drops whole lines past OUTPUT_MAX; line 1 (with the perfdata) stays. */
void output_cap(struct buf *out);

/* "S3TABLES_EXPIRATION UNKNOWN - message\n", message made one line. */
void output_format_message(enum state s, const char *message, struct buf *out);

#endif
