#!/usr/bin/env python3
"""bench/cost.py - what one check costs: the plugin vs curl vs the AWS CLI.

What it measures
----------------
It starts tests/mock/mock_aws.py's HTTPS mock of S3 Tables and tests/mock/mock_sts.py's
mock of STS on 127.0.0.1 (one throwaway CA made by the openssl CLI; every
SigV4 signature recomputed with botocore), with one table whose
record-expiration job succeeded an hour ago, and makes the same signed call,
``GET /table-record-expiration-job-status?tableArn=<the ARN, percent-encoded>``,
with:

  * the plugin: ``check_s3tables_expiration -a TABLE_ARN``;
  * curl: ``curl --aws-sigv4 aws:amz:REGION:s3tables --user KEY:SECRET URL``.
    curl 7.88 signs the query exactly as written in the URL, whereas AWS (and
    the mock, with botocore) canonicalise it from the decoded parameters,
    encoded RFC 3986 style.  So the URL carries the ARN pre-encoded with
    upper-case hex (``%3A``, ``%2F``), the only form of it both agree on; a
    raw ARN in the URL is answered 403 (signature mismatch);
  * the AWS CLI: ``aws s3tables get-table-record-expiration-job-status
    --table-arn ARN --endpoint-url MOCK --ca-bundle CA --region REGION``, when
    ``aws`` is on PATH (otherwise ``apt-get install -y awscli`` is tried once,
    unless --no-install).  Debian 12's awscli (2.9) predates S3 Tables: when
    the CLI answers "Invalid choice", it is reported as unavailable and the
    CPU target falls back to the boto3 script;
  * a minimal boto3 script (botocore if boto3 is not installed) making the
    same call, run by the Python running this script.

In three set-ups:

  (a) one-certificate CA file: the mock's CA (plugin --ca-file, curl --cacert,
      aws --ca-bundle, boto3 verify=);
  (b) each tool's default trust store (no CA option).  The mock's CA is not
      in it, so the plugin and curl both FAIL verification, after loading the
      store: the plugin exits 3 (UNKNOWN, TLS error), curl exits 60.  That
      failure is expected; loading the store is the cost a real user pays
      on every check;
  (c) a role run (--role-arn, STS at the mock via AWS_ENDPOINT_URL_STS, keys
      from the environment), once with --no-cache (AssumeRole on every run)
      and once with the credential cache warm (a prior run fills a private
      --cache-dir; the mock checks that warm runs make no STS call).

and reports

  * instructions per check under ``valgrind --tool=callgrind`` (the median
    of --callgrind-runs runs): plugin vs curl in (a) and (b), and the role
    runs against a plain (a) run;
  * CPU (user + sys), wall time and peak RSS (ru_maxrss) over --runs rounds
    (default 30), every variant once per round, the order rotated each
    round, so that machine noise is spread over all of them: medians, p95
    (nearest rank) and the ratios to curl.  Each process is started by a
    tiny C launcher compiled at start-up that forks, execs and wait4()s it:
    a child forked by this Python process would inherit its RSS, which
    Linux counts in the child's ru_maxrss (without a C compiler, RSS is not
    reported).  Wall time is set by the mock (Python verifying each
    signature with botocore), not by AWS.

Every run must exit with the status expected (0; 3 and 60 in (b)), print
what it should, and the mock must have seen what it should (one verified
request answered 200 per check; none in (b)); otherwise the script stops
with exit status 1.

Targets (printed MET / NOT MET):
  * default trust store: plugin instructions <= 0.35 x curl's;
  * one-certificate CA file: plugin instructions <= 0.95 x curl's, and
    plugin peak RSS (median) <= curl's;
  * role run, cache warm: instructions <= 1.05 x a plain run's;
  * the AWS CLI (or, when unavailable, the boto3 script) uses >= 40 x the
    plugin's CPU (medians, set-up a).

How to run
----------
From the top of the tree, after ``make``::

    bench/cost.py                  # 30 rounds, callgrind 3 x each (~3 min on 2 cores)
    bench/cost.py --quick          # 10 rounds, callgrind once each (~1 min)
    bench/cost.py --runs 50 --no-callgrind
    bench/cost.py --plugin /tmp/bench-plugin

Needs python3 with botocore, the openssl command (as ``make check``) and curl;
valgrind (for instructions), cc (for peak RSS), the AWS CLI and boto3 are
optional.  Not part of ``make check``.  Exit status: 0 every target checked
was met, 1 a run failed, 2 every run was fine but a target was missed.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # leave no __pycache__ in the tree

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "mock"))
sys.path.insert(1, os.path.join(TOP, "tests", "e2e"))

import mock_aws  # noqa: E402

if mock_aws.BOTOCORE_IMPORT_ERROR is None:
    import mock_sts  # noqa: E402
else:
    mock_sts = None

REGION = "us-east-1"
BUCKET_ARN = f"arn:aws:s3tables:{REGION}:111122223333:bucket/bench-bucket"
NAMESPACE = "bench"
ROLE_ARN = "arn:aws:iam::111122223333:role/bench-monitoring"
ACCESS_KEY = "AKIDBENCH0000000001"
SECRET_KEY = "benchSecret/Key+0123456789abcdefghijklmn"

# Targets
DEFAULT_STORE_MAX = 0.35  # plugin / curl instructions, default trust store
CA_FILE_MAX = 0.95  # plugin / curl instructions, one-certificate CA file
ROLE_WARM_MAX = 1.05  # role run with a warm cache / plain run, instructions
CLI_MIN = 40.0  # AWS CLI (or boto3) CPU / plugin CPU

PLUGIN_OK_RE = r"^S3TABLES_EXPIRATION OK - job Successful"
PLUGIN_TLS_RE = r"^S3TABLES_EXPIRATION UNKNOWN - .*(SSL|TLS|certificate)"
CURL_PEER_FAILED = 60  # CURLE_PEER_FAILED_VERIFICATION

LAUNCHER_C = r"""
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* launcher OUT PROGRAM ARGS...: run PROGRAM as a child (fork from this small
 * process, so that its ru_maxrss is its own) and write to OUT
 * "exit signal user sys maxrss_kib wall_s". */
int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status;
    pid_t pid;
    FILE *out;

    if (argc < 3)
        return 125;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0)
        return 126;
    if (pid == 0) {
        execv(argv[2], argv + 2);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        return 126;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out = fopen(argv[1], "w");
    if (out == NULL)
        return 126;
    fprintf(out, "%d %d %ld.%06ld %ld.%06ld %ld %.9f\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            WIFSIGNALED(status) ? WTERMSIG(status) : 0,
            (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
            (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss,
            (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    return fclose(out) == 0 ? 0 : 126;
}
"""

BOTO_SCRIPT = """\
import sys
arn, url, region, ca = sys.argv[1:5]
{client}
print(client.get_table_record_expiration_job_status(tableArn=arn)["status"])
"""
BOTO3_CLIENT = ('import boto3\n'
                'client = boto3.client("s3tables", region_name=region, endpoint_url=url, '
                'verify=ca)')
BOTOCORE_CLIENT = ('import botocore.session\n'
                   'client = botocore.session.get_session().create_client('
                   '"s3tables", region_name=region, endpoint_url=url, verify=ca)')


# --------------------------------------------------------------------------
# Running processes
# --------------------------------------------------------------------------


class Failed(Exception):
    """A run did not exit as expected or did not do what it should."""


class Run:
    """One finished process: exit code, output, CPU, wall, peak RSS (KiB or None)."""

    def __init__(self, code, stdout, stderr, wall, user, sys_, rss):
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.wall, self.user, self.sys, self.rss = wall, user, sys_, rss
        self.cpu = user + sys_

    @property
    def first_line(self):
        return self.stdout.split("\n", 1)[0]


class Runner:
    """Runs commands through the C launcher (or, without one, wait4 directly)."""

    def __init__(self, tmp, launcher):
        self.tmp = tmp
        self.launcher = launcher
        self.result_file = os.path.join(tmp, "launcher.out")

    def run(self, cmd, env, timeout):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            full = [self.launcher, self.result_file] + cmd if self.launcher else cmd
            if self.launcher and os.path.exists(self.result_file):
                os.unlink(self.result_file)
            started = time.monotonic()
            # A session of its own: on timeout the watchdog kills the
            # launcher and the program it started, and nothing else.
            proc = subprocess.Popen(full, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=True)
            lock, state = threading.Lock(), {"exited": False, "killed": False}

            def watchdog():
                with lock:
                    if not state["exited"]:
                        state["killed"] = True
                        os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, watchdog)
            timer.daemon = True
            timer.start()
            while True:
                try:
                    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
                    break
                except InterruptedError:
                    continue
            with lock:
                state["exited"] = True
            timer.cancel()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
        if state["killed"]:
            raise Failed(f"{shlex.join(res_cmd(cmd))}: killed after {timeout} s\n"
                         f"stderr: {stderr[-2000:]}")
        if not self.launcher:
            return Run(proc.returncode, stdout, stderr, wall, usage.ru_utime, usage.ru_stime,
                       None)
        if proc.returncode != 0 or not os.path.exists(self.result_file):
            raise Failed(f"launcher failed ({proc.returncode}) for {shlex.join(res_cmd(cmd))}\n"
                         f"stderr: {stderr[-2000:]}")
        with open(self.result_file) as f:
            code, sig, user, sys_, rss, wall = f.read().split()
        code = int(code) if int(code) >= 0 else -int(sig)
        return Run(code, stdout, stderr, float(wall), float(user), float(sys_), int(rss))


def build_launcher(tmp):
    """Compile the launcher with cc; return its path and a note."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, "no C compiler (cc): peak RSS not measured"
    src, exe = os.path.join(tmp, "launcher.c"), os.path.join(tmp, "launcher")
    with open(src, "w") as f:
        f.write(LAUNCHER_C)
    proc = subprocess.run([cc, "-O2", "-o", exe, src], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, f"cc failed ({proc.stderr.strip()[:200]}): peak RSS not measured"
    return exe, None


CALLGRIND_TOTAL_RE = re.compile(r"^(?:==\d+== )?Collected\s*:\s*(\d+)", re.M)
CALLGRIND_FILE_RE = re.compile(r"^(?:summary|totals):\s*(\d+)", re.M)


def callgrind_total(result, out_file):
    """Instructions of a callgrind run: 'Collected :' on stderr, else the file."""
    match = CALLGRIND_TOTAL_RE.search(result.stderr)
    if match:
        return int(match.group(1))
    if out_file and os.path.exists(out_file):
        with open(out_file, encoding="utf-8", errors="replace") as f:
            match = CALLGRIND_FILE_RE.search(f.read())
        if match:
            return int(match.group(1))
    raise Failed(f"no instruction total in callgrind's output\nstderr: {result.stderr[-2000:]}")


# --------------------------------------------------------------------------
# What is measured
# --------------------------------------------------------------------------


class Variant:
    """One way of making the call: a command, what it must do, its measurements."""

    def __init__(self, key, label, cmd, env, expect_code, check, mock_expect, tool,
                 setup, compare=None):
        self.key, self.label, self.cmd, self.env = key, label, cmd, env
        self.expect_code, self.check = expect_code, check
        # mock_expect: (S3 Tables requests, STS requests) the mock must see
        self.mock_expect = mock_expect
        self.tool, self.setup = tool, setup
        self.compare = compare  # key of the variant this one's ratios are against
        self.runs = []  # timed Runs
        self.instructions = []  # callgrind totals


def check_plugin_ok(res):
    return re.search(PLUGIN_OK_RE, res.first_line) is not None


def check_plugin_tls(res):
    return re.search(PLUGIN_TLS_RE, res.first_line) is not None


def check_json_successful(res):
    try:
        return json.loads(res.stdout).get("status") == "Successful"
    except (ValueError, AttributeError):
        return False


def check_boto(res):
    return res.stdout.strip() == "Successful"


def check_nothing(res):
    return True


class Bench:
    def __init__(self, runner, s3, sts):
        self.runner, self.s3, self.sts = runner, s3, sts

    def run_checked(self, variant, cmd=None, what=None, timeout=300):
        """Run variant (or cmd in its stead, e.g. under valgrind) and check all."""
        self.s3.clear()
        self.sts.clear()
        res = self.runner.run(cmd or variant.cmd, variant.env, timeout)
        what = what or variant.label
        problems = []
        if res.code != variant.expect_code:
            problems.append(f"exit {res.code}, expected {variant.expect_code}")
        elif not variant.check(res):
            problems.append("unexpected output")
        want_s3, want_sts = variant.mock_expect
        s3_reqs, sts_reqs = list(self.s3.requests), list(self.sts.requests)
        if len(s3_reqs) != want_s3 or len(sts_reqs) != want_sts:
            problems.append(f"the mocks saw {len(s3_reqs)} S3 Tables and {len(sts_reqs)} STS "
                            f"requests, expected {want_s3} and {want_sts}")
        for rec in s3_reqs + sts_reqs:
            if not rec.verified or rec.status != 200:
                problems.append(f"{rec.method} {rec.path}?{rec.query}: answered {rec.status}"
                                f" ({rec.reason or 'not verified'})")
        if problems:
            raise Failed(f"{what}: " + "; ".join(problems)
                         + f"\ncommand: {shlex.join(res_cmd(cmd or variant.cmd))}"
                         f"\nstdout: {res.stdout[:2000]}\nstderr: {res.stderr[-2000:]}")
        return res


def res_cmd(cmd):
    """The command as shown, without the secret key."""
    return [c.replace(SECRET_KEY, "SECRET") for c in cmd]


# --------------------------------------------------------------------------
# Environment: machine, versions, tools
# --------------------------------------------------------------------------


def curl_probe(runner, s3, c_cmd, arn, env):
    """Whether the mock accepts curl's signature of a raw (unencoded) ARN query."""
    raw = f"{s3.url}{mock_aws.OPERATION_PATH}?tableArn={arn}"
    cmd = [c for c in c_cmd if c != "--fail"] + ["-o", "/dev/null", "-w", "%{http_code}",
                                                 "--cacert", s3.pki.ca_cert, raw]
    s3.clear()
    res = runner.run(cmd, env, 120)
    rec = s3.last_request
    if rec is not None and rec.status == 200:
        verdict = "accepted (200): curl canonicalises the query"
    elif rec is not None:
        verdict = (f"refused ({rec.status} {rec.error_type}: {rec.reason}): curl signs the "
                   "query as written, AWS canonicalises it, so the URL carries the ARN "
                   "pre-encoded (upper-case %XX), which verifies")
    else:
        verdict = f"no request reached the mock (curl exit {res.code})"
    return f"a raw ARN in the query is {verdict}"


def first_line(cmd, env=None):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"({exc})"
    text = (proc.stdout.strip() or proc.stderr.strip())
    return text.splitlines()[0] if text else f"(exit {proc.returncode}, no output)"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        debian = "not Debian"
    virt = ""
    if shutil.which("systemd-detect-virt"):
        kind = first_line(["systemd-detect-virt"])
        if kind and kind != "none" and not kind.startswith("("):
            virt = f" ({kind})"
    return (f"nproc {len(os.sched_getaffinity(0))}, CPU {cpu}{virt}, kernel "
            f"{platform.release()}, Debian {debian}")


def tree_state(directory):
    """'commit abc1234' (+ ', with uncommitted changes') of the git tree, if any."""
    try:
        head = subprocess.run(["git", "-C", directory, "log", "-1", "--format=%h"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", directory, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not in a git tree"
    if not head:
        return "not in a git tree"
    return f"commit {head}" + (", tree with uncommitted changes" if dirty else "")


def resolve_shim(path):
    """A pyenv shim re-executes bash and pyenv on every call: use what it runs."""
    if path and "/.pyenv/shims/" in path and shutil.which("pyenv"):
        proc = subprocess.run(["pyenv", "which", os.path.basename(path)],
                              capture_output=True, text=True)
        real = proc.stdout.strip()
        if proc.returncode == 0 and real and os.access(real, os.X_OK):
            return real, f"pyenv shim {path} resolved to {real}"
    return path, None


def find_aws(args):
    """(path or None, notes): the AWS CLI, installing Debian's once if asked."""
    notes = []
    path = shutil.which(args.aws) if args.aws else shutil.which("aws")
    if path is None and args.aws:
        return None, [f"--aws {args.aws}: not found"]
    if path is None and not args.no_install:
        cmd = ["apt-get", "install", "-y", "awscli"]
        if os.geteuid() != 0:
            cmd = ["sudo", "-n"] + cmd if shutil.which("sudo") else None
        if cmd is None or not shutil.which("apt-get"):
            notes.append("aws not on PATH, and apt-get (as root) is not available to install it")
        else:
            print(f"aws not on PATH: trying {shlex.join(cmd)} ...", flush=True)
            try:
                proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                      text=True, timeout=900,
                                      env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
                notes.append(f"aws not on PATH: {shlex.join(cmd)} exited {proc.returncode}")
            except (OSError, subprocess.TimeoutExpired) as exc:
                notes.append(f"aws not on PATH: {shlex.join(cmd)} failed: {exc}")
            path = shutil.which("aws")
    elif path is None:
        notes.append("aws not on PATH (--no-install: not installed)")
    path, note = resolve_shim(path)
    if note:
        notes.append(note)
    return path, notes


def boto_flavour():
    """'boto3' or 'botocore' (what the script imports), with its version."""
    try:
        import boto3  # noqa: F401
        return "boto3", boto3.__version__
    except ImportError:
        import botocore
        return "botocore", botocore.__version__


# --------------------------------------------------------------------------
# Statistics and formatting
# --------------------------------------------------------------------------


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def p95(xs):
    """Nearest-rank 95th percentile."""
    s = sorted(xs)
    return s[max(0, -(-95 * len(s) // 100) - 1)]


def fmt_int(n):
    return "-" if n is None else f"{n:,}"


def fmt_ms(x):
    return "-" if x is None else f"{1000 * x:.1f} ms"


def fmt_mib(kib):
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


def fmt_x(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}x"


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args():
    ap = argparse.ArgumentParser(
        description="Cost of one check: the plugin vs curl --aws-sigv4 vs the AWS CLI and "
                    "boto3 (instructions under callgrind, CPU, wall time, peak RSS).")
    ap.add_argument("--runs", type=int, default=None,
                    help="timed rounds, every variant once per round (30; --quick 10)")
    ap.add_argument("--callgrind-runs", type=int, default=None,
                    help="callgrind runs per variant, the median reported (3; --quick 1)")
    ap.add_argument("--quick", action="store_true", help="10 rounds, callgrind once")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the callgrind part")
    ap.add_argument("--plugin", default=os.environ.get("PLUGIN") or os.path.join(
        TOP, "plugin", "check_s3tables_expiration"), help="plugin binary (copied first)")
    ap.add_argument("--aws", metavar="CMD", help="the AWS CLI to measure (default: aws on PATH)")
    ap.add_argument("--no-install", action="store_true",
                    help="without aws on PATH, do not try apt-get install -y awscli")
    ap.add_argument("--keep", metavar="DIR", help="keep the callgrind files in DIR")
    args = ap.parse_args()
    args.runs = args.runs or (10 if args.quick else 30)
    args.callgrind_runs = args.callgrind_runs or (1 if args.quick else 3)
    if args.runs < 1 or args.callgrind_runs < 1:
        ap.error("--runs and --callgrind-runs must be positive")
    return args


def main():
    args = parse_args()
    if mock_aws.BOTOCORE_IMPORT_ERROR is not None:
        sys.exit(f"botocore is needed by the mock: {mock_aws.BOTOCORE_IMPORT_ERROR}")
    if not os.access(args.plugin, os.X_OK):
        sys.exit(f"plugin not built: {args.plugin} (run make)")
    curl = shutil.which("curl")
    if not curl:
        sys.exit("curl not found (apt-get install curl)")
    valgrind = None if args.no_callgrind else shutil.which("valgrind")

    tmp = tempfile.mkdtemp(prefix="bench-cost-")
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    s3 = sts = None
    try:
        # Measure a private copy: a rebuild of the tree during the run must
        # neither break the run nor change what is measured.
        built = os.path.abspath(args.plugin)
        state = tree_state(os.path.dirname(built))
        plugin = os.path.join(tmp, os.path.basename(built))
        shutil.copy2(built, plugin)
        launcher, launcher_note = build_launcher(tmp)
        runner = Runner(tmp, launcher)

        pki = mock_aws.make_pki(os.path.join(tmp, "pki"))
        s3 = mock_aws.MockS3Tables(pki, {ACCESS_KEY: {"secret": SECRET_KEY}})
        sts = mock_sts.MockSTS(pki, {ACCESS_KEY: {"secret": SECRET_KEY}})
        s3.expected_region = sts.expected_region = REGION
        sts.add_role(ROLE_ARN)
        s3.credentials.update(sts.issued_credentials())
        s3.start()
        sts.start()
        arn = s3.add_table(BUCKET_ARN, NAMESPACE, "orders",
                           job=lambda: mock_aws.job("Successful", last_run=3600, records=10,
                                                    files=1, bytes_=4096))
        ca = pki.ca_cert
        cache_dir = os.path.join(tmp, "cache")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": home,
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
               "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
               "AWS_ENDPOINT_URL_S3TABLES": s3.url, "AWS_ENDPOINT_URL_STS": sts.url}
        # What curl sends: the ARN percent-encoded, upper-case hex (see the docstring).
        url = (f"{s3.url}{mock_aws.OPERATION_PATH}?tableArn="
               f"{urllib.parse.quote(arn, safe='')}")
        p_cmd = [plugin, "-a", arn, "-t", "60"]
        c_cmd = [curl, "-q", "-sS", "--fail", "--max-time", "60", "--aws-sigv4",
                 f"aws:amz:{REGION}:s3tables", "--user", f"{ACCESS_KEY}:{SECRET_KEY}"]
        role = ["--ca-file", ca, "--role-arn", ROLE_ARN]
        variants = [
            Variant("plugin-ca", "plugin", p_cmd + ["--ca-file", ca], env, 0, check_plugin_ok,
                    (1, 0), "plugin", "a", "curl-ca"),
            Variant("curl-ca", "curl", c_cmd + ["--cacert", ca, url], env, 0,
                    check_json_successful, (1, 0), "curl", "a", "curl-ca"),
            Variant("plugin-default", "plugin", p_cmd, env, 3, check_plugin_tls, (0, 0),
                    "plugin", "b", "curl-default"),
            Variant("curl-default", "curl", c_cmd + [url], env, CURL_PEER_FAILED, check_nothing,
                    (0, 0), "curl", "b", "curl-default"),
            Variant("role-nocache", "plugin --role-arn --no-cache", p_cmd + role + ["--no-cache"],
                    env, 0, check_plugin_ok, (1, 1), "plugin", "c", "curl-ca"),
            Variant("role-warm", "plugin --role-arn, cache warm",
                    p_cmd + role + ["--cache-dir", cache_dir], env, 0, check_plugin_ok, (1, 0),
                    "plugin", "c", "curl-ca"),
        ]
        by_key = {v.key: v for v in variants}
        bench = Bench(runner, s3, sts)

        # The AWS CLI and the boto3 script
        aws, aws_notes = find_aws(args)
        aws_version = first_line([aws, "--version"], env) if aws else "absent"
        flavour, flavour_version = boto_flavour()
        boto_script = os.path.join(tmp, f"{flavour}_call.py")
        with open(boto_script, "w") as f:
            f.write(BOTO_SCRIPT.format(client=BOTO3_CLIENT if flavour == "boto3"
                                       else BOTOCORE_CLIENT))
        boto = Variant("boto", f"python3 + {flavour} script",
                       [sys.executable, boto_script, arn, s3.url, REGION, ca], env, 0,
                       check_boto, (1, 0), flavour, "a", "curl-ca")
        cli = None
        if aws:
            cli = Variant("aws", "aws s3tables (AWS CLI)",
                          [aws, "s3tables", "get-table-record-expiration-job-status",
                           "--table-arn", arn, "--endpoint-url", s3.url, "--ca-bundle", ca,
                           "--region", REGION], env, 0, check_json_successful, (1, 0), "aws",
                          "a", "curl-ca")
            s3.clear()
            probe = runner.run(cli.cmd, env, 300)
            if probe.code != 0 and re.search(r"invalid choice", probe.stderr, re.I):
                aws_notes.append(f"{aws_version}: no 'aws s3tables "
                                 "get-table-record-expiration-job-status' (Invalid choice): "
                                 f"the AWS CLI is unavailable, the {flavour} script stands in")
                cli = None
            else:
                bench.run_checked(cli, what="AWS CLI probe")
        else:
            aws_notes.append(f"AWS CLI skipped: the {flavour} script stands in for it")
        timed = variants + ([cli] if cli else []) + [boto]

        # ------------------------------------------------------------------
        print(f"command: {shlex.join(sys.argv)}")
        print(f"machine: {machine()}")
        print(f"plugin: {first_line([plugin, '-V'], env)}")
        if state == "not in a git tree":
            print(f"binary: {built} (copied; not in a git tree; the tree of bench/cost.py is "
                  f"at {tree_state(TOP)})")
        else:
            print(f"binary: {built} (copied at {state})")
        print(f"curl: {first_line([curl, '-V'])}")
        print(f"aws: {aws_version}" + (f" [{aws}]" if aws else ""))
        for note in aws_notes:
            print(f"  note: {note}")
        import botocore
        print(f"python: {sys.version.split()[0]} ({sys.executable}); botocore "
              f"{botocore.__version__}; {flavour} {flavour_version}")
        print("valgrind: " + (first_line([valgrind, "--version"]) if valgrind else
                              "not used (--no-callgrind)" if args.no_callgrind else "absent"))
        print(f"launcher: {launcher_note or 'C launcher (fork, exec, wait4): own ru_maxrss'}")
        print(f"mock: S3 Tables {s3.url}, STS {sts.url}; CA file: the mock's CA, 1 certificate")
        print(f"table: {arn}")
        print(f"curl URL: {url}")
        print(f"curl signing: {curl_probe(runner, s3, c_cmd, arn, env)}", flush=True)

        # The role cache: a first run fills it (one AssumeRole); warm runs then
        # must make none (the mock checks).
        filler = Variant("fill", "plugin --role-arn, filling the cache",
                         by_key["role-warm"].cmd, env, 0, check_plugin_ok, (1, 1), "plugin", "c")
        bench.run_checked(filler)
        # Warm-up (page cache, the mocks' first TLS contexts): not counted.
        for v in timed:
            bench.run_checked(v, what=f"warm-up: {v.label} ({v.setup})")

        # ------------------------------------------------------------------
        # Instructions under callgrind
        cg_variants = variants
        if valgrind:
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
            for r in range(args.callgrind_runs):
                for v in cg_variants:
                    out_file = os.path.join(args.keep or tmp, f"callgrind.{v.key}.{r + 1}.out")
                    cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={out_file}"] \
                        + v.cmd
                    res = bench.run_checked(v, cmd, f"callgrind: {v.label} ({v.setup})", 600)
                    v.instructions.append(callgrind_total(res, out_file))
                print(f"callgrind round {r + 1}/{args.callgrind_runs}: " + ", ".join(
                    f"{v.key} {v.instructions[-1]:,}" for v in cg_variants), flush=True)
        else:
            print("callgrind part skipped (" + ("--no-callgrind" if args.no_callgrind
                                                 else "valgrind not found") + ")")

        # ------------------------------------------------------------------
        # Timed rounds, interleaved, the order rotated every round
        started = time.monotonic()
        for r in range(args.runs):
            k = r % len(timed)
            for v in timed[k:] + timed[:k]:
                v.runs.append(bench.run_checked(v, what=f"round {r + 1}: {v.label} ({v.setup})"))
            if (r + 1) % max(1, args.runs // 5) == 0:
                print(f"  timed rounds: {r + 1}/{args.runs} "
                      f"({time.monotonic() - started:.0f} s)", flush=True)

        # ------------------------------------------------------------------
        setups = {"a": "(a) one-certificate CA file", "b": "(b) default trust store",
                  "c": "(c) role, CA file"}
        cg = {v.key: median(v.instructions) if v.instructions else None for v in variants}
        if valgrind:
            print()
            print(f"### Instructions per check (callgrind, median of {args.callgrind_runs})")
            print()
            rows = []
            for setup, pk, ck in (("a", "plugin-ca", "curl-ca"),
                                  ("b", "plugin-default", "curl-default")):
                rows.append([setups[setup], fmt_int(cg[pk]), fmt_int(cg[ck]),
                             fmt_x(cg[pk], cg[ck])])
            print_table(["set-up", "plugin", "curl", "plugin / curl"], rows)
            print()
            rows = [["plain `-a` (keys from the environment)", fmt_int(cg["plugin-ca"]),
                     "1.00x"]]
            for key, label in (("role-nocache", "`--role-arn --no-cache` (AssumeRole + call)"),
                               ("role-warm", "`--role-arn`, cache warm")):
                rows.append([label, fmt_int(cg[key]), fmt_x(cg[key], cg["plugin-ca"])])
            print_table(["plugin run, CA file", "instructions", "/ plain run"], rows)
            spread = [f"{v.key} {min(v.instructions):,}-{max(v.instructions):,}"
                      for v in variants if len(v.instructions) > 1]
            if spread:
                print()
                print("Spread (min-max): " + "; ".join(spread) + ".")

        print()
        print(f"### CPU, wall time and peak RSS ({args.runs} interleaved rounds; "
              "median / p95)")
        print()
        rows = []
        stats = {}
        for v in timed:
            cpu = [x.cpu for x in v.runs]
            wall = [x.wall for x in v.runs]
            rss = [x.rss for x in v.runs] if launcher else None
            stats[v.key] = {"cpu": median(cpu), "rss": median(rss) if rss else None}
            rows.append([f"{setups[v.setup]}: {v.label}", str(v.expect_code),
                         f"{fmt_ms(median(cpu))} / {fmt_ms(p95(cpu))}",
                         f"{fmt_ms(median(wall))} / {fmt_ms(p95(wall))}",
                         (f"{fmt_mib(median(rss))} / {fmt_mib(p95(rss))}" if rss else "-")])
        for row, v in zip(rows, timed):
            ref = stats[v.compare]
            row += [fmt_x(stats[v.key]["cpu"], ref["cpu"]), fmt_x(stats[v.key]["rss"], ref["rss"])]
        print_table(["run", "exit", "CPU (user+sys)", "wall", "peak RSS", "CPU / curl",
                     "RSS / curl"], rows)
        print()
        print("Ratios are to curl in the same trust set-up: (b) to curl with its default "
              "store, everything else to curl with the CA file. In (b) the plugin (exit 3, "
              "UNKNOWN: certificate verification failed) and curl (exit 60) both load their "
              "default trust store and then fail to verify the mock's certificate, as "
              "expected: that is the cost a real user pays on every check. Wall times are "
              "set by the mock (Python verifying each signature with botocore).")
        if args.runs < 30:
            print(f"Only {args.runs} rounds: a quick look, not the reference figures (30+).")

        # ------------------------------------------------------------------
        print()
        print("### Targets")
        print()
        results = []

        def target(text, value, ok):
            results.append(ok)
            print(f"- {text}: {value}: {'MET' if ok else 'NOT MET'}")

        if valgrind:
            r = cg["plugin-default"] / cg["curl-default"]
            target(f"default trust store, plugin instructions <= {DEFAULT_STORE_MAX:.2f}x curl's",
                   f"{r:.2f}x", r <= DEFAULT_STORE_MAX)
            r = cg["plugin-ca"] / cg["curl-ca"]
            target(f"one-certificate CA file, plugin instructions <= {CA_FILE_MAX:.2f}x curl's",
                   f"{r:.2f}x", r <= CA_FILE_MAX)
        else:
            print("- instruction targets: not checked (no callgrind part)")
        if launcher:
            p, c = stats["plugin-ca"]["rss"], stats["curl-ca"]["rss"]
            target("one-certificate CA file, plugin peak RSS <= curl's",
                   f"{fmt_mib(p)} vs {fmt_mib(c)}", p <= c)
        else:
            print("- peak RSS target: not checked (no launcher: " + launcher_note + ")")
        if valgrind:
            r = cg["role-warm"] / cg["plugin-ca"]
            target(f"role run with the cache warm <= {ROLE_WARM_MAX:.2f}x a plain run "
                   "(instructions)", f"{r:.2f}x", r <= ROLE_WARM_MAX)
        ref = cli or boto
        r = stats[ref.key]["cpu"] / stats["plugin-ca"]["cpu"]
        target(f"{ref.label} CPU >= {CLI_MIN:.0f}x the plugin's"
               + ("" if cli else " (the AWS CLI being unavailable)"), f"{r:.1f}x", r >= CLI_MIN)
        if cli:
            r = stats["boto"]["cpu"] / stats["plugin-ca"]["cpu"]
            print(f"  (the {flavour} script: {r:.1f}x the plugin's CPU)")
        print()
        met = all(results)
        print("ALL TARGETS MET" if met else "TARGETS NOT MET")
        if args.keep and valgrind:
            print(f"\ncallgrind files kept in {args.keep}")
        return 0 if met else 2
    except Failed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        for mock in (s3, sts):
            if mock is not None:
                mock.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
