#!/usr/bin/env python3
"""End-to-end: the built plugin against the mock S3 Tables endpoint.

Job statuses, age and metric thresholds, the answers the plugin must
decode or refuse, and the API errors it must report. Every request is
signature-checked by the mock with botocore.
"""

import datetime as dt
import re
import sys
import time

import e2e_lib as e
import mock_aws

ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
PREFIX = "S3TABLES_EXPIRATION"
HOUR, DAY = 3600, 86400


def answer_aged(fx, seconds, **kw):
    """The table answers Successful, last run `seconds` ago at answer time."""
    fx.mock.set_table(ARN, lambda: mock_aws.job("Successful",
                                                last_run=e.whole_seconds_ago(seconds), **kw))


def masked(line):
    """The first line with the API call's duration (varies) masked."""
    return re.sub(r"time=[0-9]+\.[0-9]{3}s", "time=Ts", line)


def run(fx, *args, env=None):
    full_env = dict(fx.env)
    full_env.update(env or {})
    code, out, err, elapsed = e.run_plugin(["-a", ARN] + fx.args + list(args), env=full_env)
    return code, out, err


def run_aged(fx, seconds, *args, **kw):
    answer_aged(fx, seconds, **kw)
    return run(fx, *args)


def expect(t, got, code, line, name):
    """Exit code and exact first line (time masked)."""
    got_code, out, err = got
    ok = t.is_(got_code, code, f"{name}: exit code")
    ok = t.is_(masked(e.first_line(out)), line, f"{name}: first line") and ok
    if not ok:
        t.diag(f"stdout: {out!r}\nstderr: {err!r}")
    return out


def test_statuses(t, fx):
    fx.mock.set_table(ARN, lambda: mock_aws.job(
        "Successful", last_run=e.whole_seconds_ago(5 * HOUR + 3 * 60),
        records=1234, files=12, bytes_=4404019))
    out = expect(t, run(fx), e.OK,
                 f"{PREFIX} OK - job Successful 5h 3m ago, 1234 records / 12 files / 4.2 MiB "
                 "removed | age=18180s;172800;259200;0 deleted_records=1234;;;0 "
                 "deleted_files=12;;;0 removed_bytes=4404019B;;;0 time=Ts;;;0",
                 "Successful with metrics")
    lines = out.splitlines()
    t.is_(lines[1:3], [f"table: {ARN}", "status: Successful"], "Successful: long output names table and status")
    t.ok(re.fullmatch(r"last run: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(5h 3m ago\)", lines[3]),
         "Successful: long output has the last run in ISO-8601 UTC", lines[3])
    t.is_(lines[4:], ["deleted records: 1234", "deleted files: 12",
                      "removed bytes: 4404019 (4.2 MiB)"], "Successful: long output lists metrics")

    fx.mock.set_table(ARN, lambda: mock_aws.job(
        "Failed", last_run=e.whole_seconds_ago(2 * HOUR),
        failure="Access denied to table data: the maintenance role lacks s3tables:PutTableData"))
    out = expect(t, run(fx), e.CRITICAL,
                 f"{PREFIX} CRITICAL - job Failed 2h 0m ago: Access denied to table data: the "
                 "maintenance... | age=7200s;172800;259200;0 time=Ts;;;0",
                 "Failed")
    t.ok("CRITICAL: job status Failed" in out.splitlines(), "Failed: long output says why")
    t.ok("failure message: Access denied to table data: the maintenance role lacks "
         "s3tables:PutTableData" in out.splitlines(), "Failed: long output has the whole message")

    fx.mock.set_table(ARN, mock_aws.job("NotYetRun"))
    out = expect(t, run(fx), e.WARNING, f"{PREFIX} WARNING - job NotYetRun | time=Ts;;;0",
                 "NotYetRun without a timestamp")
    t.ok("last run: never" in out.splitlines(), "NotYetRun: long output says never")

    fx.mock.set_table(ARN, lambda: mock_aws.job("Disabled", last_run=e.whole_seconds_ago(DAY)))
    expect(t, run(fx), e.WARNING,
           f"{PREFIX} WARNING - job Disabled 1d 0h ago | age=86400s;172800;259200;0 time=Ts;;;0",
           "Disabled")


def test_status_mapping(t, fx):
    fx.mock.set_table(ARN, lambda: mock_aws.job("Failed", last_run=e.whole_seconds_ago(60)))
    expect(t, run(fx, "--failed-state", "warning"), e.WARNING,
           f"{PREFIX} WARNING - job Failed 1m 0s ago | age=60s;172800;259200;0 time=Ts;;;0",
           "--failed-state warning")
    fx.mock.set_table(ARN, mock_aws.job("Disabled"))
    expect(t, run(fx, "--disabled-state", "ok"), e.OK,
           f"{PREFIX} OK - job Disabled | time=Ts;;;0", "--disabled-state ok")
    fx.mock.set_table(ARN, mock_aws.job("NotYetRun"))
    expect(t, run(fx, "--not-yet-run-state", "3"), e.UNKNOWN,
           f"{PREFIX} UNKNOWN - job NotYetRun | time=Ts;;;0", "--not-yet-run-state 3")
    expect(t, run(fx, "--not-yet-run-state", "critical"), e.CRITICAL,
           f"{PREFIX} CRITICAL - job NotYetRun | time=Ts;;;0", "--not-yet-run-state critical")


def test_age_thresholds(t, fx):
    cases = [
        (172799, e.OK, "1d 23h", "just inside -w 48h"),
        (172800, e.OK, "2d 0h", "at -w 48h (inclusive)"),
        (172801, e.WARNING, "2d 0h", "just outside -w 48h"),
        (259200, e.WARNING, "3d 0h", "at -c 72h (inclusive)"),
        (259201, e.CRITICAL, "3d 0h", "just outside -c 72h"),
    ]
    for age, code, human, name in cases:
        state = {0: "OK", 1: "WARNING", 2: "CRITICAL"}[code]
        expect(t, run_aged(fx, age), code,
               f"{PREFIX} {state} - job Successful {human} ago | "
               f"age={age}s;172800;259200;0 time=Ts;;;0", f"age {age} s, {name}")
    expect(t, run_aged(fx, 5401, "-w", "90m", "-c", "2h"), e.WARNING,
           f"{PREFIX} WARNING - job Successful 1h 30m ago | age=5401s;5400;7200;0 time=Ts;;;0",
           "-w 90m -c 2h: 5401 s warns")
    expect(t, run_aged(fx, 7201, "-w", "90m", "-c", "2h"), e.CRITICAL,
           f"{PREFIX} CRITICAL - job Successful 2h 0m ago | age=7201s;5400;7200;0 time=Ts;;;0",
           "-w 90m -c 2h: 7201 s is critical")
    out = expect(t, run_aged(fx, 8 * DAY, "-w", "1w", "-c", "2w"), e.WARNING,
                 f"{PREFIX} WARNING - job Successful 8d 0h ago | "
                 "age=691200s;604800;1209600;0 time=Ts;;;0", "-w 1w -c 2w: 8 days warns")
    t.ok("WARNING: age 8d 0h is outside the warning range 1w" in out.splitlines(),
         "age warning: long output names the range as given")


def test_clock_skew(t, fx):
    fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=e.whole_seconds_ago(-120)))
    expect(t, run(fx), e.OK,
           f"{PREFIX} OK - job Successful 0s ago | age=0s;172800;259200;0 time=Ts;;;0",
           "last run 2 min in the future counts as age 0")
    future = e.whole_seconds_ago(-3600)
    fx.mock.set_table(ARN, mock_aws.job("Successful", last_run=future))
    code, out, err = run(fx)
    t.is_(code, e.UNKNOWN, "last run 1 h in the future: exit code")
    t.ok(re.fullmatch(rf"{PREFIX} UNKNOWN - last run {future} is (59m \d+s|1h 0m) in the future: "
                      r"check this host's clock", e.first_line(out)),
         "last run 1 h in the future: first line names the clock", out)


def test_metric_thresholds(t, fx):
    def metrics_case(args, code, line, name, **kw):
        fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=e.whole_seconds_ago(600),
                                                    **kw))
        return expect(t, run(fx, *args), code, line, name)

    out = metrics_case(["--records-warning", "1:"], e.WARNING,
                       f"{PREFIX} WARNING - job Successful 10m 0s ago, 0 records removed | "
                       "age=600s;172800;259200;0 deleted_records=0;1:;;0 time=Ts;;;0",
                       "--records-warning 1: with 0 records", records=0)
    t.ok("WARNING: deleted records 0 is outside the warning range 1:" in out.splitlines(),
         "records warning: long output says why")
    metrics_case(["--records-warning", "1:"], e.OK,
                 f"{PREFIX} OK - job Successful 10m 0s ago, 5 records removed | "
                 "age=600s;172800;259200;0 deleted_records=5;1:;;0 time=Ts;;;0",
                 "--records-warning 1: with 5 records", records=5)
    metrics_case(["--records-warning", "10:", "--records-critical", "1:"], e.CRITICAL,
                 f"{PREFIX} CRITICAL - job Successful 10m 0s ago, 0 records removed | "
                 "age=600s;172800;259200;0 deleted_records=0;10:;1:;0 time=Ts;;;0",
                 "--records-critical 1: wins over warning", records=0)
    metrics_case(["--files-warning", "10"], e.WARNING,
                 f"{PREFIX} WARNING - job Successful 10m 0s ago, 11 files removed | "
                 "age=600s;172800;259200;0 deleted_files=11;10;;0 time=Ts;;;0",
                 "--files-warning 10 with 11 files", files=11)
    metrics_case(["--files-critical", "10"], e.OK,
                 f"{PREFIX} OK - job Successful 10m 0s ago, 10 files removed | "
                 "age=600s;172800;259200;0 deleted_files=10;;10;0 time=Ts;;;0",
                 "--files-critical 10 with 10 files", files=10)
    metrics_case(["--bytes-critical", "1MiB"], e.CRITICAL,
                 f"{PREFIX} CRITICAL - job Successful 10m 0s ago, 1.0 MiB removed | "
                 "age=600s;172800;259200;0 removed_bytes=1048577B;;1048576;0 time=Ts;;;0",
                 "--bytes-critical 1MiB with 1048577 bytes", bytes_=1048577)
    metrics_case(["--bytes-warning", "1KB:"], e.WARNING,
                 f"{PREFIX} WARNING - job Successful 10m 0s ago, 999 B removed | "
                 "age=600s;172800;259200;0 removed_bytes=999B;1000:;;0 time=Ts;;;0",
                 "--bytes-warning 1KB: with 999 bytes", bytes_=999)
    metrics_case(["--records-warning", "1:"], e.OK,
                 f"{PREFIX} OK - job Successful 10m 0s ago | age=600s;172800;259200;0 time=Ts;;;0",
                 "a metric the answer lacks is not checked")


def test_bad_answers(t, fx):
    cases = [
        ("not json", "invalid answer from GetTableRecordExpirationJobStatus: answer is not "
                     "valid JSON: ", "invalid JSON"),
        ('{"status": "Successful"', "invalid answer from GetTableRecordExpirationJobStatus: "
                                    "answer is not valid JSON: unexpected end of data",
         "truncated JSON"),
        ({"lastRunTimestamp": "2026-11-25T00:00:00Z"},
         "invalid answer from GetTableRecordExpirationJobStatus: no \"status\" in the answer",
         "missing status"),
        ({"status": "Exploded"},
         "invalid answer from GetTableRecordExpirationJobStatus: unknown status \"Exploded\"",
         "unknown status"),
        ({"status": 1}, "invalid answer from GetTableRecordExpirationJobStatus: \"status\" is an "
                        "integer, not a string", "status of the wrong type"),
        ({"status": "Successful", "lastRunTimestamp": "yesterday"},
         "invalid answer from GetTableRecordExpirationJobStatus: bad \"lastRunTimestamp\": ",
         "bad timestamp"),
        ({"status": "Successful", "lastRunTimestamp": 1764000000},
         "invalid answer from GetTableRecordExpirationJobStatus: \"lastRunTimestamp\" is an integer, "
         "not an ISO-8601 string", "epoch number instead of ISO-8601"),
        ({"status": "Successful", "metrics": {"deletedRecords": "12"}},
         "invalid answer from GetTableRecordExpirationJobStatus: \"metrics.deletedRecords\" is a "
         "string, not an integer", "metric of the wrong type"),
        ("", "invalid answer from GetTableRecordExpirationJobStatus: empty answer", "empty 200"),
    ]
    for body, message, name in cases:
        fx.mock.set_table(ARN, body)
        code, out, err = run(fx)
        t.is_(code, e.UNKNOWN, f"{name}: exit code")
        t.ok(e.first_line(out).startswith(f"{PREFIX} UNKNOWN - {message}"),
             f"{name}: first line names the problem", out)


def test_api_errors(t, fx):
    for error_type, status in [("BadRequestException", 400), ("ForbiddenException", 403),
                               ("AccessDeniedException", 403), ("NotFoundException", 404),
                               ("MethodNotAllowedException", 405),
                               ("TooManyRequestsException", 429),
                               ("InternalServerErrorException", 500)]:
        fx.mock.set_table_error(ARN, error_type, f"message for {error_type}")
        fx.mock.clear()
        retried = status in (429, 500)  # throttling and server errors are retried, 3 attempts
        # Under valgrind three slow attempts and their backoff can outlast
        # the default 10 s; the retry count, not the time, is tested here.
        slow = ["-t", "30"] if e.UNDER_VALGRIND else []
        expect(t, run(fx, *slow), e.UNKNOWN,
               f"{PREFIX} UNKNOWN - API error {error_type}: message for {error_type} "
               f"(HTTP {status}" + (", 3 attempts)" if retried else ")"), f"{error_type}")
        t.is_(len(fx.mock.requests), 3 if retried else 1,
              f"{error_type}: {'3 attempts' if retried else 'not retried'}")
    fx.mock.set_table(ARN, {"__type": "com.amazonaws.s3tables#ConflictException",
                            "message": "busy"}, status=409)
    expect(t, run(fx), e.UNKNOWN, f"{PREFIX} UNKNOWN - API error ConflictException: busy (HTTP 409)",
           "error type from the body's __type")
    fx.mock.set_table(ARN, "<html><body>Bad Gateway</body></html>", status=502)
    expect(t, run(fx), e.UNKNOWN,
           f"{PREFIX} UNKNOWN - API error UnknownError: the error body is not JSON "
           "(HTTP 502, 3 attempts)", "HTML error page")
    fx.mock.remove_table(ARN)
    expect(t, run(fx), e.UNKNOWN,
           f"{PREFIX} UNKNOWN - API error NotFoundException: The specified table does not exist. "
           "(HTTP 404)", "unknown table")


def test_request_shape(t, fx):
    fx.mock.set_table(ARN, mock_aws.job("NotYetRun"))
    fx.mock.clear()
    run(fx)
    req = fx.mock.last_request
    t.ok(req is not None and req.verified, "the request's signature verifies with botocore",
         req and req.reason)
    t.is_((req.method, req.path), ("GET", "/table-record-expiration-job-status"),
          "request line: GET /table-record-expiration-job-status")
    t.is_(req.query, "tableArn=arn%3Aaws%3As3tables%3Aus-east-1%3A111122223333%3Abucket%2F"
                     "monitored%2Ftable%2Forders", "the table ARN is percent-encoded in tableArn")
    t.ok(re.fullmatch(r"check_s3tables_expiration/\d+\.\d+\.\d+", req.headers.get("user-agent", "")),
         "User-Agent is check_s3tables_expiration/VERSION", req.headers.get("user-agent"))
    t.ok("SignedHeaders=host;x-amz-date," in req.headers.get("authorization", ""),
         "host and x-amz-date are signed, nothing else without a token")
    t.is_(len(fx.mock.requests), 1, "exactly one request per run")


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    with e.mock_fixture() as fx:
        for test in (test_statuses, test_status_mapping, test_age_thresholds, test_clock_skew,
                     test_metric_thresholds, test_bad_answers, test_api_errors,
                     test_request_shape):
            test(t, fx)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
