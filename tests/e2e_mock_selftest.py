#!/usr/bin/env python3
"""Self-test of tests/mock_aws.py and tests/e2e_lib.py (TAP).

Why: every plugin end-to-end test trusts the mock to accept exactly the
requests AWS would accept.  This file proves that, independently of the
plugin, by signing requests with botocore itself and checking the mock's
verdicts, scripting, CONNECT proxy, demo mode and the harness helpers.
"""

import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import botocore  # noqa: F401
except ImportError:
    print("1..0 # SKIP botocore not importable", flush=True)
    sys.exit(0)

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

import e2e_lib  # noqa: E402
import mock_aws  # noqa: E402
from e2e_lib import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KEY, SECRET = e2e_lib.TEST_ACCESS_KEY, e2e_lib.TEST_SECRET_KEY
TOKEN_KEY, TOKEN_SECRET, TOKEN = "ASIATEMP", "tempSecret/0123", "FQoGZXIvYXdzEFAKE//token+="
REGION = "us-west-2"
ARN = "arn:aws:s3tables:us-west-2:111122223333:bucket/b/table/t1"
AWS_HOST = "s3tables.us-west-2.amazonaws.com"
OP = mock_aws.OPERATION_PATH
CORAL = "http://internal.amazon.com/coral/com.amazon.coral.service/"


# --------------------------------------------------------------------------
# A tiny botocore-signed HTTPS client
# --------------------------------------------------------------------------


def op_target(arn=ARN):
    """Path and query of a GetTableRecordExpirationJobStatus call."""
    return f"{OP}?tableArn={quote(arn, safe='')}"


def sign(host, target, key=KEY, secret=SECRET, token=None, region=REGION,
         service="s3tables", when=None, params=None):
    """Headers botocore would send; when= pins the signing clock."""
    creds = Credentials(key, secret, token)
    signer = (SigV4Auth(creds, service, region) if when is None
              else mock_aws.PinnedClockSigV4Auth(creds, service, region, when))
    request = AWSRequest("GET", f"https://{host}{target}", params=params)
    request.headers["Host"] = host
    signer.add_auth(request)
    return dict(request.headers.items())


class Response:
    """status, lower-cased headers, body bytes, and helpers."""

    def __init__(self, resp):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.body = resp.read()

    @property
    def error_type(self):
        return self.headers.get("x-amzn-errortype", "").split(":")[0] or None

    def json(self):
        return json.loads(self.body)


def send(port, ca, target, headers, tunnel=None, timeout=5):
    """GET target over TLS (optionally CONNECT-tunnelled via port)."""
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=ctx)
    if tunnel:
        conn.set_tunnel(tunnel, 443)
    try:
        conn.request("GET", target, headers=headers)
        return Response(conn.getresponse())
    finally:
        conn.close()


class Client:
    """Signs with botocore and talks to one mock."""

    def __init__(self, mock, ca):
        self.mock, self.ca = mock, ca
        self.host = f"127.0.0.1:{mock.port}"

    def get(self, target=None, headers=None, **sign_args):
        target = target or op_target()
        if headers is None:
            headers = sign(self.host, target, **sign_args)
        return send(self.mock.port, self.ca, target, headers)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def check_model_errors(t):
    """ERROR_STATUS must agree with the service model for the operation."""
    shared = os.environ.get("S3TABLES_SHARED_DIR") or os.path.join(HERE, "..", "..", "shared")
    path = os.path.join(shared, "aws-model", "service-2.json")
    if not os.path.exists(path):
        t.skip("error statuses match service-2.json", "model not found")
        return
    with open(path) as f:
        model = json.load(f)
    errors = model["operations"]["GetTableRecordExpirationJobStatus"]["errors"]
    want = {e["shape"]: model["shapes"][e["shape"]]["error"]["httpStatusCode"] for e in errors}
    got = {name: mock_aws.ERROR_STATUS.get(name) for name in want}
    t.is_(got, want, "ERROR_STATUS matches service-2.json for every operation error")


def check_job_helper(t):
    body = mock_aws.job("Successful", last_run=dt.datetime(2024, 3, 1, 12, 30, 5, 123456),
                        records=5, bytes_=0)
    t.is_(body, {"status": "Successful", "lastRunTimestamp": "2024-03-01T12:30:05.123Z",
                 "metrics": {"deletedRecords": 5, "removedFilesSize": 0}},
          "job(): datetime timestamp, only the given metrics")
    body = mock_aws.job("Failed", last_run=3600, failure="boom")
    stamp = dt.datetime.strptime(body["lastRunTimestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    age = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - stamp
    t.ok(abs(age.total_seconds() - 3600) < 5 and "metrics" not in body
         and body["failureMessage"] == "boom", "job(): seconds-ago, failure, no metrics",
         repr(body))
    t.like(mock_aws.job("Disabled", last_run=1.5)["lastRunTimestamp"],
           r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", "job(): float seconds-ago format")


def check_pki(t, pki):
    t.ok(all(os.path.exists(pki[k]) for k in
             ("ca_cert", "server_cert", "server_key", "other_ca_cert")),
         "make_pki wrote CA, server cert/key and a second CA")
    out = subprocess.run(["/usr/bin/openssl", "x509", "-in", pki.server_cert, "-noout",
                          "-ext", "subjectAltName"], capture_output=True, text=True).stdout
    t.ok(all(s in out for s in ("DNS:localhost", "IP Address:127.0.0.1", f"DNS:{AWS_HOST}",
                                "DNS:s3tables.cn-north-1.amazonaws.com.cn")),
         "server certificate SANs: localhost, 127.0.0.1 and the given hostnames", out)


def check_good_requests(t, c):
    mock = c.mock
    mock.set_table(ARN, mock_aws.job("Successful", last_run=60, records=1))
    r = c.get()
    t.is_(r.status, 200, "correct signature -> 200")
    t.is_(r.json()["status"], "Successful", "200 carries the table's body")
    t.is_(r.headers.get("content-type"), "application/json", "200 is application/json")
    rec = mock.last_request
    t.ok(rec.verified and rec.reason is None and rec.region == REGION
         and rec.table_arn == ARN and rec.host == c.host and rec.access_key == KEY,
         "request recorded: verified, region, decoded ARN, Host, key", repr(rec))
    pinned = sign(c.host, op_target(), when=dt.datetime.now(dt.timezone.utc))
    t.is_(c.get(headers=pinned).status, 200, "PinnedClockSigV4Auth at now -> 200")
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    t.is_(sign(c.host, op_target(), when=when)["X-Amz-Date"], "20240102T030405Z",
          "PinnedClockSigV4Auth really signs at the pinned time")
    raw = f"{OP}?tableArn={ARN}"  # ':' and '/' left unencoded on the wire
    headers = sign(c.host, OP, params={"tableArn": ARN})
    t.is_(c.get(raw, headers=headers).status, 200,
          "query canonicalised like AWS (decoded, re-encoded): unencoded ARN verifies")


def check_auth_errors(t, c):
    mock = c.mock
    r = c.get(secret="wrong")
    t.ok(r.status == 403 and r.error_type == "InvalidSignatureException"
         and r.json()["message"] == mock_aws.MSG_BAD_SIGNATURE,
         "wrong secret -> 403 InvalidSignatureException, AWS message", r.body)
    t.is_(r.headers.get("x-amzn-errortype"), f"InvalidSignatureException:{CORAL}",
          "x-amzn-ErrorType has the coral namespace")
    t.ok(not mock.last_request.verified and mock.last_request.canonical_request,
         "rejected request recorded unverified, with botocore's canonical request")
    r = c.get(key="AKIDUNKNOWN")
    t.ok(r.status == 403 and r.error_type == "UnrecognizedClientException"
         and r.json()["message"] == mock_aws.MSG_INVALID_TOKEN,
         "unknown access key -> 403 UnrecognizedClientException", r.body)
    r = c.get(key=TOKEN_KEY, secret=TOKEN_SECRET, token=TOKEN)
    t.is_(r.status, 200, "temporary credentials with the right token -> 200")
    r = c.get(key=TOKEN_KEY, secret=TOKEN_SECRET)
    t.ok(r.status == 403 and r.error_type == "UnrecognizedClientException",
         "missing session token when expected -> 403 UnrecognizedClientException", r.body)
    r = c.get(key=TOKEN_KEY, secret=TOKEN_SECRET, token="other")
    t.is_((r.status, r.error_type), (403, "UnrecognizedClientException"),
          "wrong session token -> 403")
    r = c.get(token="unexpected")
    t.is_((r.status, r.error_type), (403, "UnrecognizedClientException"),
          "session token with long-term credentials -> 403")
    now = dt.datetime.now(dt.timezone.utc)
    r = c.get(when=now - dt.timedelta(minutes=20))
    t.ok(r.status == 403 and r.error_type == "InvalidSignatureException"
         and r.json()["message"].startswith("Signature expired: "),
         "signed 20 min ago -> 403 Signature expired", r.body)
    r = c.get(when=now + dt.timedelta(minutes=20))
    t.like(r.json().get("message"), r"^Signature not yet current: ",
           "signed 20 min ahead -> 403 Signature not yet current")
    t.is_(c.get(when=now - dt.timedelta(minutes=14)).status, 200,
          "signed 14 min ago -> still accepted")
    r = c.get(service="s3")
    t.is_((r.status, r.error_type), (403, "InvalidSignatureException"),
          "scope with the wrong service -> 403")
    headers = sign(c.host, op_target())
    del headers["Authorization"]
    r = c.get(headers=headers)
    t.ok(r.status == 403 and r.error_type == "MissingAuthenticationTokenException",
         "no Authorization -> 403 MissingAuthenticationTokenException", r.body)
    headers = sign(c.host, op_target())
    headers["Authorization"] = re.sub(r", Signature=\w+", "", headers["Authorization"])
    r = c.get(headers=headers)
    t.is_((r.status, r.error_type), (403, "IncompleteSignatureException"),
          "Authorization without Signature -> 403 IncompleteSignatureException")
    headers = sign(c.host, op_target())
    r = c.get(op_target(ARN + "x"), headers=headers)
    t.is_((r.status, r.error_type), (403, "InvalidSignatureException"),
          "query changed after signing -> 403 (query is covered)")


def check_region(t, c):
    c.mock.expected_region = REGION
    r = c.get(region="eu-west-1")
    t.ok(r.status == 403 and r.error_type == "InvalidSignatureException"
         and "Credential should be scoped to a valid region" in r.json()["message"],
         "expected_region set, scope names another -> 403", r.body)
    t.is_(c.get().status, 200, "expected_region set, scope matches -> 200")
    c.mock.expected_region = None
    t.is_(c.get(region="eu-west-1").status, 200, "expected_region unset -> any region")


def check_routing(t, c):
    r = c.get(op_target("arn:aws:s3tables:us-west-2:111122223333:bucket/b/table/nope"))
    t.ok(r.status == 404 and r.error_type == "NotFoundException"
         and r.json() == {"message": mock_aws.MSG_NO_TABLE},
         "unknown table -> 404 NotFoundException", r.body)
    r = c.get(OP)
    t.is_((r.status, r.error_type), (400, "BadRequestException"), "no tableArn -> 400")
    r = c.get("/other?tableArn=x")
    t.is_((r.status, r.error_type), (404, "UnknownOperationException"),
          "other path -> 404 UnknownOperationException")


def check_scripting(t, c):
    mock = c.mock
    mock.set_table(ARN, mock_aws.job("Successful"))
    mock.enqueue_error("InternalServerErrorException", "boom")
    mock.enqueue(429, {"message": "slow down"},
                 mock_aws.error_headers("TooManyRequestsException"))
    mock.enqueue(200, "first", {"Content-Type": "text/plain"})
    got = [(r.status, r.error_type, r.body) for r in (c.get() for _ in range(4))]
    t.is_(got, [(500, "InternalServerErrorException", b'{"message":"boom"}'),
                (429, "TooManyRequestsException", b'{"message":"slow down"}'),
                (200, None, b"first"),
                (200, None, b'{"status":"Successful"}')],
          "enqueued answers come first, in order, then the table's")
    t.is_(mock.queued, 0, "queue is empty afterwards")
    mock.set_table(ARN, '{"status": "Successful", ')
    r = c.get()
    t.is_((r.status, r.body), (200, b'{"status": "Successful", '),
          "set_table with a str sends it verbatim (invalid JSON)")
    mock.set_table_error(ARN, "ForbiddenException", "no")
    t.is_(c.get().error_type, "ForbiddenException", "set_table_error")
    mock.set_table(ARN, mock_aws.job("Successful"))
    mock.enqueue_disconnect()
    try:
        c.get()
        dropped = False
    except (http.client.HTTPException, OSError):
        dropped = True
    t.ok(dropped and c.get().status == 200, "enqueue_disconnect drops one connection")


def raw_get(c, timeout=2):
    """A signed GET over TLS on a bare socket: (bytes received, the exception
    that ended the read, or None at a clean TCP EOF). TLS runs over memory
    BIOs so socket errors surface as they are (the ssl module reports a
    reset like an EOF), and nothing refuses the faults http.client would
    (a 70 kB header line)."""
    target = op_target()
    headers = sign(c.host, target)
    headers["Connection"] = "close"
    request = f"GET {target} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context(cafile=c.ca).wrap_bio(incoming, outgoing,
                                                            server_hostname="127.0.0.1")
    data, error = b"", None
    with socket.create_connection(("127.0.0.1", c.mock.port), timeout=timeout) as sock:

        def flush():
            pending = outgoing.read()
            if pending:
                sock.sendall(pending)

        def fill():
            chunk = sock.recv(65536)
            if chunk:
                incoming.write(chunk)
            else:
                incoming.write_eof()
            return bool(chunk)

        try:
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    flush()
                    fill()
            tls.write(request.encode())
            flush()
            while True:
                try:
                    chunk = tls.read(65536)
                except ssl.SSLWantReadError:
                    if not fill():
                        break  # TCP EOF (the mock sends no close_notify)
                    continue
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                    break
                if not chunk:
                    break
                data += chunk
        except OSError as exc:  # socket.timeout, ConnectionResetError...
            error = exc
    return data, error


def check_faults(t, c):
    """The one-shot faults the plugin's fault-matrix test (e2e_faults.py) uses."""
    mock = c.mock
    mock.set_table(ARN, mock_aws.job("Successful"))

    mock.enqueue_stall(200, '{"status": "Succ', 1000, 30)
    started = time.monotonic()
    data, error = raw_get(c, timeout=0.5)
    head, _, body = data.partition(b"\r\n\r\n")
    t.ok(head.startswith(b"HTTP/1.1 200 ") and b"\r\nContent-Length: 1000" in head
         and body == b'{"status": "Succ' and isinstance(error, (socket.timeout, TimeoutError))
         and time.monotonic() - started < 1.5,
         "enqueue_stall: status, headers announcing 1000 bytes, the prefix, then silence",
         repr((data, error)))

    mock.enqueue_stall(200, "abc", 10, 0.2)
    data, error = raw_get(c)
    t.ok(data.endswith(b"\r\n\r\nabc") and error is None,
         "enqueue_stall: the connection closes when the stall ends", repr((data, error)))

    mock.enqueue(200, mock_aws.job("Successful"), headers={"X-Big": "a" * 70000})
    data, error = raw_get(c)
    t.ok(b"\r\nX-Big: " + b"a" * 70000 + b"\r\n" in data and data.endswith(b'"Successful"}'),
         "enqueue with a 70000-byte header sends it whole", repr((len(data), error)))

    mock.enqueue_reset()
    data, error = raw_get(c)
    t.ok(data == b"" and isinstance(error, ConnectionResetError),
         "enqueue_reset: no answer, connection reset (RST)", repr((data, error)))
    t.is_(mock.last_request.reason, "scripted reset", "enqueue_reset: recorded")
    mock.enqueue_disconnect()
    data, error = raw_get(c)
    t.ok(data == b"" and not isinstance(error, ConnectionResetError),
         "enqueue_disconnect: no answer, a clean close (not a reset)", repr((data, error)))

    mock.enqueue(200, b"x" * 200000, chunked=True)
    r = c.get()
    t.ok(r.status == 200 and r.headers.get("transfer-encoding") == "chunked"
         and "content-length" not in r.headers and r.body == b"x" * 200000,
         "enqueue(chunked=True): chunked body arrives whole", repr(r.headers))
    mock.enqueue(200, "close-delimited", content_length=mock_aws.CLOSE_DELIMITED)
    data, error = raw_get(c)
    head, _, body = data.partition(b"\r\n\r\n")
    t.ok(b"Content-Length" not in head and b"Transfer-Encoding" not in head
         and body == b"close-delimited" and error is None,
         "enqueue(content_length=CLOSE_DELIMITED): no length, the close ends the body",
         repr((data, error)))

    raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\":"
    mock.enqueue_raw(raw)
    data, error = raw_get(c)
    t.ok(data == raw and error is None, "enqueue_raw: bytes sent verbatim, then closed",
         repr((data, error)))

    mock.enqueue_redirect("https://127.0.0.1:1/elsewhere")
    r = c.get()
    t.ok(r.status == 301 and r.headers.get("location") == "https://127.0.0.1:1/elsewhere",
         "enqueue_redirect: 301 with Location", repr((r.status, r.headers)))
    r = c.get()
    t.is_((r.status, mock.queued), (200, 0), "faults are one-shot: the table answers next")


def check_harness_prefix(t):
    """run_plugin(prefix=...) runs the plugin under a wrapper command."""
    saved = os.environ.get("PLUGIN")
    os.environ["PLUGIN"] = "/bin/echo"
    try:
        code, out, _, _ = e2e_lib.run_plugin(["a b", 1], prefix=["/usr/bin/env", "X=1"])
        missing = e2e_lib.run_plugin([], prefix=["/nonexistent/wrapper"])
        plain = e2e_lib.run_plugin(["c"])
    finally:
        if saved is None:
            os.environ.pop("PLUGIN", None)
        else:
            os.environ["PLUGIN"] = saved
    t.is_((code, out), (0, "a b 1\n"), "run_plugin prefix: wrapper runs the plugin with its args")
    t.is_(missing[0], 127, "run_plugin prefix: a wrapper that cannot start -> 127")
    t.is_(plain[:2], (0, "c\n"), "run_plugin without prefix: unchanged")


def check_delay(t, c):
    mock = c.mock
    mock.delay = 3
    started = time.monotonic()
    try:
        send(mock.port, c.ca, op_target(), sign(c.host, op_target()), timeout=0.3)
        timed_out = False
    except (socket.timeout, TimeoutError):
        timed_out = True
    mock.delay = 0
    t.ok(timed_out and time.monotonic() - started < 1.5, "delay makes a client time out")


def check_untrusted_ca(t, c, pki):
    try:
        send(c.mock.port, pki.other_ca_cert, op_target(), {})
        rejected = False
    except ssl.SSLCertVerificationError:
        rejected = True
    time.sleep(0.05)
    t.ok(rejected and c.mock.tls_errors, "client trusting the other CA rejects the mock",
         repr(c.mock.tls_errors))


def check_proxy(t, c):
    with mock_aws.ConnectProxy(c.mock.port) as proxy:
        headers = sign(AWS_HOST, op_target())
        r = send(proxy.port, c.ca, op_target(), headers, tunnel=AWS_HOST)
        t.is_(r.status, 200, "CONNECT tunnel reaches the mock, SigV4 over the AWS host")
        t.is_(proxy.connects, [f"{AWS_HOST}:443"], "proxy recorded the requested host:port")
        rec = c.mock.last_request
        t.is_((rec.host, rec.sni), (AWS_HOST, AWS_HOST), "mock saw the AWS Host and SNI")
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
        conn.request("GET", f"http://{AWS_HOST}/")
        status = conn.getresponse().status
        conn.close()
        t.is_(status, 405, "non-CONNECT request to the proxy -> 405")


def check_stop_is_prompt(t, pki):
    mock = mock_aws.MockS3Tables(pki, {KEY: {"secret": SECRET}}).start()
    mock.delay = 30
    host = f"127.0.0.1:{mock.port}"
    ctx = ssl.create_default_context(cafile=pki.ca_cert)
    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, timeout=5, context=ctx)
    conn.request("GET", op_target(), headers=sign(host, op_target()))
    time.sleep(0.1)
    started = time.monotonic()
    mock.stop()
    elapsed = time.monotonic() - started
    conn.close()
    t.ok(elapsed < 2, f"stop() is prompt with a request in flight ({elapsed:.2f}s)")


def wait_for(path, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def check_demo(t, tmp):
    state = os.path.join(tmp, "demo")
    err_path = os.path.join(tmp, "demo.err")
    with open(err_path, "w") as err, open(os.path.join(tmp, "demo.out"), "w") as out:
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "mock_aws.py"),
                                 "--demo", "--state-dir", state],
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        up = wait_for(os.path.join(state, "url"), 8)
        t.ok(up and os.path.exists(os.path.join(state, "ca.pem")), "demo wrote url and ca.pem")
        if not up:
            return
        with open(os.path.join(state, "url")) as f:
            url = f.read().strip()
        port = int(url.rsplit(":", 1)[1])
        t.like(url, r"^https://127\.0\.0\.1:\d+$", "demo url is https://127.0.0.1:PORT")
        bodies = {}
        for arn in (mock_aws.DEMO_HEALTHY_ARN, mock_aws.DEMO_FAILING_ARN):
            headers = sign(f"127.0.0.1:{port}", op_target(arn), key=mock_aws.DEMO_ACCESS_KEY,
                           secret=mock_aws.DEMO_SECRET_KEY, region="us-east-1")
            r = send(port, os.path.join(state, "ca.pem"), op_target(arn), headers)
            bodies[arn] = r.json() if r.status == 200 else r.status
        healthy = bodies[mock_aws.DEMO_HEALTHY_ARN]
        t.ok(isinstance(healthy, dict) and healthy["status"] == "Successful"
             and healthy["metrics"] == {"deletedRecords": 1234, "deletedDataFiles": 12,
                                        "removedFilesSize": 4404019}
             and abs(age_of(healthy["lastRunTimestamp"]) - (5 * 3600 + 180)) < 60,
             "demo healthy table: Successful, 5h03m ago, metrics", repr(healthy))
        failing = bodies[mock_aws.DEMO_FAILING_ARN]
        t.ok(isinstance(failing, dict) and failing["status"] == "Failed"
             and failing["failureMessage"] == mock_aws.DEMO_FAILURE
             and "metrics" not in failing
             and abs(age_of(failing["lastRunTimestamp"]) - 7200) < 60,
             "demo failing table: Failed, 2h ago, message, no metrics", repr(failing))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    t.is_(code, 0, "demo exits 0 on SIGTERM")
    with open(err_path) as f:
        t.is_(f.read(), "", "demo is quiet on stderr")


def age_of(stamp):
    when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return (dt.datetime.now(dt.timezone.utc) - when).total_seconds()


def check_harness(t):
    """e2e_lib helpers the plugin tests rely on."""
    pd = e2e_lib.perfdata("OK - fine | 'age of job'=18180s;86400;172800;0; "
                          "records=1234;;;0 'it''s'=5 bytes=4404019B;;;; x=U\nmore | y=1")
    t.is_(pd, {"age of job": (18180.0, "s", "86400", "172800", 0.0, None),
               "records": (1234.0, "", None, None, 0.0, None),
               "it's": (5.0, "", None, None, None, None),
               "bytes": (4404019.0, "B", None, None, None, None),
               "x": ("U", "", None, None, None, None)},
          "perfdata parser: quoted labels, uom, thresholds, min/max")
    t.is_(e2e_lib.first_line("A\nB\n"), "A", "first_line")
    saved = {k: os.environ.get(k) for k in ("PLUGIN", "AWS_ACCESS_KEY_ID", "https_proxy")}
    os.environ.update(PLUGIN="/usr/bin/env", AWS_ACCESS_KEY_ID="leak",
                      https_proxy="http://leak")
    try:
        code, out, _, elapsed = e2e_lib.run_plugin([], env={"EXTRA": "1"})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    names = sorted(line.split("=", 1)[0] for line in out.splitlines()
                   if not line.startswith(e2e_lib._PASSED_THROUGH))  # sanitizer settings
    t.is_((code, names), (0, ["AWS_EC2_METADATA_DISABLED", "EXTRA", "HOME", "LC_ALL", "PATH"]),
          "run_plugin: clean environment (PATH, LC_ALL, HOME, IMDS off + given)")


def check_fixture(t):
    with e2e_lib.mock_fixture() as fx:
        t.ok(fx.env == {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
             and fx.args == ["--endpoint-url", fx.mock.url, "--ca-file", fx.pki.ca_cert],
             "fixture env and args", repr((fx.env, fx.args)))
        fx.mock.set_table(ARN, mock_aws.job("NotYetRun"))
        r = Client(fx.mock, fx.pki.ca_cert).get()
        t.is_((r.status, r.body), (200, b'{"status":"NotYetRun"}'), "fixture mock answers")
        proxy_env = fx.start_proxy()
        t.is_(proxy_env["https_proxy"], fx.proxy.url, "fixture proxy env")
        tmpdir = fx.tmpdir
    t.ok(not os.path.exists(tmpdir), "fixture cleans up its directory")


def main():
    t = Tap()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mock-selftest-") as tmp:
        pki = mock_aws.make_pki(os.path.join(tmp, "pki"),
                                [AWS_HOST, "s3tables.cn-north-1.amazonaws.com.cn"])
        check_model_errors(t)
        check_job_helper(t)
        check_pki(t, pki)
        creds = {KEY: {"secret": SECRET},
                 TOKEN_KEY: {"secret": TOKEN_SECRET, "token": TOKEN}}
        with mock_aws.MockS3Tables(pki, creds) as mock:
            c = Client(mock, pki.ca_cert)
            check_good_requests(t, c)
            check_auth_errors(t, c)
            check_region(t, c)
            check_routing(t, c)
            check_scripting(t, c)
            check_faults(t, c)
            check_delay(t, c)
            check_untrusted_ca(t, c, pki)
            check_proxy(t, c)
        check_stop_is_prompt(t, pki)
        check_demo(t, tmp)
        check_harness(t)
        check_harness_prefix(t)
        check_fixture(t)
    t.diag(f"elapsed {time.monotonic() - started:.2f}s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
