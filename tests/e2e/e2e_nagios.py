#!/usr/bin/env python3
"""End-to-end: the plugin under a real Nagios 4 core.

The shipped contrib/nagios-command.cfg is loaded unchanged (cfg_file=)
next to a minimal surrounding configuration the test writes into a
private prefix: a generic-service template, the host 'aws', a time
period and a contact, plus test-only services that use the shipped
commands.  'nagios4 -v' must accept it; then nagios4 runs in the
foreground (as the unprivileged nagios user when the test runs as root)
until every service has had one active check, and each service's
current_state, plugin_output, long_plugin_output and performance_data
in status.dat must be exactly what the plugin prints when run directly
with the same arguments and environment (only the duration in time= is
masked).

Credentials reach the plugin only through Nagios's environment
(enable_environment_macros=0): AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
for the test-only services; for the shipped services, which say
'--profile monitoring', HOME points at a home whose .aws/credentials
has that profile.  The endpoint and CA bundle come from
AWS_ENDPOINT_URL_S3TABLES and AWS_CA_BUNDLE.

Ages: every last run is scripted relative to BASE, a whole second taken
just before Nagios starts; a check sees each age plus the same d >= 0
(the seconds between BASE and the check), so the expected output is
built for each d up to the time waited and must match one of them
exactly.
"""

import datetime as dt
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import e2e_lib as e
import mock_aws

PREFIX = "S3TABLES_EXPIRATION"
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SAMPLE = os.path.join(TOP, "contrib", "nagios-command.cfg")
ACCOUNT_ARN = "arn:aws:s3tables:eu-west-1:111122223333:bucket/"
SALES = ACCOUNT_ARN + "sales"  # the bucket the shipped sample services watch
MONITORED = ACCOUNT_ARN + "monitored"  # tables of the test-only services
HOUR = 3600
AGE_PERF = ";172800;259200;0"  # -w 48h -c 72h in seconds
FAILURE = "Access denied to table data: the maintenance role lacks s3tables:PutTableData"
DENIED = ("User: arn:aws:iam::111122223333:user/monitor is not authorized to perform: "
          "s3tables:GetTableRecordExpirationJobStatus")
SCRATCH_FAILURE = "out of memory; retry with a larger worker"
# The shipped services say --profile monitoring: its own key pair, so the
# mock can tell which credentials each request was signed with.
PROFILE_KEY = "AKIDMONITORINGPROFILE"
PROFILE_SECRET = "monitoringProfileSecret/0123456789abcdefgh"
# Seconds to wait for every service's first check (valgrind: far slower).
DEADLINE = 240 if e.UNDER_VALGRIND else 40

human = e.human_duration


def nagios_binary():
    """$NAGIOS, else nagios4 or nagios on PATH or in /usr/sbin; None if absent."""
    if os.environ.get("NAGIOS"):
        return os.environ["NAGIOS"]
    for name in ("nagios4", "nagios"):
        found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/usr/local/sbin")
        if found:
            return found
    return None


def run_as():
    """(user, group) Nagios runs as: as root an unprivileged one, else ourselves."""
    if os.geteuid() != 0:
        return (pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name)
    for user in ("nagios", "nobody"):
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        return user, grp.getgrgid(entry.pw_gid).gr_name
    return None


# --------------------------------------------------------------------------
# Scripted tables and what each service must show
# --------------------------------------------------------------------------


CLOCK = e.Clock()

# Ages of the scripted last runs, in seconds before BASE.
ORDERS_AGE = 5 * HOUR + 3 * 60
CUSTOMERS_AGE = 50 * HOUR
SCRATCH_AGE = HOUR
HEALTHY_AGE = 90 * 60
LATE_AGE = 30 * HOUR
FAILING_AGE = 2 * HOUR


def job(status, age=None, **kw):
    """A job status body made when the mock answers."""
    return lambda: mock_aws.job(status, last_run=None if age is None else CLOCK.stamp(age), **kw)


def script_tables(mock):
    """The tables every service below looks at; returns the ARNs by name."""
    arns = {
        "orders": mock.add_table(SALES, "sales", "orders", table_id="orders",
                                 job=job("Successful", ORDERS_AGE, records=1234, files=12,
                                         bytes_=4404019)),
        "customers": mock.add_table(SALES, "sales", "customers",
                                    job=job("Successful", CUSTOMERS_AGE)),
        "scratch": mock.add_table(SALES, "scratch", "tmp",
                                  job=job("Failed", SCRATCH_AGE, failure=SCRATCH_FAILURE)),
        "healthy": mock.add_table(MONITORED, "sales", "healthy",
                                  job=job("Successful", HEALTHY_AGE)),
        "late": mock.add_table(MONITORED, "sales", "late", job=job("Successful", LATE_AGE)),
        "failing": mock.add_table(MONITORED, "sales", "failing",
                                  job=job("Failed", FAILING_AGE, failure=FAILURE)),
        "denied": mock.add_table(MONITORED, "sales", "denied"),
    }
    mock.set_table_error(arns["denied"], "AccessDeniedException", DENIED)
    return arns


def single_out(state, age, d, summary, long_lines, metrics="", age_perf=AGE_PERF):
    """A single table's output (first line with time= masked, long lines)."""
    seen = age + d
    perf = f"age={seen}s{age_perf}{metrics} time=Ts;;;0"
    return [f"{PREFIX} {state} - job {summary.format(human=human(seen))} | {perf}"] + long_lines


def last_run(age, d):
    return f"last run: {CLOCK.stamp(age)} ({human(age + d)} ago)"


ORDERS_METRICS = " deleted_records=1234;;;0 deleted_files=12;;;0 removed_bytes=4404019B;;;0"
ORDERS_DETAILS = ["deleted records: 1234", "deleted files: 12", "removed bytes: 4404019 (4.2 MiB)"]


def orders_out(table_line):
    def build(d):
        return single_out("OK", ORDERS_AGE, d,
                          "Successful {human} ago, 1234 records / 12 files / 4.2 MiB removed",
                          [table_line, "status: Successful", last_run(ORDERS_AGE, d)]
                          + ORDERS_DETAILS, ORDERS_METRICS)
    return build


def bucket_perf(tables, ok, warning, critical, oldest):
    return (f"tables={tables};;;0 tables_ok={ok};;;0 tables_warning={warning};;;0 "
            f"tables_critical={critical};;;0 tables_unknown=0;;;0 oldest_age={oldest}s{AGE_PERF}"
            f"{ORDERS_METRICS} time=Ts;;;0")


def services(arns):
    """[(description, check_command, the plugin's arguments as the command
    line expands them, state, expected(d) -> output lines)].

    The first three are the shipped sample's services, as
    contrib/nagios-command.cfg defines them (check_command None); the
    others are defined by this test, with the shipped commands."""
    orders_arn = SALES + "/table/orders"
    customers_warning = "WARNING sales.customers: age {} is outside the warning range 48h"
    return [
        ("S3 Tables expiration orders", None,
         ["--table-arn", orders_arn, "--warning", "48h", "--critical", "72h",
          "--profile", "monitoring"],
         e.OK, orders_out(f"table: {orders_arn}")),
        ("S3 Tables expiration bucket sales", None,
         ["--table-bucket-arn", SALES, "--timeout", "30", "--profile", "monitoring",
          "--exclude", "scratch.*"],
         e.WARNING,
         lambda d: [f"{PREFIX} WARNING - 2 tables: 1 warning, 1 ok; sales.customers Successful "
                    f"{human(CUSTOMERS_AGE + d)} ago | "
                    + bucket_perf(2, 1, 1, 0, CUSTOMERS_AGE + d),
                    customers_warning.format(human(CUSTOMERS_AGE + d))]),
        ("S3 Tables expiration sales.orders", None,
         ["--table-bucket-arn", SALES, "--timeout", "30", "--namespace", "sales", "--name",
          "orders", "--profile", "monitoring"],
         e.OK, orders_out(f"table: sales.orders ({orders_arn})")),
        ("e2e ok", f"check_s3tables_expiration!{arns['healthy']}!48h!72h",
         ["--table-arn", arns["healthy"], "--warning", "48h", "--critical", "72h"],
         e.OK,
         lambda d: single_out("OK", HEALTHY_AGE, d, "Successful {human} ago",
                              [f"table: {arns['healthy']}", "status: Successful",
                               last_run(HEALTHY_AGE, d)])),
        ("e2e warning", f"check_s3tables_expiration!{arns['late']}!24h!72h",
         ["--table-arn", arns["late"], "--warning", "24h", "--critical", "72h"],
         e.WARNING,
         lambda d: single_out("WARNING", LATE_AGE, d, "Successful {human} ago",
                              [f"WARNING: age {human(LATE_AGE + d)} is outside the warning "
                               "range 24h", f"table: {arns['late']}", "status: Successful",
                               last_run(LATE_AGE, d)],
                              age_perf=";86400;259200;0")),
        ("e2e critical", f"check_s3tables_expiration!{arns['failing']}!48h!72h",
         ["--table-arn", arns["failing"], "--warning", "48h", "--critical", "72h"],
         e.CRITICAL,
         lambda d: single_out("CRITICAL", FAILING_AGE, d,
                              "Failed {human} ago: Access denied to table data: the maintenance...",
                              ["CRITICAL: job status Failed", f"table: {arns['failing']}",
                               "status: Failed", last_run(FAILING_AGE, d),
                               "failure message: " + FAILURE])),
        ("e2e unknown", f"check_s3tables_expiration!{arns['denied']}!48h!72h",
         ["--table-arn", arns["denied"], "--warning", "48h", "--critical", "72h"],
         e.UNKNOWN,
         lambda d: [f"{PREFIX} UNKNOWN - API error AccessDeniedException: {DENIED} (HTTP 403)"]),
        ("e2e bucket", f"check_s3tables_bucket!{SALES}",
         ["--table-bucket-arn", SALES, "--timeout", "30"],
         e.CRITICAL,
         lambda d: [f"{PREFIX} CRITICAL - 3 tables: 1 critical, 1 warning, 1 ok; scratch.tmp "
                    f"Failed {human(SCRATCH_AGE + d)} ago, sales.customers Successful "
                    f"{human(CUSTOMERS_AGE + d)} ago | "
                    + bucket_perf(3, 1, 1, 1, CUSTOMERS_AGE + d),
                    "CRITICAL scratch.tmp: job status Failed: " + SCRATCH_FAILURE,
                    customers_warning.format(human(CUSTOMERS_AGE + d))]),
    ]


def masked(line):
    """time= (the API calls' duration, which varies) masked."""
    return re.sub(r"time=[0-9]+\.[0-9]{3}s", "time=Ts", line)


def match_d(expected, got_lines, max_d):
    """The d for which expected(d) == got_lines, else None."""
    for d in range(0, max_d + 1):
        if expected(d) == got_lines:
            return d
    return None


# --------------------------------------------------------------------------
# The Nagios prefix
# --------------------------------------------------------------------------

OBJECTS = """\
# Test-only surroundings of the shipped sample: what a real installation
# already has (templates, a host, a time period, a contact).
define timeperiod {
    timeperiod_name 24x7
    alias           24 hours a day, 7 days a week
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}

define command {
    command_name    e2e-notify
    command_line    /bin/true
}

define contact {
    contact_name                    e2e
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      e2e-notify
    service_notification_commands   e2e-notify
}

# No check_command: the host counts as up and is never checked.
define host {
    host_name               aws
    alias                   Amazon Web Services
    address                 127.0.0.1
    max_check_attempts      1
    check_period            24x7
    contacts                e2e
    notification_interval   0
    notification_period     24x7
}

# check_interval is in interval_length units (1 s here): one check per
# service while the test runs.
define service {
    name                    generic-service
    register                0
    max_check_attempts      1
    check_interval          300
    retry_interval          300
    check_period            24x7
    contacts                e2e
    notification_interval   0
    notification_period     24x7
}
"""


def main_config(prefix, user, group, objects, sample):
    """nagios.cfg: every file Nagios writes lives in the prefix; sample is
    the shipped sample (or its copy, for a user who cannot read the tree)."""
    var = os.path.join(prefix, "var")
    settings = [
        ("log_file", f"{var}/nagios.log"),
        ("cfg_file", objects),
        ("cfg_file", sample),
        ("resource_file", f"{prefix}/resource.cfg"),
        ("object_cache_file", f"{var}/objects.cache"),
        ("precached_object_file", f"{var}/objects.precache"),
        ("status_file", f"{var}/status.dat"),
        ("status_update_interval", "1"),
        ("nagios_user", user),
        ("nagios_group", group),
        ("check_external_commands", "0"),
        ("command_file", f"{var}/nagios.cmd"),
        ("query_socket", f"{var}/nagios.qh"),
        ("lock_file", f"{var}/nagios.lock"),
        ("temp_file", f"{var}/nagios.tmp"),
        ("temp_path", var),
        ("check_result_path", f"{prefix}/checkresults"),
        ("log_archive_path", f"{var}/archives"),
        ("debug_file", f"{var}/nagios.debug"),
        ("debug_level", "0"),
        ("state_retention_file", f"{var}/retention.dat"),
        ("retain_state_information", "0"),
        ("use_retained_program_state", "0"),
        ("use_retained_scheduling_info", "0"),
        ("use_syslog", "0"),
        ("check_for_updates", "0"),
        ("enable_notifications", "0"),
        ("enable_event_handlers", "0"),
        ("enable_flap_detection", "0"),
        ("enable_environment_macros", "0"),
        ("check_workers", "1"),
        ("interval_length", "1"),
        ("service_inter_check_delay_method", "n"),
        ("max_service_check_spread", "1"),
        ("service_check_timeout", "120" if e.UNDER_VALGRIND else "60"),
        # Under valgrind eight checks at once on two cores outlast the
        # plugin's own 10 s timeout: two at a time.
        ("max_concurrent_checks", "2" if e.UNDER_VALGRIND else "0"),
        ("illegal_object_name_chars", "`~!$%^&*|'\"<>?,()="),
        ("illegal_macro_output_chars", "`~$&|'\"<>"),
    ]
    return "".join(f"{key}={value}\n" for key, value in settings)


def reachable(path, as_user):
    """Whether the user Nagios runs checks as can execute path."""
    if as_user is None:
        return os.access(path, os.X_OK)
    return subprocess.run(as_user + ["test", "-x", path], stdin=subprocess.DEVNULL).returncode == 0


def shipped_sample(prefix, as_user):
    """The shipped sample, unchanged: the tree's file, or a copy of it in the
    prefix when the user Nagios runs as cannot read the tree."""
    sample = os.path.abspath(SAMPLE)
    if as_user is None or subprocess.run(as_user + ["test", "-r", sample],
                                         stdin=subprocess.DEVNULL).returncode == 0:
        return sample
    copy = os.path.join(prefix, "contrib", os.path.basename(sample))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(sample, copy)
    os.chmod(os.path.dirname(copy), 0o755)
    os.chmod(copy, 0o644)
    return copy


def plugin_dir(prefix, as_user):
    """$USER1$ (a directory with a check_s3tables_expiration) and a note.

    The plugin's own directory, unless the plugin under test is named
    otherwise (a wrapper such as the valgrind one: a script in the prefix
    execs it) or is out of reach of the user Nagios runs as (a checkout
    in root's home: a copy of the binary in the prefix)."""
    plugin = os.path.abspath(e.plugin_path())
    note = None
    if not reachable(plugin, as_user):
        plugin = e.stage_plugin(os.path.join(prefix, "stage"))
        note = f"{e.plugin_path()} is out of reach of the Nagios user: a copy runs"
    if os.path.basename(plugin) == "check_s3tables_expiration":
        return os.path.dirname(plugin), note
    libexec = os.path.join(prefix, "libexec")
    os.mkdir(libexec)
    target = os.path.join(libexec, "check_s3tables_expiration")
    with open(target, "w") as f:
        f.write(f"#!/bin/sh\nexec '{plugin}' \"$@\"\n")
    os.chmod(target, 0o755)
    return libexec, f"$USER1$/check_s3tables_expiration execs {plugin}"


def make_prefix(prefix, fx, user, group, as_user):
    """Write the configuration, the CA and the profile's credentials; return
    (nagios.cfg path, environment Nagios runs with, $USER1$, note)."""
    for sub in ("var", "var/archives", "checkresults", "home", "home/.aws"):
        os.mkdir(os.path.join(prefix, sub))
    ca = os.path.join(prefix, "ca.pem")
    shutil.copyfile(fx.pki.ca_cert, ca)
    creds = os.path.join(prefix, "home", ".aws", "credentials")
    with open(creds, "w") as f:
        f.write(f"[monitoring]\naws_access_key_id = {PROFILE_KEY}\n"
                f"aws_secret_access_key = {PROFILE_SECRET}\n")
    os.chmod(creds, 0o600)
    user1, note = plugin_dir(prefix, as_user)
    with open(os.path.join(prefix, "resource.cfg"), "w") as f:
        f.write(f"$USER1$={user1}\n")
    objects = os.path.join(prefix, "objects.cfg")
    with open(objects, "w") as f:
        f.write(OBJECTS)
    cfg = os.path.join(prefix, "nagios.cfg")
    with open(cfg, "w") as f:
        f.write(main_config(prefix, user, group, objects, shipped_sample(prefix, as_user)))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C",
        "HOME": os.path.join(prefix, "home"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": e.TEST_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": e.TEST_SECRET_KEY,
        "AWS_ENDPOINT_URL_S3TABLES": fx.mock.url,
        "AWS_CA_BUNDLE": ca,
    }
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    if os.geteuid() == 0:
        uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
        for root, dirs, files in os.walk(prefix):
            for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                os.chown(name, uid, gid)
    return cfg, env, user1, note


def add_test_services(objects_path, table):
    """Append the test-only services of table to the objects file."""
    with open(objects_path, "a") as f:
        for description, command, *_ in table:
            if command is not None:
                f.write(f"\ndefine service {{\n"
                        f"    use                     generic-service\n"
                        f"    host_name               aws\n"
                        f"    service_description     {description}\n"
                        f"    check_command           {command}\n"
                        f"}}\n")


def read_status(path):
    """status.dat's servicestatus blocks: {service_description: {key: value}}."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    result = {}
    for block in re.finditer(r"^servicestatus \{\n(.*?)^\t\}", text, re.M | re.S):
        fields = {}
        for line in block.group(1).splitlines():
            key, _, value = line.strip("\t").partition("=")
            fields[key] = value
        result[fields.get("service_description")] = fields
    return result


def exited(proc):
    """Nagios's exit (os.waitid's answer) if it has exited, else None; it
    is not reaped: until then its pid, the id of the session the test
    started it in, cannot be reused."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)


def session_members(sid):
    """Pids of the processes of session sid (Nagios's workers put themselves
    in process groups of their own, but stay in the session)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid:  # state, ppid, pgrp, session
            pids.append(int(entry))
    return pids


def stop(proc):
    """SIGTERM to Nagios; then SIGKILL to whatever is left of the session
    this test started it in (workers, checks still running); then reap.
    Until Nagios is reaped its pid, the session's id, cannot be reused."""
    if proc.returncode is not None:
        return
    if not exited(proc):
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not exited(proc) and time.monotonic() < deadline:
            time.sleep(0.05)
    for pid in session_members(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


# --------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------


def verify_config(t, nagios, cfg):
    proc = subprocess.run([nagios, "-v", cfg], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    out = proc.stdout.decode("utf-8", "replace")
    ok = t.is_(proc.returncode, 0, "nagios -v accepts the shipped sample: exit status")
    ok = t.ok(re.search(r"^Total Warnings: 0$", out, re.M)
              and re.search(r"^Total Errors: +0$", out, re.M),
              "nagios -v: no warnings, no errors") and ok
    ok = t.ok(re.search(r"^\s+Checked 8 services\.$", out, re.M)
              and re.search(r"^\s+Checked 3 commands\.$", out, re.M),
              "nagios -v: the 3 shipped and 5 test services; the 2 shipped commands and "
              "the test's notification command") and ok
    if not ok:
        t.diag(out)
    return ok


def wait_checked(status_path, names, proc, deadline):
    """Poll status.dat until every service has been checked; return its blocks."""
    status = {}
    while time.monotonic() < deadline and not exited(proc):
        status = read_status(status_path)
        if all(status.get(n, {}).get("has_been_checked") == "1" for n in names):
            break
        time.sleep(0.2)
    return status


def nagios_short(text):
    """What Nagios 4 keeps of a first line's text: it rewrites every ';' of
    the short output (not of the long output or the perfdata) to ':'."""
    return text.replace(";", ":")


def split_first(line):
    """(text, perfdata) of a first line."""
    text, _, perf = line.partition(" | ")
    return text, perf


def check_service(t, description, args, state, expected, max_d, record, env, as_user):
    """One service's status.dat record against the expected output, and a
    direct run of the plugin with the same arguments and environment, as the
    user Nagios runs checks as."""
    name = f"'{description}'"
    if not t.is_(record.get("has_been_checked"), "1", f"{name}: checked by Nagios"):
        for what in ("current_state", "plugin_output", "performance_data",
                     "long_plugin_output", "time="):
            t.skip(f"{name}: {what}", "the service was never checked")
    else:
        text, perf = record.get("plugin_output", ""), record.get("performance_data", "")
        longout = record.get("long_plugin_output", "")
        long_lines = longout.split("\\n") if longout else []

        def recorded(d):
            want = expected(d)
            want_text, want_perf = split_first(want[0])
            return [nagios_short(want_text), want_perf] + want[1:]

        got = [text, masked(perf)] + long_lines
        d = match_d(recorded, got, max_d)
        want = recorded(0 if d is None else d)
        t.is_(record.get("current_state"), str(state), f"{name}: current_state")
        t.is_(text, want[0], f"{name}: plugin_output")
        t.is_(masked(perf), want[1], f"{name}: performance_data")
        t.is_(long_lines, want[2:], f"{name}: long_plugin_output")
        if want[1]:
            t.like(perf, r"(^| )time=[0-9]+\.[0-9]{3}s;;;0$", f"{name}: time= is a duration")
        else:
            t.is_(perf, "", f"{name}: no perfdata")
        if d is None:
            t.diag(f"(no d in 0..{max_d} gives the recorded output; shown for d=0)")

    code, out, err, _ = e.run_plugin(args, env=env, prefix=as_user)
    direct = out.splitlines()
    direct[:1] = [masked(line) for line in direct[:1]]
    t.ok(code == state and match_d(expected, direct, max_d + 60) is not None,
         f"{name}: the plugin run directly says the same (exit {state})",
         f"exit {code}\nstdout: {out!r}\nstderr: {err!r}")


def main():
    nagios = nagios_binary()
    if nagios is None or not os.access(nagios, os.X_OK):
        e.skip_all("Nagios 4 not installed (nagios4 or nagios not found)")
    e.require_botocore()
    e.require_plugin()
    who = run_as()
    if who is None:
        e.skip_all("running as root and no unprivileged user (nagios, nobody) to run Nagios as")
    user, group = who
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        e.skip_all("running as root and setpriv (util-linux) not found")

    # Checks and the direct runs of the plugin run as this user: as root
    # through setpriv, which keeps the environment as it is.
    as_user = None
    if os.geteuid() == 0:
        as_user = ["setpriv", f"--reuid={user}", f"--regid={group}", "--init-groups", "--"]

    t = e.Tap()
    fx = e.mock_fixture(credentials={PROFILE_KEY: {"secret": PROFILE_SECRET}})
    prefix = tempfile.mkdtemp(prefix="e2e-nagios-")
    proc = None
    try:
        arns = script_tables(fx.mock)
        cfg, env, user1, note = make_prefix(prefix, fx, user, group, as_user)
        t.diag(f"Nagios runs as {user}:{group}; $USER1$={user1}")
        if note:
            t.diag(note)
        table = services(arns)
        add_test_services(os.path.join(prefix, "objects.cfg"), table)
        verify_config(t, nagios, cfg)

        CLOCK.start()
        started = time.monotonic()
        with open(os.path.join(prefix, "nagios.out"), "wb") as out:
            proc = subprocess.Popen([nagios, cfg], env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        status_path = os.path.join(prefix, "var", "status.dat")
        status = wait_checked(status_path, [s[0] for s in table], proc, started + DEADLINE)
        waited = time.monotonic() - started
        end = exited(proc)
        if end is not None:
            how = "status" if end.si_code == os.CLD_EXITED else "signal"
            t.ok(False, "nagios keeps running", f"it exited early ({how} {end.si_status})")
        else:
            t.diag(f"waited {waited:.1f} s for the checks")
            if os.geteuid() == 0:
                with open(f"/proc/{proc.pid}/status") as f:
                    uid = re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1)
                t.is_(int(uid), pwd.getpwnam(user).pw_uid, f"nagios runs as {user}, not root")
        stop(proc)
        status = read_status(status_path) or status
        requests = list(fx.mock.requests)  # the checks', not the direct runs'

        # Run directly, with $USER1$ as Nagios has it and as the user it ran
        # the checks as (the profile's credentials file is that user's, and
        # the plugin refuses another user's).
        os.environ["PLUGIN"] = os.path.join(user1, "check_s3tables_expiration")
        for description, _, args, state, expected in table:
            record = status.get(description, {})
            for key in ("current_state", "plugin_output", "long_plugin_output",
                        "performance_data"):
                if key in record:
                    t.diag(f"{description}: {key}={record[key]}")
            check_service(t, description, args, state, expected, int(waited) + 2, record, env,
                          as_user)

        t.ok(requests and all(r.verified for r in requests),
             "every request the checks sent was signed right",
             [(r.operation, r.reason) for r in requests if not r.verified])
        gets = [r.access_key for r in requests if r.operation == mock_aws.OP_GET_TABLE]
        t.ok(gets and set(gets) == {PROFILE_KEY},
             "--profile monitoring (the shipped services): the profile's keys from HOME", gets)
        monitored = [r.access_key for r in requests
                     if (r.table_arn or "").startswith(MONITORED + "/")]
        t.ok(monitored and set(monitored) == {e.TEST_ACCESS_KEY},
             "test services: the keys from Nagios's environment", monitored)
    finally:
        if proc is not None:
            stop(proc)
        if t.failed:
            for name in ("nagios.out", "var/nagios.log"):
                try:
                    with open(os.path.join(prefix, name), encoding="utf-8",
                              errors="replace") as f:
                        t.diag(f"--- {name}\n{f.read()[-4000:]}")
                except OSError:
                    pass
        fx.close()
        shutil.rmtree(prefix, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    # A harness that gives up on the test sends SIGTERM: unwind, so that
    # Nagios is stopped and the prefix removed.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    sys.exit(main())
