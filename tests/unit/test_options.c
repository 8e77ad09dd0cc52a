/*
 * test_options.c - the command line: defaults, every option in its long
 * and short form, and the message for each kind of mistake.
 */
#include "config.h"

#include "options.h"
#include "range.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "check_s3tables_expiration"
#define ARN "arn:aws:s3tables:us-east-1:111122223333:bucket/amzn-s3-demo-bucket/table/t1"

/* PARSE(cfg, err, "-a", ARN, ...): argv is a writable compound literal,
 * as getopt_long may permute it. */
#define PARSE(cfg, err, ...) parse(cfg, err, sizeof(err), (char *[]){PROG, __VA_ARGS__, NULL})
#define PARSE_NOTHING(cfg, err) parse(cfg, err, sizeof(err), (char *[]){PROG, NULL})

static enum options_result
parse(struct config *cfg, char *err, size_t errlen, char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    err[0] = '\0';
    return options_parse(argc, argv, cfg, err, errlen);
}

/* Runs options_parse with stdout going to a temporary file; returns what
 * it printed (malloc'd) so the TAP stream stays clean. */
static char *
parse_captured(struct config *cfg, char *err, size_t errlen, char **argv, enum options_result *rc)
{
    FILE *tmp = tmpfile();
    if (tmp == NULL)
        return NULL;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(tmp), STDOUT_FILENO);
    if (argv != NULL)
        *rc = parse(cfg, err, errlen, argv);
    else
        options_print_usage();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);

    long len = ftell(tmp);
    char *text = malloc(len > 0 ? (size_t)len + 1 : 1);
    rewind(tmp);
    size_t got = len > 0 ? fread(text, 1, (size_t)len, tmp) : 0;
    text[got] = '\0';
    fclose(tmp);
    return text;
}

static void
check_error(char **argv, const char *want, const char *name)
{
    struct config cfg;
    char err[512];
    enum options_result rc = parse(&cfg, err, sizeof err, argv);
    tap_is_int(rc, OPTIONS_ERROR, "%s: an error", name);
    tap_is_str(err, want, "%s: message", name);
}

#define CHECK_ERROR(want, name, ...) check_error((char *[]){PROG, __VA_ARGS__, NULL}, want, name)

static void
test_defaults(void)
{
    struct config cfg;
    char err[512];
    char *argv[] = {PROG, "-a", ARN, NULL};
    enum options_result rc = parse(&cfg, err, sizeof err, argv);
    tap_is_int(rc, OPTIONS_OK, "-a ARN alone parses");
    tap_ok(cfg.table_arn == argv[2], "table_arn points into argv");
    tap_ok(cfg.region == NULL && cfg.endpoint_url == NULL && cfg.ca_file == NULL &&
               cfg.profile == NULL,
           "region, endpoint, CA file and profile default to unset");
    tap_is_int(cfg.timeout, 10, "timeout defaults to 10 s");
    tap_is_int(cfg.timeout_state, STATE_UNKNOWN, "a timeout is UNKNOWN by default");
    tap_is_int(cfg.verbose, 0, "verbose defaults to 0");
    tap_is_int(cfg.eval.status_state[JOB_SUCCESSFUL], STATE_OK, "Successful maps to OK");
    tap_is_int(cfg.eval.status_state[JOB_FAILED], STATE_CRITICAL, "Failed defaults to CRITICAL");
    tap_is_int(cfg.eval.status_state[JOB_NOT_YET_RUN], STATE_WARNING,
               "NotYetRun defaults to WARNING");
    tap_is_int(cfg.eval.status_state[JOB_DISABLED], STATE_WARNING, "Disabled defaults to WARNING");

    const struct threshold *age = &cfg.eval.age;
    tap_ok(age->has_warning && age->warning_text != NULL && strcmp(age->warning_text, "48h") == 0,
           "-w defaults to 48h");
    tap_ok(age->has_warning && !range_alerts(&age->warning, 172800) &&
               range_alerts(&age->warning, 172801),
           "default warning range alerts above 172800 s");
    tap_ok(age->has_critical && age->critical_text != NULL &&
               strcmp(age->critical_text, "72h") == 0,
           "-c defaults to 72h");
    tap_ok(age->has_critical && !range_alerts(&age->critical, 259200) &&
               range_alerts(&age->critical, 259201),
           "default critical range alerts above 259200 s");
    tap_ok(!cfg.eval.records.has_warning && !cfg.eval.records.has_critical &&
               !cfg.eval.files.has_warning && !cfg.eval.files.has_critical &&
               !cfg.eval.bytes.has_warning && !cfg.eval.bytes.has_critical,
           "no metric thresholds by default");
}

static void
test_table_and_endpoint(void)
{
    struct config cfg;
    char err[512];

    char *long_form[] = {PROG,
                         "--table-arn",
                         ARN,
                         "--region",
                         "eu-west-1",
                         "--endpoint-url",
                         "http://127.0.0.1:9000",
                         "--ca-file",
                         "/etc/ca.pem",
                         "--profile",
                         "monitoring",
                         NULL};
    enum options_result rc = parse(&cfg, err, sizeof err, long_form);
    tap_is_int(rc, OPTIONS_OK, "long options parse");
    tap_is_str(cfg.table_arn, ARN, "--table-arn");
    tap_is_str(cfg.region, "eu-west-1", "--region");
    tap_is_str(cfg.endpoint_url, "http://127.0.0.1:9000", "--endpoint-url");
    tap_is_str(cfg.ca_file, "/etc/ca.pem", "--ca-file");
    tap_is_str(cfg.profile, "monitoring", "--profile");

    rc = PARSE(&cfg, err, "--table-arn=" ARN, "--region=ap-southeast-2", "--profile=p");
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.table_arn, ARN) == 0 &&
               strcmp(cfg.region, "ap-southeast-2") == 0 && strcmp(cfg.profile, "p") == 0,
           "--option=value forms");
    rc = PARSE(&cfg, err, "-a" ARN);
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.table_arn, ARN) == 0, "-aARN (attached value)");
}

static void
test_thresholds(void)
{
    struct config cfg;
    char err[512];

    enum options_result rc = PARSE(&cfg, err, "-a", ARN, "-w", "36h", "-c", "3d");
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.eval.age.warning_text, "36h") == 0 &&
               !range_alerts(&cfg.eval.age.warning, 129600) &&
               range_alerts(&cfg.eval.age.warning, 129601),
           "-w 36h is 129600 s");
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.eval.age.critical_text, "3d") == 0 &&
               !range_alerts(&cfg.eval.age.critical, 259200) &&
               range_alerts(&cfg.eval.age.critical, 259201),
           "-c 3d is 259200 s");

    rc = PARSE(&cfg, err, "-a", ARN, "--warning", "1w", "--critical=2w");
    tap_ok(rc == OPTIONS_OK && !range_alerts(&cfg.eval.age.warning, 604800) &&
               range_alerts(&cfg.eval.age.warning, 604801) &&
               range_alerts(&cfg.eval.age.critical, 1209601) &&
               !range_alerts(&cfg.eval.age.critical, 1209600),
           "--warning 1w --critical=2w");

    rc = PARSE(&cfg, err, "-a", ARN, "-w", "12h");
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.eval.age.warning_text, "12h") == 0 &&
               strcmp(cfg.eval.age.critical_text, "72h") == 0,
           "-w alone keeps the default -c 72h");
    rc = PARSE(&cfg, err, "-a", ARN, "-c", "5d");
    tap_ok(rc == OPTIONS_OK && strcmp(cfg.eval.age.warning_text, "48h") == 0 &&
               strcmp(cfg.eval.age.critical_text, "5d") == 0,
           "-c alone keeps the default -w 48h");

    rc = PARSE(&cfg, err, "-a", ARN, "--records-warning", "1:", "--records-critical", "@0");
    tap_ok(rc == OPTIONS_OK && cfg.eval.records.has_warning && cfg.eval.records.has_critical &&
               range_alerts(&cfg.eval.records.warning, 0) &&
               !range_alerts(&cfg.eval.records.warning, 1) &&
               range_alerts(&cfg.eval.records.critical, 0) &&
               strcmp(cfg.eval.records.warning_text, "1:") == 0 &&
               strcmp(cfg.eval.records.critical_text, "@0") == 0,
           "--records-warning 1: --records-critical @0");

    rc = PARSE(&cfg, err, "-a", ARN, "--files-warning", "~:1000", "--files-critical=5000");
    tap_ok(rc == OPTIONS_OK && cfg.eval.files.has_warning && cfg.eval.files.has_critical &&
               !range_alerts(&cfg.eval.files.warning, 1000) &&
               range_alerts(&cfg.eval.files.warning, 1001) &&
               range_alerts(&cfg.eval.files.critical, 5001),
           "--files-warning ~:1000 --files-critical=5000");

    rc = PARSE(&cfg, err, "-a", ARN, "--bytes-warning", "1GiB", "--bytes-critical", "10GB");
    tap_ok(rc == OPTIONS_OK && cfg.eval.bytes.has_warning && cfg.eval.bytes.has_critical &&
               !range_alerts(&cfg.eval.bytes.warning, 1073741824.0) &&
               range_alerts(&cfg.eval.bytes.warning, 1073741825.0) &&
               !range_alerts(&cfg.eval.bytes.critical, 1e10) &&
               range_alerts(&cfg.eval.bytes.critical, 1e10 + 1),
           "--bytes-warning 1GiB --bytes-critical 10GB in bytes");
}

static void
test_status_states(void)
{
    struct config cfg;
    char err[512];
    enum options_result rc = PARSE(&cfg, err, "-a", ARN, "--failed-state", "warning",
                                   "--not-yet-run-state", "ok", "--disabled-state", "UNKNOWN");
    tap_is_int(rc, OPTIONS_OK, "status state options parse");
    tap_is_int(cfg.eval.status_state[JOB_FAILED], STATE_WARNING, "--failed-state warning");
    tap_is_int(cfg.eval.status_state[JOB_NOT_YET_RUN], STATE_OK, "--not-yet-run-state ok");
    tap_is_int(cfg.eval.status_state[JOB_DISABLED], STATE_UNKNOWN, "--disabled-state UNKNOWN");
    tap_is_int(cfg.eval.status_state[JOB_SUCCESSFUL], STATE_OK, "Successful stays OK");

    rc = PARSE(&cfg, err, "-a", ARN, "--failed-state=1", "--disabled-state=2");
    tap_ok(rc == OPTIONS_OK && cfg.eval.status_state[JOB_FAILED] == STATE_WARNING &&
               cfg.eval.status_state[JOB_DISABLED] == STATE_CRITICAL,
           "status states as numbers 0-3");

    CHECK_ERROR("--failed-state: invalid state 'bad' (use ok, warning, critical, unknown or 0-3)",
                "--failed-state bad", "-a", ARN, "--failed-state", "bad");
    CHECK_ERROR("--not-yet-run-state: invalid state '4' (use ok, warning, critical, unknown or "
                "0-3)",
                "--not-yet-run-state 4", "-a", ARN, "--not-yet-run-state", "4");
    CHECK_ERROR("--disabled-state: invalid state '' (use ok, warning, critical, unknown or 0-3)",
                "--disabled-state ''", "-a", ARN, "--disabled-state", "");
}

static void
test_timeout(void)
{
    struct config cfg;
    char err[512];

    enum options_result rc = PARSE(&cfg, err, "-a", ARN, "-t", "5");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 5 && cfg.timeout_state == STATE_UNKNOWN,
           "-t 5: 5 s, UNKNOWN on expiry");
    rc = PARSE(&cfg, err, "-a", ARN, "-t", "5:critical");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 5 && cfg.timeout_state == STATE_CRITICAL,
           "-t 5:critical: 5 s, CRITICAL on expiry");
    rc = PARSE(&cfg, err, "-a", ARN, "--timeout", "30:warning");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 30 && cfg.timeout_state == STATE_WARNING,
           "--timeout 30:warning");
    rc = PARSE(&cfg, err, "-a", ARN, "--timeout=3600:0");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 3600 && cfg.timeout_state == STATE_OK,
           "--timeout=3600:0 (the maximum, state as a number)");
    rc = PARSE(&cfg, err, "-a", ARN, "-t1:UNKNOWN");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 1 && cfg.timeout_state == STATE_UNKNOWN,
           "-t1:UNKNOWN (attached value, the minimum)");

    static const char *const bad[] = {"0",  "3601", "-5",  "abc",
                                      "5x", "",     "5.5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256], name[64];
        snprintf(want, sizeof want, "-t: invalid timeout '%s' (use SECONDS[:STATE], 1-3600)",
                 bad[i]);
        snprintf(name, sizeof name, "-t '%s'", bad[i]);
        check_error((char *[]){PROG, "-a", ARN, "-t", (char *)bad[i], NULL}, want, name);
    }
    CHECK_ERROR("-t: invalid state 'bogus' (use ok, warning, critical, unknown or 0-3)",
                "-t 5:bogus", "-a", ARN, "-t", "5:bogus");
    CHECK_ERROR("-t: invalid state '' (use ok, warning, critical, unknown or 0-3)", "-t 5:", "-a",
                ARN, "-t", "5:");
}

static void
test_verbose(void)
{
    struct config cfg;
    char err[512];
    enum options_result rc = PARSE(&cfg, err, "-a", ARN, "-v");
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 1, "-v is 1");
    rc = PARSE(&cfg, err, "-a", ARN, "--verbose", "-v");
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 2, "--verbose -v is 2");
    rc = PARSE(&cfg, err, "-a", ARN, "-vvv");
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 3, "-vvv is 3");
    rc = PARSE(&cfg, err, "-a", ARN, "-vvvv");
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 3, "-vvvv is capped at 3");
    rc = PARSE(&cfg, err, "-v", "-v", "-v", "-v", "-v", "-a", ARN);
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 3, "five -v are capped at 3");
}

static void
test_bad_ranges(void)
{
    CHECK_ERROR("-w: invalid range \"foo\": \"foo\" is not a number", "-w foo", "-a", ARN, "-w",
                "foo");
    CHECK_ERROR("-c: invalid range \"2:1\": start is greater than end", "-c 2:1", "-a", ARN, "-c",
                "2:1");
    CHECK_ERROR("-w: invalid range \"36x\": unknown unit \"x\" (use s, m, h, d or w)", "-w 36x",
                "-a", ARN, "-w", "36x");
    CHECK_ERROR("-w: invalid range \"\": empty range", "-w ''", "-a", ARN, "-w", "");
    CHECK_ERROR("--records-warning: invalid range \"5s\": unexpected unit \"s\" (plain numbers "
                "only)",
                "--records-warning 5s", "-a", ARN, "--records-warning", "5s");
    CHECK_ERROR("--files-critical: invalid range \"1-10\": expected [@]start:end",
                "--files-critical 1-10", "-a", ARN, "--files-critical", "1-10");
    CHECK_ERROR("--bytes-critical: invalid range \"5XB\": unknown unit \"XB\" (use B, KB, MB, GB, "
                "TB, KiB, MiB, GiB or TiB)",
                "--bytes-critical 5XB", "-a", ARN, "--bytes-critical", "5XB");
}

static void
test_command_line_mistakes(void)
{
    struct config cfg;
    char err[512];

    CHECK_ERROR("unknown option '--bogus'", "--bogus", "-a", ARN, "--bogus");
    CHECK_ERROR("unknown option '-x'", "-x", "-a", ARN, "-x");
    CHECK_ERROR("option '--fips' takes no value", "--fips=1", "-a", ARN, "--fips=1");
    CHECK_ERROR("option '--no-cache' takes no value", "--no-cache=yes", "-a", ARN,
                "--no-cache=yes");
    CHECK_ERROR("unknown option '--bogus=1'", "--bogus=1", "-a", ARN, "--bogus=1");
    CHECK_ERROR("option '-w' needs a value", "-w without a value", "-a", ARN, "-w");
    CHECK_ERROR("option '-a' needs a value", "-a without a value", "-a");
    CHECK_ERROR("option '--region' needs a value", "--region without a value", "-a", ARN,
                "--region");
    CHECK_ERROR("unexpected argument 'extra'", "a positional argument", "-a", ARN, "extra");
    CHECK_ERROR("unexpected argument 'extra'", "a positional argument before the options", "extra",
                "-a", ARN);
    CHECK_ERROR("missing -a/--table-arn", "no --table-arn", "-w", "1h");

    enum options_result rc = PARSE_NOTHING(&cfg, err);
    tap_is_int(rc, OPTIONS_ERROR, "no arguments at all: an error");
    tap_is_str(err, "missing -a/--table-arn", "no arguments at all: message");
}

static void
test_region(void)
{
    struct config cfg;
    char err[512];
    static const char *const good[] = {"us-east-1", "eu-isoe-west-1", "us-gov-west-1", "local"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        enum options_result rc = parse(
            &cfg, err, sizeof err, (char *[]){PROG, "-a", ARN, "--region", (char *)good[i], NULL});
        tap_ok(rc == OPTIONS_OK && strcmp(cfg.region, good[i]) == 0, "--region %s is accepted",
               good[i]);
    }

    static const char *const bad[] = {
        "US-EAST-1",
        "us_east_1",
        "-us-east-1",
        "us-east-1-",
        "",
        "us-east-1.example.com",
        "us east 1",
        "us-east-1/x",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256], name[128];
        snprintf(want, sizeof want, "--region: invalid region '%s'", bad[i]);
        snprintf(name, sizeof name, "--region '%.20s%s'", bad[i], strlen(bad[i]) > 20 ? "..." : "");
        check_error((char *[]){PROG, "-a", ARN, "--region", (char *)bad[i], NULL}, want, name);
    }
    enum options_result rc =
        PARSE(&cfg, err, "-a", ARN, "--region",
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 63 */
    tap_is_int(rc, OPTIONS_OK, "--region of 63 characters is accepted");
}

static void
test_help_and_version(void)
{
    struct config cfg;
    char err[512];
    enum options_result rc = OPTIONS_ERROR;

    char *help = parse_captured(&cfg, err, sizeof err, (char *[]){PROG, "--help", NULL}, &rc);
    tap_is_int(rc, OPTIONS_EXIT, "--help: exit (UNKNOWN), even without --table-arn");
    tap_ok(help != NULL && strncmp(help, PROG " " PACKAGE_VERSION "\n", strlen(PROG) + 7) == 0,
           "--help starts with the name and version");
    static const char *const names[] = {
        "--table-arn",      "--region",          "--endpoint-url",
        "--ca-file",        "--profile",         "--warning",
        "--critical",       "--failed-state",    "--not-yet-run-state",
        "--disabled-state", "--records-warning", "--records-critical",
        "--files-warning",  "--files-critical",  "--bytes-warning",
        "--bytes-critical", "--timeout",         "--verbose",
        "--help",           "--version",
    };
    bool all = help != NULL;
    for (size_t i = 0; all && i < sizeof names / sizeof names[0]; i++)
        if (strstr(help, names[i]) == NULL) {
            tap_diag("--help does not mention %s", names[i]);
            all = false;
        }
    tap_ok(all, "--help mentions every long option");
    free(help);

    help = parse_captured(&cfg, err, sizeof err, (char *[]){PROG, "-a", ARN, "-h", NULL}, &rc);
    tap_ok(rc == OPTIONS_EXIT && help != NULL && strstr(help, "Usage:") != NULL,
           "-h: exit after the help");
    free(help);

    char *version = parse_captured(&cfg, err, sizeof err, (char *[]){PROG, "--version", NULL}, &rc);
    tap_is_int(rc, OPTIONS_EXIT, "--version: exit (UNKNOWN)");
    tap_ok(version != NULL &&
               strncmp(version, PROG " " PACKAGE_VERSION " ", strlen(PROG) + 7) == 0 &&
               strstr(version, "libcurl") != NULL && strstr(version, "OpenSSL") != NULL &&
               strstr(version, "json-c") != NULL,
           "--version names the plugin, its version, libcurl, OpenSSL and json-c");
    free(version);

    version = parse_captured(&cfg, err, sizeof err, (char *[]){PROG, "-V", NULL}, &rc);
    tap_ok(rc == OPTIONS_EXIT && version != NULL &&
               strncmp(version, PROG " ", strlen(PROG) + 1) == 0,
           "-V: exit after the version");
    free(version);

    char *usage = parse_captured(NULL, NULL, 0, NULL, NULL);
    int lines = 0;
    size_t widest = 0;
    for (const char *p = usage; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, "\n");
        widest = n > widest ? n : widest;
        lines++;
        p += n + (p[n] == '\n');
    }
    tap_ok(usage != NULL && lines >= 1 && lines <= 4 && widest <= 80,
           "short usage: %d lines, at most 80 columns (widest %zu)", lines, widest);
    free(usage);
}

/* PLUGIN-CONVENTIONS.md, "Standard options": --extra-opts[=section][@file]
 * reads long options (without the dashes) from an ini file, the section
 * defaulting to the plugin's name, as Monitoring Plugins do. */
static void
test_extra_opts(void)
{
    char path[] = "/tmp/test_options_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        tap_skip("--extra-opts: cannot create a temporary file");
        return;
    }
    fputs("[check_s3tables_expiration]\n"
          "table-arn=" ARN "\n"
          "warning=36h\n"
          "\n"
          "[nightly]\n"
          "table-arn=" ARN "\n"
          "timeout=30:critical\n",
          f);
    fclose(f);

    struct config cfg;
    char err[512], arg[64];
    snprintf(arg, sizeof arg, "--extra-opts=@%s", path);
    enum options_result rc = parse(&cfg, err, sizeof err, (char *[]){PROG, arg, NULL});
    if (rc != OPTIONS_OK)
        tap_diag("error: %s", err);
    tap_ok(rc == OPTIONS_OK && cfg.table_arn != NULL && strcmp(cfg.table_arn, ARN) == 0 &&
               cfg.eval.age.warning_text != NULL && strcmp(cfg.eval.age.warning_text, "36h") == 0,
           "--extra-opts=@FILE reads the [check_s3tables_expiration] section");
    options_free(&cfg);

    snprintf(arg, sizeof arg, "--extra-opts=nightly@%s", path);
    rc = parse(&cfg, err, sizeof err, (char *[]){PROG, arg, NULL});
    if (rc != OPTIONS_OK)
        tap_diag("error: %s", err);
    tap_ok(rc == OPTIONS_OK && cfg.table_arn != NULL && strcmp(cfg.table_arn, ARN) == 0 &&
               cfg.timeout == 30 && cfg.timeout_state == STATE_CRITICAL,
           "--extra-opts=nightly@FILE reads the [nightly] section");
    options_free(&cfg);
    remove(path);
}

/* getopt_long keeps state between calls; options_parse must start afresh. */
static void
test_repeated_calls(void)
{
    struct config cfg;
    char err[512];

    enum options_result rc =
        PARSE(&cfg, err, "-a", ARN, "-vvv", "--records-warning", "1:", "--region", "eu-west-1");
    rc = PARSE(&cfg, err, "-a", ARN);
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 0 && cfg.region == NULL &&
               !cfg.eval.records.has_warning,
           "a second call starts from the defaults");

    free(parse_captured(&cfg, err, sizeof err, (char *[]){PROG, "-a", ARN, "-hv", NULL}, &rc));
    rc = PARSE(&cfg, err, "-a", ARN);
    if (rc != OPTIONS_OK || cfg.verbose != 0)
        tap_diag("rc %d, verbose %d, error: %s", (int)rc, cfg.verbose, err);
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 0 && strcmp(cfg.table_arn, ARN) == 0,
           "after -hv stopped at -h, the next call does not see the left-over -v");

    rc = PARSE(&cfg, err, "-xv", "-a", ARN);
    rc = PARSE(&cfg, err, "-a", ARN);
    if (rc != OPTIONS_OK || cfg.verbose != 0)
        tap_diag("rc %d, verbose %d, error: %s", (int)rc, cfg.verbose, err);
    tap_ok(rc == OPTIONS_OK && cfg.verbose == 0 && strcmp(cfg.table_arn, ARN) == 0,
           "after -xv failed at -x, the next call does not see the left-over -v");

    rc = PARSE(&cfg, err, "extra", "-a", ARN);
    rc = PARSE(&cfg, err, "-a", ARN, "-t", "5");
    tap_ok(rc == OPTIONS_OK && cfg.timeout == 5,
           "after a positional-argument error, parsing works");
}

#define BUCKET "arn:aws:s3tables:us-east-1:111122223333:bucket/amzn-s3-demo-bucket"

/* Like CHECK_ERROR, freeing what the parse kept (--include lists). */
static void
check_selection_error(char **argv, const char *want, const char *name)
{
    struct config cfg;
    char err[512];
    enum options_result rc = parse(&cfg, err, sizeof err, argv);
    tap_is_int(rc, OPTIONS_ERROR, "%s: an error", name);
    tap_is_str(err, want, "%s: message", name);
    options_free(&cfg);
}

#define SELECTION_ERROR(want, name, ...)                                                           \
    check_selection_error((char *[]){PROG, __VA_ARGS__, NULL}, want, name)

static void
test_table_selection(void)
{
    struct config cfg;
    char err[512];
    tap_is_int(PARSE(&cfg, err, "-b", BUCKET, "--namespace", "sales", "--name", "orders"),
               OPTIONS_OK, "-b --namespace --name parses");
    tap_is_int(cfg.mode, MODE_TABLE_NAME, "-b --namespace --name: one table by name");
    tap_ok(cfg.bucket_arn != NULL && strcmp(cfg.namespace_name, "sales") == 0 &&
               strcmp(cfg.table_name, "orders") == 0,
           "-b --namespace --name: bucket, namespace and name kept");
    options_free(&cfg);

    tap_is_int(PARSE(&cfg, err, "--table-bucket-arn", BUCKET), OPTIONS_OK, "-b alone parses");
    tap_is_int(cfg.mode, MODE_BUCKET, "-b alone: the whole bucket");
    tap_is_int(cfg.parallel, 8, "--parallel defaults to 8");
    tap_ok(!cfg.show_configuration, "--show-configuration is off by default");
    options_free(&cfg);

    tap_is_int(PARSE(&cfg, err, "-b", BUCKET, "--namespace", "sales", "--include", "sales.o*",
                     "--include", "sales.x", "--exclude", "*_tmp", "--parallel", "64",
                     "--show-configuration"),
               OPTIONS_OK, "bucket filters parse");
    tap_is_int(cfg.mode, MODE_BUCKET, "bucket filters: still the whole-bucket mode");
    tap_ok(cfg.n_include == 2 && strcmp(cfg.include[0], "sales.o*") == 0 &&
               strcmp(cfg.include[1], "sales.x") == 0,
           "--include is repeatable, in order");
    tap_ok(cfg.n_exclude == 1 && strcmp(cfg.exclude[0], "*_tmp") == 0, "--exclude is kept");
    tap_is_int(cfg.parallel, 64, "--parallel 64 is the maximum");
    tap_ok(cfg.show_configuration, "--show-configuration is kept");
    options_free(&cfg);

    tap_is_int(PARSE(&cfg, err, "-b", BUCKET, "--list-tables", "--exclude", "a.*"), OPTIONS_OK,
               "--list-tables parses");
    tap_is_int(cfg.mode, MODE_LIST, "--list-tables: the listing mode");
    options_free(&cfg);

    const char *combined = "-a/--table-arn names one table: it cannot be combined with "
                           "--table-bucket-arn, --namespace, --name, --include, --exclude or "
                           "--list-tables";
    SELECTION_ERROR(combined, "-a with -b", "-a", ARN, "-b", BUCKET);
    SELECTION_ERROR(combined, "-a with --namespace", "-a", ARN, "--namespace", "sales");
    SELECTION_ERROR(combined, "-a with --include", "-a", ARN, "--include", "x");
    SELECTION_ERROR(combined, "-a with --list-tables", "-a", ARN, "--list-tables");
    SELECTION_ERROR("--name needs --namespace", "--name without --namespace", "-b", BUCKET,
                    "--name", "orders");
    SELECTION_ERROR("--namespace needs -b/--table-bucket-arn", "--namespace without -b",
                    "--namespace", "sales");
    SELECTION_ERROR("--name needs -b/--table-bucket-arn", "--name without -b", "--namespace",
                    "sales", "--name", "orders");
    SELECTION_ERROR("--list-tables needs -b/--table-bucket-arn", "--list-tables without -b",
                    "--list-tables");
    SELECTION_ERROR("--include/--exclude needs -b/--table-bucket-arn", "--exclude without -b",
                    "--exclude", "x");
    SELECTION_ERROR("--name names one table: it cannot be combined with --include, --exclude or "
                    "--list-tables",
                    "--name with --include", "-b", BUCKET, "--namespace", "s", "--name", "t",
                    "--include", "x");
    SELECTION_ERROR("invalid namespace 'Sales': may hold only a-z, 0-9 and _",
                    "an upper-case namespace", "-b", BUCKET, "--namespace", "Sales");
    SELECTION_ERROR("invalid namespace '': is empty", "an empty namespace", "-b", BUCKET,
                    "--namespace", "");
    SELECTION_ERROR("invalid table name 'my-table': may hold only a-z, 0-9 and _",
                    "a table name with a dash", "-b", BUCKET, "--namespace", "s", "--name",
                    "my-table");
    char long_name[300];
    memset(long_name, 'a', 256);
    long_name[256] = '\0';
    SELECTION_ERROR("invalid table name "
                    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': "
                    "is longer than 255 characters",
                    "a 256-character table name", "-b", BUCKET, "--namespace", "s", "--name",
                    long_name);
    SELECTION_ERROR("--parallel: invalid number '0' (use 1-64)", "--parallel 0", "-b", BUCKET,
                    "--parallel", "0");
    SELECTION_ERROR("--parallel: invalid number '65' (use 1-64)", "--parallel 65", "-b", BUCKET,
                    "--parallel", "65");
    SELECTION_ERROR("--parallel: invalid number '8x' (use 1-64)", "--parallel 8x", "-b", BUCKET,
                    "--parallel", "8x");
}

int
main(void)
{
    test_defaults();
    test_table_and_endpoint();
    test_thresholds();
    test_status_states();
    test_timeout();
    test_verbose();
    test_bad_ranges();
    test_command_line_mistakes();
    test_region();
    test_help_and_version();
    test_extra_opts();
    test_repeated_calls();
    test_table_selection();
    return tap_done();
}
