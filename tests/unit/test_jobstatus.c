/*
 * test_jobstatus.c - decoding the GetTableRecordExpirationJobStatus answer.
 *
 * Shapes from the service model: status is a required enum, lastRunTimestamp
 * an ISO-8601 string, failureMessage a string, metrics three optional Longs.
 * Expected seconds were computed with GNU date (date -u -d ... +%s).
 */
#include "config.h"

#include "jobstatus.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define T_2025_03_01_123456Z INT64_C(1740832496)
#define T_2025_03_01_103456Z INT64_C(1740825296)

static int
decode(const char *body, struct job_status *js, char *err, size_t errlen)
{
    return job_status_decode(body, strlen(body), js, err, errlen);
}

/* The body is rejected with exactly this reason, and nothing is left behind. */
static void
check_rejected_len(const char *what, const char *body, size_t len, const char *want)
{
    struct job_status js;
    char err[512] = "";
    int rc = job_status_decode(body, len, &js, err, sizeof err);

    tap_is_int(rc, -1, "jobstatus: %s is rejected", what);
    tap_is_str(err, want, "jobstatus: %s gives the reason", what);
    tap_ok(js.failure_message == NULL, "jobstatus: %s leaves no failure message allocated", what);
    job_status_free(&js);
}

static void
check_rejected(const char *what, const char *body, const char *want)
{
    check_rejected_len(what, body, strlen(body), want);
}

/* Decodes a body that must be accepted; returns false (and reports) if not. */
static bool
check_accepted(const char *what, const char *body, struct job_status *js)
{
    char err[512] = "";
    int rc = decode(body, js, err, sizeof err);

    if (!tap_is_int(rc, 0, "jobstatus: %s is accepted", what)) {
        tap_diag("reason: %s", err);
        return false;
    }
    return true;
}

static void
check_nothing_else(const char *what, const struct job_status *js)
{
    tap_ok(!js->has_last_run, "jobstatus: %s has no last run", what);
    tap_ok(js->failure_message == NULL, "jobstatus: %s has no failure message", what);
    tap_ok(!js->deleted_records.present && !js->deleted_files.present && !js->removed_bytes.present,
           "jobstatus: %s has no metrics", what);
}

static void
test_status_values(void)
{
    static const struct {
        const char *body;
        enum job_status_value want;
        const char *name;
    } cases[] = {
        {"{\"status\":\"NotYetRun\"}", JOB_NOT_YET_RUN, "NotYetRun"},
        {"{\"status\":\"Successful\"}", JOB_SUCCESSFUL, "Successful"},
        {"{\"status\":\"Failed\"}", JOB_FAILED, "Failed"},
        {"{\"status\":\"Disabled\"}", JOB_DISABLED, "Disabled"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct job_status js;
        char what[64];
        snprintf(what, sizeof what, "status %s alone", cases[i].name);
        if (!check_accepted(what, cases[i].body, &js))
            continue;
        tap_is_int(js.status, cases[i].want, "jobstatus: status %s decodes to its enum value",
                   cases[i].name);
        tap_is_str(job_status_name(js.status), cases[i].name,
                   "jobstatus: job_status_name gives back \"%s\"", cases[i].name);
        check_nothing_else(what, &js);
        job_status_free(&js);
    }
    tap_is_str(job_status_name((enum job_status_value)42), "?",
               "jobstatus: job_status_name of an out-of-range value is \"?\"");
}

static void
test_status_errors(void)
{
    check_rejected("an object without status", "{}", "no \"status\" in the answer");
    check_rejected("an answer with only other members",
                   "{\"lastRunTimestamp\":\"2025-03-01T12:34:56Z\",\"metrics\":{}}",
                   "no \"status\" in the answer");
    check_rejected("status null", "{\"status\":null}", "no \"status\" in the answer");
    check_rejected("status as a number", "{\"status\":1}",
                   "\"status\" is an integer, not a string");
    check_rejected("status as a boolean", "{\"status\":true}",
                   "\"status\" is a boolean, not a string");
    check_rejected("status as an object", "{\"status\":{\"value\":\"Failed\"}}",
                   "\"status\" is an object, not a string");
    check_rejected("status as an array", "{\"status\":[\"Failed\"]}",
                   "\"status\" is an array, not a string");
    check_rejected("an unknown status", "{\"status\":\"Running\"}", "unknown status \"Running\"");
    check_rejected("a status in the wrong case", "{\"status\":\"failed\"}",
                   "unknown status \"failed\"");
    check_rejected("an empty status", "{\"status\":\"\"}", "unknown status \"\"");
    check_rejected("a status with a trailing space", "{\"status\":\"Failed \"}",
                   "unknown status \"Failed \"");

    char body[256], want[128];
    char longname[101];
    memset(longname, 'X', 100);
    longname[100] = '\0';
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", longname);
    snprintf(want, sizeof want, "unknown status \"%.64s...\"", longname);
    check_rejected("a 100-character unknown status", body, want);
    check_rejected("an unknown status with a newline and a '|'", "{\"status\":\"Odd\\n|x\"}",
                   "unknown status \"Odd /x\"");
}

static void
check_last_run(const char *what, const char *stamp, int64_t want)
{
    char body[256];
    struct job_status js;

    snprintf(body, sizeof body, "{\"status\":\"Successful\",\"lastRunTimestamp\":\"%s\"}", stamp);
    if (!check_accepted(what, body, &js))
        return;
    tap_ok(js.has_last_run, "jobstatus: %s sets has_last_run", what);
    tap_is_int(js.last_run, want, "jobstatus: %s decodes to %lld", what, (long long)want);
    job_status_free(&js);
}

static void
test_last_run(void)
{
    struct job_status js;

    if (check_accepted("an answer without lastRunTimestamp", "{\"status\":\"NotYetRun\"}", &js)) {
        tap_ok(!js.has_last_run, "jobstatus: no lastRunTimestamp means has_last_run is false");
        tap_is_int(js.last_run, 0, "jobstatus: no lastRunTimestamp leaves last_run at 0");
        job_status_free(&js);
    }
    if (check_accepted("lastRunTimestamp null",
                       "{\"status\":\"NotYetRun\",\"lastRunTimestamp\":null}", &js)) {
        tap_ok(!js.has_last_run, "jobstatus: lastRunTimestamp null counts as absent");
        job_status_free(&js);
    }
    check_last_run("lastRunTimestamp with Z", "2025-03-01T12:34:56Z", T_2025_03_01_123456Z);
    check_last_run("lastRunTimestamp with a fraction", "2025-03-01T12:34:56.789Z",
                   T_2025_03_01_123456Z);
    check_last_run("lastRunTimestamp with a 9-digit fraction", "2025-03-01T12:34:56.123456789Z",
                   T_2025_03_01_123456Z);
    check_last_run("lastRunTimestamp with a +02:00 offset", "2025-03-01T12:34:56+02:00",
                   T_2025_03_01_103456Z);
    check_last_run("lastRunTimestamp with a -02:00 offset", "2025-03-01T08:34:56-02:00",
                   T_2025_03_01_103456Z);
    check_last_run("lastRunTimestamp with a fraction and an offset", "2025-03-01T12:34:56.5+02:00",
                   T_2025_03_01_103456Z);

    check_rejected("lastRunTimestamp as epoch seconds",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":1740832496}",
                   "\"lastRunTimestamp\" is an integer, not an ISO-8601 string");
    check_rejected("lastRunTimestamp as fractional epoch seconds",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":1740832496.5}",
                   "\"lastRunTimestamp\" is a decimal number, not an ISO-8601 string");
    check_rejected("lastRunTimestamp as an object",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":{}}",
                   "\"lastRunTimestamp\" is an object, not an ISO-8601 string");
    check_rejected("lastRunTimestamp garbage",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":\"yesterday\"}",
                   "bad \"lastRunTimestamp\": \"yesterday\": expected a date as YYYY-MM-DD");
    check_rejected("lastRunTimestamp empty",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":\"\"}",
                   "bad \"lastRunTimestamp\": \"\": empty date-time");
    check_rejected("lastRunTimestamp without a zone",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":\"2025-03-01T12:34:56\"}",
                   "bad \"lastRunTimestamp\": \"2025-03-01T12:34:56\": no time zone");
    check_rejected("lastRunTimestamp with month 13",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":\"2025-13-01T12:34:56Z\"}",
                   "bad \"lastRunTimestamp\": \"2025-13-01T12:34:56Z\": month out of range");
    check_rejected("lastRunTimestamp with a newline inside",
                   "{\"status\":\"Successful\",\"lastRunTimestamp\":\"2025-03-01\\n12:34:56Z\"}",
                   "bad \"lastRunTimestamp\": \"2025-03-01?12:34:56Z\": expected \"T\" between "
                   "date and time");
}

static void
test_failure_message(void)
{
    struct job_status js;

    if (check_accepted("Failed with failureMessage",
                       "{\"status\":\"Failed\",\"failureMessage\":\"Access denied to bucket\"}",
                       &js)) {
        tap_is_int(js.status, JOB_FAILED, "jobstatus: Failed with failureMessage is Failed");
        tap_is_str(js.failure_message, "Access denied to bucket",
                   "jobstatus: Failed with failureMessage decodes the message");
        job_status_free(&js);
        tap_ok(js.failure_message == NULL, "jobstatus: job_status_free clears failure_message");
    }
    if (check_accepted("failureMessage with JSON escapes",
                       "{\"status\":\"Failed\",\"failureMessage\":\"a \\\"b\\\"\\n\\u00e9\"}",
                       &js)) {
        tap_is_str(js.failure_message, "a \"b\"\n\xc3\xa9",
                   "jobstatus: failureMessage escapes are decoded (quote, newline, \\u00e9)");
        job_status_free(&js);
    }
    if (check_accepted("an empty failureMessage", "{\"status\":\"Failed\",\"failureMessage\":\"\"}",
                       &js)) {
        tap_is_str(js.failure_message, "", "jobstatus: an empty failureMessage is kept as \"\"");
        job_status_free(&js);
    }
    if (check_accepted("Failed without failureMessage", "{\"status\":\"Failed\"}", &js)) {
        tap_ok(js.failure_message == NULL,
               "jobstatus: Failed without failureMessage has a NULL message");
        job_status_free(&js);
    }
    if (check_accepted("failureMessage null", "{\"status\":\"Failed\",\"failureMessage\":null}",
                       &js)) {
        tap_ok(js.failure_message == NULL, "jobstatus: failureMessage null counts as absent");
        job_status_free(&js);
    }
    check_rejected("failureMessage as a number", "{\"status\":\"Failed\",\"failureMessage\":42}",
                   "\"failureMessage\" is an integer, not a string");
    check_rejected("failureMessage as an object",
                   "{\"status\":\"Failed\",\"failureMessage\":{\"text\":\"x\"}}",
                   "\"failureMessage\" is an object, not a string");
    check_rejected("failureMessage as an array", "{\"status\":\"Failed\",\"failureMessage\":[]}",
                   "\"failureMessage\" is an array, not a string");
    /* A later member fails after the message was copied: nothing may leak. */
    check_rejected("failureMessage followed by bad metrics",
                   "{\"status\":\"Failed\",\"failureMessage\":\"boom\","
                   "\"metrics\":{\"deletedRecords\":-1}}",
                   "\"metrics.deletedRecords\" is negative (-1)");
}

static void
check_one_metric(const char *member, size_t which)
{
    char body[256], what[128];
    struct job_status js;

    snprintf(body, sizeof body, "{\"status\":\"Successful\",\"metrics\":{\"%s\":12345}}", member);
    snprintf(what, sizeof what, "metrics with only %s", member);
    if (!check_accepted(what, body, &js))
        return;
    const struct job_metric *m[3] = {&js.deleted_records, &js.deleted_files, &js.removed_bytes};
    for (size_t i = 0; i < 3; i++) {
        if (i == which) {
            tap_ok(m[i]->present, "jobstatus: %s marks it present", what);
            tap_is_int(m[i]->value, 12345, "jobstatus: %s decodes its value", what);
        } else {
            tap_ok(!m[i]->present && m[i]->value == 0, "jobstatus: %s leaves metric #%zu absent",
                   what, i);
        }
    }
    job_status_free(&js);
}

static void
test_metrics(void)
{
    struct job_status js;

    if (check_accepted("an answer without metrics", "{\"status\":\"Successful\"}", &js)) {
        check_nothing_else("an answer without metrics", &js);
        job_status_free(&js);
    }
    if (check_accepted("metrics null", "{\"status\":\"Successful\",\"metrics\":null}", &js)) {
        check_nothing_else("metrics null", &js);
        job_status_free(&js);
    }
    if (check_accepted("an empty metrics object", "{\"status\":\"Successful\",\"metrics\":{}}",
                       &js)) {
        check_nothing_else("an empty metrics object", &js);
        job_status_free(&js);
    }
    check_one_metric("deletedRecords", 0);
    check_one_metric("deletedDataFiles", 1);
    check_one_metric("removedFilesSize", 2);

    if (check_accepted("a full Successful answer",
                       "{\"status\":\"Successful\","
                       "\"lastRunTimestamp\":\"2025-03-01T12:34:56Z\","
                       "\"metrics\":{\"deletedDataFiles\":3,\"deletedRecords\":1000000,"
                       "\"removedFilesSize\":9223372036854775807}}",
                       &js)) {
        tap_is_int(js.status, JOB_SUCCESSFUL, "jobstatus: full answer: status Successful");
        tap_ok(js.has_last_run && js.last_run == T_2025_03_01_123456Z,
               "jobstatus: full answer: lastRunTimestamp decoded");
        tap_ok(js.deleted_records.present, "jobstatus: full answer: deletedRecords present");
        tap_is_int(js.deleted_records.value, 1000000,
                   "jobstatus: full answer: deletedRecords is 1000000");
        tap_ok(js.deleted_files.present, "jobstatus: full answer: deletedDataFiles present");
        tap_is_int(js.deleted_files.value, 3, "jobstatus: full answer: deletedDataFiles is 3");
        tap_ok(js.removed_bytes.present, "jobstatus: full answer: removedFilesSize present");
        tap_is_int(js.removed_bytes.value, INT64_MAX,
                   "jobstatus: full answer: removedFilesSize of INT64_MAX is kept exactly");
        tap_ok(js.failure_message == NULL, "jobstatus: full answer: no failure message");
        job_status_free(&js);
    }
    if (check_accepted("metrics of zero",
                       "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":0,"
                       "\"deletedDataFiles\":0,\"removedFilesSize\":0}}",
                       &js)) {
        tap_ok(js.deleted_records.present && js.deleted_records.value == 0 &&
                   js.deleted_files.present && js.deleted_files.value == 0 &&
                   js.removed_bytes.present && js.removed_bytes.value == 0,
               "jobstatus: metrics of zero are present with value 0");
        job_status_free(&js);
    }
    if (check_accepted("null metric members",
                       "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":null,"
                       "\"deletedDataFiles\":7,\"removedFilesSize\":null}}",
                       &js)) {
        tap_ok(!js.deleted_records.present, "jobstatus: deletedRecords null counts as absent");
        tap_ok(js.deleted_files.present && js.deleted_files.value == 7,
               "jobstatus: a member beside null ones still decodes");
        tap_ok(!js.removed_bytes.present, "jobstatus: removedFilesSize null counts as absent");
        job_status_free(&js);
    }

    check_rejected("metrics as a string", "{\"status\":\"Successful\",\"metrics\":\"none\"}",
                   "\"metrics\" is a string, not an object");
    check_rejected("metrics as an array", "{\"status\":\"Successful\",\"metrics\":[1,2,3]}",
                   "\"metrics\" is an array, not an object");
    check_rejected("a metric as a string",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":\"5\"}}",
                   "\"metrics.deletedRecords\" is a string, not an integer");
    check_rejected("a metric as a float",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedDataFiles\":1.5}}",
                   "\"metrics.deletedDataFiles\" is a decimal number, not an integer");
    check_rejected("a metric as a float with zero fraction",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedDataFiles\":2.0}}",
                   "\"metrics.deletedDataFiles\" is a decimal number, not an integer");
    check_rejected("a metric in exponent notation",
                   "{\"status\":\"Successful\",\"metrics\":{\"removedFilesSize\":1e3}}",
                   "\"metrics.removedFilesSize\" is a decimal number, not an integer");
    check_rejected("a metric as a boolean",
                   "{\"status\":\"Successful\",\"metrics\":{\"removedFilesSize\":true}}",
                   "\"metrics.removedFilesSize\" is a boolean, not an integer");
    check_rejected("a metric as an object",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":{}}}",
                   "\"metrics.deletedRecords\" is an object, not an integer");
    check_rejected("a negative metric",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":-5}}",
                   "\"metrics.deletedRecords\" is negative (-5)");
    check_rejected("a metric of INT64_MIN",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedDataFiles\":"
                   "-9223372036854775808}}",
                   "\"metrics.deletedDataFiles\" is negative (-9223372036854775808)");
    check_rejected("a metric of INT64_MAX + 1",
                   "{\"status\":\"Successful\",\"metrics\":{\"removedFilesSize\":"
                   "9223372036854775808}}",
                   "\"metrics.removedFilesSize\" is out of range");
    check_rejected("a metric of UINT64_MAX",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":"
                   "18446744073709551615}}",
                   "\"metrics.deletedRecords\" is out of range");
    check_rejected("a metric past UINT64_MAX",
                   "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":"
                   "99999999999999999999}}",
                   "\"metrics.deletedRecords\" is out of range");
    /* The first bad member in model order is the one named. */
    check_rejected("two bad metrics",
                   "{\"status\":\"Successful\",\"metrics\":{\"removedFilesSize\":-1,"
                   "\"deletedRecords\":\"x\"}}",
                   "\"metrics.deletedRecords\" is a string, not an integer");
}

static void
test_unknown_and_duplicate_members(void)
{
    struct job_status js;

    if (check_accepted("an answer with unknown members",
                       "{\"tableArn\":\"arn:aws:s3tables:us-east-1:123456789012:bucket/b/table/"
                       "t\",\"status\":\"Successful\",\"extra\":[1,{\"a\":null}],"
                       "\"metrics\":{\"deletedRecords\":4,\"futureMetric\":\"x\"},\"n\":1.5}",
                       &js)) {
        tap_is_int(js.status, JOB_SUCCESSFUL,
                   "jobstatus: unknown members are ignored (status still decoded)");
        tap_ok(js.deleted_records.present && js.deleted_records.value == 4,
               "jobstatus: unknown members inside metrics are ignored");
        job_status_free(&js);
    }
    if (check_accepted("a duplicated status", "{\"status\":\"Failed\",\"status\":\"Successful\"}",
                       &js)) {
        tap_is_int(js.status, JOB_SUCCESSFUL, "jobstatus: a duplicated status: the last one wins");
        job_status_free(&js);
    }
    check_rejected("a duplicated status whose last value is bad",
                   "{\"status\":\"Successful\",\"status\":\"Bogus\"}", "unknown status \"Bogus\"");
    if (check_accepted("a duplicated metric",
                       "{\"status\":\"Successful\",\"metrics\":{\"deletedRecords\":1,"
                       "\"deletedRecords\":2}}",
                       &js)) {
        tap_is_int(js.deleted_records.value, 2,
                   "jobstatus: a duplicated metric: the last one wins");
        job_status_free(&js);
    }
    if (check_accepted("a duplicated failureMessage",
                       "{\"status\":\"Failed\",\"failureMessage\":\"first\","
                       "\"failureMessage\":\"second\"}",
                       &js)) {
        tap_is_str(js.failure_message, "second",
                   "jobstatus: a duplicated failureMessage: the last one wins");
        job_status_free(&js);
    }
}

static void
test_not_json(void)
{
    check_rejected("an empty body", "", "empty answer");
    check_rejected("a body of only whitespace", " \r\n\t",
                   "answer is not valid JSON: unexpected end of data");
    check_rejected("an HTML body", "<html><body>Bad gateway</body></html>",
                   "answer is not valid JSON: unexpected character");
    check_rejected("plain text", "Service Unavailable",
                   "answer is not valid JSON: unexpected character");
    check_rejected("truncated JSON", "{\"status\":\"Succ",
                   "answer is not valid JSON: unexpected end of data");
    check_rejected("JSON cut after a comma", "{\"status\":\"Successful\",",
                   "answer is not valid JSON: unexpected end of data");
    check_rejected("a top-level array", "[{\"status\":\"Successful\"}]",
                   "answer is an array, not an object");
    check_rejected("a top-level string", "\"Successful\"", "answer is a string, not an object");
    /* Complete JSON texts, just not objects: the reason must say so, not
     * call them invalid or cut short. */
    check_rejected("a top-level null", "null", "answer is null, not an object");
    check_rejected("a top-level null and a newline", "null\n", "answer is null, not an object");
    check_rejected("a top-level number", "42", "answer is an integer, not an object");
    /* Strict json-c stops at the first byte after the value. */
    check_rejected("trailing garbage after the object", "{\"status\":\"Successful\"}x",
                   "answer is not valid JSON: unexpected character");
    check_rejected("a second object after the first",
                   "{\"status\":\"Successful\"}{\"status\":\"Failed\"}",
                   "answer is not valid JSON: unexpected character");
    check_rejected("single quotes (not strict JSON)", "{'status':'Successful'}",
                   "answer is not valid JSON: unexpected character");
    check_rejected("a trailing comma (not strict JSON)", "{\"status\":\"Successful\",}",
                   "answer is not valid JSON: unexpected character");
    check_rejected_len("an embedded NUL inside the object", "{\"status\":\"Successful\"\0}", 24,
                       "answer is not JSON (contains NUL bytes)");
    check_rejected_len("a NUL after the object", "{\"status\":\"Successful\"}\0", 24,
                       "answer is not JSON (contains NUL bytes)");
    check_rejected("invalid UTF-8 in a string",
                   "{\"status\":\"Failed\",\"failureMessage\":\"caf\xe9\"}",
                   "answer is not valid JSON: invalid utf-8 string");
    check_rejected("a truncated UTF-8 sequence",
                   "{\"status\":\"Failed\",\"failureMessage\":\"\xe2\x82\"}",
                   "answer is not valid JSON: invalid utf-8 string");

    struct job_status js;
    if (check_accepted("whitespace around the object", " \r\n{\"status\":\"Disabled\"}\r\n\t ",
                       &js)) {
        tap_is_int(js.status, JOB_DISABLED, "jobstatus: whitespace around the object is fine");
        job_status_free(&js);
    }
    if (check_accepted("valid UTF-8 in failureMessage",
                       "{\"status\":\"Failed\",\"failureMessage\":\"caf\xc3\xa9 \xe2\x82\xac\"}",
                       &js)) {
        tap_is_str(js.failure_message, "caf\xc3\xa9 \xe2\x82\xac",
                   "jobstatus: valid UTF-8 in failureMessage is kept byte for byte");
        job_status_free(&js);
    }
    /* Only the first len bytes count: the rest of the buffer is not read. */
    const char *longer = "{\"status\":\"Failed\"}garbage";
    char err[256] = "";
    int rc = job_status_decode(longer, 19, &js, err, sizeof err);
    tap_is_int(rc, 0, "jobstatus: bytes past len are ignored");
    if (rc == 0)
        job_status_free(&js);
}

static void
test_error_buffer(void)
{
    struct job_status js;
    char err[8];

    memset(err, 'Z', sizeof err);
    int rc = decode("{}", &js, err, sizeof err);
    tap_is_int(rc, -1, "jobstatus: a small error buffer still reports failure");
    tap_is_str(err, "no \"sta", "jobstatus: the reason is cut to the error buffer size");
    job_status_free(&js);
}

int
main(void)
{
    test_status_values();
    test_status_errors();
    test_last_run();
    test_failure_message();
    test_metrics();
    test_unknown_and_duplicate_members();
    test_not_json();
    test_error_buffer();
    return tap_done();
}
