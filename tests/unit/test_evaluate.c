/*
 * test_evaluate.c - a job status and thresholds give a state: the status
 * mapping, the age boundaries, clock skew, metric thresholds and the
 * worst-of rule.
 */
#include "config.h"

#include "evaluate.h"
#include "range.h"
#include "state.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define NOW INT64_C(1700000000) /* 2023-11-14T22:13:20Z */

/* A threshold from the texts the user gave, NULL for "not set". */
static struct threshold
threshold(const char *warning, const char *critical, enum range_unit unit)
{
    struct threshold t = {0};
    char err[256];
    if (warning != NULL) {
        t.has_warning = range_parse(warning, unit, &t.warning, err, sizeof err) == 0;
        if (!t.has_warning)
            tap_diag("fixture: %s", err);
        t.warning_text = warning;
    }
    if (critical != NULL) {
        t.has_critical = range_parse(critical, unit, &t.critical, err, sizeof err) == 0;
        if (!t.has_critical)
            tap_diag("fixture: %s", err);
        t.critical_text = critical;
    }
    return t;
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
    cfg.age = threshold("48h", "72h", RANGE_UNIT_DURATION);
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

static struct job_status
job_never_ran(enum job_status_value status)
{
    struct job_status job = {0};
    job.status = status;
    return job;
}

static enum state
eval_state(const struct job_status *job, const struct eval_config *cfg)
{
    struct evaluation ev;
    char err[256] = "";
    if (evaluate(job, cfg, NOW, &ev, err, sizeof err) != 0) {
        tap_diag("evaluate failed: %s", err);
        return (enum state) - 1;
    }
    return ev.state;
}

static void
test_default_status_mapping(void)
{
    struct eval_config cfg = default_config();
    static const struct {
        enum job_status_value status;
        enum state want;
        const char *name;
    } cases[] = {
        {JOB_SUCCESSFUL, STATE_OK, "Successful is OK"},
        {JOB_FAILED, STATE_CRITICAL, "Failed is CRITICAL"},
        {JOB_NOT_YET_RUN, STATE_WARNING, "NotYetRun is WARNING"},
        {JOB_DISABLED, STATE_WARNING, "Disabled is WARNING"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct job_status job = job_ran(cases[i].status, 3600);
        struct evaluation ev;
        char err[256];
        int rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
        tap_ok(rc == 0 && ev.state == cases[i].want &&
                   ev.check_state[CHECK_STATUS] == cases[i].want,
               "default mapping: %s (run 1h ago)", cases[i].name);
    }
}

static void
test_custom_status_mapping(void)
{
    struct eval_config cfg = default_config();
    cfg.status_state[JOB_FAILED] = STATE_WARNING;
    cfg.status_state[JOB_NOT_YET_RUN] = STATE_OK;
    cfg.status_state[JOB_DISABLED] = STATE_CRITICAL;

    struct job_status failed = job_ran(JOB_FAILED, 60);
    struct job_status never = job_never_ran(JOB_NOT_YET_RUN);
    struct job_status disabled = job_ran(JOB_DISABLED, 60);
    tap_is_int(eval_state(&failed, &cfg), STATE_WARNING,
               "--failed-state warning: Failed is WARNING");
    tap_is_int(eval_state(&never, &cfg), STATE_OK, "--not-yet-run-state ok: NotYetRun is OK");
    tap_is_int(eval_state(&disabled, &cfg), STATE_CRITICAL,
               "--disabled-state critical: Disabled is CRITICAL");

    cfg.status_state[JOB_DISABLED] = STATE_UNKNOWN;
    tap_is_int(eval_state(&disabled, &cfg), STATE_UNKNOWN,
               "--disabled-state unknown: Disabled (run 1m ago) is UNKNOWN");
}

static void
check_age(int64_t seconds_ago, enum state want, const char *name)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_SUCCESSFUL, seconds_ago);
    struct evaluation ev;
    char err[256];
    int rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(rc == 0 && ev.has_age && ev.age == seconds_ago && ev.state == want &&
               ev.check_state[CHECK_AGE] == want,
           "age %s", name);
}

static void
test_age_boundaries(void)
{
    check_age(0, STATE_OK, "0 s (just ran) is OK");
    check_age(172799, STATE_OK, "172799 s is OK (inside 48h)");
    check_age(172800, STATE_OK, "172800 s = 48h is OK (the end of the range is inclusive)");
    check_age(172801, STATE_WARNING, "172801 s is WARNING (just past 48h)");
    check_age(259199, STATE_WARNING, "259199 s is WARNING");
    check_age(259200, STATE_WARNING, "259200 s = 72h is WARNING, not yet CRITICAL");
    check_age(259201, STATE_CRITICAL, "259201 s is CRITICAL (just past 72h)");
    check_age(INT64_C(10) * 365 * 86400, STATE_CRITICAL, "10 years is CRITICAL");
}

static void
test_no_timestamp(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_never_ran(JOB_SUCCESSFUL);
    struct evaluation ev;
    char err[256];
    ev.has_age = true;
    ev.age = 42;
    int rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(rc == 0, "no timestamp: evaluate succeeds");
    tap_ok(!ev.has_age, "no timestamp: has_age is false");
    tap_is_int(ev.check_state[CHECK_AGE], STATE_OK, "no timestamp: the age is not checked");
    tap_is_int(ev.state, STATE_OK, "no timestamp, Successful: OK");

    cfg.age = threshold("@0:", NULL, RANGE_UNIT_DURATION); /* would alert on any age */
    tap_is_int(eval_state(&job, &cfg), STATE_OK,
               "no timestamp: an age range that alerts on everything is not applied");
}

static void
test_clock_skew(void)
{
    struct eval_config cfg = default_config();
    struct evaluation ev;
    char err[256];

    struct job_status job = job_ran(JOB_SUCCESSFUL, -1);
    int rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(rc == 0 && ev.has_age && ev.age == 0 && ev.state == STATE_OK,
           "last run 1 s in the future: age 0, OK");

    job = job_ran(JOB_SUCCESSFUL, -EVAL_MAX_FUTURE_SECONDS);
    rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(rc == 0 && ev.has_age && ev.age == 0 && ev.state == STATE_OK,
           "last run 300 s in the future: clock skew, age 0, OK");

    job = job_ran(JOB_SUCCESSFUL, -(EVAL_MAX_FUTURE_SECONDS + 1));
    err[0] = '\0';
    rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_is_int(rc, -1, "last run 301 s in the future: evaluate fails");
    tap_is_str(err, "last run 2023-11-14T22:18:21Z is 5m 1s in the future: check this host's clock",
               "last run 301 s in the future: the message names the time and the host's clock");

    job = job_ran(JOB_FAILED, -86400);
    rc = evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_is_str(rc == -1 ? err : NULL,
               "last run 2023-11-15T22:13:20Z is 1d 0h in the future: check this host's clock",
               "last run a day in the future: fails even for a Failed job");
}

static void
test_metric_thresholds(void)
{
    struct eval_config cfg = default_config();
    struct job_status job = job_ran(JOB_SUCCESSFUL, 3600);
    struct evaluation ev;
    char err[256];

    cfg.records = threshold("1:", NULL, RANGE_UNIT_NONE);
    job.deleted_records = (struct job_metric){true, 0};
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_WARNING && ev.check_state[CHECK_RECORDS] == STATE_WARNING,
           "--records-warning 1: with 0 records deleted is WARNING");
    job.deleted_records.value = 1;
    tap_is_int(eval_state(&job, &cfg), STATE_OK, "--records-warning 1: with 1 record is OK");

    cfg.records = threshold("10:", "1:", RANGE_UNIT_NONE);
    job.deleted_records.value = 0;
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_CRITICAL && ev.check_state[CHECK_RECORDS] == STATE_CRITICAL,
           "records 0 breaks both warning 10: and critical 1: -> CRITICAL (critical first)");
    job.deleted_records.value = 5;
    tap_is_int(eval_state(&job, &cfg), STATE_WARNING,
               "records 5 with warning 10: and critical 1: is WARNING");
    job.deleted_records.value = 10;
    tap_is_int(eval_state(&job, &cfg), STATE_OK, "records 10 with warning 10: is OK");

    job.deleted_records.present = false;
    job.deleted_records.value = 0;
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_OK && ev.check_state[CHECK_RECORDS] == STATE_OK,
           "absent deletedDataFiles metric is not checked against 1:");

    cfg.files = threshold(NULL, "~:100", RANGE_UNIT_NONE);
    job.deleted_files = (struct job_metric){true, 101};
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_CRITICAL && ev.check_state[CHECK_FILES] == STATE_CRITICAL,
           "--files-critical ~:100 with 101 files is CRITICAL");
    job.deleted_files.value = 100;
    tap_is_int(eval_state(&job, &cfg), STATE_OK, "--files-critical ~:100 with 100 files is OK");

    cfg.bytes = threshold("1MiB", "1GB", RANGE_UNIT_BYTES);
    job.removed_bytes = (struct job_metric){true, 1048576};
    tap_is_int(eval_state(&job, &cfg), STATE_OK, "--bytes-warning 1MiB with 1048576 B is OK");
    job.removed_bytes.value = 1048577;
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_WARNING && ev.check_state[CHECK_BYTES] == STATE_WARNING,
           "--bytes-warning 1MiB with 1048577 B is WARNING");
    job.removed_bytes.value = 1000000001;
    tap_is_int(eval_state(&job, &cfg), STATE_CRITICAL,
               "--bytes-critical 1GB with 1000000001 B is CRITICAL");
    job.removed_bytes.present = false;
    tap_is_int(eval_state(&job, &cfg), STATE_OK, "absent removedBytes is not checked");
}

static void
test_worst_of(void)
{
    struct eval_config cfg = default_config();
    struct evaluation ev;
    char err[256];

    struct job_status job = job_ran(JOB_FAILED, 60);
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_CRITICAL && ev.check_state[CHECK_AGE] == STATE_OK,
           "Failed a minute ago: CRITICAL although the age is fine");

    job = job_ran(JOB_SUCCESSFUL, 300000);
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_CRITICAL && ev.check_state[CHECK_STATUS] == STATE_OK,
           "Successful but 300000 s ago: CRITICAL from the age");

    cfg.status_state[JOB_DISABLED] = STATE_UNKNOWN;
    job = job_ran(JOB_DISABLED, 200000);
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_WARNING && ev.check_state[CHECK_STATUS] == STATE_UNKNOWN &&
               ev.check_state[CHECK_AGE] == STATE_WARNING,
           "Disabled mapped to UNKNOWN + age WARNING: WARNING (WARNING outranks UNKNOWN)");

    job = job_ran(JOB_DISABLED, 300000);
    tap_is_int(eval_state(&job, &cfg), STATE_CRITICAL,
               "Disabled mapped to UNKNOWN + age CRITICAL: CRITICAL");

    cfg = default_config();
    cfg.records = threshold("1:", NULL, RANGE_UNIT_NONE);
    job = job_ran(JOB_NOT_YET_RUN, 60);
    job.deleted_records = (struct job_metric){true, 0};
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_WARNING && ev.check_state[CHECK_STATUS] == STATE_WARNING &&
               ev.check_state[CHECK_RECORDS] == STATE_WARNING,
           "two WARNING checks: WARNING");

    job = job_ran(JOB_SUCCESSFUL, 259201);
    job.deleted_records = (struct job_metric){true, 0};
    evaluate(&job, &cfg, NOW, &ev, err, sizeof err);
    tap_ok(ev.state == STATE_CRITICAL && ev.check_state[CHECK_RECORDS] == STATE_WARNING,
           "records WARNING + age CRITICAL: CRITICAL");
}

static void
test_state_worst(void)
{
    /* CRITICAL > WARNING > UNKNOWN > OK */
    static const enum state order[] = {STATE_OK, STATE_UNKNOWN, STATE_WARNING, STATE_CRITICAL};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            enum state want = order[i > j ? i : j];
            tap_is_str(state_name(state_worst(order[i], order[j])), state_name(want),
                       "state_worst(%s, %s) is %s", state_name(order[i]), state_name(order[j]),
                       state_name(want));
        }
}

static void
test_threshold_check(void)
{
    struct threshold none = {0};
    tap_is_int(threshold_check(&none, 1e12), STATE_OK, "threshold_check: no ranges is OK");

    struct threshold t = threshold("30", "60", RANGE_UNIT_NONE);
    tap_is_int(threshold_check(&t, 15.3), STATE_OK, "threshold_check: warn 30 crit 60, 15.3 OK");
    tap_is_int(threshold_check(&t, 30.0001), STATE_WARNING,
               "threshold_check: warn 30 crit 60, 30.0001 WARNING");
    tap_is_int(threshold_check(&t, 69), STATE_CRITICAL,
               "threshold_check: warn 30 crit 60, 69 CRITICAL");

    t = threshold("-10:-2", "-30:20", RANGE_UNIT_NONE);
    static const struct {
        double value;
        enum state want;
    } v[] = {{-31, STATE_CRITICAL}, {-29, STATE_WARNING}, {-11, STATE_WARNING},
             {-10, STATE_OK},       {-2, STATE_OK},       {-1, STATE_WARNING},
             {19, STATE_WARNING},   {21, STATE_CRITICAL}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        tap_is_int(threshold_check(&t, v[i].value), v[i].want,
                   "threshold_check: warn -10:-2 crit -30:20, %g is %s", v[i].value,
                   state_name(v[i].want));

    t = threshold(NULL, "10", RANGE_UNIT_NONE);
    tap_is_int(threshold_check(&t, 11), STATE_CRITICAL, "threshold_check: critical only, 11");
    tap_is_int(threshold_check(&t, 10), STATE_OK, "threshold_check: critical only, 10");
    t = threshold("10", NULL, RANGE_UNIT_NONE);
    tap_is_int(threshold_check(&t, 11), STATE_WARNING, "threshold_check: warning only, 11");
}

int
main(void)
{
    test_default_status_mapping();
    test_custom_status_mapping();
    test_age_boundaries();
    test_no_timestamp();
    test_clock_skew();
    test_metric_thresholds();
    test_worst_of();
    test_state_worst();
    test_threshold_check();
    return tap_done();
}
