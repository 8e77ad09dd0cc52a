#!/usr/bin/env python3
"""Self-test of tests/mock/mock_aws.py and tests/e2e/e2e_lib.py (TAP).

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
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

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
BUCKET = "arn:aws:s3tables:us-west-2:111122223333:bucket/selftest-bucket"
OTHER_BUCKET = "arn:aws:s3tables:us-west-2:111122223333:bucket/other-bucket"


# --------------------------------------------------------------------------
# A tiny botocore-signed HTTPS client
# --------------------------------------------------------------------------


def op_target(arn=ARN):
    """Path and query of a GetTableRecordExpirationJobStatus call."""
    return f"{OP}?tableArn={quote(arn, safe='')}"


def query_target(path, **params):
    """path plus the params, RFC 3986-encoded as the plugin sends them."""
    return path + (f"?{urlencode(params, quote_via=quote)}" if params else "")


def tables_target(bucket, **params):
    """Path and query of a ListTables call: the bucket ARN is one URI label."""
    return query_target(mock_aws.LIST_TABLES_PATH + quote(bucket, safe=""), **params)


def config_target(arn):
    return query_target(mock_aws.CONFIG_PATH, tableArn=arn)


class SinglyEncodedPathSigV4Auth(SigV4Auth):
    """A WRONG signer for s3tables: it signs the path as sent ('%3A'), as
    S3 does, instead of encoding it once more ('%253A') as SigV4 demands
    for every other service."""

    def _normalize_url_path(self, path):
        return path


def sign(host, target, key=KEY, secret=SECRET, token=None, region=REGION,
         service="s3tables", when=None, params=None, signer_class=SigV4Auth):
    """Headers botocore would send; when= pins the signing clock."""
    creds = Credentials(key, secret, token)
    signer = (signer_class(creds, service, region) if when is None
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
    shared = os.environ.get("S3TABLES_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared")
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


def check_model_operations(t):
    """ERROR_STATUS knows every error of the four operations the mock serves."""
    shared = os.environ.get("S3TABLES_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared")
    path = os.path.join(shared, "aws-model", "service-2.json")
    if not os.path.exists(path):
        t.skip("error statuses of all served operations match service-2.json",
               "model not found")
        return
    with open(path) as f:
        model = json.load(f)
    want, paths = {}, {}
    for op in mock_aws.OPERATIONS:
        spec = model["operations"][op]
        paths[op] = spec["http"]["requestUri"]
        for e in spec["errors"]:
            want[e["shape"]] = model["shapes"][e["shape"]]["error"]["httpStatusCode"]
    got = {name: mock_aws.ERROR_STATUS.get(name) for name in want}
    t.is_(got, want, "ERROR_STATUS matches service-2.json for all served operations")
    t.is_(paths, {mock_aws.OP_JOB_STATUS: mock_aws.OPERATION_PATH,
                  mock_aws.OP_CONFIG: mock_aws.CONFIG_PATH,
                  mock_aws.OP_GET_TABLE: mock_aws.GET_TABLE_PATH,
                  mock_aws.OP_LIST_TABLES: mock_aws.LIST_TABLES_PATH + "{tableBucketARN}"},
          "served request URIs match service-2.json")


def check_get_table(t, c):
    mock = c.mock
    created = dt.datetime(2024, 5, 6, 7, 8, 9, 10000, tzinfo=dt.timezone.utc)
    arn = mock.add_table(BUCKET, "sales", "orders",
                         job=mock_aws.job("Successful", last_run=60, records=3),
                         config=mock_aws.expiration_config("enabled", 30), created_at=created)
    t.like(arn, "^" + re.escape(BUCKET) + r"/table/[a-z0-9-]{8,}$",
           "add_table returns bucket/table/<generated id>")
    target = query_target(mock_aws.GET_TABLE_PATH, tableBucketARN=BUCKET,
                          namespace="sales", name="orders")
    r = c.get(target)
    body = r.json() if r.status == 200 else {}
    table_id = arn.rsplit("/", 1)[1]
    t.is_(r.status, 200, "GetTable by bucket, namespace and name -> 200")
    t.is_({k: v for k, v in body.items()
           if k not in ("versionToken", "namespaceId", "tableBucketId")},
          {"name": "orders", "type": "customer", "tableARN": arn, "namespace": ["sales"],
           "warehouseLocation": f"s3://{table_id}--table-s3",
           "createdAt": "2024-05-06T07:08:09.010Z", "createdBy": "111122223333",
           "modifiedAt": "2024-05-06T07:08:09.010Z", "modifiedBy": "111122223333",
           "ownerAccountId": "111122223333", "format": "ICEBERG"},
          "GetTable answers the GetTableResponse shape (namespace is a list)")
    t.ok(all(isinstance(body.get(k), str) and body[k]
             for k in ("versionToken", "namespaceId", "tableBucketId")),
         "GetTable: versionToken, namespaceId and tableBucketId are opaque strings",
         repr(body))
    rec = mock.last_request
    t.is_((rec.operation, rec.table_arn, rec.bucket_arn), ("GetTable", arn, BUCKET),
          "GetTable recorded: operation, table and bucket ARN")
    r = c.get(query_target(mock_aws.GET_TABLE_PATH, tableArn=arn))
    t.is_((r.status, r.json().get("tableARN")), (200, arn), "GetTable by tableArn -> 200")
    r = c.get(query_target(mock_aws.GET_TABLE_PATH, tableBucketARN=BUCKET,
                           namespace="sales", name="refunds"))
    t.ok(r.status == 404 and r.error_type == "NotFoundException"
         and r.json() == {"message": mock_aws.MSG_NO_TABLE},
         "GetTable of an unknown name -> 404 NotFoundException", r.body)
    r = c.get(query_target(mock_aws.GET_TABLE_PATH, tableBucketARN=OTHER_BUCKET,
                           namespace="sales", name="orders"))
    t.is_((r.status, r.error_type), (404, "NotFoundException"),
          "GetTable: same name in another bucket -> 404")
    bad = [("upper-case name", dict(tableBucketARN=BUCKET, namespace="sales", name="Orders")),
           ("256-char name", dict(tableBucketARN=BUCKET, namespace="sales", name="a" * 256)),
           ("empty namespace", dict(tableBucketARN=BUCKET, namespace="", name="orders")),
           ("no name", dict(tableBucketARN=BUCKET, namespace="sales")),
           ("no parameters", {}),
           ("2-char bucket", dict(tableBucketARN=BUCKET.rsplit("/", 1)[0] + "/bb",
                                  namespace="sales", name="orders")),
           ("bad tableArn", dict(tableArn=BUCKET + "/table/a b"))]
    got = {}
    for label, params in bad:
        r = c.get(query_target(mock_aws.GET_TABLE_PATH, **params))
        got[label] = (r.status, r.error_type)
    t.is_(got, {label: (400, "BadRequestException") for label, _ in bad},
          "GetTable with missing or invalid parameters -> 400 BadRequestException")
    r = c.get(query_target(mock_aws.GET_TABLE_PATH, tableBucketARN=BUCKET,
                           namespace="sales", name="Orders"))
    t.like(r.json().get("message"), r"^1 validation error detected: Value 'Orders' at 'name'",
           "GetTable validation message names the member")
    r = c.get(op_target(arn))
    t.is_((r.status, r.json().get("metrics")), (200, {"deletedRecords": 3}),
          "add_table registers the job status answer")
    plain = mock.add_table(BUCKET, "sales", "plain")
    t.is_(c.get(op_target(plain)).json(), {"status": "NotYetRun"},
          "add_table without job -> job status NotYetRun")
    again = mock.add_table(BUCKET, "sales", "plain", table_id="plain-2")
    t.ok(c.get(op_target(plain)).status == 404 and c.get(op_target(again)).status == 200,
         "add_table of an existing name replaces the table")
    mock.remove_table(again)
    r = c.get(query_target(mock_aws.GET_TABLE_PATH, tableArn=again))
    t.is_(r.status, 404, "remove_table removes a registered table from GetTable")
    try:
        mock.add_table(BUCKET, "Sales", "x")
        raised = False
    except ValueError:
        raised = True
    t.ok(raised, "add_table refuses an invalid namespace")


def check_config(t, c):
    mock = c.mock
    enabled = mock.add_table(BUCKET, "cfg", "enabled_table",
                             config=mock_aws.expiration_config("enabled", 30))
    disabled = mock.add_table(BUCKET, "cfg", "disabled_table",
                              config=mock_aws.expiration_config("disabled"))
    none = mock.add_table(BUCKET, "cfg", "none_table", config="none")
    r = c.get(config_target(enabled))
    t.is_((r.status, r.json()),
          (200, {"configuration": {"status": "enabled", "settings": {"days": 30}}}),
          "configuration enabled, 30 days")
    rec = mock.last_request
    t.is_((rec.operation, rec.table_arn), (mock_aws.OP_CONFIG, enabled),
          "configuration request recorded with operation and table ARN")
    r = c.get(config_target(disabled))
    t.is_((r.status, r.json()), (200, {"configuration": {"status": "disabled"}}),
          "configuration disabled")
    r = c.get(config_target(none))
    t.ok(r.status == 404 and r.error_type == "NotFoundException"
         and r.json() == {"message": mock_aws.MSG_NO_CONFIG},
         "configuration none -> 404 NotFoundException, configuration message", r.body)
    r = c.get(config_target(BUCKET + "/table/unknown"))
    t.ok(r.status == 404 and r.json() == {"message": mock_aws.MSG_NO_TABLE},
         "configuration of an unknown table -> 404, table message", r.body)
    mock.set_table(ARN, mock_aws.job("Successful"))
    t.is_(c.get(config_target(ARN)).json(), {"message": mock_aws.MSG_NO_CONFIG},
          "set_table() table without configuration -> configuration none")
    mock.set_config_error(enabled, "ForbiddenException", "no")
    r = c.get(config_target(enabled))
    t.is_((r.status, r.error_type, r.json()), (403, "ForbiddenException", {"message": "no"}),
          "set_config_error")
    mock.set_config(enabled, mock_aws.expiration_config("enabled", 7))
    t.is_(c.get(config_target(enabled)).json()["configuration"]["settings"], {"days": 7},
          "set_config rescripts a table")
    mock.set_config(enabled, None)
    t.is_(c.get(config_target(enabled)).status, 404, "set_config(None) -> configuration none")
    r = c.get(query_target(mock_aws.CONFIG_PATH))
    t.is_((r.status, r.error_type), (400, "BadRequestException"),
          "configuration without tableArn -> 400")
    r = c.get(config_target("arn:aws:s3tables:us-west-2:1:bucket/xyz/table/t"))
    t.is_((r.status, r.error_type), (400, "BadRequestException"),
          "configuration with an invalid tableArn -> 400")


def list_pages(c, bucket, **params):
    """Follow continuationToken: (list of page bodies, failing Response or None)."""
    pages, token = [], None
    while len(pages) < 50:
        query = dict(params, **({"continuationToken": token} if token else {}))
        r = c.get(tables_target(bucket, **query))
        if r.status != 200:
            return pages, r
        pages.append(r.json())
        token = pages[-1].get("continuationToken")
        if not token:
            break
    return pages, None


def names(pages):
    return [(s["namespace"][0], s["name"]) for p in pages for s in p["tables"]]


def check_list_tables(t, c):
    mock = c.mock
    mock.clear_tables()
    created = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    wanted = [("beta", "b2"), ("alpha", "z1"), ("beta", "a1"), ("alpha", "a2"),
              ("alpha", "a1"), ("beta", "log_x"), ("alpha", "log_y")]
    arns = {}
    for namespace, name in wanted:
        arns[(namespace, name)] = mock.add_table(BUCKET, namespace, name, created_at=created)
    mock.add_table(OTHER_BUCKET, "alpha", "elsewhere")
    ordered = sorted(wanted)

    pages, failed = list_pages(c, BUCKET)
    t.ok(failed is None and len(pages) == 1 and "continuationToken" not in pages[0]
         and names(pages) == ordered,
         "ListTables: one page, sorted by namespace then name, no token", repr(pages))
    rec = mock.last_request
    t.is_((rec.operation, rec.bucket_arn), (mock_aws.OP_LIST_TABLES, BUCKET),
          "ListTables recorded: operation and the URL-decoded bucket ARN")
    summary = pages[0]["tables"][0] if pages else {}
    t.is_({k: v for k, v in summary.items() if k not in ("namespaceId", "tableBucketId")},
          {"namespace": ["alpha"], "name": "a1", "type": "customer",
           "tableARN": arns[("alpha", "a1")], "createdAt": "2024-01-01T00:00:00.000Z",
           "modifiedAt": "2024-01-01T00:00:00.000Z"},
          "TableSummary shape (namespace is a list)")
    t.ok(set(summary) == {"namespace", "name", "type", "tableARN", "createdAt",
                          "modifiedAt", "namespaceId", "tableBucketId"},
         "TableSummary carries namespaceId and tableBucketId", repr(summary))

    mock.list_page_size = 3
    pages, failed = list_pages(c, BUCKET)
    t.ok(failed is None and [len(p["tables"]) for p in pages] == [3, 3, 1]
         and names(pages) == ordered,
         "list_page_size 3: three pages that add up to the whole sorted list",
         repr((pages, failed and failed.body)))
    tokens = [p.get("continuationToken") for p in pages]
    t.ok(all(tokens[:-1]) and tokens[-1] is None and len(set(tokens[:-1])) == 2,
         "continuationToken on every page but the last", repr(tokens))
    pages, failed = list_pages(c, BUCKET, maxTables=2)
    t.is_([len(p["tables"]) for p in pages], [2, 2, 2, 1],
          "maxTables smaller than list_page_size wins")
    mock.list_page_size = None
    pages, failed = list_pages(c, BUCKET, maxTables=4)
    t.ok(failed is None and [len(p["tables"]) for p in pages] == [4, 3]
         and names(pages) == ordered, "maxTables 4 -> pages of 4 and 3", repr(pages))

    pages, _ = list_pages(c, BUCKET, namespace="beta")
    t.is_(names(pages), [x for x in ordered if x[0] == "beta"], "namespace filter")
    pages, _ = list_pages(c, BUCKET, prefix="log_")
    t.is_(names(pages), [("alpha", "log_y"), ("beta", "log_x")], "prefix filter")
    pages, _ = list_pages(c, BUCKET, namespace="alpha", prefix="a")
    t.is_(names(pages), [("alpha", "a1"), ("alpha", "a2")], "namespace and prefix filters")
    mock.list_page_size = 1
    pages, _ = list_pages(c, BUCKET, namespace="alpha")
    t.is_((len(pages), names(pages)), (4, [x for x in ordered if x[0] == "alpha"]),
          "filters hold across pages")
    mock.list_page_size = None

    got = {}
    for value in ("0", "1001", "-1", "abc", "1_0"):
        r = c.get(tables_target(BUCKET, maxTables=value))
        got[value] = (r.status, r.error_type)
    t.is_(got, {v: (400, "BadRequestException") for v in got},
          "maxTables out of 1-1000 or not an integer -> 400 BadRequestException")
    t.is_(c.get(tables_target(BUCKET, maxTables="1000")).status, 200, "maxTables 1000 -> 200")
    mock.list_page_size = 2
    first = c.get(tables_target(BUCKET)).json()
    mock.list_page_size = None
    other_token = c.get(tables_target(OTHER_BUCKET)).json()
    got = {}
    for label, token in (("garbage", "not-a-token"), ("base64 of junk", "aGVsbG8="),
                         ("empty", ""),
                         ("another bucket's", first["continuationToken"])):
        bucket = OTHER_BUCKET if label == "another bucket's" else BUCKET
        r = c.get(tables_target(bucket, continuationToken=token))
        got[label] = (r.status, r.error_type)
    t.is_(got, {k: (400, "BadRequestException") for k in got},
          "invalid continuationToken -> 400 BadRequestException")
    t.ok("continuationToken" not in other_token, "small bucket: no token", repr(other_token))
    r = c.get(tables_target(BUCKET, continuationToken="not-a-token"))
    t.is_(r.json().get("message"), mock_aws.MSG_BAD_TOKEN, "bad token message")

    missing = "arn:aws:s3tables:us-west-2:111122223333:bucket/missing-bucket"
    r = c.get(tables_target(missing))
    t.ok(r.status == 404 and r.error_type == "NotFoundException"
         and r.json() == {"message": mock_aws.MSG_NO_BUCKET},
         "unknown bucket -> 404 NotFoundException, bucket message", r.body)
    mock.add_bucket(missing)
    r = c.get(tables_target(missing))
    t.is_((r.status, r.json()), (200, {"tables": []}), "add_bucket: an empty bucket lists []")
    r = c.get(tables_target("arn:aws:s3tables:us-west-2:111122223333:table/x"))
    t.is_((r.status, r.error_type), (400, "BadRequestException"),
          "ListTables with an invalid bucket ARN -> 400")
    r = c.get(tables_target(BUCKET, namespace="Bad"))
    t.is_((r.status, r.error_type), (400, "BadRequestException"),
          "ListTables with an invalid namespace -> 400")
    raw = mock_aws.LIST_TABLES_PATH + BUCKET  # '/' left unencoded
    r = c.get(raw)
    t.is_((r.status, r.error_type), (404, "UnknownOperationException"),
          "ListTables with an unencoded '/' in the bucket label matches no operation")
    mock.remove_bucket(missing)
    t.is_(c.get(tables_target(missing)).status, 404, "remove_bucket")


def check_list_errors(t, c):
    mock = c.mock
    mock.list_page_size = 3
    mock.set_bucket_error(BUCKET, "InternalServerErrorException", "page two", page=2, times=1)
    pages, failed = list_pages(c, BUCKET)
    t.ok(len(pages) == 1 and failed is not None and failed.status == 500
         and failed.error_type == "InternalServerErrorException"
         and failed.json() == {"message": "page two"},
         "set_bucket_error(page=2): page 1 answers, page 2 fails",
         repr((pages, failed and failed.body)))
    token = pages[0]["continuationToken"] if pages else ""
    r = c.get(tables_target(BUCKET, continuationToken=token))
    t.is_((r.status, len(r.json().get("tables", []))), (200, 3),
          "times=1: the retry of page 2 succeeds")
    mock.set_bucket_error(BUCKET, "ForbiddenException", "denied")
    r = c.get(tables_target(BUCKET))
    t.is_((r.status, r.error_type), (403, "ForbiddenException"),
          "set_bucket_error without page: the first page fails")
    t.is_(c.get(tables_target(BUCKET)).status, 403, "... and keeps failing")
    mock.clear_bucket_errors(BUCKET)
    t.is_(c.get(tables_target(BUCKET)).status, 200, "clear_bucket_errors")
    mock.set_bucket_error("arn:aws:s3tables:us-west-2:111122223333:bucket/nowhere",
                          "AccessDeniedException", "no")
    r = c.get(tables_target("arn:aws:s3tables:us-west-2:111122223333:bucket/nowhere"))
    t.is_((r.status, r.error_type), (403, "AccessDeniedException"),
          "set_bucket_error on a bucket the mock does not hold")
    mock.clear_bucket_errors()
    mock.list_page_size = None
    mock.enqueue_error("TooManyRequestsException", "slow down")
    r = c.get(tables_target(BUCKET))
    t.is_((r.status, r.error_type, mock.queued), (429, "TooManyRequestsException", 0),
          "the one-shot queue answers ListTables too")
    mock.enqueue_error("InternalServerErrorException", "boom")
    r = c.get(query_target(mock_aws.GET_TABLE_PATH))
    t.is_((r.status, mock.queued), (500, 0),
          "the one-shot queue answers GetTable before its parameters are checked")
    mock.enqueue_error("InternalServerErrorException", "boom")
    c.get("/nothing-here")
    t.is_(mock.queued, 1, "an unknown path does not consume the one-shot queue")
    mock.clear()


def check_list_signature(t, c):
    """SigV4 for s3tables encodes the already-encoded path once more."""
    mock = c.mock
    target = tables_target(BUCKET, maxTables="2")
    t.ok("%3A" in target and "%2F" in target, "ListTables target percent-encodes ':' '/'",
         target)
    r = c.get(target)
    rec = mock.last_request
    t.ok(r.status == 200 and rec.verified, "ListTables signed by botocore SigV4Auth -> 200",
         r.body)
    canonical_path = (rec.canonical_request or "\n\n").split("\n")[1]
    t.is_(canonical_path, "/tables/" + quote(quote(BUCKET, safe=""), safe=""),
          "canonical path double-encodes the label ('%253A', '%252F')")
    headers = sign(c.host, target, signer_class=SinglyEncodedPathSigV4Auth)
    r = c.get(target, headers=headers)
    t.ok(r.status == 403 and r.error_type == "InvalidSignatureException"
         and r.json()["message"] == mock_aws.MSG_BAD_SIGNATURE
         and not mock.last_request.verified,
         "ListTables signed over the singly-encoded path -> 403 InvalidSignatureException",
         r.body)
    t.is_(c.get(target).status, 200, "... and the same request signed right -> 200")


def check_table_delay(t, c):
    mock = c.mock
    slow = mock.add_table(BUCKET, "delays", "slow", delay=3)
    fast = mock.add_table(BUCKET, "delays", "fast")
    started = time.monotonic()
    try:
        send(mock.port, c.ca, op_target(slow), sign(c.host, op_target(slow)), timeout=0.3)
        timed_out = False
    except (socket.timeout, TimeoutError):
        timed_out = True
    t.ok(timed_out and time.monotonic() - started < 1.5,
         "add_table(delay=3): that table's job status makes a client time out")
    started = time.monotonic()
    r = send(mock.port, c.ca, op_target(fast), sign(c.host, op_target(fast)), timeout=2)
    t.ok(r.status == 200 and time.monotonic() - started < 1,
         "another table answers at once")
    try:
        send(mock.port, c.ca, config_target(slow), sign(c.host, config_target(slow)),
             timeout=0.3)
        timed_out = False
    except (socket.timeout, TimeoutError):
        timed_out = True
    t.ok(timed_out, "the delay applies to the table's configuration answer too")
    mock.set_table_delay(slow, None)
    t.is_(c.get(op_target(slow)).status, 200, "set_table_delay(None) removes the delay")


def check_counters(t, c, pki):
    mock = c.mock
    mock.clear()
    t.is_((mock.handshakes, mock.operation_counts), (0, {}), "clear() resets the counters")
    c.get(op_target())
    c.get(tables_target(BUCKET))
    c.get(tables_target(BUCKET))
    c.get(config_target(ARN))
    c.get(op_target(), secret="wrong")
    c.get("/nothing-here")
    t.is_(mock.handshakes, 6, "handshakes counts one per connection")
    t.is_(mock.operation_counts, {mock_aws.OP_JOB_STATUS: 2, mock_aws.OP_LIST_TABLES: 2,
                                  mock_aws.OP_CONFIG: 1},
          "operation_counts: requests received per operation (rejected ones too)")
    t.is_([r.operation for r in mock.requests],
          [mock_aws.OP_JOB_STATUS, mock_aws.OP_LIST_TABLES, mock_aws.OP_LIST_TABLES,
           mock_aws.OP_CONFIG, mock_aws.OP_JOB_STATUS, None],
          "RecordedRequest.operation")
    ctx = ssl.create_default_context(cafile=pki.ca_cert)
    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, timeout=5, context=ctx)
    try:
        for _ in range(3):
            conn.request("GET", op_target(), headers=sign(c.host, op_target()))
            conn.getresponse().read()
    finally:
        conn.close()
    t.is_(mock.handshakes, 7, "three requests on one keep-alive connection: one handshake")
    try:
        send(mock.port, pki.other_ca_cert, op_target(), {})
    except ssl.SSLCertVerificationError:
        pass
    time.sleep(0.05)
    t.is_(mock.handshakes, 7, "a failed handshake is not counted")


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
        check_demo_bucket(t, port, os.path.join(state, "ca.pem"))
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


def check_demo_bucket(t, port, ca):
    """The demo bucket lists the two demo tables, with their configurations."""

    def get(target):
        headers = sign(f"127.0.0.1:{port}", target, key=mock_aws.DEMO_ACCESS_KEY,
                       secret=mock_aws.DEMO_SECRET_KEY, region="us-east-1")
        r = send(port, ca, target, headers)
        return r.json() if r.status == 200 else (r.status, r.error_type)

    listing = get(tables_target(mock_aws.DEMO_BUCKET_ARN))
    t.is_([(s["namespace"], s["name"], s["tableARN"]) for s in listing.get("tables", [])]
          if isinstance(listing, dict) else listing,
          [(["demo"], "failing_table", mock_aws.DEMO_FAILING_ARN),
           (["demo"], "healthy_table", mock_aws.DEMO_HEALTHY_ARN)],
          "demo bucket lists failing_table and healthy_table in namespace demo")
    table = get(query_target(mock_aws.GET_TABLE_PATH, tableBucketARN=mock_aws.DEMO_BUCKET_ARN,
                             namespace="demo", name="healthy_table"))
    t.is_(table.get("tableARN") if isinstance(table, dict) else table,
          mock_aws.DEMO_HEALTHY_ARN, "demo GetTable healthy_table -> DEMO_HEALTHY_ARN")
    t.is_((get(config_target(mock_aws.DEMO_HEALTHY_ARN)),
           get(config_target(mock_aws.DEMO_FAILING_ARN))),
          ({"configuration": {"status": "enabled", "settings": {"days": 30}}},
           {"configuration": {"status": "disabled"}}),
          "demo configurations: healthy enabled 30 days, failing disabled")


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
        check_model_operations(t)
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
            check_get_table(t, c)
            check_config(t, c)
            check_list_tables(t, c)
            check_list_errors(t, c)
            check_list_signature(t, c)
            check_table_delay(t, c)
            check_counters(t, c, pki)
        check_stop_is_prompt(t, pki)
        check_demo(t, tmp)
        check_harness(t)
        check_harness_prefix(t)
        check_fixture(t)
    t.diag(f"elapsed {time.monotonic() - started:.2f}s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
