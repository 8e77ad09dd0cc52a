#!/usr/bin/env python3
"""End-to-end fault matrix: the built plugin against broken networks,
broken servers and broken answers, all on 127.0.0.1.

Each scenario pins the exit code, the exact first line (only the time=
perfdata value and truly random values are masked) and how long the run
took, and prints one diag line "scenario | state | elapsed"; the whole
table is printed again at the end as markdown rows. Every scenario also
checks the invariants that hold whatever goes wrong: an exit code 0-3,
at most 4096 bytes of output, no secret on stdout or stderr.

What is exercised: connection refused, DNS failure (in a network
namespace with no network, so no packet leaves the machine), TLS name
mismatch and untrusted CA, servers that never answer or stall mid-body,
retries (throttling, 5xx, resets) and what is not retried (4xx,
redirects, TLS), size caps on body and headers, odd JSON (truncated,
wrong types, nulls, huge and negative numbers, duplicate keys),
timestamps (offsets, no zone, far and near future), failure messages
that would break the Nagios line, STS / IMDS / credential_process faults,
signals, the -t state, and -t bounding the retries.
"""

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import e2e_lib as e
import mock_aws
import mock_metadata
import mock_sts

PREFIX = "S3TABLES_EXPIRATION"
ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
ROLE = "arn:aws:iam::111122223333:role/monitoring"
ROLE_NOBODY = "arn:aws:iam::111122223333:role/nobody"
OP = "GetTableRecordExpirationJobStatus"
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN", None: "HANG (killed)"}
# -t for the timeout scenarios: short, so the file stays fast; longer
# under valgrind, which needs a while just to start the plugin.
T = 5 if e.UNDER_VALGRIND else 2
# Two retries back off up to 1 s and then up to 2 s (full jitter).
RETRIES_MAX = 3.5
FAST = 1.0  # a run with one attempt and no waiting
# An answer with an exact age waits up to 0.5 s for the clock (whole_seconds_ago).
ALIGN = 0.5
OK_FAST = FAST + ALIGN
ONE_RETRY = 1.0 + OK_FAST  # one backoff of up to 1 s


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def whole_seconds_ago(seconds, offset=None):
    """A timestamp exactly `seconds` before the current whole second (negative:
    in the future), in UTC ('Z') or with offset (a timedelta) as +HH:MM.

    Late in a second it first waits for the next one, so the plugin reads
    its clock (a few ms later) in the same second and sees exactly that age."""
    now = time.time()
    if now % 1 > 0.5:
        time.sleep(1.01 - now % 1)
    when = dt.datetime.fromtimestamp(int(time.time()) - seconds, dt.timezone.utc)
    if offset is None:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.astimezone(dt.timezone(offset)).isoformat()


human_duration = e.human_duration


def masked(line):
    """The first line with what varies from run to run masked: the API call's
    duration (time=) and libcurl's connect time ('after 0 ms')."""
    line = re.sub(r"time=[0-9]+\.[0-9]{3}s", "time=Ts", line)
    return re.sub(r" after [0-9]+ ms", " after N ms", line)


def ok_line(age_human, age, extra="", perf_extra=""):
    return (f"{PREFIX} OK - job Successful {age_human} ago{extra} | "
            f"age={age}s;172800;259200;0{perf_extra} time=Ts;;;0")


def attempts_line(n):
    return f"{OP}: {n} attempt{'s' if n > 1 else ''}"


class Silent:
    """A TCP listener on 127.0.0.1 that never reads or answers: the kernel
    completes the handshake (backlog), the client's TLS hello goes nowhere.
    With accept=True a thread takes the connections (.accepted counts them);
    with answer (bytes) too, it reads a request head, sends answer, closes
    (e.g. a proxy refusing CONNECT)."""

    def __init__(self, accept=False, answer=None):
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.conns = []
        self._thread = None
        if accept:
            self._thread = threading.Thread(target=self._accept, daemon=True)
            self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.conns.append(conn)
            if self.answer is not None:
                try:
                    conn.settimeout(5)
                    head = b""
                    while b"\r\n\r\n" not in head:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        head += chunk
                    conn.sendall(self.answer)
                except OSError:
                    pass
                conn.close()

    def close(self):
        for conn in self.conns:
            conn.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class IMDSCredentials500(mock_metadata.MockIMDS):
    """IMDS that issues a token and names the role, then answers 500 for the
    role's credentials (a metadata service having a bad moment)."""

    def _answer(self, rec):
        if rec.method == "GET" and self.role and rec.path == mock_metadata.ROLE_PATH + self.role:
            return 500, "Internal Server Error", "text/plain"
        return super()._answer(rec)


def skip_scenario(m, name, reason):
    """A scenario that cannot run here: a TAP skip and a SKIP row."""
    m.t.skip(name, reason)
    m.rows.append((name, f"SKIP ({reason})", None))
    m.t.diag(f"{name} | SKIP | -")


def pid_alive(pid):
    """True if pid runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except OSError:
        return False


# --------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------


class Matrix:
    """The mocks, how to run the plugin against them, and the result table."""

    def __init__(self, t, fx, sts, tmpdir):
        self.t, self.fx, self.sts, self.tmpdir = t, fx, sts, tmpdir
        self.rows = []
        self.secrets = [e.TEST_SECRET_KEY] + [r["secret"] for r in sts.roles.values()] + \
                       [r["token"] for r in sts.roles.values()] + \
                       [mock_metadata.IMDS_SECRET_KEY, mock_metadata.IMDS_SESSION_TOKEN,
                        mock_metadata.CONTAINER_SECRET_KEY, mock_metadata.CONTAINER_SESSION_TOKEN]
        # Known, absent shared files: the "no credentials" line names them.
        self.no_files = {"AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmpdir, "no-credentials"),
                         "AWS_CONFIG_FILE": os.path.join(tmpdir, "no-config")}

    # -- running -----------------------------------------------------------

    def run(self, args=(), env=None, endpoint=True, prefix=None, keys=True, verbose="-v"):
        """Run the plugin (-v, the mock's endpoint and CA unless endpoint=False).
        Forgets the requests the mocks saw, not the answers queued for this run."""
        self.fx.mock.requests.clear()
        self.sts.requests.clear()
        full_env = dict(self.fx.env) if keys else {}
        full_env.update(self.no_files)
        full_env.update(env or {})
        base = ["-a", ARN, verbose] + (self.fx.args if endpoint else [])
        return e.run_plugin(base + list(args), env=full_env, prefix=prefix)

    def run_and_signal(self, sig, args=(), env=None, ready=None, keys=True):
        """Start the plugin (with the mock's endpoint), send sig once ready()
        is true (default: a request reached the mock), return (code, out,
        err, elapsed, after), after being the time from the signal to the exit."""
        self.fx.mock.requests.clear()
        ready = ready or (lambda: bool(self.fx.mock.requests))
        home = tempfile.mkdtemp(prefix="e2e-home-")
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
                    "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
                    **(self.fx.env if keys else {}), **self.no_files, **(env or {})}
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if name in os.environ:
                full_env[name] = os.environ[name]
        started = time.monotonic()
        proc = subprocess.Popen([e.plugin_path(), "-a", ARN, "-v"] + self.fx.args + list(args),
                                env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            limit = time.monotonic() + (20 if e.UNDER_VALGRIND else 5)
            while not ready() and time.monotonic() < limit:
                time.sleep(0.01)
            time.sleep(0.1)
            signalled = time.monotonic()
            proc.send_signal(sig)
            try:
                out, err = proc.communicate(timeout=10)
                code = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                code = None
            ended = time.monotonic()
        finally:
            shutil.rmtree(home, ignore_errors=True)
        return (code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                ended - started, ended - signalled)

    # -- asserting ---------------------------------------------------------

    def check(self, name, got, code, line, lo=0.0, hi=FAST, attempts=None, requests=None):
        """Exit code, exact first line (or a compiled regex over the masked
        line), elapsed in [lo, hi), invariants; optionally the attempts -v
        reports and the requests the mock saw. Records the table row."""
        t = self.t
        got_code, out, err, elapsed = got[:4]
        state = STATES.get(got_code, f"exit {got_code}")
        self.rows.append((name, state, elapsed))
        t.diag(f"{name} | {state} | {elapsed:.2f} s")
        good = t.is_(got_code, code, f"{name}: exit code {code}")
        first = masked(e.first_line(out))
        if isinstance(line, re.Pattern):
            good = t.ok(line.fullmatch(first), f"{name}: first line", first) and good
        else:
            good = t.is_(first, line, f"{name}: first line") and good
        # timing() skips (returns None) under valgrind: that is not a failure.
        good = t.timing(lo <= elapsed < hi, f"{name}: elapsed in [{lo:g}, {hi:g}) s",
                        f"{elapsed:.2f} s") is not False and good
        leaked = [s for s in self.secrets if s in out or s in err]
        good = t.ok(got_code in (0, 1, 2, 3) and len(out.encode()) <= 4096 and not leaked,
                    f"{name}: exit 0-3, output <= 4096 bytes, no secret printed",
                    f"code {got_code}, {len(out.encode())} bytes, leaked {len(leaked)}") and good
        if attempts is not None:
            good = t.ok(attempts_line(attempts) in err.splitlines(),
                        f"{name}: -v reports {attempts} attempt(s)", err) and good
        if requests is not None:
            good = t.is_(len(self.fx.mock.requests), requests,
                         f"{name}: {requests} request(s) reached the mock") and good
        if not good:
            t.diag(f"stdout: {out[:2000]!r}\nstderr: {err[:2000]!r}")
        return out, err

    def table(self):
        self.t.diag("")
        self.t.diag("| scenario | state | elapsed |")
        self.t.diag("| --- | --- | --- |")
        for name, state, elapsed in self.rows:
            shown = "-" if elapsed is None else f"{elapsed:.2f} s"
            self.t.diag(f"| {name} | {state} | {shown} |")


# --------------------------------------------------------------------------
# Network and TLS
# --------------------------------------------------------------------------


def net_faults(m):
    fx = m.fx
    got = m.run(["--endpoint-url", "https://127.0.0.1:1"], endpoint=False)
    m.check("connection refused (127.0.0.1:1)", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: Failed to connect to 127.0.0.1 port 1 after N ms: "
            f"Couldn't connect to server (3 attempts)", hi=RETRIES_MAX, attempts=3)

    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True) \
        if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        reason = "unshare not found" if probe is None else \
            f"unshare -n failed: {probe.stderr.strip() or probe.returncode}"
        skip_scenario(m, "DNS failure (nonexistent.invalid, no network)", reason)
        skip_scenario(m, "plain http to a non-loopback host (192.0.2.1)", reason)
    else:
        got = m.run(["--endpoint-url", "https://nonexistent.invalid", "--ca-file", fx.pki.ca_cert],
                    endpoint=False, prefix=["unshare", "-n"])
        m.check("DNS failure (nonexistent.invalid, no network)", got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - {OP} failed: Could not resolve host: nonexistent.invalid "
                "(3 attempts)", hi=RETRIES_MAX, attempts=3)

        # Refused before any connection; in the namespace anyway, so that
        # even a plugin that tried would send nothing anywhere.
        got = m.run(["--endpoint-url", "http://192.0.2.1:8080"], endpoint=False,
                    prefix=["unshare", "-n"])
        m.check("plain http to a non-loopback host (192.0.2.1)", got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - invalid endpoint URL 'http://192.0.2.1:8080': use https "
                "(plain http only to loopback)")

    proxy = fx.start_proxy()
    fx.proxy.connects.clear()
    got = m.run(["--region", "eu-north-1", "--ca-file", fx.pki.ca_cert], env=proxy,
                endpoint=False)
    m.check("TLS name mismatch (s3tables.eu-north-1 via proxy)", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: SSL: no alternative certificate subject name "
            "matches target host name 's3tables.eu-north-1.amazonaws.com'",
            attempts=1, requests=0)
    m.t.is_(fx.proxy.connects, ["s3tables.eu-north-1.amazonaws.com:443"],
            "TLS name mismatch: the tunnel was for the default endpoint, not retried")

    got = m.run(["--endpoint-url", fx.mock.url, "--ca-file", fx.pki.other_ca_cert],
                endpoint=False)
    m.check("untrusted CA", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: SSL certificate problem: unable to get local "
            "issuer certificate", attempts=1, requests=0)

    silent = Silent()
    try:
        got = m.run(["--endpoint-url", f"https://127.0.0.1:{silent.port}", "-t", T],
                    endpoint=False)
    finally:
        silent.close()
    m.check(f"TCP accepted, TLS never answered (-t {T})", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - timeout after {T} s while calling {OP}", T, T + 1.5)

    fx.mock.delay = 30
    try:
        got = m.run(["-t", T])
    finally:
        fx.mock.delay = 0
    m.check(f"request read, never answered (-t {T})", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - timeout after {T} s while calling {OP}", T, T + 1.5,
            requests=1)

    fx.mock.enqueue_stall(200, '{"status": "Successful", "lastRun', 4096, 30)
    got = m.run(["-t", T])
    m.check(f"answer stalls mid-body (-t {T})", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - timeout after {T} s while calling {OP}", T, T + 1.5,
            requests=1)

    fx.mock.delay = 30
    try:
        got = m.run(["-t", f"{T + 1}:critical"])
    finally:
        fx.mock.delay = 0
    m.check(f"-t {T + 1}:critical, endpoint never answers", got, e.CRITICAL,
            f"{PREFIX} CRITICAL - timeout after {T + 1} s while calling {OP}", T + 1, T + 2.5)

    fx.mock.delay = 30
    try:
        got = m.run_and_signal(signal.SIGTERM)
    finally:
        fx.mock.delay = 0
    m.check("SIGTERM while waiting on the endpoint", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - interrupted", hi=3.0, requests=1)
    m.t.timing(got[4] < 0.5, "SIGTERM: exits within 0.5 s of the signal", f"{got[4]:.2f} s")

    fx.mock.delay = 30
    try:
        got = m.run_and_signal(signal.SIGINT)
    finally:
        fx.mock.delay = 0
    m.check("SIGINT while waiting on the endpoint", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - interrupted", hi=3.0, requests=1)
    m.t.timing(got[4] < 0.5, "SIGINT: exits within 0.5 s of the signal", f"{got[4]:.2f} s")

    fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=whole_seconds_ago(3600)))
    fx.mock.delay = 1
    try:
        got = m.run(["-t", T + 1])
    finally:
        fx.mock.delay = 0
    m.check(f"slow answer (1 s) within -t {T + 1}", got, e.OK, ok_line("1h 0m", 3600), 1.0,
            1.0 + OK_FAST, attempts=1, requests=1)

    got = m.run(["--proxy", "http://127.0.0.1:1"])
    m.check("proxy refuses connections (127.0.0.1:1)", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: Failed to connect to 127.0.0.1 port 1 after N ms: "
            "Couldn't connect to server (3 attempts)", hi=RETRIES_MAX, attempts=3,
            requests=0)
    proxy = Silent(accept=True, answer=b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                                       b"Connection: close\r\n\r\n")
    try:
        got = m.run(["--proxy", f"http://127.0.0.1:{proxy.port}"])
    finally:
        proxy.close()
    m.check("proxy answers CONNECT with 403", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: CONNECT tunnel failed, response 403 "
            "(3 attempts)", hi=RETRIES_MAX, attempts=3, requests=0)
    m.t.is_(proxy.accepted, 3, "proxy 403: three CONNECT attempts reached the proxy")


# --------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------


def retry_faults(m):
    mock = m.fx.mock
    good = lambda: mock_aws.job("Successful", last_run=whole_seconds_ago(3600))  # noqa: E731
    mock.set_table(ARN, good)

    mock.enqueue_error("TooManyRequestsException", "Rate exceeded")
    m.check("429 then success", m.run(), e.OK, ok_line("1h 0m", 3600), hi=ONE_RETRY,
            attempts=2, requests=2)

    mock.enqueue_error("InternalServerErrorException", "boom")
    m.check("500 then success", m.run(), e.OK, ok_line("1h 0m", 3600), hi=ONE_RETRY,
            attempts=2, requests=2)

    mock.enqueue_error("ThrottlingException", "Rate exceeded")
    m.check("400 ThrottlingException then success", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=ONE_RETRY, attempts=2, requests=2)

    mock.enqueue_reset()
    m.check("connection reset (RST) then success", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=ONE_RETRY, attempts=2, requests=2)

    mock.enqueue_disconnect()
    m.check("closed without an answer then success", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=ONE_RETRY, attempts=2, requests=2)

    mock.enqueue_stall(200, '{"status": "Succ', 500, 0)
    m.check("body cut short by a close then success", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=ONE_RETRY, attempts=2, requests=2)

    mock.set_table_error(ARN, "ServiceUnavailableException", "Service is unavailable")
    m.check("503 x3", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - API error ServiceUnavailableException: Service is unavailable "
            "(HTTP 503, 3 attempts)", hi=RETRIES_MAX, attempts=3, requests=3)

    got = m.run(["-t", T])
    # How many attempts fit depends on the random backoff: 2 or 3.
    m.check(f"503 forever with -t {T} (the deadline bounds retries)", got, e.UNKNOWN,
            re.compile(rf"{PREFIX} UNKNOWN - API error ServiceUnavailableException: Service is "
                       r"unavailable \(HTTP 503, [23] attempts\)"), hi=T + 1.0)

    mock.set_table(ARN, "<html><head><title>502 Bad Gateway</title></head>"
                        "<body>Bad Gateway</body></html>", status=502,
                   headers={"Content-Type": "text/html"})
    m.check("HTML error page with 502", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - API error UnknownError: the error body is not JSON "
            "(HTTP 502, 3 attempts)", hi=RETRIES_MAX, attempts=3, requests=3)

    for error_type, status in [("BadRequestException", 400), ("ForbiddenException", 403),
                               ("NotFoundException", 404), ("MethodNotAllowedException", 405)]:
        mock.set_table_error(ARN, error_type, f"message for {error_type}")
        m.check(f"{status} {error_type} not retried", m.run(), e.UNKNOWN,
                f"{PREFIX} UNKNOWN - API error {error_type}: message for {error_type} "
                f"(HTTP {status})", attempts=1, requests=1)
    mock.set_table(ARN, good)


# --------------------------------------------------------------------------
# HTTP answers: sizes, framing, redirects
# --------------------------------------------------------------------------


def http_faults(m):
    mock = m.fx.mock
    good = lambda: mock_aws.job("Successful", last_run=whole_seconds_ago(3600))  # noqa: E731
    mock.set_table(ARN, good)

    mock.enqueue(200, "")
    m.check("empty 200", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - invalid answer from {OP}: empty answer", attempts=1, requests=1)

    big = b'{"status": "Successful", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    mock.enqueue(200, big)
    m.check("body over the cap (2 MiB, Content-Length)", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: answer larger than 1048576 bytes",
            attempts=1, requests=1)

    def padded(size):
        head = b'{"status": "Successful", "pad": "'
        return head + b"x" * (size - len(head) - 2) + b'"}'

    mock.enqueue(200, padded(1048576))
    m.check("body of exactly 1 MiB (at the cap)", m.run(), e.OK,
            f"{PREFIX} OK - job Successful | time=Ts;;;0", attempts=1, requests=1)
    mock.enqueue(200, padded(1048577), chunked=True)
    m.check("body of 1 MiB + 1 byte, chunked", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: answer larger than 1048576 bytes",
            attempts=1, requests=1)

    mock.enqueue(200, big, chunked=True)
    m.check("body over the cap (2 MiB, chunked)", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: answer larger than 1048576 bytes",
            attempts=1, requests=1)

    mock.enqueue(200, mock_aws.job("Successful"), headers={"X-Big": "a" * 70000})
    m.check("one 70000-byte header (over the 64 KiB cap)", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: answer headers larger than 65536 bytes",
            attempts=1, requests=1)

    mock.enqueue(200, mock_aws.job("Successful"),
                 headers={f"X-Filler-{i}": "b" * 4000 for i in range(20)})
    m.check("20 headers of 4000 bytes (over the cap)", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: answer headers larger than 65536 bytes",
            attempts=1, requests=1)

    target = Silent(accept=True)
    location = f"https://127.0.0.1:{target.port}/table-record-expiration-job-status"
    try:
        mock.enqueue_redirect(location)
        got = m.run()
        time.sleep(0.1)
        accepted = target.accepted
    finally:
        target.close()
    m.check("301 redirect to another loopback URL", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} answered with a redirect to '{location}', not followed "
            "(HTTP 301)",
            attempts=1, requests=1)
    m.t.is_(accepted, 0, "301 redirect: the Location was not followed")

    mock.set_table(ARN, lambda: json.dumps(good()))
    mock.enqueue(200, lambda: json.dumps(good()), chunked=True)
    m.check("valid answer, chunked", m.run(), e.OK, ok_line("1h 0m", 3600), hi=OK_FAST, requests=1)
    mock.enqueue(200, lambda: json.dumps(good()), content_length=mock_aws.CLOSE_DELIMITED)
    m.check("valid answer, no Content-Length (ends at close)", m.run(), e.OK,
            ok_line("1h 0m", 3600), hi=OK_FAST, requests=1)

    mock.enqueue_raw("SSH-2.0-OpenSSH_9.2\r\n")
    m.check("not HTTP at all", m.run(), e.UNKNOWN,
            f"{PREFIX} UNKNOWN - {OP} failed: Received HTTP/0.9 when not allowed",
            attempts=1, requests=1)
    mock.set_table(ARN, good)


# --------------------------------------------------------------------------
# JSON and timestamps
# --------------------------------------------------------------------------


def answer_faults(m):
    mock = m.fx.mock
    invalid = f"{PREFIX} UNKNOWN - invalid answer from {OP}: "

    def body(text):
        mock.set_table(ARN, text)
        return m.run()

    m.check("truncated JSON", body('{"status": "Successful", "lastRunTimestamp": "2026-'),
            e.UNKNOWN, invalid + "answer is not valid JSON: unexpected end of data", requests=1)
    m.check("NUL byte in the answer", body(b'{"status": "Successful", "x": "\x00"}'),
            e.UNKNOWN, invalid + "answer is not JSON (contains NUL bytes)")
    m.check("invalid UTF-8 in the answer",
            body(b'{"status": "Failed", "failureMessage": "bad \xff byte"}'),
            e.UNKNOWN, invalid + "answer is not valid JSON: invalid utf-8 string")
    m.check("wrong type: lastRunTimestamp true",
            body('{"status": "Successful", "lastRunTimestamp": true}'), e.UNKNOWN,
            invalid + '"lastRunTimestamp" is a boolean, not an ISO-8601 string')
    m.check("wrong type: metrics an array", body('{"status": "Successful", "metrics": [1, 2]}'),
            e.UNKNOWN, invalid + '"metrics" is an array, not an object')
    m.check("wrong type: failureMessage a number",
            body('{"status": "Failed", "failureMessage": 42}'), e.UNKNOWN,
            invalid + '"failureMessage" is an integer, not a string')
    m.check("null status", body('{"status": null}'), e.UNKNOWN,
            invalid + 'no "status" in the answer')

    mock.set_table(ARN, lambda: '{"status": "Successful", "lastRunTimestamp": "%s", '
                                '"failureMessage": null, "metrics": {"deletedRecords": null, '
                                '"deletedDataFiles": 7, "removedFilesSize": null}}'
                                % whole_seconds_ago(600))
    out, _ = m.check("null metrics members and failureMessage (absent)", m.run(), e.OK,
                     ok_line("10m 0s", 600, ", 7 files removed",
                             " deleted_files=7;;;0"), hi=OK_FAST)
    m.t.ok("deleted records" not in out and "failure message" not in out,
           "null members: not in the long output either", out)
    mock.set_table(ARN, '{"status": "Successful", "lastRunTimestamp": null}')
    m.check("null lastRunTimestamp (never ran)", m.run(), e.OK,
            f"{PREFIX} OK - job Successful | time=Ts;;;0")

    m.check("huge metric 1e30 (a JSON decimal number)",
            body('{"status": "Successful", "metrics": {"deletedRecords": 1e30}}'), e.UNKNOWN,
            invalid + '"metrics.deletedRecords" is a decimal number, not an integer')
    m.check("huge metric 99999999999999999999",
            body('{"status": "Successful", "metrics": {"removedFilesSize": '
                 '99999999999999999999}}'), e.UNKNOWN,
            invalid + '"metrics.removedFilesSize" is out of range')
    m.check("negative metric", body('{"status": "Successful", "metrics": {"deletedDataFiles": '
                                    '-5}}'), e.UNKNOWN,
            invalid + '"metrics.deletedDataFiles" is negative (-5)')

    mock.set_table(ARN, lambda: json.dumps({
        "status": "Successful", "lastRunTimestamp": whole_seconds_ago(7200),
        "jobId": "0f1e2d3c", "nextRun": {"at": "tomorrow", "nested": [1, {"x": None}]},
        "metrics": {"deletedRecords": 3, "futureMetric": 12.5}}))
    m.check("unknown fields ignored", m.run(), e.OK,
            ok_line("2h 0m", 7200, ", 3 records removed", " deleted_records=3;;;0"), hi=OK_FAST)

    mock.set_table(ARN, lambda: '{"status": "Failed", "lastRunTimestamp": "%s", '
                                '"status": "Successful"}' % whole_seconds_ago(60))
    m.check("duplicate keys: the last one wins", m.run(), e.OK, ok_line("1m 0s", 60),
            hi=OK_FAST)

    hours2 = dt.timedelta(hours=2)
    mock.set_table(ARN, lambda: mock_aws.job("Successful",
                                             last_run=whole_seconds_ago(3600, hours2)))
    m.check("timestamp with +02:00 offset", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=OK_FAST)
    mock.set_table(ARN, lambda: mock_aws.job("Successful",
                                             last_run=whole_seconds_ago(3600, -hours2)))
    m.check("timestamp with -02:00 offset", m.run(), e.OK, ok_line("1h 0m", 3600),
            hi=OK_FAST)

    mock.set_table(ARN, mock_aws.job("Successful", last_run="2026-11-25T10:00:00"))
    m.check("timestamp without a zone", m.run(), e.UNKNOWN,
            invalid + 'bad "lastRunTimestamp": "2026-11-25T10:00:00": no time zone')

    mock.set_table(ARN, mock_aws.job("Successful", last_run="9999-12-31T23:59:59Z"))
    last = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc).timestamp()
    before = time.time()
    got = m.run()
    after = time.time()
    aheads = "|".join(re.escape(human_duration(last - int(now))) for now in (before, after))
    m.check("year 9999", got, e.UNKNOWN,
            re.compile(rf"{PREFIX} UNKNOWN - last run 9999-12-31T23:59:59Z is ({aheads}) in the "
                       r"future: check this host's clock"))

    for ahead, name in [(600, "10 minutes in the future"),
                        (301, "5 min 1 s in the future (just past the skew allowed)")]:
        stamp = []
        mock.set_table(ARN, lambda: mock_aws.job(
            "Successful", last_run=stamp.append(whole_seconds_ago(-ahead)) or stamp[-1]))
        got = m.run()
        m.check(name, got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - last run {stamp[-1] if stamp else '?'} is "
                f"{human_duration(ahead)} in the future: check this host's clock", hi=OK_FAST)

    for ahead, name in [(300, "5 min in the future (the skew allowed: age 0)"),
                        (120, "2 minutes in the future (clock skew: age 0)")]:
        mock.set_table(ARN, lambda: mock_aws.job("Successful",
                                                 last_run=whole_seconds_ago(-ahead)))
        m.check(name, m.run(), e.OK, ok_line("0s", 0), hi=OK_FAST)


def failure_message_faults(m):
    mock = m.fx.mock

    def failed(message):
        mock.set_table(ARN, lambda: mock_aws.job("Failed", last_run=whole_seconds_ago(3600),
                                                 failure=message))
        return m.run()

    perf = "| age=3600s;172800;259200;0 time=Ts;;;0"
    out, _ = m.check('failureMessage with "|"',
                     failed("disk | full | see s3://bucket/key|v=1"), e.CRITICAL,
                     f"{PREFIX} CRITICAL - job Failed 1h 0m ago: disk / full / see "
                     f"s3://bucket/key/v=1 {perf}", hi=OK_FAST)
    m.t.ok("failure message: disk / full / see s3://bucket/key/v=1" in out.splitlines()
           and out.count("|") == 1, 'failureMessage "|": replaced in the long output too', out)

    out, _ = m.check("failureMessage with newlines and control characters",
                     failed("line one\nline two\r\n\ttabbed\x07bell\x1b[31mred\x7f!"),
                     e.CRITICAL,
                     f"{PREFIX} CRITICAL - job Failed 1h 0m ago: line one line two   tabbed "
                     f"bell [31mred ! {perf}", hi=OK_FAST)
    m.t.ok("failure message: line one line two   tabbed bell [31mred !" in out.splitlines()
           and not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out),
           "control characters: none left anywhere in the output", repr(out))

    out, _ = m.check("failureMessage of 3-byte UTF-8 characters, cut",
                     failed("\u20ac" * 100), e.CRITICAL,
                     f"{PREFIX} CRITICAL - job Failed 1h 0m ago: {chr(0x20ac) * 14}... {perf}",
                     hi=OK_FAST)
    m.t.ok("\ufffd" not in out and f"failure message: {chr(0x20ac) * 100}" in out.splitlines(),
           "UTF-8 failureMessage: no character split, whole in the long output", repr(out))

    long_message = ("Access denied to s3://bucket/" + "very-long-path/" * 7000)[:100000]
    out, _ = m.check("failureMessage 100 KB long",
                     failed(long_message), e.CRITICAL,
                     f"{PREFIX} CRITICAL - job Failed 1h 0m ago: Access denied to "
                     f"s3://bucket/very-long-path/... {perf}", hi=OK_FAST)
    lines = out.splitlines()
    m.t.ok(len(out.encode()) < 4096 and e.perfdata(out).get("age") is not None
           and e.perfdata(out).get("time") is not None
           and any(line.startswith("failure message: Access denied") and line.endswith("...")
                   for line in lines),
           "100 KB failureMessage: output < 4096 bytes, perfdata on line 1, message cut with ...",
           f"{len(out.encode())} bytes")


# --------------------------------------------------------------------------
# Credentials: STS, IMDS, credential_process
# --------------------------------------------------------------------------


def credential_faults(m):
    fx, sts = m.fx, m.sts
    fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=whole_seconds_ago(3600)))
    sts_env = {"AWS_ENDPOINT_URL_STS": sts.url}

    got = m.run(["--role-arn", ROLE_NOBODY], env=sts_env)
    m.check("STS AccessDenied (--role-arn)", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - assume role {ROLE_NOBODY}: AccessDenied: User: "
            f"arn:aws:iam::123456789012:user/{e.TEST_ACCESS_KEY} is not authorized to perform: "
            f"sts:AssumeRole on resource: {ROLE_NOBODY} (HTTP 403)", requests=0)
    m.t.is_(len(sts.requests), 1, "STS AccessDenied: not retried")

    sts.delay = 30
    try:
        got = m.run(["--role-arn", ROLE, "-t", T], env=sts_env)
    finally:
        sts.delay = 0
    m.check(f"STS never answers (-t {T})", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - timeout after {T} s while assuming a role with STS", T, T + 1.5,
            requests=0)

    sts.fail_next("ServiceUnavailable", "Service Unavailable", 503)
    got = m.run(["--role-arn", ROLE], env=sts_env, verbose="-vvv")
    m.check("STS 503 then success (-vvv)", got, e.OK, ok_line("1h 0m", 3600), hi=ONE_RETRY,
            requests=1)
    m.t.is_([r.code for r in sts.requests], ["ServiceUnavailable", None],
            "STS 503 then success: two STS requests, the second succeeds")
    m.t.is_(fx.mock.last_request.access_key if fx.mock.last_request else None,
            sts.roles[ROLE]["access_key"], "STS 503 then success: the role's credentials sign")

    sts.enqueue_disconnect()
    got = m.run(["--role-arn", ROLE], env=sts_env)
    m.check("STS closes without an answer then success", got, e.OK, ok_line("1h 0m", 3600),
            hi=ONE_RETRY, requests=1)
    m.t.is_(len(sts.requests), 2, "STS closed connection: retried once")

    sts.enqueue(200, "<x>" + "y" * (2 * 1024 * 1024) + "</x>", {"Content-Type": "text/xml"})
    got = m.run(["--role-arn", ROLE], env=sts_env)
    m.check("STS answer over the 1 MiB cap", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - assume role {ROLE}: answer larger than 1048576 bytes",
            requests=0)

    sts.enqueue(200, "<html><body>Service Temporarily Unavailable</body></html>",
                {"Content-Type": "text/html"})
    got = m.run(["--role-arn", ROLE], env=sts_env)
    m.check("STS 200 with an HTML page", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - assume role {ROLE}: invalid answer from STS: no "
            "AssumeRoleResult in the answer (root element html)", requests=0)

    sts.enqueue(200, "not xml at all <", {"Content-Type": "text/xml"})
    got = m.run(["--role-arn", ROLE], env=sts_env)
    m.check("STS 200 that is not XML", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - assume role {ROLE}: invalid answer from STS: answer is not "
            "XML: syntax error (line 1, column 1)", requests=0)

    no_creds = (f"{PREFIX} UNKNOWN - no AWS credentials found (looked in: environment, web "
                f"identity, {m.no_files['AWS_SHARED_CREDENTIALS_FILE']} [default], "
                f"{m.no_files['AWS_CONFIG_FILE']} [default], container credentials, EC2 instance "
                "metadata)")
    with mock_metadata.MockIMDS() as imds:
        imds.hang = True
        imds_env = {"AWS_EC2_METADATA_DISABLED": None,
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url}
        got = m.run(env=imds_env, keys=False)
        m.check("IMDS hangs, no other credentials", got, e.UNKNOWN, no_creds, 0.9, 2.5,
                requests=0)
        if e.UNDER_VALGRIND:
            skip_scenario(m, "IMDS hangs with -t 1", "a 1 s limit is too short under valgrind")
        else:
            got = m.run(["-t", 1], env=imds_env, keys=False)
            m.check("IMDS hangs with -t 1", got, e.UNKNOWN,
                    f"{PREFIX} UNKNOWN - timeout after 1 s while querying the EC2 instance "
                    "metadata service", 1, 2.5, requests=0)
    with IMDSCredentials500() as imds:
        imds_env = {"AWS_EC2_METADATA_DISABLED": None,
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url}
        got = m.run(env=imds_env, keys=False)
        m.check("IMDS 500 on the credentials", got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - instance metadata: HTTP 500 for the credentials of role "
                "mock-instance-role", requests=0)

    with mock_metadata.MockContainerCreds(token="Bearer pod-token") as container:
        container_env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": container.full_uri,
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer pod-token"}
        container.hang = True
        got = m.run(env=container_env, keys=False)
        m.check("container credentials endpoint hangs", got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - container credentials endpoint "
                f"{container.full_uri}: no answer within 2000 ms", 2.0, 3.5, requests=0)
        if e.UNDER_VALGRIND:
            skip_scenario(m, "container credentials endpoint hangs with -t 1",
                          "a 1 s limit is too short under valgrind")
        else:
            got = m.run(["-t", 1], env=container_env, keys=False)
            m.check("container credentials endpoint hangs with -t 1", got, e.UNKNOWN,
                    f"{PREFIX} UNKNOWN - timeout after 1 s while querying the container "
                    "credentials endpoint", 1, 2.5,
                    requests=0)
        container.hang = False
        container.status = 500
        got = m.run(env=container_env, keys=False)
        m.check("container credentials endpoint 500", got, e.UNKNOWN,
                f"{PREFIX} UNKNOWN - container credentials endpoint answered HTTP 500", requests=0)

    pidfile = os.path.join(m.tmpdir, "helper.pid")
    helper = os.path.join(m.tmpdir, "hanging-helper.sh")
    with open(helper, "w") as f:
        f.write(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 30\n")
    os.chmod(helper, 0o755)
    config = os.path.join(m.tmpdir, "config-credproc")
    with open(config, "w") as f:
        f.write(f"[default]\ncredential_process = {helper}\n")
    got = m.run(["-t", T], env={"AWS_CONFIG_FILE": config}, keys=False)
    m.check(f"credential_process hangs past -t {T}", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - timeout after {T} s while running credential_process",
            T, T + 1.5, requests=0)
    pid = None
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        pass
    time.sleep(0.2)
    m.t.ok(pid is not None and not pid_alive(pid), "credential_process hang: the helper was killed",
           f"pid {pid}")
    if pid is not None and pid_alive(pid):
        os.kill(pid, signal.SIGKILL)

    os.unlink(pidfile)
    got = m.run_and_signal(signal.SIGTERM, env={"AWS_CONFIG_FILE": config}, keys=False,
                           ready=lambda: os.path.exists(pidfile) and os.path.getsize(pidfile))
    m.check("SIGTERM while credential_process runs", got, e.UNKNOWN,
            f"{PREFIX} UNKNOWN - interrupted", hi=3.0, requests=0)
    m.t.timing(got[4] < 0.5, "SIGTERM during credential_process: exits within 0.5 s",
               f"{got[4]:.2f} s")
    pid = None
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        pass
    time.sleep(0.2)
    m.t.ok(pid is not None and not pid_alive(pid),
           "SIGTERM during credential_process: the helper was killed", f"pid {pid}")
    if pid is not None and pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    started = time.monotonic()
    with e.mock_fixture() as fx, mock_sts.MockSTS(fx.pki, {e.TEST_ACCESS_KEY: {
            "secret": e.TEST_SECRET_KEY}}) as sts:
        sts.add_role(ROLE)
        fx.mock.credentials.update(sts.issued_credentials())
        fx.mock.set_table(ARN, mock_aws.job("Successful", last_run=3600))
        m = Matrix(t, fx, sts, fx.tmpdir)
        for part in (net_faults, retry_faults, http_faults, answer_faults,
                     failure_message_faults, credential_faults):
            part(m)
        m.table()
    t.diag(f"{len(m.rows)} scenarios in {time.monotonic() - started:.1f} s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
