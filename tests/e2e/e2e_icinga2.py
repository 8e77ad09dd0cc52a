#!/usr/bin/env python3
"""End-to-end: the plugin run by a real Icinga 2, alone and in a cluster.

Icinga 2 (/usr/sbin/icinga2, Debian's icinga2-bin; $ICINGA2 to use another)
is started by the test from its binary, in a private temporary prefix
(every path it writes is under it: -DConfigDir -DDataDir -DLogDir
-DCacheDir -DSpoolDir -DInitRunDir), on loopback ports chosen at run
time. As root the daemons run as the unprivileged user nagios (created by
icinga2-common; nobody if it is missing), otherwise as the caller. No
system service or configuration is touched.

Single node: the shipped contrib/icinga2-command.conf and
contrib/icinga2-services.conf (host "aws", an "apply Service for" and
three Service objects, one in bucket mode) are included as they are; the
test's own configuration adds what an operator's icinga2.conf has:
PluginDir, the generic-host/generic-service templates, the API, a
PerfdataWriter and a GraphiteWriter, plus one service of its own that
uses the command "s3tables_expiration_keys". The AWS endpoint and its CA
come through the daemon's environment (AWS_ENDPOINT_URL_S3TABLES,
AWS_CA_BUNDLE), the keys through the profile "monitoring" of
~/.aws/credentials in the daemon user's HOME, as the sample says. The mock
answers for the sample's tables so that the services come out OK,
WARNING, CRITICAL and UNKNOWN, and the bucket service CRITICAL. Active
checks are off in the test's templates; the checks are forced once
through the REST API. Asserted per service, from Icinga's own records:
the state (API, PerfdataWriter), the command line it made of the
variables, the output, the perfdata as stored, as Icinga's parser
(parse_performance_data, run in the daemon through the API console) reads
each value, unit and threshold, and as its GraphiteWriter sends them to a
carbon listener of the test; and that the plugin run directly with the
same arguments says the same.

PluginDir holds a small test-only shell wrapper named like the plugin: it
runs the plugin under test ($PLUGIN), keeps a copy of exactly what the
plugin printed (stdout, exit status, its arguments, its pid and parent
pid) and passes it on unchanged. Icinga's records are compared with the
very bytes of that run, the time= value included.

Cluster: a master and a satellite daemon, each with its own certificate
from a CA made with 'icinga2 pki new-ca/new-cert/sign-csr', zones "master"
and "satellite" (its child); the service is on the master with
command_endpoint = "satellite". Only the satellite's environment has AWS
keys and the endpoint; the master's has no keys and points at a closed
port. Asserted: the check ran under the satellite daemon (the wrapper's
parent is a process of the satellite daemon, the command line Icinga
reports has the satellite's PluginDir, the master's wrapper never ran,
the mock saw only the satellite's key) and its result reached the master
(check_source, state, output and perfdata in the master's API and in its
PerfdataWriter file).

Ages are exact: the mock stamps a table's last run a whole number of
seconds before the second it answers in (see whole_seconds_ago).
"""

import base64
import datetime as dt
import grp
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import e2e_lib as e
import mock_aws

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRIB = os.path.normpath(os.path.join(HERE, "..", "..", "contrib"))
COMMAND_CONF = os.path.join(CONTRIB, "icinga2-command.conf")
SERVICES_CONF = os.path.join(CONTRIB, "icinga2-services.conf")
ICINGA2 = os.environ.get("ICINGA2", "/usr/sbin/icinga2")
PLUGIN_NAME = "check_s3tables_expiration"
PREFIX = "S3TABLES_EXPIRATION"
STATE_NAMES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}

# Under valgrind a plugin run takes seconds instead of milliseconds.
SLOW = 6 if e.UNDER_VALGRIND else 1
START_TIMEOUT = 30 * SLOW
RESULT_TIMEOUT = 30 * SLOW

# The sample's account, buckets and tables (contrib/icinga2-services.conf).
BUCKETS = "arn:aws:s3tables:eu-west-1:111122223333:bucket/"
ANALYTICS = BUCKETS + "analytics"
SALES = BUCKETS + "sales"
SESSIONS_ID = "6f0b8a52-2f4e-4d5c-9a71-3c8e1d2b7a40"
CLICKS_ID = "0d3c9e17-8b6a-4f2e-a5d4-71e9c0b3f258"
ORDERS_ID = "a7e4c2d9-5b13-4e8f-b0c6-9d2f17e3a854"
SESSIONS = f"{ANALYTICS}/table/{SESSIONS_ID}"
CLICKS = f"{ANALYTICS}/table/{CLICKS_ID}"
ORDERS = f"{SALES}/table/{ORDERS_ID}"
FAILURE = "Access denied to table data: the maintenance role lacks s3tables:PutTableData"
DENIED = ("User: arn:aws:iam::111122223333:user/monitor is not authorized to perform: "
          "s3tables:GetTableRecordExpirationJobStatus")

# The profile "monitoring" of the single node's ~/.aws/credentials.
PROFILE_KEY, PROFILE_SECRET = e.TEST_ACCESS_KEY, e.TEST_SECRET_KEY
# Keys in custom variables, for "s3tables_expiration_keys".
VARS_KEY, VARS_SECRET = "AKIDFROMCUSTOMVARS01", "varsSecret/Key+PassedThroughEnvOnly00000"
# Keys only the satellite's environment holds.
SATELLITE_KEY = "AKIDSATELLITEONLY001"
SATELLITE_SECRET = "satelliteSecret/Key+OnlyInItsEnvironment0"
KEYS_AND_SECRETS = (PROFILE_KEY, PROFILE_SECRET, VARS_KEY, VARS_SECRET, SATELLITE_KEY,
                    SATELLITE_SECRET)

HOUR = 3600

# What each service of the single node must show: state, first line
# before the '|', perfdata (time= masked) and the arguments Icinga makes
# of the variables (in its order: by name).
OK_SESSIONS = (
    0, f"{PREFIX} OK - job Successful 5h 3m ago, 1234 records / 12 files / 4.2 MiB removed",
    "age=18210s;172800;259200;0 deleted_records=1234;;;0 deleted_files=12;;;0 "
    "removed_bytes=4404019B;;;0 time=Ts;;;0")
SINGLE = {
    "s3tables-expiration analytics.sessions": OK_SESSIONS + (
        ["--profile", "monitoring", "--table-arn", SESSIONS, "--timeout", "10"],),
    "s3tables-expiration analytics.clicks": (
        1, f"{PREFIX} WARNING - job Successful 20h 0m ago, 0 records / 0 files / 0 B removed",
        "age=72030s;172800;259200;0 deleted_records=0;1:;;0 deleted_files=0;;;0 "
        "removed_bytes=0B;;;0 time=Ts;;;0",
        ["--profile", "monitoring", "--records-warning", "1:", "--table-arn", CLICKS,
         "--timeout", "10"]),
    "s3tables-expiration sales.orders": (
        2, f"{PREFIX} CRITICAL - job Failed 2h 0m ago: Access denied to table data: the "
        "maintenance...", "age=7230s;93600;180000;0 time=Ts;;;0",
        ["--critical", "50h", "--profile", "monitoring", "--table-arn", ORDERS, "--timeout",
         "10", "--warning", "26h"]),
    "s3tables-expiration sales.customers": (
        3, f"{PREFIX} UNKNOWN - API error AccessDeniedException: {DENIED} (HTTP 403)", "",
        ["--name", "customers", "--namespace", "sales", "--profile", "monitoring",
         "--table-bucket-arn", SALES, "--timeout", "10"]),
    "s3tables-expiration bucket sales": (
        2, f"{PREFIX} CRITICAL - 3 tables: 1 critical, 1 warning, 1 unknown; sales.orders "
        "Failed 2h 0m ago, sales.invoices NotYetRun, sales.customers: API error "
        "AccessDeniedException: User: arn:a...",
        "tables=3;;;0 tables_ok=0;;;0 tables_warning=1;;;0 tables_critical=1;;;0 "
        "tables_unknown=1;;;0 oldest_age=7230s;172800;259200;0 deleted_records=0;;;0 "
        "deleted_files=0;;;0 removed_bytes=0B;;;0 time=Ts;;;0",
        ["--exclude", "scratch.*", "--profile", "monitoring", "--table-bucket-arn", SALES,
         "--timeout", "30"]),
    # The test's own service on host "archive": keys from custom variables.
    "s3tables-expiration keys from variables": OK_SESSIONS + (
        ["--table-arn", SESSIONS, "--timeout", "10"],),
}
SAMPLE_SERVICES = sorted(n for n in SINGLE if n != "s3tables-expiration keys from variables")
SATELLITE_SERVICE = "s3tables-expiration analytics.sessions on the satellite"

# The PerfdataWriter's line for a service: the default's fields the test
# reads, plus the state's number and the endpoint that ran the check.
PERFDATA_TEMPLATE = "\t".join(
    f"{k}::${v}$" for k, v in (("SERVICEDESC", "service.name"), ("SERVICESTATE", "service.state"),
                               ("SERVICESTATEID", "service.state_id"),
                               ("SERVICECHECKSOURCE", "service.check_source"),
                               ("SERVICEPERFDATA", "service.perfdata")))


# --------------------------------------------------------------------------
# Helpers: time, users, files
# --------------------------------------------------------------------------



def aged_job(status, seconds, **kw):
    return lambda: mock_aws.job(status, last_run=e.whole_seconds_ago(seconds, millis=True), **kw)


class User:
    """Who the daemons run as: nagios (else nobody) when we are root, else us."""

    def __init__(self):
        self.switch = os.geteuid() == 0
        entry = None
        if self.switch:
            for name in ("nagios", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if entry is None:
                e.skip_all("running as root, but neither user nagios nor nobody exists")
        else:
            entry = pwd.getpwuid(os.geteuid())
        self.name, self.uid, self.gid = entry.pw_name, entry.pw_uid, entry.pw_gid
        self.group = grp.getgrgid(self.gid).gr_name

    def popen_args(self):
        """Popen keywords that drop to this user (none when we are it)."""
        if not self.switch:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def prefix(self):
        """A command prefix that runs a program as this user (for run_plugin)."""
        if not self.switch:
            return None
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]

    def own(self, top):
        """Give a tree to this user (as root), so that the daemon can write it."""
        if not self.switch:
            return
        for root, dirs, files in os.walk(top):
            os.chown(root, self.uid, self.gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dsl(text):
    """An Icinga 2 DSL string literal."""
    return json.dumps(text)


def sh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def ancestors(pid):
    """The parent chain of a running process, nearest first (empty if it is gone)."""
    chain = []
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        chain.append(pid)
    return chain


def masked(text):
    return re.sub(r"time=[0-9]+\.[0-9]{3}s", "time=Ts", text)


# --------------------------------------------------------------------------
# The PluginDir wrapper
# --------------------------------------------------------------------------

WRAPPER = """#!/bin/sh
# Test-only stand-in for the plugin in Icinga's PluginDir: runs the plugin
# under test, keeps what it printed and passes it on unchanged.
run=$(mktemp {runs}/run.XXXXXX) || exit 3
printf '%s\\0' "$@" > "$run.args"
echo "$$ $PPID" > "$run.pid"
{plugin} "$@" > "$run.out"
rc=$?
echo "$rc" > "$run.rc"
cat "$run.out"
exit "$rc"
"""


class Run:
    """One plugin run the wrapper recorded."""

    def __init__(self, base):
        with open(base + ".args", "rb") as f:
            self.args = [a.decode() for a in f.read().split(b"\0")[:-1]]
        with open(base + ".pid") as f:
            self.pid, self.ppid = (int(x) for x in f.read().split())
        with open(base + ".out", encoding="utf-8", errors="replace") as f:
            self.out = f.read()
        with open(base + ".rc") as f:
            self.rc = int(f.read())


# --------------------------------------------------------------------------
# Icinga 2 daemons
# --------------------------------------------------------------------------


class NodeConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, verifying the certificate for the node's name."""

    def __init__(self, port, server_name, context, timeout):
        super().__init__("127.0.0.1", port, timeout=timeout, context=context)
        self.server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


class Node:
    """One Icinga 2 instance (endpoint `name`) in its own prefix under top."""

    def __init__(self, name, top, user):
        self.name, self.user = name, user
        self.prefix = os.path.join(top, name)
        self.dirs = {k: os.path.join(self.prefix, k)
                     for k in ("etc", "data", "log", "cache", "spool", "run", "home",
                               "plugins", "runs", "perfdata")}
        for d in self.dirs.values():
            os.makedirs(d, exist_ok=True)
        self.conf = os.path.join(self.dirs["etc"], "icinga2.conf")
        self.port = free_port()
        self.api_password = secrets.token_hex(16)
        self.proc = None
        self.log_path = os.path.join(self.dirs["log"], "console.log")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                    "HOME": self.dirs["home"], "AWS_EC2_METADATA_DISABLED": "true"}
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if name in os.environ:
                self.env[name] = os.environ[name]
        write(os.path.join(self.dirs["plugins"], PLUGIN_NAME),
              WRAPPER.format(runs=sh_quote(self.dirs["runs"]),
                             plugin=sh_quote(e.plugin_path())), 0o755)

    @property
    def plugin(self):
        return os.path.join(self.dirs["plugins"], PLUGIN_NAME)

    def defines(self):
        d = self.dirs
        return ["-DConfigDir=" + d["etc"], "-DDataDir=" + d["data"], "-DLogDir=" + d["log"],
                "-DCacheDir=" + d["cache"], "-DSpoolDir=" + d["spool"],
                "-DInitRunDir=" + d["run"], "-DRunAsUser=" + self.user.name,
                "-DRunAsGroup=" + self.user.group]

    def icinga2_start(self, *args):
        """Start an icinga2 CLI command as the daemon user (output on .stdout)."""
        self.user.own(self.prefix)
        return subprocess.Popen([ICINGA2] + list(args) + self.defines(), env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, cwd=self.prefix,
                                **self.user.popen_args())

    def icinga2(self, *args, timeout=120):
        """Run an icinga2 CLI command as the daemon user; (exit status, output)."""
        proc = self.icinga2_start(*args)
        try:
            out = proc.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        return proc.returncode, out.decode("utf-8", "replace")

    def base_conf(self, zones):
        """What an operator's icinga2.conf, zones.conf and features hold."""
        p = self.dirs
        return f"""/* Written by tests/e2e_icinga2.py. */
const NodeName = {dsl(self.name)}
const PluginDir = {dsl(p["plugins"])}

{zones}

include <itl>

/* conf.d/templates.conf, but checks run only when the test forces them. */
template Host "generic-host" {{
  max_check_attempts = 1
  check_interval = 1h
  enable_active_checks = false
}}
template Service "generic-service" {{
  max_check_attempts = 1
  check_interval = 1h
  enable_active_checks = false
}}

object ApiUser "e2e" {{
  password = {dsl(self.api_password)}
  permissions = [ "*" ]
}}

object PerfdataWriter "perfdata" {{
  service_perfdata_path = {dsl(p["perfdata"] + "/service-perfdata")}
  service_temp_path = {dsl(p["perfdata"] + "/service-perfdata.tmp")}
  host_perfdata_path = {dsl(p["perfdata"] + "/host-perfdata")}
  host_temp_path = {dsl(p["perfdata"] + "/host-perfdata.tmp")}
  service_format_template = {dsl(PERFDATA_TEMPLATE)}
  rotation_interval = 1s
}}

object CheckerComponent "checker" {{ }}

include {dsl(COMMAND_CONF)}
"""

    def api_listener(self, **attrs):
        extra = "".join(f"  {k} = {json.dumps(v)}\n" for k, v in attrs.items())
        return (f'object ApiListener "api" {{\n  bind_host = "127.0.0.1"\n'
                f"  bind_port = {self.port}\n{extra}}}\n")

    def write_conf(self, text):
        write(self.conf, text, 0o600)  # it holds the API password

    def validate(self):
        return self.icinga2("daemon", "-C", "-c", self.conf)

    def start(self):
        self.user.own(self.prefix)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [ICINGA2, "daemon", "-c", self.conf, "-x", "notice"] + self.defines(),
                env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.prefix, start_new_session=True, **self.user.popen_args())

    def stop(self):
        """Stop the daemon, then whatever is left of its process group."""
        if self.proc is None:
            return
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError as exc:
            return str(exc)

    def runs(self):
        """The plugin runs the wrapper recorded (finished ones), oldest first."""
        found = []
        for name in sorted(os.listdir(self.dirs["runs"])):
            if name.endswith(".rc"):
                found.append(Run(os.path.join(self.dirs["runs"], name[:-3])))
        return found

    # -- REST API ------------------------------------------------------------

    def api(self, method, path, body=None, timeout=10):
        """(HTTP status, decoded JSON) of an API call, verified against our CA."""
        ctx = ssl.create_default_context(
            cafile=os.path.join(self.dirs["data"], "certs", "ca.crt"))
        conn = NodeConnection(self.port, self.name, ctx, timeout)
        auth = base64.b64encode(f"e2e:{self.api_password}".encode()).decode()
        headers = {"Accept": "application/json", "Authorization": "Basic " + auth}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    def wait_for(self, condition, timeout):
        """Poll condition() until true; False if the daemon died or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if condition():
                    return True
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        return False

    def wait_api(self):
        return self.wait_for(
            lambda: self.api("GET", "/v1/status/IcingaApplication", timeout=2)[0] == 200,
            START_TIMEOUT)

    def services(self, *attrs):
        """{service name: attrs} of every service."""
        query = "&".join("attrs=" + a for a in ("name",) + attrs)
        status, body = self.api("GET", "/v1/objects/services?" + query)
        if status != 200:
            raise RuntimeError(f"GET services: {status} {body!r}")
        return {r["attrs"]["name"]: r["attrs"] for r in body["results"]}

    def force_checks(self, names):
        """Force a check of each named service now; the API's status codes.

        Under valgrind one at a time, each after the one before has its
        result: six plugins under valgrind at once on two cores would not
        finish within their -t 10."""
        names, codes = list(names), []
        for group in ([[n] for n in names] if e.UNDER_VALGRIND else [names]):
            body = {"type": "Service", "force": True, "next_check": time.time(),
                    "filter": "service.name in names", "filter_vars": {"names": group}}
            codes.append(self.api("POST", "/v1/actions/reschedule-check", body)[0])
            if e.UNDER_VALGRIND:
                self.wait_results(group)
        return codes

    def wait_results(self, names):
        """Wait until every named service has a check result; {name: attrs}."""
        found = {}

        def done():
            found.update(self.services("state", "last_check_result"))
            return all(found.get(n, {}).get("last_check_result") for n in names)

        self.wait_for(done, RESULT_TIMEOUT)
        return found

    def parse_perfdata(self, service):
        """Icinga's own parser (parse_performance_data) on what it stored, in the daemon."""
        script = (f"var s = get_service({dsl(service.split('!')[0])}, "
                  f"{dsl(service.split('!')[1])}); "
                  "var pd = s.last_check_result.performance_data; "
                  "if (pd == null) { pd = [] }; pd.map(p => parse_performance_data(p))")
        status, body = self.api("POST", "/v1/console/execute-script",
                                {"command": script, "session": secrets.token_hex(8),
                                 "sandboxed": False})
        try:
            result = body["results"][0]
        except (KeyError, IndexError, TypeError):
            return f"HTTP {status}: {body!r}"
        return result.get("result") if result.get("code") == 200 else result

    def perfdata_lines(self):
        """The PerfdataWriter's rotated files, parsed: {service: [{KEY: value}]}."""
        found = {}
        for name in sorted(os.listdir(self.dirs["perfdata"])):
            if not name.startswith("service-perfdata.") or name.endswith(".tmp"):
                continue
            with open(os.path.join(self.dirs["perfdata"], name), encoding="utf-8") as f:
                for line in f.read().splitlines():
                    fields = dict(part.split("::", 1) for part in line.split("\t")
                                  if "::" in part)
                    found.setdefault(fields.get("SERVICEDESC"), []).append(fields)
        return found

    def wait_perfdata_lines(self, names):
        found = {}

        def done():
            found.update(self.perfdata_lines())
            return all(n in found for n in names)

        self.wait_for(done, 10 * SLOW)
        return found


class Pki:
    """A CA made with 'icinga2 pki new-ca' and a certificate for each node
    name ('pki new-cert', 'pki sign-csr'), made once for all scenarios.
    Icinga makes RSA 4096 keys, which take a while: the keys are made at
    the same time."""

    def __init__(self, top, user, names):
        self.ca = Node("ca", top, user)  # its DataDir holds the CA
        self.ca_cert = os.path.join(self.ca.dirs["data"], "ca", "ca.crt")
        self.dir = os.path.join(self.ca.dirs["data"], "issued")
        os.makedirs(self.dir, exist_ok=True)
        self.problem = None
        jobs = [("pki", "new-ca")] + [
            ("pki", "new-cert", "--cn", name, "--key", self.path(name, "key"),
             "--csr", self.path(name, "csr")) for name in names]
        procs = [(job, self.ca.icinga2_start(*job)) for job in jobs]
        try:
            for job, proc in procs:
                out = proc.communicate(timeout=120)[0].decode("utf-8", "replace")
                if proc.returncode != 0 and self.problem is None:
                    self.problem = f"icinga2 {' '.join(job[:2])}: {out}"
        finally:
            for _, proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        for name in names:
            if self.problem is None:
                code, out = self.ca.icinga2("pki", "sign-csr", "--csr", self.path(name, "csr"),
                                            "--cert", self.path(name, "crt"))
                if code != 0:
                    self.problem = f"icinga2 pki sign-csr {name}: {out}"

    def path(self, name, ext):
        return os.path.join(self.dir, f"{name}.{ext}")

    def install(self, node):
        """Put the node's certificate and key and the CA into its DataDir/certs;
        None, or what went wrong."""
        if self.problem:
            return self.problem
        certs = os.path.join(node.dirs["data"], "certs")
        os.makedirs(certs, exist_ok=True)
        for src, dst in ((self.path(node.name, "crt"), node.name + ".crt"),
                         (self.path(node.name, "key"), node.name + ".key"),
                         (self.ca_cert, "ca.crt")):
            shutil.copy(src, os.path.join(certs, dst))  # the key stays 0600
        return None


class Carbon:
    """A Graphite carbon (plaintext) listener: what Icinga's GraphiteWriter sends."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.connections = 0
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        buf = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                *lines, buf = buf.split(b"\n")
                with self.lock:
                    self.lines.extend(line.decode("utf-8", "replace") for line in lines)

    def metrics(self, prefix):
        """{rest of the path: value} of the metrics under prefix (last value wins)."""
        found = {}
        with self.lock:
            for line in self.lines:
                parts = line.split(" ")
                if len(parts) == 3 and parts[0].startswith(prefix):
                    found[parts[0][len(prefix):]] = float(parts[1])
        return found

    def close(self):
        self.stopping = True
        self.sock.close()


# --------------------------------------------------------------------------
# Perfdata as Icinga 2 reads it
# --------------------------------------------------------------------------

# Icinga 2's PerfdataValue::Parse: the unit it stores and the factor it
# applies, for the units the plugin prints. Icinga 2.13 takes any other
# unit as none at all, which no graph can tell from a count: a failure.
UNITS = {"": ("", 1), "s": ("seconds", 1), "b": ("bytes", 1)}
PLAIN_NUMBER = re.compile(r"^[-+]?[0-9.]+$")


def perfdata_tokens(out):
    """The perfdata of a plugin's output (first line after '|'), as printed."""
    first = e.first_line(out)
    return first.split("|", 1)[1].split() if "|" in first else []


def split_token(token):
    """label, value, unit, [warn, crit, min, max] of one token as printed."""
    label, data = token.rsplit("=", 1)
    fields = (data.split(";") + [""] * 4)[:5]
    m = re.fullmatch(r"([-+]?[0-9.]+)(.*)", fields[0])
    if m is None:
        return label.strip("'"), None, fields[0], fields[1:]
    return label.strip("'"), float(m.group(1)), m.group(2), fields[1:]


def parsed_value(token):
    """What parse_performance_data() must make of one token of ours."""
    label, value, unit, rest = split_token(token)
    if unit.lower() not in UNITS:
        return f"a unit Icinga 2 does not know: {token}"
    unit, factor = UNITS[unit.lower()]
    warn, crit, min_, max_ = (float(x) * factor if PLAIN_NUMBER.match(x) else None
                              for x in rest)  # a range such as 1: is dropped
    return {"type": "PerfdataValue", "label": label, "value": value * factor, "unit": unit,
            "counter": False, "warn": warn, "crit": crit, "min": min_, "max": max_}


def graphite_metrics(tokens):
    """The perfdata metrics GraphiteWriter must send (enable_send_thresholds)."""
    metrics = {}
    for token in tokens:
        v = parsed_value(token)
        if not isinstance(v, dict):
            continue  # GraphiteWriter skips what Icinga cannot parse
        key = re.sub(r"[ ./\\]", "_", v["label"])
        for field in ("value", "warn", "crit", "min", "max"):
            if v[field] is not None:
                metrics[f"{key}.{field}"] = v[field]
    return metrics


def graphite_prefix(host, service, command):
    esc = lambda s: re.sub(r"[ ./\\]", "_", s)  # noqa: E731 - GraphiteWriter's escaping
    return f"icinga2.{esc(host)}.services.{esc(service)}.{esc(command)}.perfdata."


# --------------------------------------------------------------------------
# Assertions on one service
# --------------------------------------------------------------------------


def check_service(t, node, name, attrs, want, runs, lines, check_source, carbon=None,
                  host="aws", command_name="s3tables_expiration", runner=None):
    """What Icinga recorded for one service, against the plugin's own run.

    Returns the recorded run (None if it was not found)."""
    state, first_text, perf, args = want
    cr = attrs.get("last_check_result") or {}
    t.is_((attrs.get("state"), cr.get("exit_status")), (state, state),
          f"{name}: state {STATE_NAMES[state]} (service state, exit status)")
    t.is_(cr.get("check_source"), check_source, f"{name}: checked by {check_source}")
    command = cr.get("command") or []
    t.is_(command, [runner or node.plugin] + args,
          f"{name}: the command line Icinga made of the variables")
    t.ok(not any(k in " ".join(command) for k in KEYS_AND_SECRETS),
         f"{name}: no key on the command line", command)

    mine = [r for r in runs if r.args == command[1:]]
    if not t.is_(len(mine), 1, f"{name}: the plugin ran once with these arguments"):
        t.diag("runs: " + repr([r.args for r in runs]))
        return None
    run = mine[0]
    first = e.first_line(run.out)
    t.is_((run.rc, first.split(" | ", 1)[0]), (state, first_text),
          f"{name}: the plugin's exit status and first line")
    t.is_(masked(first.split(" | ", 1)[1]) if " | " in first else "", perf,
          f"{name}: the plugin's perfdata")

    printed = run.out.strip().split("\n")  # Icinga trims the output, cuts perfdata off
    t.is_(cr.get("output", "").split("\n"), [printed[0].split("|", 1)[0]] + printed[1:],
          f"{name}: Icinga's output is the plugin's, first line up to '|' and long output")
    tokens = perfdata_tokens(run.out)
    t.is_(cr.get("performance_data") or [], tokens,
          f"{name}: Icinga stored the {len(tokens)} perfdata values as printed")
    t.is_(node.parse_perfdata(f"{host}!{name}"), [parsed_value(tok) for tok in tokens],
          f"{name}: Icinga's parser reads every value, unit and threshold")
    if carbon is not None:
        t.is_(carbon.metrics(graphite_prefix(host, name, command_name)),
              graphite_metrics(tokens), f"{name}: GraphiteWriter sent every perfdata metric")

    got = lines.get(name) or []
    t.is_([(x.get("SERVICESTATE"), x.get("SERVICESTATEID"), x.get("SERVICECHECKSOURCE"),
            x.get("SERVICEPERFDATA")) for x in got],
          [(STATE_NAMES[state], str(state), check_source, " ".join(tokens))],
          f"{name}: PerfdataWriter line (state, check source, perfdata)")
    for x in got:  # what Icinga recorded, for the log
        t.diag(f"{name}: PerfdataWriter: {x.get('SERVICESTATE')} ({x.get('SERVICESTATEID')}) "
               f"checked by {x.get('SERVICECHECKSOURCE')}: {x.get('SERVICEPERFDATA')}")
    return run


def check_direct_run(t, name, user, env, run):
    """The plugin run directly, same user, arguments and environment: the same answer."""
    code, out, err, _ = e.run_plugin(run.args, env=env, prefix=user.prefix())
    if not t.is_((code, masked(e.first_line(out))), (run.rc, masked(e.first_line(run.out))),
                 f"{name}: run directly, the same exit status, first line and perfdata"):
        t.diag(f"direct run: {out!r} {err[-500:]!r}")


# --------------------------------------------------------------------------
# Single node: the shipped command and sample services
# --------------------------------------------------------------------------


def script_sample_tables(mock):
    """The sample's tables, each scripted for the state its service should show."""
    mock.add_table(ANALYTICS, "analytics", "sessions", table_id=SESSIONS_ID,
                   job=aged_job("Successful", 5 * HOUR + 3 * 60 + 30, records=1234, files=12,
                                bytes_=4404019))
    mock.add_table(ANALYTICS, "analytics", "clicks", table_id=CLICKS_ID,
                   job=aged_job("Successful", 20 * HOUR + 30, records=0, files=0, bytes_=0))
    mock.add_table(SALES, "sales", "orders", table_id=ORDERS_ID,
                   job=aged_job("Failed", 2 * HOUR + 30, failure=FAILURE))
    customers = mock.add_table(SALES, "sales", "customers",
                               table_id="c1b5f3e8-7a2d-4c69-8e04-b6d9a1f2e375")
    mock.set_table_error(customers, "AccessDeniedException", DENIED)
    mock.add_table(SALES, "sales", "invoices", job=mock_aws.job("NotYetRun"))
    mock.add_table(SALES, "scratch", "tmp_load", job=mock_aws.job("Failed"))


def test_single_node(t, fx, user, top, pki):
    node = Node("master", top, user)
    ca = os.path.join(node.prefix, "mock-ca.pem")
    shutil.copyfile(fx.pki.ca_cert, ca)
    write(os.path.join(node.dirs["home"], ".aws", "credentials"),
          f"[monitoring]\naws_access_key_id = {PROFILE_KEY}\n"
          f"aws_secret_access_key = {PROFILE_SECRET}\n", 0o600)
    node.env.update({"AWS_ENDPOINT_URL_S3TABLES": fx.mock.url, "AWS_CA_BUNDLE": ca})
    problem = pki.install(node)
    if not t.ok(problem is None, "icinga2 pki: a CA and the node's certificate", problem):
        return
    carbon = Carbon()
    node.write_conf(node.base_conf(f"""object Endpoint NodeName {{ }}
object Zone "master" {{ endpoints = [ NodeName ] }}
{node.api_listener()}""") + f"""
object GraphiteWriter "graphite" {{
  host = "127.0.0.1"
  port = {carbon.port}
  enable_send_thresholds = true
}}

include {dsl(SERVICES_CONF)}

/* Another account, whose keys are custom variables. */
object Host "archive" {{
  import "generic-host"
  check_command = "dummy"
}}
object Service "s3tables-expiration keys from variables" {{
  import "generic-service"
  host_name = "archive"
  check_command = "s3tables_expiration_keys"
  vars.s3tables_expiration_table_arn = {dsl(SESSIONS)}
  vars.s3tables_expiration_access_key_id = {dsl(VARS_KEY)}
  vars.s3tables_expiration_secret_access_key = {dsl(VARS_SECRET)}
}}
""")
    try:
        code, out = node.validate()
        if not t.is_(code, 0, "icinga2 daemon -C accepts the shipped commands and services"):
            t.diag(out[-3000:])
            return
        script_sample_tables(fx.mock)
        fx.mock.requests.clear()
        node.start()
        try:
            run_single_node(t, fx, user, node, carbon)
        finally:
            node.stop()
            if t.failed:
                t.diag("icinga2 log (end):\n" + node.log_tail())
    finally:
        carbon.close()


def run_single_node(t, fx, user, node, carbon):
    if not t.ok(node.wait_api(), "Icinga 2 started, its API answers", node.log_tail()):
        return
    # Results are only sent while connected: let the writer connect first.
    t.ok(node.wait_for(lambda: carbon.connections > 0, 15 * SLOW),
         "GraphiteWriter connected to the test's carbon listener")
    names = node.services()
    t.is_(sorted(names),
          sorted(SINGLE), "the sample's services (apply for included) and the test's")
    codes = node.force_checks(SINGLE)
    t.ok(set(codes) == {200}, "every service's check forced through the API", codes)
    results = node.wait_results(SINGLE)
    lines = node.wait_perfdata_lines(SINGLE)
    runs = node.runs()
    t.is_(len(runs), len(SINGLE), "one plugin run per service")
    for name, want in SINGLE.items():
        host = "archive" if name == "s3tables-expiration keys from variables" else "aws"
        command = "s3tables_expiration" + ("_keys" if host == "archive" else "")
        run = check_service(t, node, name, results.get(name, {}), want, runs, lines,
                            node.name, carbon, host, command)
        if run is not None:
            env = {k: v for k, v in node.env.items() if k not in ("PATH", "LANG")}
            if host == "archive":
                env.update({"AWS_ACCESS_KEY_ID": VARS_KEY, "AWS_SECRET_ACCESS_KEY": VARS_SECRET})
            check_direct_run(t, name, user, env, run)
    keys = sorted(r.access_key for r in fx.mock.requests)
    t.is_(sorted(set(keys)), sorted({PROFILE_KEY, VARS_KEY}),
          "the mock saw the profile's key and the custom variables' key")
    t.is_(keys.count(VARS_KEY), 2, "the custom variables' key signed that service's calls only "
          "(Icinga's and the direct run's)")
    t.ok(all(r.verified for r in fx.mock.requests), "every signature verified",
         [r.reason for r in fx.mock.requests if not r.verified])


# --------------------------------------------------------------------------
# Cluster: master and satellite
# --------------------------------------------------------------------------


def cluster_zones(master, satellite, connect_to_master):
    """zones.conf of both nodes; the satellite connects to the master."""
    host = f'host = "127.0.0.1"; port = {master.port}' if connect_to_master else ""
    return f"""object Endpoint {dsl(master.name)} {{ {host} }}
object Endpoint {dsl(satellite.name)} {{ }}
object Zone "master" {{ endpoints = [ {dsl(master.name)} ] }}
object Zone "satellite" {{
  endpoints = [ {dsl(satellite.name)} ]
  parent = "master"
}}
"""


def test_cluster(t, fx, user, top, pki):
    top = os.path.join(top, "cluster")
    master, satellite = Node("master", top, user), Node("satellite", top, user)
    ca = os.path.join(satellite.prefix, "mock-ca.pem")
    shutil.copyfile(fx.pki.ca_cert, ca)
    # Only the satellite can reach the endpoint, and only it has keys.
    satellite.env.update({"AWS_ACCESS_KEY_ID": SATELLITE_KEY,
                          "AWS_SECRET_ACCESS_KEY": SATELLITE_SECRET,
                          "AWS_ENDPOINT_URL_S3TABLES": fx.mock.url, "AWS_CA_BUNDLE": ca})
    master.env["AWS_ENDPOINT_URL_S3TABLES"] = f"https://127.0.0.1:{free_port()}"
    problem = pki.install(master) or pki.install(satellite)
    if not t.ok(problem is None, "icinga2 pki: certificates for master and satellite", problem):
        return
    master.write_conf(master.base_conf(cluster_zones(master, satellite, False)
                                       + master.api_listener()) + f"""
object Host "aws" {{
  import "generic-host"
  check_command = "dummy"
  zone = "master"
}}
object Service {dsl(SATELLITE_SERVICE)} {{
  import "generic-service"
  host_name = "aws"
  zone = "master"
  check_command = "s3tables_expiration"
  command_endpoint = {dsl(satellite.name)}
  vars.s3tables_expiration_table_arn = {dsl(SESSIONS)}
}}
""")
    satellite.write_conf(satellite.base_conf(
        cluster_zones(master, satellite, True)
        + satellite.api_listener(accept_commands=True, accept_config=False)))
    for node in (master, satellite):
        code, out = node.validate()
        if not t.is_(code, 0, f"icinga2 daemon -C accepts the {node.name}'s configuration"):
            t.diag(out[-3000:])
            return
    script_sample_tables(fx.mock)
    fx.mock.requests.clear()
    try:
        master.start()
        if not t.ok(master.wait_api(), "the master started", master.log_tail()):
            return
        satellite.start()
        if not t.ok(satellite.wait_api(), "the satellite started", satellite.log_tail()):
            return
        connected = master.wait_for(lambda: master.api(
            "GET", f"/v1/objects/endpoints/{satellite.name}?attrs=connected")[1]["results"][0]
            ["attrs"]["connected"], START_TIMEOUT)
        if not t.ok(connected, "the satellite connected to the master (TLS, our CA)",
                    satellite.log_tail()):
            return
        run_cluster(t, fx, user, master, satellite)
    finally:
        satellite.stop()
        master.stop()
        if t.failed:
            for node in (master, satellite):
                t.diag(f"{node.name} log (end):\n" + node.log_tail())


def run_cluster(t, fx, user, master, satellite):
    codes = master.force_checks([SATELLITE_SERVICE])
    t.ok(codes == [200], "the check forced on the master", codes)
    results = master.wait_results([SATELLITE_SERVICE])
    lines = master.wait_perfdata_lines([SATELLITE_SERVICE])
    runs = satellite.runs()
    want = OK_SESSIONS + (["--table-arn", SESSIONS, "--timeout", "10"],)
    run = check_service(t, master, SATELLITE_SERVICE, results.get(SATELLITE_SERVICE, {}), want,
                        runs, lines, satellite.name, runner=satellite.plugin)
    t.is_(master.runs(), [], "the plugin never ran on the master")
    if run is not None:
        chain = ancestors(run.ppid)
        t.ok(satellite.proc is not None and satellite.proc.pid in [run.ppid] + chain,
             "the plugin's parent is a process of the satellite daemon",
             f"parent {run.ppid}, its ancestors {chain}, satellite {satellite.proc.pid}, "
             f"master {master.proc.pid}")
        t.ok(master.proc.pid not in [run.ppid] + chain, "and not one of the master's")
        env = {k: v for k, v in satellite.env.items() if k not in ("PATH", "LANG")}
        check_direct_run(t, SATELLITE_SERVICE, user, env, run)
    t.is_(sorted({r.access_key for r in fx.mock.requests}), [SATELLITE_KEY],
          "the mock saw only the key of the satellite's environment")


def shipped_files():
    return [COMMAND_CONF, SERVICES_CONF, e.plugin_path()]


def can_use(user, paths):
    """Whether the daemon user can read every path and run the last one."""
    return subprocess.run((user.prefix() or []) + [
        "sh", "-c", 'for f; do test -r "$f" || exit 1; done; test -x "$f"', "sh"] + paths,
        stdin=subprocess.DEVNULL, check=False).returncode == 0


def stage_shipped(top):
    """A checkout the daemon user cannot read: the shipped files and the
    plugin are copied, as they are, into top/stage and used from there by
    the daemons and by the direct runs alike."""
    global COMMAND_CONF, SERVICES_CONF
    stage = os.path.join(top, "stage")
    os.environ["PLUGIN"] = e.stage_plugin(stage)
    os.makedirs(os.path.join(stage, "contrib"), mode=0o755)
    for name in ("COMMAND_CONF", "SERVICES_CONF"):
        dst = os.path.join(stage, "contrib", os.path.basename(globals()[name]))
        shutil.copyfile(globals()[name], dst)
        os.chmod(dst, 0o644)
        globals()[name] = dst


def main():
    if not os.access(ICINGA2, os.X_OK):
        e.skip_all(f"Icinga 2 is not installed ({ICINGA2})")
    e.require_botocore()
    e.require_plugin()
    user = User()
    # A TERM (a harness's timeout) must still stop the daemons: run the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    t = e.Tap()
    t.diag(f"Icinga 2 daemons run as {user.name}")
    top = tempfile.mkdtemp(prefix="e2e-icinga2-")
    os.chmod(top, 0o755)  # the daemon user must reach its prefix
    if not can_use(user, shipped_files()):
        stage_shipped(top)
        t.diag(f"{user.name} cannot read this tree: copies of the shipped files and the "
               f"plugin in {top}/stage stand in for them")
    needed = shipped_files()
    if not t.ok(can_use(user, needed), f"{user.name} can read the shipped files and run the plugin",
                f"{needed}: not readable by {user.name}"):
        shutil.rmtree(top, ignore_errors=True)
        return t.done()
    started = time.monotonic()
    try:
        credentials = {VARS_KEY: {"secret": VARS_SECRET},
                       SATELLITE_KEY: {"secret": SATELLITE_SECRET}}
        with e.mock_fixture(credentials=credentials) as fx:
            pki = Pki(top, user, ["master", "satellite"])
            test_single_node(t, fx, user, top, pki)
            t.diag(f"single node: {time.monotonic() - started:.1f} s")
            fx.mock.clear_tables()
            test_cluster(t, fx, user, top, pki)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    t.diag(f"single node and cluster: {time.monotonic() - started:.1f} s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
