#!/usr/bin/env python3
"""End-to-end: tables by name and whole table buckets.

-b/--table-bucket-arn with --namespace and --name (GetTable, then the job
status), alone or with --namespace/--include/--exclude (ListTables over
every page, then every table's job status at once), --list-tables,
--show-configuration, --parallel, and the deadline striking in the middle
of a bucket. Each scenario pins the exit code and the exact first line
(only time= is masked), the perfdata and the long output, and what the
mock saw: which operations, with which parameters, every request's
signature verified with botocore.

Ages: a table's last run is scripted relative to CLOCK.base, a whole
second the run starts early in; the plugin reads its clock once per run,
a moment later, so it sees every age plus the same small d. Expected
output is built for each d up to a small slack and must match one of them
exactly.
"""

import datetime as dt
import json
import re
import sys
import time

import e2e_lib as e
import mock_aws

PREFIX = "S3TABLES_EXPIRATION"
BUCKETS = "arn:aws:s3tables:us-east-1:111122223333:bucket/"
BUCKET = BUCKETS + "analytics"  # the mixed bucket, also the configuration tables
FLEET = BUCKETS + "fleet"  # many healthy tables, some broken
BULK = BUCKETS + "bulk"  # 300 failing tables
SLOW = BUCKETS + "slow-bucket"  # delayed answers
EMPTY = BUCKETS + "empty-bucket"
NOWHERE = BUCKETS + "nowhere"
TABLE_ARN = BUCKET + "/table/sales-orders"
USAGE = "Usage: check_s3tables_expiration "
OP_JOB, OP_CONFIG = mock_aws.OP_JOB_STATUS, mock_aws.OP_CONFIG
OP_GET, OP_LIST = mock_aws.OP_GET_TABLE, mock_aws.OP_LIST_TABLES
HOUR, DAY = 3600, 86400
AGE_PERF = ";172800;259200;0"  # the default -w 48h -c 72h, in seconds
# -t for the deadline scenarios; valgrind needs a while just to start the plugin.
T = 5 if e.UNDER_VALGRIND else 2
# Seconds the plugin's clock may read past CLOCK.base at reporting time: a
# bucket run takes up to about 1.5 s against the mock (whose listen backlog
# of 5 can cost a connection a 1 s SYN retransmit).
SLACK = 40 if e.UNDER_VALGRIND else 4
RETRY_SLACK = SLACK + 4  # two backoffs of up to 1 s and 2 s

FAILURE = "Access denied to table data: the maintenance role lacks s3tables:PutTableData"
DENIED = ("User: arn:aws:iam::111122223333:user/monitor is not authorized to perform: "
          "s3tables:GetTableRecordExpirationJobStatus")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


CLOCK = e.Clock()


def job(status, age=None, **kw):
    """A job status body made when the mock answers, its last run `age` s before CLOCK.base."""
    return lambda: mock_aws.job(status, last_run=None if age is None else CLOCK.stamp(age), **kw)


human = e.human_duration


def excerpt(text, size):
    """text_sanitize() of ASCII text into a buffer of `size` bytes."""
    return text if len(text) <= size - 1 else text[:size - 4] + "..."


def masked(line):
    """The first line with the duration (time=) masked."""
    return re.sub(r"time=[0-9]+\.[0-9]{3}s", "time=Ts", line)


def bucket_perf(tables, ok, warning, critical, unknown, oldest, records=0, files=0, bytes_=0):
    """The perfdata of a bucket run (oldest None: no table ever ran)."""
    text = (f" | tables={tables};;;0 tables_ok={ok};;;0 tables_warning={warning};;;0 "
            f"tables_critical={critical};;;0 tables_unknown={unknown};;;0")
    if oldest is not None:
        text += f" oldest_age={oldest}s{AGE_PERF}"
    return text + (f" deleted_records={records};;;0 deleted_files={files};;;0 "
                   f"removed_bytes={bytes_}B;;;0 time=Ts;;;0")


class Result:
    def __init__(self, code, out, err, elapsed):
        self.code, self.out, self.err, self.elapsed = code, out, err, elapsed

    @property
    def lines(self):
        """stdout's lines, the first with time= masked."""
        lines = self.out.splitlines()
        if lines:
            lines[0] = masked(lines[0])
        return lines


def run(fx, *args, env=None, timeout=60):
    """Run the plugin against the mock (its endpoint, CA and test keys);
    the mock's recorded requests and counters start empty (queued
    answers are kept)."""
    fx.mock.requests.clear()
    fx.mock.operation_counts.clear()
    fx.mock.handshakes = 0
    full_env = dict(fx.env)
    full_env.update(env or {})
    return Result(*e.run_plugin(list(fx.args) + [str(a) for a in args], env=full_env,
                                timeout=timeout))


def show(t, got):
    t.diag(f"exit {got.code}, {got.elapsed:.2f} s\nstdout: {got.out!r}\n"
           f"stderr: {got.err[-2000:]!r}")


def expect(t, got, code, line, name):
    """Exit code and exact first line (time= masked)."""
    ok = t.is_(got.code, code, f"{name}: exit code")
    ok = t.is_(got.lines[0] if got.lines else None, line, f"{name}: first line") and ok
    if not ok:
        show(t, got)
    return ok


def expect_aged(t, got, code, want, name, slack=SLACK, whole=True):
    """Exit code and the exact output: want(d) gives the lines when the plugin
    read its clock d s past CLOCK.base, the same d for all tables (0 <= d <=
    slack). whole=False compares the first line only. Returns the d found."""
    lines = got.lines
    found = next((d for d in range(slack + 1) if want(d)[:1] == lines[:1]), None)
    expected = want(found if found is not None else 0)
    ok = t.is_(got.code, code, f"{name}: exit code")
    ok = t.is_(lines[:1], expected[:1], f"{name}: first line") and ok
    if whole:
        ok = t.is_(lines[1:], expected[1:], f"{name}: long output") and ok
    if not ok:
        show(t, got)
    return found


def verified(t, fx, name):
    """Every request the mock saw passed its SigV4 checks."""
    reqs = fx.mock.requests
    bad = [(r.operation, r.path, r.reason) for r in reqs if not r.verified]
    t.ok(reqs and not bad, f"{name}: every request's signature verifies with botocore",
         f"{len(reqs)} requests, rejected: {bad}")


def counts(t, fx, want, name):
    t.is_(dict(fx.mock.operation_counts), want, f"{name}: operations called")


def params(rec):
    """A recorded request's decoded query parameters."""
    return dict(mock_aws.decode_query(rec.query))


def of(fx, operation):
    return [r for r in fx.mock.requests if r.operation == operation]


def no_request(t, fx, name):
    t.is_((len(fx.mock.requests), fx.mock.handshakes), (0, 0),
          f"{name}: no request, not even a connection")


# --------------------------------------------------------------------------
# The mixed bucket: 9 tables over 2 namespaces, every kind of state
# --------------------------------------------------------------------------


def mixed_bucket(fx):
    """Register the mixed bucket (sorted as ListTables lists it); {label: ARN}."""
    specs = [
        ("sales", "customers", job("Successful", 5 * HOUR + 3 * 60, records=100, files=2,
                                   bytes_=2048)),
        ("sales", "invoices", job("NotYetRun")),
        ("sales", "orders", job("Failed", 2 * HOUR, failure=FAILURE)),
        ("sales", "refunds", None),  # its job status answers 403
        ("sales", "returns", job("Successful", 2 * DAY + HOUR, records=5, files=1,
                                 bytes_=1000)),
        ("web", "clicks", job("Successful", HOUR, records=1000, files=10, bytes_=1048576)),
        ("web", "events", job("Successful", 30 * 60, records=1, files=1, bytes_=1)),
        ("web", "pageviews", job("Successful", 4 * DAY)),
        ("web", "sessions", job("Disabled", DAY)),
    ]
    arns = {}
    for ns, name, body in specs:
        arns[f"{ns}.{name}"] = fx.mock.add_table(BUCKET, ns, name, job=body,
                                                 table_id=f"{ns}-{name}")
    fx.mock.set_table_error(arns["sales.refunds"], "AccessDeniedException", DENIED)
    return arns


def mixed_want(d, verbose=False):
    """The whole output of -b on the mixed bucket."""
    lines = [
        f"{PREFIX} CRITICAL - 9 tables: 2 critical, 3 warning, 1 unknown, 3 ok; "
        f"web.pageviews Successful {human(4 * DAY + d)} ago, "
        f"sales.orders Failed {human(2 * HOUR + d)} ago, "
        f"sales.returns Successful {human(2 * DAY + HOUR + d)} ago, ..."
        + bucket_perf(9, 3, 3, 2, 1, 4 * DAY + d, 1106, 14, 1051625),
        f"CRITICAL web.pageviews: age {human(4 * DAY + d)} is outside the critical range 72h",
        f"CRITICAL sales.orders: job status Failed: {FAILURE}",
        f"WARNING sales.returns: age {human(2 * DAY + HOUR + d)} is outside the warning "
        "range 48h",
        "WARNING web.sessions: job status Disabled",
        "WARNING sales.invoices: job status NotYetRun",
        f"UNKNOWN sales.refunds: API error AccessDeniedException: {DENIED} (HTTP 403)",
    ]
    if verbose:
        lines += [f"OK sales.customers: job Successful {human(5 * HOUR + 3 * 60 + d)} ago",
                  f"OK web.clicks: job Successful {human(HOUR + d)} ago",
                  f"OK web.events: job Successful {human(30 * 60 + d)} ago"]
    return lines


# --------------------------------------------------------------------------
# 1. One table by name
# --------------------------------------------------------------------------


def test_by_name(t, fx):
    fx.mock.clear_tables()
    arn = fx.mock.add_table(BUCKET, "sales", "orders", table_id="sales-orders",
                            job=job("Successful", 5 * HOUR + 3 * 60, records=1234, files=12,
                                    bytes_=4404019))
    fx.mock.add_table(BUCKET, "web", "orders", table_id="web-orders", job=job("Failed", HOUR))
    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--namespace", "sales", "--name", "orders")
    age = 5 * HOUR + 3 * 60
    expect_aged(t, got, e.OK, lambda d: [
        f"{PREFIX} OK - job Successful {human(age + d)} ago, 1234 records / 12 files / "
        f"4.2 MiB removed | age={age + d}s{AGE_PERF} deleted_records=1234;;;0 "
        "deleted_files=12;;;0 removed_bytes=4404019B;;;0 time=Ts;;;0",
        f"table: sales.orders ({arn})",
        "status: Successful",
        f"last run: {CLOCK.stamp(age)} ({human(age + d)} ago)",
        "deleted records: 1234", "deleted files: 12", "removed bytes: 4404019 (4.2 MiB)",
    ], "by name: found")
    reqs = fx.mock.requests
    t.is_([r.operation for r in reqs], [OP_GET, OP_JOB],
          "by name: GetTable, then the job status of the table it named")
    verified(t, fx, "by name")
    if len(reqs) == 2:
        t.is_(params(reqs[0]), {"tableBucketARN": BUCKET, "namespace": "sales", "name": "orders"},
              "by name: GetTable asks for the bucket, namespace and name")
        t.is_(reqs[0].query, "tableBucketARN=arn%3Aaws%3As3tables%3Aus-east-1%3A111122223333"
                             "%3Abucket%2Fanalytics&namespace=sales&name=orders",
              "by name: GetTable's query is percent-encoded")
        t.is_((reqs[0].method, reqs[0].path, reqs[0].status), ("GET", "/get-table", 200),
              "by name: GET /get-table answered 200")
        t.is_(reqs[1].table_arn, arn, "by name: the job status asked is the ARN GetTable gave")

    got = run(fx, "-b", BUCKET, "--namespace", "sales", "--name", "missing")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - table sales.missing not found in bucket "
                              "analytics", "by name: not found")
    t.is_(got.out.count("\n"), 1, "by name: not found is one line")
    t.is_([r.operation for r in fx.mock.requests], [OP_GET],
          "by name: not found: no job-status request")
    verified(t, fx, "by name: not found")

    got = run(fx, "-b", NOWHERE, "--namespace", "sales", "--name", "orders")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - table sales.orders not found in bucket "
                              "nowhere", "by name: bucket unknown")

    fx.mock.enqueue_error("AccessDeniedException", "not allowed to call GetTable")
    got = run(fx, "-b", BUCKET, "--namespace", "sales", "--name", "orders")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - API error AccessDeniedException: not allowed "
                              "to call GetTable (HTTP 403)", "by name: GetTable denied")
    t.is_([r.operation for r in fx.mock.requests], [OP_GET],
          "by name: GetTable denied: not retried, no job-status request")

    longest = "n" * 255
    got = run(fx, "-b", BUCKET, "--namespace", longest, "--name", "orders")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - table {longest}.orders not found in bucket "
                              "analytics", "by name: a 255-character namespace is valid")
    t.is_([(r.operation, r.verified) for r in fx.mock.requests], [(OP_GET, True)],
          "by name: the 255-character namespace is asked for")


def test_by_name_usage(t, fx):
    bad = [
        (["-b", BUCKET, "--namespace", "Sales", "--name", "orders"],
         "invalid namespace 'Sales': may hold only a-z, 0-9 and _", "upper-case namespace"),
        (["-b", BUCKET, "--namespace", "sales-eu", "--name", "orders"],
         "invalid namespace 'sales-eu': may hold only a-z, 0-9 and _", "namespace with a dash"),
        (["-b", BUCKET, "--namespace", "", "--name", "orders"],
         "invalid namespace '': is empty", "empty namespace"),
        (["-b", BUCKET, "--namespace", "s" * 256, "--name", "orders"],
         f"invalid namespace '{'s' * 64}...': is longer than 255 characters",
         "namespace of 256 characters"),
        (["-b", BUCKET, "--namespace", "sales", "--name", "Orders.1"],
         "invalid table name 'Orders.1': may hold only a-z, 0-9 and _", "table name with a dot"),
        (["-b", BUCKET, "--namespace", "sales", "--name", ""],
         "invalid table name '': is empty", "empty table name"),
        (["-b", BUCKET, "--namespace", "sales", "--name", "o" * 256],
         f"invalid table name '{'o' * 64}...': is longer than 255 characters",
         "table name of 256 characters"),
        (["-b", BUCKET, "--namespace", "Web"], "invalid namespace 'Web': may hold only a-z, "
                                               "0-9 and _", "bad namespace for a bucket run"),
    ]
    one_table = ("-a/--table-arn names one table: it cannot be combined with "
                 "--table-bucket-arn, --namespace, --name, --include, --exclude or --list-tables")
    for extra in (["-b", BUCKET], ["--namespace", "sales"], ["--name", "orders"],
                  ["--include", "*"], ["--exclude", "*"], ["--list-tables"]):
        bad.append((["-a", TABLE_ARN] + extra, one_table, f"-a with {extra[0]}"))
    bad += [
        (["-b", BUCKET, "--name", "orders"], "--name needs --namespace", "--name alone"),
        (["--namespace", "sales"], "--namespace needs -b/--table-bucket-arn",
         "--namespace without -b"),
        (["--namespace", "sales", "--name", "orders"], "--name needs -b/--table-bucket-arn",
         "--namespace --name without -b"),
        (["--include", "sales.*"], "--include/--exclude needs -b/--table-bucket-arn",
         "--include without -b"),
        (["--list-tables"], "--list-tables needs -b/--table-bucket-arn",
         "--list-tables without -b"),
        (["-b", BUCKET, "--namespace", "sales", "--name", "orders", "--include", "*"],
         "--name names one table: it cannot be combined with --include, --exclude or "
         "--list-tables", "--name with --include"),
    ]
    for value in ("0", "65", "x", "-1", "8x", ""):
        bad.append((["-b", BUCKET, "--parallel", value],
                    f"--parallel: invalid number '{value}' (use 1-64)", f"--parallel '{value}'"))
    for args, message, name in bad:
        got = run(fx, *args)
        expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - {message}", name)
        t.ok(len(got.lines) > 1 and got.lines[1].startswith(USAGE),
             f"{name}: the usage follows", got.out)
        no_request(t, fx, name)

    for arn, why in [
        (BUCKET + "/table/sales-orders", "a table bucket ARN ends with the bucket name"),
        ("arn:aws:s3:us-east-1:111122223333:bucket/analytics", "service is not s3tables"),
        ("arn:aws:s3tables:us-east-1:1111:bucket/analytics", "account is not 12 digits"),
        (BUCKETS + "Analytics", "bad bucket name"),
        ("", "empty"),
    ]:
        got = run(fx, "-b", arn, "--namespace", "sales", "--name", "orders")
        expect(t, got, e.UNKNOWN,
               f"{PREFIX} UNKNOWN - invalid table bucket ARN '{arn}': {why}, expected "
               "arn:aws:s3tables:REGION:ACCOUNT_ID:bucket/BUCKET", f"bucket ARN: {why}")
        no_request(t, fx, f"bucket ARN: {why}")


# --------------------------------------------------------------------------
# 2. A whole bucket over several pages; 10. the bucket ARN as a path label
# --------------------------------------------------------------------------


def test_bucket(t, fx):
    fx.mock.clear_tables()
    arns = mixed_bucket(fx)
    fx.mock.list_page_size = 3
    CLOCK.start()
    got = run(fx, "-b", BUCKET)
    expect_aged(t, got, e.CRITICAL, mixed_want, "mixed bucket")
    perf = e.perfdata(got.out)
    t.is_({k: perf.get(k) and perf[k][0] for k in ("tables", "tables_ok", "tables_warning",
                                                   "tables_critical", "tables_unknown")},
          {"tables": 9, "tables_ok": 3, "tables_warning": 3, "tables_critical": 2,
           "tables_unknown": 1}, "mixed bucket: the counts parse as perfdata")
    t.ok(len(got.out.encode()) <= 4096, "mixed bucket: output within 4 KiB")
    verified(t, fx, "mixed bucket")
    counts(t, fx, {OP_LIST: 3, OP_JOB: 9}, "mixed bucket: 3 pages, 9 job statuses")
    lists = of(fx, OP_LIST)
    tokens = [params(r).get("continuationToken") for r in lists]
    t.ok(len(tokens) == 3 and tokens[0] is None and all(tokens[1:]) and tokens[1] != tokens[2],
         "mixed bucket: page 1 without a token, pages 2 and 3 with the one the page before gave",
         tokens)
    t.is_([r.status for r in lists], [200, 200, 200],
          "mixed bucket: the mock took each continuationToken")
    t.is_(sorted(r.table_arn for r in of(fx, OP_JOB)), sorted(arns.values()),
          "mixed bucket: one job status per table, nothing else")

    # 10. The bucket ARN is one URI label: encoded once on the wire, twice
    # in the canonical request that is signed.
    first = lists[0] if lists else None
    label = "arn%3Aaws%3As3tables%3Aus-east-1%3A111122223333%3Abucket%2Fanalytics"
    t.is_(first and (first.method, first.path), ("GET", "/tables/" + label),
          "ListTables path: the bucket ARN percent-encoded once on the wire")
    t.is_(first and first.bucket_arn, BUCKET, "ListTables path: the mock decodes the bucket ARN")
    t.ok(first is not None and first.verified, "ListTables path: its signature verifies",
         first and first.reason)
    canonical_path = (first.canonical_request or "").split("\n")[1:2] if first else []
    t.is_(canonical_path, ["/tables/" + label.replace("%", "%25")],
          "ListTables path: botocore signs it encoded twice (SigV4 for non-S3 services)")

    got = run(fx, "-b", BUCKET, "-v")
    expect_aged(t, got, e.CRITICAL, lambda d: mixed_want(d, verbose=True),
                "mixed bucket -v: OK tables listed after the others, oldest first")
    t.like(got.err, r"ListTables: 9 tables in 3 pages", "mixed bucket -v: stderr counts pages")

    got = run(fx, "-b", BUCKET, "--failed-state", "warning", "-w", "5d", "-c", "6d")
    expect_aged(t, got, e.WARNING, lambda d: [
        f"{PREFIX} WARNING - 9 tables: 3 warning, 1 unknown, 5 ok; "
        f"web.sessions Disabled {human(DAY + d)} ago, "
        f"sales.orders Failed {human(2 * HOUR + d)} ago, sales.invoices NotYetRun, ..."
        f" | tables=9;;;0 tables_ok=5;;;0 tables_warning=3;;;0 tables_critical=0;;;0 "
        f"tables_unknown=1;;;0 oldest_age={4 * DAY + d}s;432000;518400;0 "
        "deleted_records=1106;;;0 deleted_files=14;;;0 removed_bytes=1051625B;;;0 time=Ts;;;0",
        "WARNING web.sessions: job status Disabled",
        f"WARNING sales.orders: job status Failed: {FAILURE}",
        "WARNING sales.invoices: job status NotYetRun",
        f"UNKNOWN sales.refunds: API error AccessDeniedException: {DENIED} (HTTP 403)",
    ], "mixed bucket with --failed-state warning -w 5d -c 6d: each table judged by them")
    fx.mock.list_page_size = None


# --------------------------------------------------------------------------
# 3. Filters
# --------------------------------------------------------------------------


def test_filters(t, fx):
    fx.mock.clear_tables()
    arns = mixed_bucket(fx)
    fx.mock.list_page_size = 3

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--namespace", "web")
    expect_aged(t, got, e.CRITICAL, lambda d: [
        f"{PREFIX} CRITICAL - 4 tables: 1 critical, 1 warning, 2 ok; "
        f"web.pageviews Successful {human(4 * DAY + d)} ago, "
        f"web.sessions Disabled {human(DAY + d)} ago"
        + bucket_perf(4, 2, 1, 1, 0, 4 * DAY + d, 1001, 11, 1048577),
        f"CRITICAL web.pageviews: age {human(4 * DAY + d)} is outside the critical range 72h",
        "WARNING web.sessions: job status Disabled",
    ], "--namespace web")
    lists = of(fx, OP_LIST)
    t.is_([params(r).get("namespace") for r in lists], ["web", "web"],
          "--namespace web: each ListTables page asks for namespace=web")
    t.is_(sorted(r.table_arn for r in of(fx, OP_JOB)),
          sorted(a for k, a in arns.items() if k.startswith("web.")),
          "--namespace web: only its tables' job statuses")
    verified(t, fx, "--namespace web")

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--include", "sales.*")
    expect_aged(t, got, e.CRITICAL, lambda d: [
        f"{PREFIX} CRITICAL - 5 tables: 1 critical, 2 warning, 1 unknown, 1 ok; "
        f"sales.orders Failed {human(2 * HOUR + d)} ago, "
        f"sales.returns Successful {human(2 * DAY + HOUR + d)} ago, sales.invoices NotYetRun, ..."
        + bucket_perf(5, 1, 2, 1, 1, 2 * DAY + HOUR + d, 105, 3, 3048),
        f"CRITICAL sales.orders: job status Failed: {FAILURE}",
        f"WARNING sales.returns: age {human(2 * DAY + HOUR + d)} is outside the warning "
        "range 48h",
        "WARNING sales.invoices: job status NotYetRun",
        f"UNKNOWN sales.refunds: API error AccessDeniedException: {DENIED} (HTTP 403)",
    ], "--include sales.*")
    t.is_([params(r).get("namespace") for r in of(fx, OP_LIST)], [None, None, None],
          "--include: the whole bucket is listed (no namespace parameter)")
    counts(t, fx, {OP_LIST: 3, OP_JOB: 5}, "--include sales.*: only the matching tables")

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--include", "*.c*", "--include", "web.e?ents")
    expect_aged(t, got, e.OK, lambda d: [
        f"{PREFIX} OK - 3 tables: 3 ok"
        + bucket_perf(3, 3, 0, 0, 0, 5 * HOUR + 3 * 60 + d, 1101, 13, 1050625),
    ], "--include twice: a table matching either")
    t.is_(got.out.count("\n"), 1, "all OK without -v: the first line only")

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--exclude", "sales.*", "--exclude", "*.page[v]iews")
    expect_aged(t, got, e.WARNING, lambda d: [
        f"{PREFIX} WARNING - 3 tables: 1 warning, 2 ok; web.sessions Disabled {human(DAY + d)} ago"
        + bucket_perf(3, 2, 1, 0, 0, DAY + d, 1001, 11, 1048577),
        "WARNING web.sessions: job status Disabled",
    ], "--exclude twice: a table matching either is left out")

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--include", "sales.*", "--exclude", "*.re*")
    expect_aged(t, got, e.CRITICAL, lambda d: [
        f"{PREFIX} CRITICAL - 3 tables: 1 critical, 1 warning, 1 ok; "
        f"sales.orders Failed {human(2 * HOUR + d)} ago, sales.invoices NotYetRun"
        + bucket_perf(3, 1, 1, 1, 0, 5 * HOUR + 3 * 60 + d, 100, 2, 2048),
        f"CRITICAL sales.orders: job status Failed: {FAILURE}",
        "WARNING sales.invoices: job status NotYetRun",
    ], "--include and --exclude: included and not excluded")

    got = run(fx, "-b", BUCKET, "--include", "sales", "--include", "web.click")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - no table in bucket analytics matches "
                              "--include/--exclude", "--include matching nothing (whole label)")
    t.is_(got.out.count("\n"), 1, "--include matching nothing: one line")
    counts(t, fx, {OP_LIST: 3}, "--include matching nothing: no job-status request")

    got = run(fx, "-b", BUCKET, "--exclude", "*")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - no table in bucket analytics matches "
                              "--include/--exclude", "--exclude '*'")

    got = run(fx, "-b", BUCKET, "--namespace", "web", "--include", "sales.*")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - no table in namespace web in bucket analytics "
                              "matches --include/--exclude", "--namespace web --include sales.*")

    got = run(fx, "-b", BUCKET, "--namespace", "nothere")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - no table in namespace nothere in bucket "
                              "analytics", "--namespace without tables")
    t.is_([params(r).get("namespace") for r in of(fx, OP_LIST)], ["nothere"],
          "--namespace without tables: asked for once")

    fx.mock.add_bucket(EMPTY)
    got = run(fx, "-b", EMPTY)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - no table in bucket empty-bucket",
           "empty bucket")
    counts(t, fx, {OP_LIST: 1}, "empty bucket: listed, nothing else")
    fx.mock.list_page_size = None


# --------------------------------------------------------------------------
# 4. Tables that error among many
# --------------------------------------------------------------------------


def fleet(fx, n=12):
    """FLEET: fleet.t01..tNN, Successful i h 17 m ago; {i: ARN}."""
    fx.mock.clear_tables()
    return {i: fx.mock.add_table(FLEET, "fleet", f"t{i:02}", table_id=f"fleet-t{i:02}",
                                 job=job("Successful", i * HOUR + 17 * 60, records=i))
            for i in range(1, n + 1)}


def test_errors_among_many(t, fx):
    arns = fleet(fx)
    fx.mock.set_table(arns[3], job("Failed", 3 * HOUR + 17 * 60, failure="disk full"))
    server_error = "We encountered an internal error. Please try again."
    fx.mock.set_table_error(arns[7], "InternalServerErrorException", server_error)
    fx.mock.set_table(arns[9], {"status": "Exploded"})
    err7 = f"API error InternalServerErrorException: {server_error} (HTTP 500, 3 attempts)"
    err9 = 'invalid answer from GetTableRecordExpirationJobStatus: unknown status "Exploded"'
    ok_records = sum(range(1, 13)) - 3 - 7 - 9  # t03's failed run removed nothing
    CLOCK.start()
    got = run(fx, "-b", FLEET)
    expect_aged(t, got, e.CRITICAL, lambda d: [
        f"{PREFIX} CRITICAL - 12 tables: 1 critical, 2 unknown, 9 ok; "
        f"fleet.t03 Failed {human(3 * HOUR + 17 * 60 + d)} ago, "
        f"fleet.t07: {excerpt(err7, 48)}, fleet.t09: {excerpt(err9, 48)}"
        + bucket_perf(12, 9, 0, 1, 2, 12 * HOUR + 17 * 60 + d, ok_records, 0, 0),
        "CRITICAL fleet.t03: job status Failed: disk full",
        f"UNKNOWN fleet.t07: {err7}",
        f"UNKNOWN fleet.t09: {err9}",
    ], "a failed, an erroring and an unreadable table among 12", slack=RETRY_SLACK)
    jobs = of(fx, OP_JOB)
    t.is_(sorted(r.table_arn for r in jobs),
          sorted(list(arns.values()) + [arns[7], arns[7]]),
          "12 tables: the 500 is retried (3 attempts), every other table asked once")
    verified(t, fx, "12 tables")

    arns = fleet(fx)
    fx.mock.set_table_error(arns[5], "ForbiddenException", "Forbidden")
    CLOCK.start()
    err5 = "API error ForbiddenException: Forbidden (HTTP 403)"
    got = run(fx, "-b", FLEET)
    expect_aged(t, got, e.UNKNOWN, lambda d: [
        f"{PREFIX} UNKNOWN - 12 tables: 1 unknown, 11 ok; fleet.t05: {excerpt(err5, 48)}"
        + bucket_perf(12, 11, 0, 0, 1, 12 * HOUR + 17 * 60 + d, sum(range(1, 13)) - 5, 0, 0),
        "UNKNOWN fleet.t05: API error ForbiddenException: Forbidden (HTTP 403)",
    ], "one 403 among 12: the run is UNKNOWN, the others OK")
    counts(t, fx, {OP_LIST: 1, OP_JOB: 12}, "one 403 among 12: not retried")

    arns = fleet(fx, 3)
    for arn in arns.values():
        fx.mock.set_table_error(arn, "AccessDeniedException", "denied")
    got = run(fx, "-b", FLEET)
    err = "API error AccessDeniedException: denied (HTTP 403)"
    short = excerpt(err, 48)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - 3 tables: 3 unknown; fleet.t01: {short}, "
                              f"fleet.t02: {short}, fleet.t03: {short}"
                              + bucket_perf(3, 0, 0, 0, 3, None),
           "every table erroring: no oldest_age")
    t.is_(got.lines[1:], [f"UNKNOWN fleet.t0{i}: {err}" for i in (1, 2, 3)],
          "every table erroring: one line each, by name")


# --------------------------------------------------------------------------
# 5. The listing failing
# --------------------------------------------------------------------------


def test_listing_fails(t, fx):
    fx.mock.clear_tables()
    mixed_bucket(fx)
    fx.mock.list_page_size = 3

    fx.mock.set_bucket_error(BUCKET, "InternalServerErrorException", "listing broke")
    got = run(fx, "-b", BUCKET)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - API error InternalServerErrorException: "
                              "listing broke (HTTP 500, 3 attempts)", "ListTables 500")
    t.is_(got.out.count("\n"), 1, "ListTables 500: one line")
    counts(t, fx, {OP_LIST: 3}, "ListTables 500: 3 attempts, no job-status request")
    fx.mock.clear_bucket_errors()

    fx.mock.set_bucket_error(BUCKET, "AccessDeniedException", "no ListTables for you")
    got = run(fx, "-b", BUCKET)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - API error AccessDeniedException: "
                              "no ListTables for you (HTTP 403)", "ListTables 403")
    counts(t, fx, {OP_LIST: 1}, "ListTables 403: not retried")
    fx.mock.clear_bucket_errors()

    fx.mock.set_bucket_error(BUCKET, "InternalServerErrorException", "page two hiccup",
                             page=2, times=1)
    CLOCK.start()
    got = run(fx, "-b", BUCKET)
    expect_aged(t, got, e.CRITICAL, mixed_want, "page 2 failing once: retried, then judged",
                slack=RETRY_SLACK)
    t.is_([r.status for r in of(fx, OP_LIST)], [200, 500, 200, 200],
          "page 2 failing once: page 1, page 2 (500), page 2 again, page 3")
    counts(t, fx, {OP_LIST: 4, OP_JOB: 9}, "page 2 failing once: every table checked")
    fx.mock.clear_bucket_errors()

    fx.mock.set_bucket_error(BUCKET, "AccessDeniedException", "page three denied", page=3)
    got = run(fx, "-b", BUCKET)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - API error AccessDeniedException: "
                              "page three denied (HTTP 403)", "page 3 failing")
    counts(t, fx, {OP_LIST: 3}, "page 3 failing: no table of a partial listing is checked")
    fx.mock.clear_bucket_errors()

    got = run(fx, "-b", NOWHERE)
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - table bucket nowhere not found ({NOWHERE})",
           "unknown bucket")
    counts(t, fx, {OP_LIST: 1}, "unknown bucket: asked once")
    fx.mock.list_page_size = None


# --------------------------------------------------------------------------
# 6. The deadline
# --------------------------------------------------------------------------


def deadline_case(t, fx, args, code, step, name):
    state = {e.UNKNOWN: "UNKNOWN", e.CRITICAL: "CRITICAL"}[code]
    got = run(fx, *args)
    expect(t, got, code, f"{PREFIX} {state} - timeout after {T} s while {step}", name)
    t.is_(got.out.count("\n"), 1, f"{name}: one line")
    t.timing(got.elapsed <= T + 1.0, f"{name}: ends within -t + 1 s",
             f"took {got.elapsed:.2f} s")
    return got


def test_deadline(t, fx):
    fx.mock.clear_tables()
    slow = {}
    for i in range(6):
        slow[i] = fx.mock.add_table(SLOW, "lake", f"t{i}", table_id=f"lake-t{i}",
                                    job=job("Successful", HOUR),
                                    delay=T + 3 if i in (1, 4) else None)
    step = "calling GetTableRecordExpirationJobStatus for the bucket's tables"
    deadline_case(t, fx, ["-b", SLOW, "-t", T], e.UNKNOWN, step,
                  "two slow tables of six, -t")
    counts(t, fx, {OP_LIST: 1, OP_JOB: 6}, "deadline: every table was asked")
    verified(t, fx, "deadline")
    deadline_case(t, fx, ["-b", SLOW, "-t", f"{T}:critical"], e.CRITICAL, step,
                  "two slow tables of six, -t :critical")
    deadline_case(t, fx, ["-b", SLOW, "--namespace", "lake", "--name", "t4", "-t", T],
                  e.UNKNOWN, "looking up the table with GetTable", "slow GetTable")
    fx.mock.delay = T + 3
    try:
        deadline_case(t, fx, ["-b", SLOW, "-t", T], e.UNKNOWN,
                      "listing the bucket's tables with ListTables", "slow ListTables")
    finally:
        fx.mock.delay = 0.0


# --------------------------------------------------------------------------
# 7. --list-tables
# --------------------------------------------------------------------------


def json_lines(t, got, name):
    """stdout as JSON objects, one a line (None where a line is not JSON)."""
    objects = []
    for line in got.out.splitlines():
        try:
            objects.append(json.loads(line))
        except ValueError:
            objects.append(None)
    t.ok(None not in objects, f"{name}: every line is a JSON object", got.out)
    return objects


def test_list_tables(t, fx):
    fx.mock.clear_tables()
    arns = mixed_bucket(fx)
    fx.mock.list_page_size = 3
    listed = [(label.split(".")[0], label.split(".")[1], arn) for label, arn in arns.items()]

    def want(labels):
        return [{"namespace": ns, "name": name, "tableARN": arn}
                for ns, name, arn in listed if f"{ns}.{name}" in labels or labels == "all"]

    got = run(fx, "-b", BUCKET, "--list-tables")
    t.is_(got.code, e.OK, "--list-tables: exit code")
    objects = json_lines(t, got, "--list-tables")
    t.is_(objects, want("all"), "--list-tables: every table of every page, as listed")
    t.ok(all(o is not None and list(o) == ["namespace", "name", "tableARN"] for o in objects),
         "--list-tables: keys namespace, name, tableARN, in that order", got.out)
    t.ok("\\/" not in got.out, "--list-tables: ARNs are not slash-escaped", got.out)
    counts(t, fx, {OP_LIST: 3}, "--list-tables: listing only, no job status")
    verified(t, fx, "--list-tables")

    got = run(fx, "-b", BUCKET, "--namespace", "sales", "--list-tables")
    t.is_(got.code, e.OK, "--list-tables --namespace sales: exit code")
    t.is_(json_lines(t, got, "--list-tables --namespace sales"),
          want({"sales.customers", "sales.invoices", "sales.orders", "sales.refunds",
                "sales.returns"}), "--list-tables --namespace sales: its tables")
    t.is_([params(r).get("namespace") for r in of(fx, OP_LIST)], ["sales", "sales"],
          "--list-tables --namespace sales: ListTables asks for namespace=sales")

    got = run(fx, "-b", BUCKET, "--include", "web.*", "--include", "*.orders",
              "--exclude", "*.events", "--list-tables")
    t.is_(got.code, e.OK, "--list-tables with filters: exit code")
    t.is_(json_lines(t, got, "--list-tables with filters"),
          want({"sales.orders", "web.clicks", "web.pageviews", "web.sessions"}),
          "--list-tables with filters: included and not excluded")

    fx.mock.add_bucket(EMPTY)
    got = run(fx, "-b", EMPTY, "--list-tables")
    t.is_((got.code, got.out), (e.OK, ""), "--list-tables of an empty bucket: no line, exit 0")

    got = run(fx, "-b", BUCKET, "--include", "nothing.*", "--list-tables")
    t.is_((got.code, got.out), (e.OK, ""),
          "--list-tables with filters matching nothing: no line, exit 0")

    fx.mock.set_bucket_error(BUCKET, "AccessDeniedException", "no ListTables for you", page=2)
    got = run(fx, "-b", BUCKET, "--list-tables")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - API error AccessDeniedException: "
                              "no ListTables for you (HTTP 403)", "--list-tables, page 2 denied")
    t.is_(got.out.count("\n"), 1, "--list-tables, page 2 denied: no table printed")
    fx.mock.clear_bucket_errors()

    got = run(fx, "-b", NOWHERE, "--list-tables")
    expect(t, got, e.UNKNOWN, f"{PREFIX} UNKNOWN - table bucket nowhere not found ({NOWHERE})",
           "--list-tables of an unknown bucket")
    fx.mock.list_page_size = None


# --------------------------------------------------------------------------
# 8. --show-configuration
# --------------------------------------------------------------------------


def config_tables(fx):
    fx.mock.clear_tables()
    specs = [
        ("enabled", job("Successful", 5 * HOUR + 3 * 60),
         mock_aws.expiration_config("enabled", 30)),
        ("one_day", job("Successful", 30 * 60), mock_aws.expiration_config("enabled", 1)),
        ("no_days", job("Successful", HOUR + 60), mock_aws.expiration_config("enabled")),
        ("disabled", job("Successful", HOUR), mock_aws.expiration_config("disabled")),
        ("unset", job("NotYetRun"), "none"),
        ("failing", job("Failed", 2 * HOUR, failure="disk full"),
         mock_aws.expiration_config("enabled", 7)),
    ]
    arns = {name: fx.mock.add_table(BUCKET, "cfg", name, job=body, config=config,
                                    table_id=f"cfg-{name.replace('_', '-')}")
            for name, body, config in specs}
    fx.mock.set_config_error(arns["failing"], "AccessDeniedException", "not allowed")
    return arns


def test_configuration(t, fx):
    arns = config_tables(fx)
    age = 5 * HOUR + 3 * 60

    def enabled_want(d, days=None, label=None, config=None):
        lines = [f"{PREFIX} OK - job Successful {human(age + d)} ago | age={age + d}s{AGE_PERF}"
                 + (f" retention_days={days};;;0" if days else "") + " time=Ts;;;0",
                 f"table: {label} ({arns['enabled']})" if label else f"table: {arns['enabled']}",
                 "status: Successful", f"last run: {CLOCK.stamp(age)} ({human(age + d)} ago)"]
        return lines + ([f"configuration: {config}"] if config else [])

    CLOCK.start()
    got = run(fx, "-a", arns["enabled"], "--show-configuration")
    expect_aged(t, got, e.OK, lambda d: enabled_want(
        d, 30, config="enabled, records expire after 30 days"), "configuration enabled, -a")
    counts(t, fx, {OP_JOB: 1, OP_CONFIG: 1}, "configuration enabled, -a")
    verified(t, fx, "configuration enabled, -a")
    t.is_([(r.path, params(r)) for r in of(fx, OP_CONFIG)],
          [("/table-record-expiration", {"tableArn": arns["enabled"]})],
          "configuration: GET /table-record-expiration?tableArn=ARN")

    CLOCK.start()
    got = run(fx, "-a", arns["enabled"])
    expect_aged(t, got, e.OK, enabled_want, "without --show-configuration")
    counts(t, fx, {OP_JOB: 1}, "without --show-configuration: no configuration asked")

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--namespace", "cfg", "--name", "enabled", "--show-configuration")
    expect_aged(t, got, e.OK, lambda d: enabled_want(
        d, 30, "cfg.enabled", "enabled, records expire after 30 days"),
        "configuration enabled, by name")
    t.is_([r.operation for r in fx.mock.requests][:1], [OP_GET], "by name: GetTable first")
    counts(t, fx, {OP_GET: 1, OP_JOB: 1, OP_CONFIG: 1}, "configuration enabled, by name")
    verified(t, fx, "configuration enabled, by name")

    for name, age_of, code, config, days in [
        ("one_day", 30 * 60, e.OK, "enabled, records expire after 1 day", 1),
        ("no_days", HOUR + 60, e.OK, "enabled", None),
        ("disabled", HOUR, e.OK, "disabled", None),
        ("unset", None, e.WARNING, "none", None),
    ]:
        def want(d, a=age_of, code=code, days=days):
            summary = ("WARNING - job NotYetRun" if a is None
                       else f"OK - job Successful {human(a + d)} ago")
            return [f"{PREFIX} {summary} |" + (f" age={a + d}s{AGE_PERF}" if a else "")
                    + (f" retention_days={days};;;0" if days else "") + " time=Ts;;;0"]

        CLOCK.start()
        got = run(fx, "-a", arns[name], "--show-configuration")
        expect_aged(t, got, code, want, f"configuration {name}, -a", whole=False)
        t.is_(got.lines[-1:], [f"configuration: {config}"],
              f"configuration {name}: the long output's last line")

    # The configuration failing changes nothing but its own line.
    def failing_want(d, config=False):
        return [f"{PREFIX} CRITICAL - job Failed {human(2 * HOUR + d)} ago: disk full | "
                f"age={2 * HOUR + d}s{AGE_PERF} time=Ts;;;0",
                "CRITICAL: job status Failed",
                f"table: {arns['failing']}", "status: Failed",
                f"last run: {CLOCK.stamp(2 * HOUR)} ({human(2 * HOUR + d)} ago)",
                "failure message: disk full"] + (
            ["configuration: unknown (API error AccessDeniedException: not allowed (HTTP 403))"]
            if config else [])

    CLOCK.start()
    got = run(fx, "-a", arns["failing"])
    expect_aged(t, got, e.CRITICAL, failing_want, "configuration failing: the run without it")
    CLOCK.start()
    got = run(fx, "-a", arns["failing"], "--show-configuration")
    expect_aged(t, got, e.CRITICAL, lambda d: failing_want(d, True),
                "configuration failing: same state and first line, one more line says why")
    counts(t, fx, {OP_JOB: 1, OP_CONFIG: 1}, "configuration failing: not retried")
    verified(t, fx, "configuration failing")

    # Bucket mode: a "; configuration: ..." on each table's line.
    def bucket_want(d, config):
        def c(text):
            return f"; configuration: {text}" if config else ""
        return [
            f"{PREFIX} CRITICAL - 6 tables: 1 critical, 1 warning, 4 ok; "
            f"cfg.failing Failed {human(2 * HOUR + d)} ago, cfg.unset NotYetRun"
            + bucket_perf(6, 4, 1, 1, 0, age + d),
            "CRITICAL cfg.failing: job status Failed: disk full"
            + c("unknown (API error AccessDeniedException: not allowed (HTTP 403))"),
            "WARNING cfg.unset: job status NotYetRun" + c("none"),
            f"OK cfg.enabled: job Successful {human(age + d)} ago"
            + c("enabled, records expire after 30 days"),
            f"OK cfg.no_days: job Successful {human(HOUR + 60 + d)} ago" + c("enabled"),
            f"OK cfg.disabled: job Successful {human(HOUR + d)} ago" + c("disabled"),
            f"OK cfg.one_day: job Successful {human(30 * 60 + d)} ago"
            + c("enabled, records expire after 1 day"),
        ]

    CLOCK.start()
    got = run(fx, "-b", BUCKET, "--show-configuration", "-v")
    expect_aged(t, got, e.CRITICAL, lambda d: bucket_want(d, True),
                "bucket --show-configuration -v")
    counts(t, fx, {OP_LIST: 1, OP_JOB: 6, OP_CONFIG: 6}, "bucket --show-configuration")
    verified(t, fx, "bucket --show-configuration")
    CLOCK.start()
    got = run(fx, "-b", BUCKET, "-v")
    expect_aged(t, got, e.CRITICAL, lambda d: bucket_want(d, False),
                "bucket -v without --show-configuration: same first line, no configuration")
    counts(t, fx, {OP_LIST: 1, OP_JOB: 6}, "bucket without --show-configuration")


# --------------------------------------------------------------------------
# 9. --parallel, -v, and a bucket too big for the output
# --------------------------------------------------------------------------


def test_parallel(t, fx):
    fx.mock.clear_tables()
    for i in range(20):
        status = {4: "Failed", 11: "NotYetRun", 15: "Disabled"}.get(i, "Successful")
        body = (job(status) if status == "NotYetRun"
                else job(status, (i + 1) * HOUR + 5 * 60, records=i, files=1))
        fx.mock.add_table(FLEET, "fleet", f"f{i:02}", table_id=f"fleet-f{i:02}", job=body)
    records = sum(i for i in range(20) if i != 11)

    def want(d):
        return [
            f"{PREFIX} CRITICAL - 20 tables: 1 critical, 2 warning, 17 ok; "
            f"fleet.f04 Failed {human(5 * HOUR + 5 * 60 + d)} ago, "
            f"fleet.f15 Disabled {human(16 * HOUR + 5 * 60 + d)} ago, fleet.f11 NotYetRun"
            + bucket_perf(20, 17, 2, 1, 0, 20 * HOUR + 5 * 60 + d, records, 19, 0),
            "CRITICAL fleet.f04: job status Failed",
            "WARNING fleet.f15: job status Disabled",
            "WARNING fleet.f11: job status NotYetRun",
        ]

    outputs = {}
    for parallel, limit in (("1", 1), (None, 8), ("64", 20)):
        name = f"20 tables, --parallel {parallel or 'default (8)'}"
        CLOCK.start()
        got = run(fx, "-b", FLEET, *(["--parallel", parallel] if parallel else []))
        d = expect_aged(t, got, e.CRITICAL, want, name)
        outputs[parallel] = (d, got.lines)
        counts(t, fx, {OP_LIST: 1, OP_JOB: 20}, name)
        t.ok(1 <= fx.mock.handshakes <= limit,
             f"{name}: at most {limit} connection{'s' if limit > 1 else ''}, reused",
             f"{fx.mock.handshakes} TLS handshakes")
    verified(t, fx, "20 tables")
    # The same output but for oldest_age, which follows the clock.
    unaged = {p: [re.sub(r"oldest_age=[0-9]+s", "oldest_age=Ns", line) for line in lines]
              for p, (d, lines) in outputs.items()}
    t.ok(len(set(map(tuple, unaged.values()))) == 1,
         "20 tables: --parallel 1, default and 64 give the same output", unaged)

    # At most N requests in flight: with every answer taking 0.5 s, no more
    # than N can arrive within any 0.4 s.
    fx.mock.clear_tables()
    for i in range(8):
        fx.mock.add_table(SLOW, "lake", f"s{i}", table_id=f"lake-s{i}",
                          job=job("Successful", HOUR), delay=0.5)
    got = run(fx, "-b", SLOW, "--parallel", "3")
    t.is_(got.code, e.OK, "--parallel 3 with slow answers: exit code")
    arrivals = sorted(r.time for r in of(fx, OP_JOB))
    burst = max((sum(1 for b in arrivals if a <= b < a + 0.4) for a in arrivals), default=0)
    t.ok(len(arrivals) == 8 and burst <= 3, "--parallel 3: never more than 3 requests in flight",
         f"{len(arrivals)} requests, up to {burst} within 0.4 s")
    got = run(fx, "-b", SLOW)
    t.is_(got.code, e.OK, "default --parallel with slow answers: exit code")
    t.timing(got.elapsed < 3.0, "default --parallel: 8 answers of 0.5 s each overlap",
             f"took {got.elapsed:.2f} s (one after another: 4 s)")


def test_big_bucket(t, fx):
    fx.mock.clear_tables()
    message = "The table's maintenance role was deleted; " + "x" * 120
    for i in range(300):
        fx.mock.add_table(BULK, "bulk", f"t{i:03}", table_id=f"bulk-t{i:03}",
                          job=job("Failed", HOUR, failure=message))
    CLOCK.start()
    got = run(fx, "-b", BULK)
    expect_aged(t, got, e.CRITICAL, lambda d: [
        f"{PREFIX} CRITICAL - 300 tables: 300 critical; bulk.t000 Failed {human(HOUR + d)} ago, "
        f"bulk.t001 Failed {human(HOUR + d)} ago, bulk.t002 Failed {human(HOUR + d)} ago, ..."
        + bucket_perf(300, 0, 0, 300, 0, HOUR + d)], "300 failing tables", slack=SLACK + 4,
        whole=False)
    size = len(got.out.encode())
    t.ok(size <= 4096, "300 failing tables: output within 4096 bytes", f"{size} bytes")
    t.ok(got.out.endswith("\n"), "300 failing tables: output ends with a newline")
    lines = got.lines
    more = re.fullmatch(r"\.\.\. and (\d+) more", lines[-1]) if lines else None
    t.ok(more is not None, "300 failing tables: the last line is '... and N more'", lines[-1:])
    shown = lines[1:-1]
    t.is_(shown, [f"CRITICAL bulk.t{i:03}: job status Failed: {message}"
                  for i in range(len(shown))], "300 failing tables: table lines by name")
    t.ok(more is not None and len(shown) + int(more.group(1)) == 300 and len(shown) >= 10,
         "300 failing tables: lines shown and N more add up to 300",
         f"{len(shown)} shown, {more and more.group(1)} more")
    perf = e.perfdata(got.out)
    t.is_([perf.get(k) and perf[k][0] for k in ("tables", "tables_critical", "tables_ok")],
          [300, 300, 0], "300 failing tables: perfdata intact on line 1")
    t.ok(bool(lines) and lines[0].endswith(" time=Ts;;;0"),
         "300 failing tables: time= still last on line 1", lines[:1])
    counts(t, fx, {OP_LIST: 1, OP_JOB: 300}, "300 failing tables")
    verified(t, fx, "300 failing tables")


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    with e.mock_fixture() as fx:
        for test in (test_by_name, test_by_name_usage, test_bucket, test_filters,
                     test_errors_among_many, test_listing_fails, test_list_tables,
                     test_configuration, test_parallel, test_big_bucket, test_deadline):
            test(t, fx)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
