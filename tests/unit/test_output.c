/*
 * test_output.c - the exact text the monitoring core and the operator
 * see: status line with perfdata, long output, and the size cap.
 */
#include "config.h"

#include "buf.h"
#include "evaluate.h"
#include "output.h"
#include "range.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000) /* 2023-11-14T22:13:20Z */
#define ARN                                                                                        \
    "arn:aws:s3tables:us-east-1:111122223333:bucket/amzn-s3-demo-bucket/table/"                    \
    "0195a6a4-7e1a-7c4f-bd7c-4a4a0d3b1c2e"

static void
set_range(struct threshold *t, bool critical, const char *text, enum range_unit unit)
{
    char err[256];
    struct range *r = critical ? &t->critical : &t->warning;
    if (range_parse(text, unit, r, err, sizeof err) != 0) {
        tap_diag("fixture: %s", err);
        return;
    }
    if (critical) {
        t->has_critical = true;
        t->critical_text = text;
    } else {
        t->has_warning = true;
        t->warning_text = text;
    }
}

/* The plugin's defaults: -w 48h -c 72h, the default status mapping. */
static struct eval_config
default_config(void)
{
    struct eval_config cfg = {0};
    cfg.status_state[JOB_SUCCESSFUL] = STATE_OK;
    cfg.status_state[JOB_FAILED] = STATE_CRITICAL;
    cfg.status_state[JOB_NOT_YET_RUN] = STATE_WARNING;
    cfg.status_state[JOB_DISABLED] = STATE_WARNING;
    set_range(&cfg.age, false, "48h", RANGE_UNIT_DURATION);
    set_range(&cfg.age, true, "72h", RANGE_UNIT_DURATION);
    return cfg;
}

static struct job_status
job_ran(enum job_status_value status, int64_t seconds_ago)
{
    struct job_status job = {0};
    job.status = status;
    job.has_last_run = true;
    job.last_run = NOW - seconds_ago;
    return job;
}

/* Evaluates job against cfg at NOW and formats the report; the caller
 * frees the returned text. */
static char *
format(const char *arn, const struct job_status *job, const struct eval_config *cfg,
       double api_seconds)
{
    struct evaluation eval;
    char err[256];
    if (evaluate(job, cfg, NOW, &eval, err, sizeof err) != 0) {
        tap_diag("fixture: evaluate: %s", err);
        return NULL;
    }
    struct report r = {
        .table_arn = arn, .job = job, .cfg = cfg, .eval = &eval, .api_seconds = api_seconds};
    struct buf out = BUF_INIT;
    output_format_report(&r, &out);
    return buf_detach(&out);
}

static char *
message(enum state s, const char *text)
{
    struct buf out = BUF_INIT;
    output_format_message(s, text, &out);
    return buf_detach(&out);
}

static size_t
count_char(const char *s, char c)
{
    size_t n = 0;
    for (; s != NULL && *s != '\0'; s++)
        n += *s == c;
    return n;
}

static void
test_successful_with_metrics(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_SUCCESSFUL, 18180);
    job.deleted_records = (struct job_metric){true, 1234};
    job.deleted_files = (struct job_metric){true, 12};
    job.removed_bytes = (struct job_metric){true, 4404019};

    char *out = format(ARN, &job, &cfg, 0.123);
    tap_is_str(out,
               "S3TABLES_EXPIRATION OK - job Successful 5h 3m ago, 1234 records / 12 files / "
               "4.2 MiB removed | age=18180s;172800;259200;0 deleted_records=1234;;;0 "
               "deleted_files=12;;;0 removed_bytes=4404019B;;;0 time=0.123s;;;0\n"
               "table: " ARN "\n"
               "status: Successful\n"
               "last run: 2023-11-14T17:10:20Z (5h 3m ago)\n"
               "deleted records: 1234\n"
               "deleted files: 12\n"
               "removed bytes: 4404019 (4.2 MiB)\n",
               "Successful 5h 3m ago with all metrics: full output");
    free(out);
}

static void
test_failed_with_message(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_FAILED, 3600);
    job.failure_message = "Access Denied: s3tables:DeleteTableData | not allowed\nfor role "
                          "arn:aws:iam::111122223333:role/expiration, retry later";

    char *out = format(ARN, &job, &cfg, 0.5);
    tap_is_str(out,
               "S3TABLES_EXPIRATION CRITICAL - job Failed 1h 0m ago: Access Denied: "
               "s3tables:DeleteTableData / no... | age=3600s;172800;259200;0 "
               "time=0.500s;;;0\n"
               "CRITICAL: job status Failed\n"
               "table: " ARN "\n"
               "status: Failed\n"
               "last run: 2023-11-14T21:13:20Z (1h 0m ago)\n"
               "failure message: Access Denied: s3tables:DeleteTableData / not allowed for role "
               "arn:aws:iam::111122223333:role/expiration, retry later\n",
               "Failed with failureMessage: excerpt cut with \"...\" on line 1, whole on its own "
               "line, \"|\" replaced and newline flattened");
    free(out);

    /* A long message: its line in the long output is capped. */
    char *long_msg = malloc(5001);
    memset(long_msg, 'm', 5000);
    long_msg[5000] = '\0';
    job.failure_message = long_msg;
    out = format(ARN, &job, &cfg, 0.5);
    const char *line = out != NULL ? strstr(out, "\nfailure message: ") : NULL;
    char want[1100];
    snprintf(want, sizeof want, "\nfailure message: %.1020s...\n", long_msg);
    tap_is_str(line, want, "a 5000-byte failureMessage is cut to 1020 bytes + \"...\"");
    free(out);
    free(long_msg);

    /* A cut never splits a UTF-8 character. */
    char utf8[1 + 50 * 2 + 1] = "x";
    for (int i = 0; i < 50; i++)
        strcat(utf8, "\xc3\xa9");
    job.failure_message = utf8;
    out = format(ARN, &job, &cfg, 0.5);
    char excerpt[128] = ": x";
    for (int i = 0; i < 21; i++)
        strcat(excerpt, "\xc3\xa9");
    strcat(excerpt, "... |");
    tap_ok(out != NULL && strstr(out, excerpt) != NULL,
           "the line-1 excerpt of a UTF-8 failureMessage is cut between characters");
    free(out);
}

static void
test_not_yet_run(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = {0};
    job.status = JOB_NOT_YET_RUN;

    char *out = format(ARN, &job, &cfg, 0.2);
    tap_is_str(out,
               "S3TABLES_EXPIRATION WARNING - job NotYetRun | time=0.200s;;;0\n"
               "WARNING: job status NotYetRun\n"
               "table: " ARN "\n"
               "status: NotYetRun\n"
               "last run: never\n",
               "NotYetRun without a timestamp: no age, no age perfdata, \"last run: never\"");
    free(out);
}

static void
test_thresholds_and_reasons(void)
{
    struct eval_config cfg = default_config();
    set_range(&cfg.records, false, "1:", RANGE_UNIT_NONE);
    set_range(&cfg.files, false, "~:100", RANGE_UNIT_NONE);
    set_range(&cfg.files, true, "200", RANGE_UNIT_NONE);
    set_range(&cfg.bytes, false, "1MiB", RANGE_UNIT_BYTES);
    set_range(&cfg.bytes, true, "1GB", RANGE_UNIT_BYTES);
    struct job_status job = job_ran(JOB_SUCCESSFUL, 172801);
    job.deleted_records = (struct job_metric){true, 0};
    job.deleted_files = (struct job_metric){true, 12};
    job.removed_bytes = (struct job_metric){true, 4404019};

    char *out = format(ARN, &job, &cfg, 0.123);
    tap_is_str(out,
               "S3TABLES_EXPIRATION WARNING - job Successful 2d 0h ago, 0 records / 12 files / "
               "4.2 MiB removed | age=172801s;172800;259200;0 deleted_records=0;1:;;0 "
               "deleted_files=12;~:100;200;0 removed_bytes=4404019B;1048576;1000000000;0 "
               "time=0.123s;;;0\n"
               "WARNING: age 2d 0h is outside the warning range 48h\n"
               "WARNING: deleted records 0 is outside the warning range 1:\n"
               "WARNING: removed bytes 4404019 is outside the warning range 1MiB\n"
               "table: " ARN "\n"
               "status: Successful\n"
               "last run: 2023-11-12T22:13:19Z (2d 0h ago)\n"
               "deleted records: 0\n"
               "deleted files: 12\n"
               "removed bytes: 4404019 (4.2 MiB)\n",
               "metric thresholds in perfdata in base units, one reason line per alert");
    free(out);

    job = job_ran(JOB_SUCCESSFUL, 259201);
    out = format(ARN, &job, &cfg, 0.123);
    tap_ok(out != NULL &&
               strncmp(out, "S3TABLES_EXPIRATION CRITICAL - job Successful 3d 0h ago |", 57) == 0,
           "age 259201 s: CRITICAL on line 1");
    tap_ok(out != NULL && strstr(out, "\nCRITICAL: age 3d 0h is outside the critical range 72h\n"),
           "age 259201 s: the reason names the critical range as given");
    free(out);
}

static void
test_no_api_time(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_SUCCESSFUL, 18180);
    char *out = format(ARN, &job, &cfg, -1);
    tap_is_str(out,
               "S3TABLES_EXPIRATION OK - job Successful 5h 3m ago | age=18180s;172800;259200;0\n"
               "table: " ARN "\n"
               "status: Successful\n"
               "last run: 2023-11-14T17:10:20Z (5h 3m ago)\n",
               "api_seconds < 0: no time perfdata");
    free(out);
}

/* The cap: everything fits in OUTPUT_MAX, perfdata complete on line 1,
 * "|" only once, no control characters but the line ends. */
static void
check_capped(const char *out, const char *what)
{
    const char *nl = out != NULL ? strchr(out, '\n') : NULL;
    size_t len = out != NULL ? strlen(out) : 0;
    tap_ok(out != NULL && len < OUTPUT_MAX, "%s: %zu bytes, under OUTPUT_MAX (%d)", what, len,
           OUTPUT_MAX);
    tap_ok(nl != NULL && strstr(out, " | age=") != NULL && strstr(out, " | age=") < nl &&
               strncmp(nl - 15, "time=1.500s;;;0", 15) == 0,
           "%s: perfdata complete on line 1", what);
    tap_is_int((intmax_t)count_char(out, '|'), 1, "%s: one \"|\" in the whole output", what);
    bool clean = out != NULL;
    for (const char *p = out; p != NULL && *p != '\0'; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
            clean = false;
    tap_ok(clean, "%s: no control characters", what);
    tap_ok(len > 0 && out[len - 1] == '\n', "%s: newline-terminated", what);
}

static char *
long_arn(void)
{
    static const char head[] = "arn:aws:s3tables:us-east-1:111122223333:bucket/"
                               "amzn-s3-demo-bucket/table/";
    char *arn = malloc(2049);
    memset(arn, 'a', 2048);
    memcpy(arn, head, sizeof head - 1);
    arn[2048] = '\0';
    return arn;
}

static char *
long_failure(size_t n)
{
    char *msg = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        msg[i] = "Expiration failed | retry\n\t"[i % 27];
    msg[n] = '\0';
    return msg;
}

static void
test_output_cap(void)
{
    char *arn = long_arn();
    char *msg = long_failure(100 * 1024);
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_FAILED, 18180);
    job.failure_message = msg;
    job.deleted_records = (struct job_metric){true, 1234};
    job.deleted_files = (struct job_metric){true, 12};
    job.removed_bytes = (struct job_metric){true, 4404019};

    char *out = format(arn, &job, &cfg, 1.5);
    check_capped(out, "100 KB failureMessage, 2048-char ARN");
    free(out);

    /* Everything at once: every check alerting, the largest values. */
    set_range(&cfg.records, false, "1000000000000:", RANGE_UNIT_NONE);
    set_range(&cfg.records, true, "100000000000:", RANGE_UNIT_NONE);
    set_range(&cfg.files, false, "1000000000000:", RANGE_UNIT_NONE);
    set_range(&cfg.files, true, "100000000000:", RANGE_UNIT_NONE);
    set_range(&cfg.bytes, false, "@0.5:1000TiB", RANGE_UNIT_BYTES);
    set_range(&cfg.bytes, true, "@0.25:1000TiB", RANGE_UNIT_BYTES);
    job = job_ran(JOB_FAILED, INT64_C(60) * 365 * 86400);
    job.failure_message = msg;
    job.deleted_records = (struct job_metric){true, 99999999999};
    job.deleted_files = (struct job_metric){true, 99999999999};
    job.removed_bytes = (struct job_metric){true, INT64_C(999999999999999)};
    out = format(arn, &job, &cfg, 1.5);
    check_capped(out, "every check alerting, large values, long ARN and message");
    free(out);

    /* Large inputs the other modules let through: range_parse takes numbers
     * of up to 64 characters, jobstatus any int64, iso8601 years from 0001.
     * The header promises the cap whatever the input. */
    static const char digits40[] = "0.000000000000000000000000000000000000001";
    char w[160], c[160], wa[160], ca[160];
    snprintf(w, sizeof w, "@%s:999999999999999999", digits40);
    snprintf(c, sizeof c, "@%s2:999999999999999998", digits40);
    snprintf(wa, sizeof wa, "@%ss:999999999999999999s", digits40);
    snprintf(ca, sizeof ca, "@%s2s:999999999999999998s", digits40);
    cfg = default_config();
    set_range(&cfg.age, false, wa, RANGE_UNIT_DURATION);
    set_range(&cfg.age, true, ca, RANGE_UNIT_DURATION);
    set_range(&cfg.records, false, w, RANGE_UNIT_NONE);
    set_range(&cfg.records, true, c, RANGE_UNIT_NONE);
    set_range(&cfg.files, false, w, RANGE_UNIT_NONE);
    set_range(&cfg.files, true, c, RANGE_UNIT_NONE);
    set_range(&cfg.bytes, false, w, RANGE_UNIT_BYTES);
    set_range(&cfg.bytes, true, c, RANGE_UNIT_BYTES);
    job = job_ran(JOB_FAILED, NOW + INT64_C(62135596800)); /* 0001-01-01T00:00:00Z */
    job.failure_message = msg;
    job.deleted_records = (struct job_metric){true, INT64_MAX};
    job.deleted_files = (struct job_metric){true, INT64_MAX};
    job.removed_bytes = (struct job_metric){true, INT64_MAX};
    out = format(arn, &job, &cfg, 1.5);
    check_capped(out, "42-digit thresholds, INT64_MAX metrics, a run in year 0001");
    free(out);

    free(msg);
    free(arn);
}

static void
test_message(void)
{
    char *out = message(STATE_UNKNOWN, "cannot reach s3tables.us-east-1.amazonaws.com:\ntimed "
                                       "out | retry\r\n");
    tap_is_str(out,
               "S3TABLES_EXPIRATION UNKNOWN - cannot reach s3tables.us-east-1.amazonaws.com: "
               "timed out / retry  \n",
               "output_format_message: newlines flattened, \"|\" replaced");
    free(out);

    out = message(STATE_CRITICAL, "timed out after 10 s while calling the API");
    tap_is_str(out, "S3TABLES_EXPIRATION CRITICAL - timed out after 10 s while calling the API\n",
               "output_format_message: the state given (a -t ...:critical timeout)");
    free(out);

    out = message(STATE_UNKNOWN, "");
    tap_is_str(out, "S3TABLES_EXPIRATION UNKNOWN - \n", "output_format_message: empty message");
    free(out);

    char *msg = long_failure(100 * 1024);
    out = message(STATE_UNKNOWN, msg);
    size_t len = out != NULL ? strlen(out) : 0;
    tap_ok(out != NULL && len < OUTPUT_MAX && count_char(out, '\n') == 1 &&
               count_char(out, '|') == 0 && strcmp(out + len - 4, "...\n") == 0,
           "output_format_message: a 100 KB message is one line under OUTPUT_MAX, cut with "
           "\"...\" (%zu bytes)",
           len);
    free(out);
    free(msg);
}

int
main(void)
{
    test_successful_with_metrics();
    test_failed_with_message();
    test_not_yet_run();
    test_thresholds_and_reasons();
    test_no_api_time();
    test_output_cap();
    test_message();
    return tap_done();
}
