/*
 * test_summary.c - the output of a whole-bucket run as the monitoring
 * core and the operator see it: the counting first line naming the worst
 * tables, the bucket perfdata, the per-table long output worst first,
 * and the cut that keeps it under OUTPUT_MAX.
 */
#include "config.h"

#include "buf.h"
#include "evaluate.h"
#include "range.h"
#include "summary.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW INT64_C(1700000000)
#define MAX_TABLES 400

/* One table's fixture: its job, evaluation and label, kept alive together. */
struct fixture {
    struct job_status jobs[MAX_TABLES];
    struct evaluation evals[MAX_TABLES];
    struct table_result results[MAX_TABLES];
    char labels[MAX_TABLES][32];
    struct eval_config cfg;
    size_t n;
};

static void
set_range(struct threshold *t, bool critical, const char *text)
{
    char err[256];
    range_parse(text, RANGE_UNIT_DURATION, critical ? &t->critical : &t->warning, err, sizeof err);
    if (critical) {
        t->has_critical = true;
        t->critical_text = text;
    } else {
        t->has_warning = true;
        t->warning_text = text;
    }
}

static void
fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->cfg.status_state[JOB_SUCCESSFUL] = STATE_OK;
    f->cfg.status_state[JOB_FAILED] = STATE_CRITICAL;
    f->cfg.status_state[JOB_NOT_YET_RUN] = STATE_WARNING;
    f->cfg.status_state[JOB_DISABLED] = STATE_WARNING;
    set_range(&f->cfg.age, false, "48h");
    set_range(&f->cfg.age, true, "72h");
}

/* A table whose job answered; seconds_ago < 0: it never ran. */
static void
add_job(struct fixture *f, const char *label, enum job_status_value status, int64_t seconds_ago,
        int64_t records, const char *failure)
{
    size_t i = f->n++;
    snprintf(f->labels[i], sizeof f->labels[i], "%s", label);
    struct job_status *job = &f->jobs[i];
    job->status = status;
    job->has_last_run = seconds_ago >= 0;
    job->last_run = NOW - seconds_ago;
    job->deleted_records = (struct job_metric){records >= 0, records >= 0 ? records : 0};
    job->failure_message = (char *)failure;
    char err[128];
    evaluate(job, &f->cfg, NOW, &f->evals[i], err, sizeof err);
    f->results[i] = (struct table_result){
        .label = f->labels[i],
        .state = f->evals[i].state,
        .report = {.table_arn = "arn",
                   .job = job,
                   .cfg = &f->cfg,
                   .eval = &f->evals[i],
                   .api_seconds = -1},
    };
}

static void
add_error(struct fixture *f, const char *label, const char *error)
{
    size_t i = f->n++;
    snprintf(f->labels[i], sizeof f->labels[i], "%s", label);
    f->results[i] =
        (struct table_result){.label = f->labels[i], .state = STATE_UNKNOWN, .error = error};
}

static char *
format(const struct fixture *f, bool show_ok)
{
    struct bucket_report r = {&f->cfg, f->results, f->n, show_ok, 0.25};
    struct buf out = BUF_INIT;
    summary_format(&r, &out);
    return buf_detach(&out);
}

static const char *
line(const char *text, int n, char *out, size_t outlen)
{
    for (int i = 0; i < n && text != NULL; i++) {
        text = strchr(text, '\n');
        text = text != NULL ? text + 1 : NULL;
    }
    if (text == NULL)
        return NULL;
    snprintf(out, outlen, "%.*s", (int)strcspn(text, "\n"), text);
    return out;
}

static void
test_mixed(void)
{
    static struct fixture f;
    fixture_init(&f);
    add_job(&f, "sales.daily", JOB_SUCCESSFUL, 3600, 10, NULL);
    add_job(&f, "sales.orders", JOB_FAILED, 7200, -1, "Access denied | by policy");
    add_job(&f, "hr.staff", JOB_SUCCESSFUL, 50 * 3600, 5, NULL);
    add_job(&f, "hr.new", JOB_NOT_YET_RUN, -1, -1, NULL);
    add_error(&f, "hr.locked", "API error AccessDeniedException: no (HTTP 403)");
    add_job(&f, "sales.old", JOB_SUCCESSFUL, 100 * 3600, 7, NULL);
    char *out = format(&f, false);
    char l[1024];
    tap_is_str(line(out, 0, l, sizeof l),
               "S3TABLES_EXPIRATION CRITICAL - 6 tables: 2 critical, 2 warning, 1 unknown, 1 ok; "
               "sales.old Successful 4d 4h ago, sales.orders Failed 2h 0m ago, hr.staff Successful "
               "2d 2h ago, ... | tables=6;;;0 tables_ok=1;;;0 tables_warning=2;;;0 "
               "tables_critical=2;;;0 tables_unknown=1;;;0 oldest_age=360000s;172800;259200;0 "
               "deleted_records=22;;;0 deleted_files=0;;;0 removed_bytes=0B;;;0 time=0.250s;;;0",
               "mixed bucket: counts, the three worst (oldest first within a state), perfdata");
    tap_is_str(line(out, 1, l, sizeof l),
               "CRITICAL sales.old: age 4d 4h is outside the critical range 72h",
               "mixed bucket: the oldest critical table first");
    tap_is_str(line(out, 2, l, sizeof l),
               "CRITICAL sales.orders: job status Failed: Access denied / by policy",
               "mixed bucket: the failed job, its message made '|'-free");
    tap_is_str(line(out, 3, l, sizeof l),
               "WARNING hr.staff: age 2d 2h is outside the warning range 48h",
               "mixed bucket: warnings after criticals, oldest first");
    tap_is_str(line(out, 4, l, sizeof l), "WARNING hr.new: job status NotYetRun",
               "mixed bucket: a never-run job after a run one");
    tap_is_str(line(out, 5, l, sizeof l),
               "UNKNOWN hr.locked: API error AccessDeniedException: no (HTTP 403)",
               "mixed bucket: the table that could not be checked, with its error");
    tap_ok(line(out, 6, l, sizeof l) == NULL || l[0] == '\0',
           "mixed bucket: OK tables are not listed without -v");
    free(out);

    out = format(&f, true);
    tap_is_str(line(out, 6, l, sizeof l), "OK sales.daily: job Successful 1h 0m ago",
               "mixed bucket at -v: the OK table last");
    free(out);
}

static void
test_all_ok_and_unknown(void)
{
    static struct fixture f;
    fixture_init(&f);
    add_job(&f, "a.one", JOB_SUCCESSFUL, 60, -1, NULL);
    add_job(&f, "a.two", JOB_SUCCESSFUL, 120, -1, NULL);
    char *out = format(&f, false);
    char l[1024];
    tap_is_str(line(out, 0, l, sizeof l),
               "S3TABLES_EXPIRATION OK - 2 tables: 2 ok | tables=2;;;0 tables_ok=2;;;0 "
               "tables_warning=0;;;0 tables_critical=0;;;0 tables_unknown=0;;;0 "
               "oldest_age=120s;172800;259200;0 deleted_records=0;;;0 deleted_files=0;;;0 "
               "removed_bytes=0B;;;0 time=0.250s;;;0",
               "all OK: counts only, no table named");
    tap_ok(strchr(out, '\n')[1] == '\0', "all OK: no long output without -v");
    free(out);

    fixture_init(&f);
    add_error(&f, "a.one", "API error ThrottlingException: slow down (HTTP 400, 3 attempts)");
    out = format(&f, false);
    tap_is_str(line(out, 0, l, sizeof l),
               "S3TABLES_EXPIRATION UNKNOWN - 1 table: 1 unknown; a.one: API error "
               "ThrottlingException: slow down (HT... | tables=1;;;0 tables_ok=0;;;0 "
               "tables_warning=0;;;0 tables_critical=0;;;0 tables_unknown=1;;;0 "
               "deleted_records=0;;;0 deleted_files=0;;;0 removed_bytes=0B;;;0 time=0.250s;;;0",
               "one unknown table: UNKNOWN, the error cut, no oldest_age");
    free(out);
}

static void
test_cut(void)
{
    static struct fixture f;
    fixture_init(&f);
    for (int i = 0; i < 300; i++) {
        char label[32];
        snprintf(label, sizeof label, "ns.table_%03d", i);
        add_job(&f, label, JOB_FAILED, 3600 + i, -1,
                "The maintenance role cannot read the table's metadata files");
    }
    char *out = format(&f, false);
    size_t len = strlen(out);
    tap_ok(len <= 4096, "300 failing tables: the output stays within 4096 bytes (%zu)", len);
    tap_ok(strncmp(out,
                   "S3TABLES_EXPIRATION CRITICAL - 300 tables: 300 critical; ns.table_299 "
                   "Failed 1h 4m ago, ns.table_298",
                   60) == 0,
           "300 failing tables: the first line counts them");
    tap_ok(strstr(out, "tables_critical=300;;;0") != NULL, "300 failing tables: perfdata kept");
    const char *last = out + len - 1;
    while (last > out && last[-1] != '\n')
        last--;
    int shown = 0;
    for (const char *p = strchr(out, '\n'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '\n'))
        shown++;
    char want[64];
    snprintf(want, sizeof want, "... and %d more\n", 300 - (shown - 1));
    tap_is_str(last, want, "300 failing tables: the last line says how many were left out");
    free(out);
}

int
main(void)
{
    test_mixed();
    test_all_ok_and_unknown();
    test_cut();
    return tap_done();
}
