/*
 * summary.h - the output of a whole-bucket run: one line that counts the
 * tables per state and names the worst, perfdata over the bucket, then
 * one line per table that is not OK, worst first (and, at -v, the OK
 * ones), cut with "... and N more" to stay under OUTPUT_MAX.
 *
 *   S3TABLES_EXPIRATION CRITICAL - 412 tables: 2 critical, 5 warning, 405 ok; sales.orders
 *   Failed 2h 0m ago, ... | tables=412;;;0 tables_ok=405;;;0 ... oldest_age=...
 *   CRITICAL sales.orders: job status Failed: Access denied ...
 *
 * Each table is judged as a single check would be; the run's state is
 * the worst of them (CRITICAL > WARNING > UNKNOWN > OK). Pure.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "output.h"

struct table_result {
    const char *label; /* "namespace.name" */
    enum state state;
    const char *error;    /* the table could not be checked (UNKNOWN): why; else NULL */
    struct report report; /* when error is NULL: the job, its evaluation, configuration */
};

struct bucket_report {
    const struct eval_config *cfg;
    const struct table_result *tables;
    size_t n;
    bool show_ok;   /* -v: list the OK tables too */
    double seconds; /* time= of the whole run's API calls; < 0 when unknown */
};

/* The run's state: the worst of the tables'. */
enum state summary_state(const struct bucket_report *r);

/* The full output, newline-terminated, at most OUTPUT_MAX bytes. */
void summary_format(const struct bucket_report *r, struct buf *out);

#endif
