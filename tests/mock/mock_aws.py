#!/usr/bin/env python3
"""mock_aws - a local, scripted stand-in for the AWS S3 Tables endpoint.

Why it exists: the end-to-end tests must exercise the real plugin binary
(TLS, SigV4 signing, HTTP, JSON parsing, retries, timeouts) without ever
talking to AWS or to any host but 127.0.0.1.  The mock therefore

  * serves GetTableRecordExpirationJobStatus, GetTableRecordExpirationConfiguration,
    GetTable and ListTables over HTTPS on 127.0.0.1, with a throwaway CA
    made by the openssl CLI at test time (make_pki);
  * checks every request the way AWS does, and recomputes the SigV4
    signature with botocore, an implementation independent of the
    plugin's, so a signing bug in the plugin cannot hide behind the same
    bug in the test;
  * answers from a script (per-table answers, a registry of buckets and
    tables that ties the four operations together, plus a one-shot queue)
    so tests can provoke every success and error path;
  * offers an HTTP CONNECT proxy (ConnectProxy) that sends every tunnel to
    the mock, so the plugin's default endpoint
    (https://s3tables.<region>.amazonaws.com) can be tested without DNS.

Run `python3 tests/mock/mock_aws.py --demo --state-dir DIR` for a foreground
demo server (see demo()).  Set MOCK_DEBUG=1 to log each request to stderr.
"""

import argparse
import base64
import binascii
import datetime as dt
import hmac
import ipaddress
import json
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote

import mockserver

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials

    BOTOCORE_IMPORT_ERROR = None
except ImportError as exc:  # the module stays importable so tests can SKIP
    SigV4Auth = object
    BOTOCORE_IMPORT_ERROR = exc

DEBUG = os.environ.get("MOCK_DEBUG") == "1"

SERVICE = "s3tables"
OPERATION_PATH = "/table-record-expiration-job-status"
CONFIG_PATH = "/table-record-expiration"
GET_TABLE_PATH = "/get-table"
LIST_TABLES_PATH = "/tables/"  # followed by the percent-encoded bucket ARN (a URI label)

# Operation names, as RecordedRequest.operation and operation_counts use them.
OP_JOB_STATUS = "GetTableRecordExpirationJobStatus"
OP_CONFIG = "GetTableRecordExpirationConfiguration"
OP_GET_TABLE = "GetTable"
OP_LIST_TABLES = "ListTables"
OPERATIONS = (OP_JOB_STATUS, OP_CONFIG, OP_GET_TABLE, OP_LIST_TABLES)

# Patterns of service-2.json (TableBucketARN, TableARN, NamespaceName and
# TableName), matched whole.  Bucket names are 3-63 of [a-z0-9_-]; table
# ids 1-255 of [a-zA-Z0-9-_]; namespace and table names 1-255 of [0-9a-z_].
BUCKET_ARN_RE = re.compile(
    r"arn:aws[-a-z0-9]*:[a-z0-9]+:[-a-z0-9]*:[0-9]{12}:bucket/[a-z0-9_-]{3,63}")
TABLE_ARN_RE = re.compile(BUCKET_ARN_RE.pattern + r"/table/[a-zA-Z0-9_-]{1,255}")
NAME_RE = re.compile(r"[0-9a-z_]{1,255}")
MAX_TABLES = 1000  # ListTablesLimit max, also the default page size
MAX_CLOCK_SKEW = 15 * 60  # seconds, as AWS enforces for SigV4
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.coral.service/"

MSG_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details."
)
MSG_INVALID_TOKEN = "The security token included in the request is invalid."
MSG_NO_TABLE = "The specified table does not exist."
MSG_NO_BUCKET = "The specified bucket does not exist."
# What a table without a record expiration configuration answers (404
# NotFoundException): the plugin reads it as configuration "none".
MSG_NO_CONFIG = "The specified table record expiration configuration does not exist."
MSG_BAD_TOKEN = "The continuation token provided is not valid."
CLOSE_DELIMITED = -1  # Answer.content_length: no Content-Length, the close ends the body
CHUNK_SIZE = 65536  # bytes per chunk of a chunked answer

# HTTP status of each error type.  The first eight are the errors that
# service-2.json lists for the four operations the mock serves; the rest
# are the common AWS errors the front end produces before the operation runs.
ERROR_STATUS = {
    "InternalServerErrorException": 500,
    "MethodNotAllowedException": 405,
    "ForbiddenException": 403,
    "NotFoundException": 404,
    "TooManyRequestsException": 429,
    "BadRequestException": 400,
    "ConflictException": 409,
    "AccessDeniedException": 403,
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 403,
    "InvalidSignatureException": 403,
    "UnrecognizedClientException": 403,
    "ExpiredTokenException": 403,
    "UnknownOperationException": 404,
    "ThrottlingException": 400,
    "ServiceUnavailableException": 503,
}

DEMO_ACCESS_KEY = "AKIDEMO0000000000001"
DEMO_SECRET_KEY = "demoSecretKey/For+LocalMockOnly0000000000"
DEMO_REGION = "us-east-1"
DEMO_HEALTHY_ARN = (
    "arn:aws:s3tables:us-east-1:111122223333:bucket/demo-bucket/table/healthy-table"
)
DEMO_FAILING_ARN = (
    "arn:aws:s3tables:us-east-1:111122223333:bucket/demo-bucket/table/failing-table"
)
DEMO_BUCKET_ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/demo-bucket"
DEMO_NAMESPACE = "demo"
DEMO_FAILURE = (
    "Access denied to table data: the table's maintenance role lacks "
    "s3tables:PutTableData"
)


def _debug(msg):
    """Log to stderr only when MOCK_DEBUG=1, so TAP output stays clean."""
    if DEBUG:
        sys.stderr.write(f"mock_aws: {msg}\n")
        sys.stderr.flush()


def require_botocore():
    """Fail loudly (not with a NameError later) when botocore is missing."""
    if BOTOCORE_IMPORT_ERROR is not None:
        raise RuntimeError(f"botocore is not importable: {BOTOCORE_IMPORT_ERROR}")


# --------------------------------------------------------------------------
# Response bodies
# --------------------------------------------------------------------------


def _utc(when):
    """Naive datetimes are taken as UTC, as AWS timestamps always are."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def iso8601(when):
    """Format like S3 Tables does: 'YYYY-MM-DDTHH:MM:SS.sssZ' (UTC, ms)."""
    when = _utc(when)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _as_datetime(last_run):
    """Accept a datetime, or an age (seconds or timedelta) meaning 'that long ago'."""
    if isinstance(last_run, dt.datetime):
        return last_run
    if isinstance(last_run, dt.timedelta):
        return dt.datetime.now(dt.timezone.utc) - last_run
    if isinstance(last_run, (int, float)) and not isinstance(last_run, bool):
        return dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=last_run)
    raise TypeError(f"last_run must be a datetime or seconds ago, not {last_run!r}")


def job(status, last_run=None, failure=None, records=None, files=None, bytes_=None):
    """Build a GetTableRecordExpirationJobStatus response body.

    last_run: datetime, seconds ago (int/float), timedelta ago, or a str sent
    verbatim (to test odd timestamp formats).  metrics only carries the
    members given, so tests can check the plugin copes with absent ones.
    """
    body = {"status": status}
    if last_run is not None:
        body["lastRunTimestamp"] = (
            last_run if isinstance(last_run, str) else iso8601(_as_datetime(last_run))
        )
    if failure is not None:
        body["failureMessage"] = failure
    metrics = {}
    if records is not None:
        metrics["deletedRecords"] = records
    if files is not None:
        metrics["deletedDataFiles"] = files
    if bytes_ is not None:
        metrics["removedFilesSize"] = bytes_
    if metrics:
        body["metrics"] = metrics
    return body


def expiration_config(status, days=None):
    """Build a TableRecordExpirationConfigurationValue, e.g. ("enabled", 30).

    add_table()/set_config() wrap it as {"configuration": value}; settings
    only appears when days is given, so tests can send a value without it.
    """
    value = {"status": status}
    if days is not None:
        value["settings"] = {"days": days}
    return value


def error_headers(error_type):
    """The x-amzn-ErrorType header real rest-json AWS services send."""
    return {"x-amzn-ErrorType": f"{error_type}:{ERROR_NAMESPACE}"}


# --------------------------------------------------------------------------
# PKI
# --------------------------------------------------------------------------


@dataclass
class Pki:
    """Paths of a throwaway PKI; also readable as a dict (pki['ca_cert'])."""

    directory: str
    ca_cert: str
    ca_key: str
    server_cert: str
    server_key: str
    other_ca_cert: str
    other_ca_key: str
    hostnames: tuple = ()

    def __getitem__(self, key):
        return getattr(self, key)


def _openssl_binary():
    """Prefer /usr/bin/openssl (the documented one), else whatever is on PATH."""
    if os.access("/usr/bin/openssl", os.X_OK):
        return "/usr/bin/openssl"
    found = shutil.which("openssl")
    if not found:
        raise RuntimeError("openssl CLI not found")
    return found


def _run_openssl(args):
    """Run openssl with an argument list (no shell); raise with its stderr."""
    cmd = [_openssl_binary()] + args
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")


def _san_lines(hostnames):
    """subjectAltName entries: IP: for addresses, DNS: for names, no duplicates."""
    lines, seen, n_dns, n_ip = [], set(), 0, 0
    for name in ["localhost", "127.0.0.1"] + list(hostnames):
        if name in seen:
            continue
        seen.add(name)
        try:
            ipaddress.ip_address(name)
            n_ip += 1
            lines.append(f"IP.{n_ip} = {name}")
        except ValueError:
            n_dns += 1
            lines.append(f"DNS.{n_dns} = {name}")
    return lines


def _write_openssl_config(path, hostnames):
    """A self-contained config, so the system openssl.cnf cannot interfere."""
    text = "\n".join(
        [
            "[req]",
            "distinguished_name = dn",
            "prompt = no",
            "[dn]",
            "CN = unused",
            "[ca_ext]",
            "basicConstraints = critical,CA:TRUE",
            "keyUsage = critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier = hash",
            "[server_ext]",
            "basicConstraints = critical,CA:FALSE",
            "keyUsage = critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage = serverAuth",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid,issuer",
            "subjectAltName = @alt",
            "[alt]",
        ]
        + _san_lines(hostnames)
    )
    with open(path, "w") as f:
        f.write(text + "\n")


_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def _make_ca(config, cert, key, common_name):
    """Self-signed P-256 CA, valid two days: fast and obviously throwaway."""
    _run_openssl(
        ["req", "-x509", "-config", config, "-extensions", "ca_ext"]
        + _EC_KEY
        + ["-keyout", key, "-out", cert, "-days", "2", "-sha256",
           "-subj", f"/O=mock_aws/CN={common_name}"]
    )


def make_pki(directory, hostnames=()):
    """Create a CA, a server certificate it signs, and an unrelated second CA.

    The server certificate's SANs are DNS:localhost, IP:127.0.0.1 and every
    name in hostnames, so the plugin can verify it both when it is pointed
    at https://127.0.0.1:PORT and when it reaches its default AWS endpoint
    through ConnectProxy.  other_ca_cert is for 'untrusted CA' tests.
    """
    os.makedirs(directory, exist_ok=True)
    p = lambda name: os.path.join(directory, name)  # noqa: E731
    config = p("openssl.cnf")
    _write_openssl_config(config, hostnames)
    _make_ca(config, p("ca.pem"), p("ca.key"), "mock_aws test CA")
    _make_ca(config, p("other-ca.pem"), p("other-ca.key"), "mock_aws unrelated CA")
    _run_openssl(
        ["req", "-new", "-config", config]
        + _EC_KEY
        + ["-keyout", p("server.key"), "-out", p("server.csr"),
           "-subj", "/O=mock_aws/CN=localhost"]
    )
    _run_openssl(
        ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"),
         "-CAkey", p("ca.key"), "-set_serial", "0x" + secrets.token_hex(8),
         "-days", "2", "-sha256", "-extfile", config, "-extensions", "server_ext",
         "-out", p("server.pem")]
    )
    return Pki(
        directory=directory,
        ca_cert=p("ca.pem"),
        ca_key=p("ca.key"),
        server_cert=p("server.pem"),
        server_key=p("server.key"),
        other_ca_cert=p("other-ca.pem"),
        other_ca_key=p("other-ca.key"),
        hostnames=tuple(hostnames),
    )


# --------------------------------------------------------------------------
# SigV4 with botocore
# --------------------------------------------------------------------------


def amz_date(when):
    """'YYYYMMDDTHHMMSSZ' from a datetime, an epoch number, or such a string."""
    if isinstance(when, str):
        dt.datetime.strptime(when, SIGV4_TIMESTAMP)  # validate
        return when
    if isinstance(when, (int, float)):
        when = dt.datetime.fromtimestamp(when, dt.timezone.utc)
    return _utc(when).strftime(SIGV4_TIMESTAMP)


class PinnedClockSigV4Auth(SigV4Auth):
    """botocore's SigV4Auth with its clock pinned to a chosen instant.

    Why: the mock must recompute a signature 'as of' the request's
    X-Amz-Date, and tests must be able to sign 'as of 20 minutes ago'.
    add_auth() reads the wall clock through a different function in each
    botocore release (datetime.datetime.utcnow() in 1.29,
    botocore.compat.get_current_datetime() in newer ones), and patching
    either module-wide would race with the mock's server threads.  Instead
    we overwrite request.context['timestamp'] in
    _modify_request_before_signing(), the first hook add_auth() calls after
    reading the clock and before anything uses the timestamp (same in both
    releases).  Everything else (canonical request, string to sign, key
    derivation, Authorization header) is botocore's own code.
    """

    def __init__(self, credentials, service_name, region_name, when):
        super().__init__(credentials, service_name, region_name)
        self.pinned_timestamp = amz_date(when)

    def _modify_request_before_signing(self, request):
        request.context["timestamp"] = self.pinned_timestamp
        super()._modify_request_before_signing(request)


class _VerifierSigV4Auth(PinnedClockSigV4Auth):
    """Recomputes a received request's signature, as the AWS front end does.

    Unlike a signer, it must not touch the headers (they are exactly those
    the client listed in SignedHeaders) and must sign all of them, even the
    ones botocore's own client would leave out (User-Agent, ...).
    """

    canonical = None
    string_to_sign_text = None

    def _modify_request_before_signing(self, request):
        request.context["timestamp"] = self.pinned_timestamp

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            if name.lower() != "authorization":
                header_map[name.lower()] = value
        return header_map

    def canonical_request(self, request):
        self.canonical = super().canonical_request(request)
        return self.canonical

    def string_to_sign(self, request, canonical_request):
        self.string_to_sign_text = super().string_to_sign(request, canonical_request)
        return self.string_to_sign_text


def decode_query(raw_query):
    """Split a raw query into percent-decoded (name, value) pairs.

    AWS canonicalises the query from the decoded parameters (then encodes
    them RFC 3986 style), so e.g. an unencoded ':' on the wire and '%3A'
    both verify.  '+' is kept literally, as SigV4 demands.
    """
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        name, _, value = part.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def botocore_signature(method, host, raw_path, raw_query, headers, body,
                       access_key, secret_key, token, region, timestamp):
    """Return (signature, canonical_request, string_to_sign) per botocore.

    headers: list of (name, value) to sign, i.e. exactly the SignedHeaders.
    """
    url = f"https://{host}{raw_path}" + (f"?{raw_query}" if raw_query else "")
    request = AWSRequest(method=method, url=url, data=body or b"",
                         params=decode_query(raw_query))
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends duplicates
    signer = _VerifierSigV4Auth(Credentials(access_key, secret_key, token),
                                SERVICE, region, timestamp)
    signer.add_auth(request)
    produced = parse_authorization(request.headers["Authorization"])
    return produced["Signature"], signer.canonical, signer.string_to_sign_text


def parse_authorization(value):
    """Parse 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.

    Returns a dict with 'algorithm' and the k=v parameters; raises
    ValueError (with an AWS-like message) when it is not well-formed.
    """
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise ValueError(f"Unsupported Authorization Type: '{algorithm}'")
    params = {"algorithm": algorithm}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            params[key] = val
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not params.get(k)]
    if missing:
        raise ValueError(
            " ".join(f"Authorization header requires '{k}' parameter." for k in missing)
            + f" Authorization={value}"
        )
    return params


# --------------------------------------------------------------------------
# The mock service
# --------------------------------------------------------------------------


class _Reject(Exception):
    """An AWS error answer, raised by the checks and sent by the handler."""

    def __init__(self, error_type, message, reason=None, status=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.reason = reason or message
        self.status = status or ERROR_STATUS[error_type]


@dataclass
class Answer:
    """A scripted answer. body: dict/list (JSON), str/bytes (verbatim), None,
    or a callable returning one of those, evaluated when answering.

    The fault fields (for one-shot answers) change how it goes on the wire:
      disconnect      close the connection cleanly (FIN), no answer at all;
      reset           abort it with a TCP RST (SO_LINGER 0), no answer;
      raw             body is the whole answer (status line, headers and
                      all), sent as is, then the connection is closed;
      chunked         Transfer-Encoding: chunked instead of Content-Length;
      content_length  the Content-Length announced (None: the body's length;
                      CLOSE_DELIMITED: none, the body ends when the mock
                      closes the connection);
      stall           after sending the headers and the body (e.g. only a
                      prefix of what content_length announced), wait this
                      many seconds, then close the connection.
    """

    status: int
    body: object
    headers: dict = field(default_factory=dict)
    delay: float = None
    disconnect: bool = False
    reset: bool = False
    raw: bool = False
    chunked: bool = False
    content_length: int = None
    stall: float = None

    def payload(self):
        body = self.body() if callable(self.body) else self.body
        if body is None:
            return b""
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body, separators=(",", ":")).encode("utf-8")


@dataclass
class RecordedRequest:
    """What the mock saw and decided, for tests to assert on."""

    method: str
    path: str  # raw, as on the wire, without the query
    query: str  # raw, without '?'
    headers: dict  # lower-case name -> value (duplicates joined with ',')
    header_list: list  # [(name, value)] as sent
    host: str  # the Host header the client sent (None if absent)
    body: bytes = b""
    client: tuple = None
    sni: str = None  # TLS server name the client asked for
    verified: bool = False  # SigV4 checks all passed
    reason: str = None  # why it was rejected (None if it was not)
    status: int = None  # status code answered
    error_type: str = None  # x-amzn-ErrorType sent, if any
    access_key: str = None
    region: str = None  # region of the credential scope
    operation: str = None  # OP_* routed by method and path (None: unknown)
    table_arn: str = None  # decoded tableArn parameter (GetTable: the table found)
    bucket_arn: str = None  # decoded bucket ARN (ListTables path, GetTable query)
    canonical_request: str = None  # as botocore computed it
    string_to_sign: str = None
    time: float = 0.0


@dataclass
class MockTable:
    """One table of the registry (add_table), with what GetTable and
    ListTables report about it.  Ids are opaque strings, as in AWS."""

    bucket_arn: str
    namespace: str
    name: str
    table_id: str
    bucket_id: str
    namespace_id: str
    created_at: dt.datetime
    modified_at: dt.datetime
    version_token: str

    @property
    def arn(self):
        return f"{self.bucket_arn}/table/{self.table_id}"

    @property
    def account(self):
        return self.bucket_arn.split(":")[4]

    def summary(self):
        """A TableSummary, as ListTables lists it."""
        return {
            "namespace": [self.namespace],
            "name": self.name,
            "type": "customer",
            "tableARN": self.arn,
            "createdAt": iso8601(self.created_at),
            "modifiedAt": iso8601(self.modified_at),
            "namespaceId": self.namespace_id,
            "tableBucketId": self.bucket_id,
        }

    def get_table(self):
        """A GetTableResponse."""
        return {
            "name": self.name,
            "type": "customer",
            "tableARN": self.arn,
            "namespace": [self.namespace],
            "namespaceId": self.namespace_id,
            "versionToken": self.version_token,
            "warehouseLocation": f"s3://{self.table_id}--table-s3",
            "createdAt": iso8601(self.created_at),
            "createdBy": self.account,
            "modifiedAt": iso8601(self.modified_at),
            "modifiedBy": self.account,
            "ownerAccountId": self.account,
            "format": "ICEBERG",
            "tableBucketId": self.bucket_id,
        }


@dataclass
class _BucketError:
    """A scripted ListTables error: on every page (page None) or one page
    (1-based), forever (times None) or that many times."""

    answer: Answer
    page: int = None
    times: int = None


def _stable_id(*parts):
    """A uuid-shaped id derived from names, so ids stay the same across runs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mock-s3tables:" + "/".join(parts)))


def _validation_error(member, value, constraint):
    """A BadRequestException worded like the AWS front end's validation."""
    shown = "null" if value is None else f"'{value}'"
    return _Reject("BadRequestException",
                   f"1 validation error detected: Value {shown} at '{member}' failed "
                   f"to satisfy constraint: {constraint}")


def _check_name(member, value):
    """NamespaceName / TableName: 1-255 of [0-9a-z_]."""
    if not 1 <= len(value) <= 255:
        raise _validation_error(member, value,
                                "Member must have length between 1 and 255")
    if not NAME_RE.fullmatch(value):
        raise _validation_error(member, value,
                                "Member must satisfy regular expression pattern: [0-9a-z_]*")


def _check_pattern(member, value, regex):
    if value is None:
        raise _validation_error(member, None, "Member must not be null")
    if not regex.fullmatch(value):
        raise _validation_error(member, value,
                                f"Member must satisfy regular expression pattern: ({regex.pattern})")


def operation_of(method, raw_path):
    """The operation a method and raw path route to, or None (unknown).

    ListTables' bucket ARN is a single (non-greedy) URI label: a raw '/'
    in it, i.e. a client that did not percent-encode it, matches no route.
    """
    if method != "GET":
        return None
    fixed = {OPERATION_PATH: OP_JOB_STATUS, CONFIG_PATH: OP_CONFIG,
             GET_TABLE_PATH: OP_GET_TABLE}
    if raw_path in fixed:
        return fixed[raw_path]
    label = raw_path[len(LIST_TABLES_PATH):]
    if raw_path.startswith(LIST_TABLES_PATH) and label and "/" not in label:
        return OP_LIST_TABLES
    return None


class MockS3Tables(mockserver.ServerBase):
    """HTTPS mock of s3tables: GetTableRecordExpirationJobStatus,
    GetTableRecordExpirationConfiguration, GetTable and ListTables.

    credentials: {access_key_id: {"secret": str, "token": str or None}}.
    Attributes tests may set at any time:
      expected_region  if not None, the credential scope must name it;
      delay            seconds to wait before answering (timeout tests);
      clock_skew       seconds added to the mock's clock (date checks, Date:);
      list_page_size   if not None, ListTables pages hold at most this many
                       tables whatever maxTables asks (paging tests).
    Results: .requests (list of RecordedRequest), .tls_errors (failed
    handshakes: (client, error) tuples, e.g. a client rejecting the CA),
    .handshakes (successful TLS handshakes, i.e. connections the client
    opened), .operation_counts ({operation: requests received}, whatever
    was answered; unknown paths are not counted).

    Two ways to script tables: set_table()/set_table_error() answer the
    job status of any ARN (nothing else knows the table), while add_table()
    registers a table in a bucket so that all four operations agree on it.
    """

    scheme = "https"
    server_version = "mock-s3tables/1.0"

    def __init__(self, pki, credentials, port=0):
        require_botocore()
        super().__init__(port)
        self.pki = pki
        self.credentials = credentials
        self.expected_region = None
        self.delay = 0.0
        self.clock_skew = 0.0
        self.list_page_size = None
        self.requests = []
        self.tls_errors = []
        self.handshakes = 0
        self.operation_counts = {}
        self._tables = {}  # table ARN -> job status Answer
        self._configs = {}  # table ARN -> configuration Answer
        self._delays = {}  # table ARN -> seconds before answering
        self._registry = {}  # table ARN -> MockTable
        self._names = {}  # (bucket ARN, namespace, name) -> table ARN
        self._buckets = {}  # bucket ARN -> bucket id
        self._bucket_errors = {}  # bucket ARN -> [_BucketError]
        self._queue = []
        self._ssl_context = self._make_ssl_context()

    # -- scripting ---------------------------------------------------------

    def set_table(self, table_arn, body, status=200, headers=None):
        """Answer for one table (every time). dict -> JSON, str -> verbatim."""
        with self._lock:
            self._tables[table_arn] = Answer(status, body, dict(headers or {}))

    def set_table_error(self, table_arn, error_type, message, status=None):
        """Make a table answer with an AWS error, e.g. 'ForbiddenException'."""
        self.set_table(table_arn, {"message": message},
                       status or ERROR_STATUS[error_type], error_headers(error_type))

    def remove_table(self, table_arn):
        """Forget a table: its job status, configuration, delay and, if
        add_table() registered it, its place in its bucket."""
        with self._lock:
            self._tables.pop(table_arn, None)
            self._configs.pop(table_arn, None)
            self._delays.pop(table_arn, None)
            table = self._registry.pop(table_arn, None)
            if table is not None:
                self._names.pop((table.bucket_arn, table.namespace, table.name), None)

    def set_table_delay(self, table_arn, seconds):
        """Wait seconds before every answer about this table (job status,
        configuration, GetTable, one-shot answers included unless they carry
        their own delay), instead of .delay; None removes it.  For deadline
        tests where only some tables of a run are slow."""
        with self._lock:
            if seconds is None:
                self._delays.pop(table_arn, None)
            else:
                self._delays[table_arn] = seconds

    def set_config(self, table_arn, config, status=200, headers=None):
        """GetTableRecordExpirationConfiguration's answer for one table.

        config: a TableRecordExpirationConfigurationValue dict (see
        expiration_config()), sent as {"configuration": config}; "none" or
        None: the table has no configuration, which AWS answers with 404
        NotFoundException (MSG_NO_CONFIG); any other str or bytes is sent
        verbatim (to test malformed answers); a callable is called per answer.
        """
        with self._lock:
            if config is None or config == "none":
                self._configs.pop(table_arn, None)
                return
            if isinstance(config, dict):
                body = {"configuration": config}
            elif callable(config):
                body = lambda: {"configuration": config()}  # noqa: E731
            else:
                body = config
            self._configs[table_arn] = Answer(status, body, dict(headers or {}))

    def set_config_error(self, table_arn, error_type, message, status=None):
        """Make GetTableRecordExpirationConfiguration of a table answer an AWS error."""
        with self._lock:
            self._configs[table_arn] = Answer(status or ERROR_STATUS[error_type],
                                              {"message": message},
                                              error_headers(error_type))

    def add_bucket(self, bucket_arn, bucket_id=None):
        """Register a table bucket (add_table does it too); an empty bucket
        lists no tables instead of answering 404.  Returns bucket_arn."""
        if not BUCKET_ARN_RE.fullmatch(bucket_arn):
            raise ValueError(f"not a table bucket ARN: {bucket_arn!r}")
        with self._lock:
            if bucket_id is not None or bucket_arn not in self._buckets:
                self._buckets[bucket_arn] = bucket_id or _stable_id(bucket_arn)
        return bucket_arn

    def add_table(self, bucket_arn, namespace, name, job=None, config=None, delay=None,
                  table_id=None, created_at=None, modified_at=None):
        """Register a table that all four operations know; return its ARN.

        The ARN is f"{bucket_arn}/table/{table_id}"; without table_id a new
        uuid (lower-case hex and '-') is made.  job: the job status body, as
        for set_table() (None: {"status": "NotYetRun"}); config: as for
        set_config() (None or "none": no configuration, 404); delay: see
        set_table_delay().  created_at/modified_at: datetimes (default now).
        A table of the same bucket, namespace and name is replaced.
        The job status and the configuration can be rescripted afterwards
        with set_table(), set_table_error(), set_config(), set_config_error().
        """
        for member, value in (("namespace", namespace), ("name", name)):
            if not NAME_RE.fullmatch(value):
                raise ValueError(f"{member} must be 1-255 of [0-9a-z_], not {value!r}")
        table_id = table_id or str(uuid.uuid4())
        arn = f"{bucket_arn}/table/{table_id}"
        if not TABLE_ARN_RE.fullmatch(arn):
            raise ValueError(f"bad bucket ARN or table id: {arn!r}")
        created_at = created_at or dt.datetime.now(dt.timezone.utc)
        with self._lock:
            self.add_bucket(bucket_arn)
            old = self._names.get((bucket_arn, namespace, name))
            if old is not None:
                self.remove_table(old)
            self.remove_table(arn)
            self._registry[arn] = MockTable(
                bucket_arn=bucket_arn, namespace=namespace, name=name, table_id=table_id,
                bucket_id=self._buckets[bucket_arn],
                namespace_id=_stable_id(bucket_arn, namespace),
                created_at=created_at, modified_at=modified_at or created_at,
                version_token=secrets.token_hex(10))
            self._names[(bucket_arn, namespace, name)] = arn
            self.set_table(arn, job if job is not None else {"status": "NotYetRun"})
            self.set_config(arn, config)
            self.set_table_delay(arn, delay)
        return arn

    def remove_bucket(self, bucket_arn):
        """Forget a bucket, all its tables and its scripted errors."""
        with self._lock:
            for arn in [a for a, t in self._registry.items() if t.bucket_arn == bucket_arn]:
                self.remove_table(arn)
            self._buckets.pop(bucket_arn, None)
            self._bucket_errors.pop(bucket_arn, None)

    def clear_tables(self):
        """Forget every table and bucket: set_table() answers, configurations,
        delays, the registry and the ListTables errors."""
        with self._lock:
            for store in (self._tables, self._configs, self._delays, self._registry,
                          self._names, self._buckets, self._bucket_errors):
                store.clear()

    def set_bucket_error(self, bucket_arn, error_type, message, status=None,
                         page=None, times=None):
        """Make ListTables of a bucket answer an AWS error.

        page None: every page fails; page N (1-based): only the request for
        the N-th page (the one whose continuationToken the mock gave with
        page N-1), so a client fails mid-listing.  times None: every time;
        an int: only that many times, then the listing succeeds (retries).
        Rules add up; the first one that applies answers.  The bucket need
        not be registered (e.g. AccessDenied on a bucket the mock lacks).
        """
        rule = _BucketError(Answer(status or ERROR_STATUS[error_type], {"message": message},
                                   error_headers(error_type)), page, times)
        with self._lock:
            self._bucket_errors.setdefault(bucket_arn, []).append(rule)

    def clear_bucket_errors(self, bucket_arn=None):
        """Drop the ListTables errors of one bucket, or of all (None)."""
        with self._lock:
            if bucket_arn is None:
                self._bucket_errors.clear()
            else:
                self._bucket_errors.pop(bucket_arn, None)

    def enqueue(self, status, body, headers=None, delay=None, chunked=False,
                content_length=None):
        """Push a one-shot answer, used (FIFO) before the per-table answers.

        The queue serves every operation (job status, configuration,
        GetTable, ListTables): the next authenticated request to a known
        path takes the head of the queue before its parameters are checked.
        Unknown paths and rejected signatures do not consume it.

        chunked=True sends the body with Transfer-Encoding: chunked;
        content_length=CLOSE_DELIMITED sends no Content-Length and ends the
        body by closing the connection. A header may be as big as a test
        likes (headers={"X-Big": "a" * 70000}): nothing caps what is sent."""
        with self._lock:
            self._queue.append(Answer(status, body, dict(headers or {}), delay,
                                      chunked=chunked, content_length=content_length))

    def enqueue_stall(self, status, body_prefix, content_length, stall_seconds, headers=None):
        """One-shot: send the status, the headers (announcing content_length
        bytes) and body_prefix, then stall for stall_seconds, then close.
        A client without a deadline of its own hangs until then."""
        with self._lock:
            self._queue.append(Answer(status, body_prefix, dict(headers or {}),
                                      content_length=content_length, stall=stall_seconds))

    def enqueue_reset(self):
        """One-shot: read the request, then abort the connection with a TCP
        RST (SO_LINGER 0), no answer: the client sees 'connection reset'."""
        with self._lock:
            self._queue.append(Answer(0, None, reset=True))

    def enqueue_raw(self, data):
        """One-shot: send data (str or bytes) as the whole answer, status line
        and headers included, exactly as given; then close the connection."""
        with self._lock:
            self._queue.append(Answer(0, data, raw=True))

    def enqueue_redirect(self, location, status=301):
        """One-shot redirect to location (e.g. another loopback URL): a client
        must not follow it (AWS never redirects a signed API call)."""
        self.enqueue(status, "<html><body>Moved Permanently</body></html>",
                     {"Location": location, "Content-Type": "text/html"})

    def enqueue_error(self, error_type, message, status=None, delay=None):
        """One-shot AWS error answer (e.g. TooManyRequestsException -> 429)."""
        self.enqueue(status or ERROR_STATUS[error_type], {"message": message},
                     error_headers(error_type), delay)

    def enqueue_disconnect(self):
        """One-shot: close the connection without answering."""
        with self._lock:
            self._queue.append(Answer(0, None, disconnect=True))

    @property
    def queued(self):
        """Number of one-shot answers not yet used."""
        with self._lock:
            return len(self._queue)

    @property
    def last_request(self):
        with self._lock:
            return self.requests[-1] if self.requests else None

    def clear(self):
        """Forget recorded requests, handshake errors, counters and queued
        answers (not the tables)."""
        with self._lock:
            self.requests.clear()
            self.tls_errors.clear()
            self._queue.clear()
            self.handshakes = 0
            self.operation_counts.clear()

    def now(self):
        """The mock's clock (wall clock + clock_skew), in epoch seconds."""
        return time.time() + self.clock_skew

    # -- server plumbing ---------------------------------------------------

    def _make_ssl_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.pki["server_cert"], self.pki["server_key"])
        ctx.sni_callback = self._remember_sni
        return ctx

    @staticmethod
    def _remember_sni(tls_sock, server_name, _ctx):
        tls_sock.mock_sni = server_name
        return None

    def _make_server(self):
        return mockserver.ThreadedHTTPServer(self, self._port_wanted)

    def _accept(self, sock, client):
        """TLS handshake in the worker thread; a failure is recorded, not raised."""
        conn = None
        try:
            sock.settimeout(10)
            conn = self._ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
            self._register(conn)
            conn.do_handshake()
            with self._lock:
                self.handshakes += 1
        except (OSError, ssl.SSLError) as exc:
            with self._lock:
                self.tls_errors.append((client, str(exc)))
            _debug(f"TLS handshake with {client} failed: {exc}")
            self._release(conn if conn is not None else sock)
            return None
        conn.settimeout(self.handler_timeout)
        return conn

    # -- request handling --------------------------------------------------

    @staticmethod
    def _read_body(handler):
        """Read a Content-Length or chunked body (GETs normally have none)."""
        length = handler.headers.get("Content-Length")
        if length:
            return handler.rfile.read(int(length))
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        return b""

    def _record(self, handler):
        """Create and store the RecordedRequest before any check can fail."""
        path, _, query = handler.path.partition("?")
        header_list = list(handler.headers.items())
        headers = {}
        for name, value in header_list:
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        rec = RecordedRequest(
            method=handler.command, path=path, query=query, headers=headers,
            header_list=header_list, host=headers.get("host"),
            client=handler.client_address,
            sni=getattr(handler.connection, "mock_sni", None), time=time.time(),
        )
        rec.body = self._read_body(handler)
        rec.operation = operation_of(rec.method, rec.path)
        with self._lock:
            self.requests.append(rec)
            if rec.operation is not None:
                self.operation_counts[rec.operation] = (
                    self.operation_counts.get(rec.operation, 0) + 1)
        return rec

    def _handle(self, handler):
        """Authenticate, route and answer one request."""
        rec = self._record(handler)
        try:
            self._authenticate(rec)
            rec.verified = True
            answer = self._route(rec)
        except _Reject as rej:
            rec.reason = rej.reason
            answer = Answer(rej.status, {"message": rej.message}, error_headers(rej.error_type))
        delay = answer.delay
        if delay is None:
            with self._lock:
                delay = self._delays.get(rec.table_arn, self.delay)
        if delay and self._stopping.wait(delay):
            handler.close_connection = True
            return
        if answer.disconnect:
            rec.reason = rec.reason or "scripted disconnect"
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if answer.reset:
            rec.reason = rec.reason or "scripted reset"
            handler.close_connection = True
            # Closing with a zero linger time sends RST instead of FIN; the
            # socket closes when the handler is done (no shutdown() first,
            # which would send a FIN).
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
            return
        self._send(handler, rec, answer)

    def _send(self, handler, rec, answer):
        body = answer.payload()
        if answer.raw:
            rec.reason = rec.reason or "scripted raw answer"
            handler.close_connection = True
            handler.wfile.write(body)
            handler.wfile.flush()
            return
        headers = {"Content-Type": "application/json",
                   "x-amzn-RequestId": str(uuid.uuid4())}
        for name, value in answer.headers.items():
            for existing in [k for k in headers if k.lower() == name.lower()]:
                del headers[existing]
            if value is not None:  # None removes a default header
                headers[name] = value
        rec.status = answer.status
        rec.error_type = next(
            (v.split(":")[0] for k, v in headers.items() if k.lower() == "x-amzn-errortype"),
            None,
        )
        _debug(f"{rec.method} {rec.path}?{rec.query} -> {rec.status} "
               f"{rec.error_type or ''} {rec.reason or ''}")
        if rec.reason and rec.canonical_request:
            _debug(f"botocore canonical request:\n{rec.canonical_request}\n"
                   f"string to sign:\n{rec.string_to_sign}")
        handler.send_response(answer.status)
        for name, value in headers.items():
            handler.send_header(name, str(value))
        if answer.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        elif answer.content_length == CLOSE_DELIMITED:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        else:
            length = len(body) if answer.content_length is None else answer.content_length
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        if handler.command != "HEAD":
            if answer.chunked:
                for i in range(0, len(body), CHUNK_SIZE):
                    chunk = body[i:i + CHUNK_SIZE]
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                handler.wfile.write(b"0\r\n\r\n")
            else:
                handler.wfile.write(body)
        handler.wfile.flush()
        if answer.stall is not None:
            handler.close_connection = True
            self._stopping.wait(answer.stall)

    def _route(self, rec):
        """Dispatch on rec.operation (set by _record from method and path).

        Each operation records what identifies its table or bucket, then
        takes a one-shot answer if one is queued (before checking its
        parameters: a queued fault answers whatever call comes next), and
        only then validates and answers from the tables.
        """
        handlers = {OP_JOB_STATUS: self._job_status, OP_CONFIG: self._config,
                    OP_GET_TABLE: self._get_table, OP_LIST_TABLES: self._list_tables}
        if rec.operation not in handlers:
            raise _Reject("UnknownOperationException", "Unknown operation",
                          f"no operation for {rec.method} {rec.path}")
        return handlers[rec.operation](rec, self._params(rec))

    @staticmethod
    def _params(rec):
        """Decoded query parameters; the first value wins when one repeats."""
        params = {}
        for name, value in decode_query(rec.query):
            params.setdefault(name, value)
        return params

    def _queued(self):
        with self._lock:
            return self._queue.pop(0) if self._queue else None

    def _job_status(self, rec, params):
        """GET /table-record-expiration-job-status?tableArn=..."""
        rec.table_arn = params.get("tableArn")
        queued = self._queued()
        if queued is not None:
            return queued
        if not rec.table_arn:
            raise _Reject("BadRequestException", "tableArn is required",
                          "missing tableArn parameter")
        with self._lock:
            answer = self._tables.get(rec.table_arn)
        if answer is None:
            raise _Reject("NotFoundException", MSG_NO_TABLE,
                          f"unknown table {rec.table_arn}")
        return answer

    def _config(self, rec, params):
        """GET /table-record-expiration?tableArn=...

        A table the mock knows (add_table or set_table) without a
        configuration answers 404 MSG_NO_CONFIG; an unknown one MSG_NO_TABLE.
        The tableArn pattern is only checked for tables the mock does not
        know, so a set_table() ARN the job status accepts (say, a 1-letter
        bucket name) gets the same treatment here.
        """
        rec.table_arn = params.get("tableArn")
        queued = self._queued()
        if queued is not None:
            return queued
        if not rec.table_arn:
            raise _Reject("BadRequestException", "tableArn is required",
                          "missing tableArn parameter")
        with self._lock:
            answer = self._configs.get(rec.table_arn)
            known = rec.table_arn in self._tables or rec.table_arn in self._registry
        if answer is not None:
            return answer
        if known:
            raise _Reject("NotFoundException", MSG_NO_CONFIG,
                          f"no configuration for {rec.table_arn}")
        _check_pattern("tableArn", rec.table_arn, TABLE_ARN_RE)
        raise _Reject("NotFoundException", MSG_NO_TABLE, f"unknown table {rec.table_arn}")

    def _get_table(self, rec, params):
        """GET /get-table?tableBucketARN=...&namespace=...&name=... (or ?tableArn=...)."""
        rec.table_arn = params.get("tableArn")
        rec.bucket_arn = params.get("tableBucketARN")
        queued = self._queued()
        if queued is not None:
            return queued
        with self._lock:
            if rec.table_arn is not None:
                _check_pattern("tableArn", rec.table_arn, TABLE_ARN_RE)
                table = self._registry.get(rec.table_arn)
            else:
                namespace, name = params.get("namespace"), params.get("name")
                if rec.bucket_arn is None or namespace is None or name is None:
                    raise _Reject("BadRequestException",
                                  "Either tableArn or tableBucketARN, namespace and name "
                                  "must be specified.", "missing GetTable parameters")
                _check_pattern("tableBucketARN", rec.bucket_arn, BUCKET_ARN_RE)
                _check_name("namespace", namespace)
                _check_name("name", name)
                arn = self._names.get((rec.bucket_arn, namespace, name))
                table = self._registry.get(arn) if arn else None
        if table is None:
            raise _Reject("NotFoundException", MSG_NO_TABLE, "no such table")
        rec.table_arn, rec.bucket_arn = table.arn, table.bucket_arn
        return Answer(200, table.get_table())

    def _list_tables(self, rec, params):
        """GET /tables/{tableBucketARN}?namespace=&prefix=&maxTables=&continuationToken=

        The bucket ARN arrives percent-encoded as one path segment; the
        mock decodes it.  Tables come sorted by namespace then name; a page
        holds min(maxTables, list_page_size) of them; continuationToken is
        base64 of the bucket id, the offset and the page number, and only
        sent when more remain.
        """
        rec.bucket_arn = unquote(rec.path[len(LIST_TABLES_PATH):])
        queued = self._queued()
        if queued is not None:
            return queued
        bucket = rec.bucket_arn
        _check_pattern("tableBucketARN", bucket, BUCKET_ARN_RE)
        namespace, prefix = params.get("namespace"), params.get("prefix")
        if namespace is not None:
            _check_name("namespace", namespace)
        if prefix is not None and not 1 <= len(prefix) <= 255:
            raise _validation_error("prefix", prefix, "Member must have length between 1 and 255")
        limit = self._max_tables(params.get("maxTables"))
        with self._lock:
            bucket_id = self._buckets.get(bucket)
            offset, page = self._decode_token(params.get("continuationToken"), bucket, bucket_id)
            error = self._bucket_error(bucket, page)
            if error is not None:
                return error
            if bucket_id is None:
                raise _Reject("NotFoundException", MSG_NO_BUCKET, f"unknown bucket {bucket}")
            tables = sorted(
                (t for t in self._registry.values()
                 if t.bucket_arn == bucket
                 and (namespace is None or t.namespace == namespace)
                 and (prefix is None or t.name.startswith(prefix))),
                key=lambda t: (t.namespace, t.name))
            size = min(limit, self.list_page_size) if self.list_page_size else limit
        body = {"tables": [t.summary() for t in tables[offset:offset + size]]}
        if offset + size < len(tables):
            body["continuationToken"] = self._encode_token(bucket_id, offset + size, page + 1)
        return Answer(200, body)

    @staticmethod
    def _max_tables(value):
        """maxTables: an integer 1-1000, default 1000."""
        if value is None:
            return MAX_TABLES
        if not re.fullmatch(r"-?[0-9]{1,10}", value):
            raise _Reject("BadRequestException",
                          f"Value '{value}' at 'maxTables' is not a valid integer.")
        limit = int(value)
        if not 1 <= limit <= MAX_TABLES:
            raise _validation_error("maxTables", value,
                                    f"Member must have value between 1 and {MAX_TABLES}")
        return limit

    @staticmethod
    def _encode_token(bucket_id, offset, page):
        data = json.dumps({"b": bucket_id, "o": offset, "p": page}, separators=(",", ":"))
        return base64.b64encode(data.encode()).decode("ascii")

    @staticmethod
    def _decode_token(token, bucket, bucket_id):
        """(offset, page) of a continuationToken (none: (0, 1)); 400 if it is
        not one this mock gave out for this bucket."""
        if token is None:
            return 0, 1
        try:
            data = json.loads(base64.b64decode(token, validate=True))
            offset, page, owner = data["o"], data["p"], data["b"]
            ok = (isinstance(offset, int) and isinstance(page, int) and offset >= 0
                  and page >= 2 and owner == bucket_id)
        except (binascii.Error, ValueError, TypeError, KeyError):
            ok = False
        if not ok:
            raise _Reject("BadRequestException", MSG_BAD_TOKEN,
                          f"bad continuationToken {token!r} for {bucket}")
        return offset, page

    def _bucket_error(self, bucket, page):
        """The scripted ListTables error for this page, if any (uses one try)."""
        rules = self._bucket_errors.get(bucket, [])
        for rule in rules:
            if rule.page is None or rule.page == page:
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        rules.remove(rule)
                return rule.answer
        return None

    # -- SigV4 checks, in the order AWS applies them -----------------------

    def _authenticate(self, rec):
        auth = self._check_authorization(rec)
        timestamp = self._check_date_header(rec)
        key, secret, token = self._check_credentials(rec, auth)
        scope_date, region, service, terminator = auth["Credential"].split("/")[1:]
        rec.region = region
        self._check_freshness(timestamp)
        self._check_scope(timestamp, scope_date, region, service, terminator)
        signed = self._check_signed_headers(rec, auth)
        self._check_signature(rec, auth, signed, key, secret, token, region, timestamp)

    @staticmethod
    def _check_authorization(rec):
        value = rec.headers.get("authorization")
        if value is None:
            raise _Reject("MissingAuthenticationTokenException",
                          "Missing Authentication Token", "no Authorization header")
        try:
            auth = parse_authorization(value)
        except ValueError as exc:
            raise _Reject("IncompleteSignatureException", str(exc)) from None
        credential = auth["Credential"]
        if len(credential.split("/")) != 5:
            raise _Reject(
                "IncompleteSignatureException",
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                f"keyid/date/region/service/term, got '{credential}'",
            )
        rec.access_key = credential.split("/")[0]
        return auth

    @staticmethod
    def _check_date_header(rec):
        value = rec.headers.get("x-amz-date")
        if value is None:
            raise _Reject("IncompleteSignatureException",
                          "Authorization header requires existence of either a "
                          "'X-Amz-Date' or a 'Date' header.")
        try:
            dt.datetime.strptime(value, SIGV4_TIMESTAMP)
        except ValueError:
            raise _Reject("IncompleteSignatureException",
                          f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
                          "See http://en.wikipedia.org/wiki/ISO_8601") from None
        return value

    def _check_credentials(self, rec, auth):
        key = rec.access_key
        creds = self.credentials.get(key)
        if creds is None:
            raise _Reject("UnrecognizedClientException", MSG_INVALID_TOKEN,
                          f"unknown access key {key}")
        if isinstance(creds, str):
            creds = {"secret": creds}
        expected, sent = creds.get("token"), rec.headers.get("x-amz-security-token")
        if expected and sent != expected:
            raise _Reject("UnrecognizedClientException", MSG_INVALID_TOKEN,
                          "session token missing or wrong")
        if not expected and sent is not None:
            raise _Reject("UnrecognizedClientException", MSG_INVALID_TOKEN,
                          "session token sent for long-term credentials")
        return key, creds["secret"], expected or None

    def _check_freshness(self, timestamp):
        signed_at = dt.datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(
            tzinfo=dt.timezone.utc)
        now = dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)
        window = dt.timedelta(seconds=MAX_CLOCK_SKEW)
        fmt = lambda t: t.strftime(SIGV4_TIMESTAMP)  # noqa: E731
        if signed_at < now - window:
            raise _Reject("InvalidSignatureException",
                          f"Signature expired: {timestamp} is now earlier than "
                          f"{fmt(now - window)} ({fmt(now)} - 15 min.)")
        if signed_at > now + window:
            raise _Reject("InvalidSignatureException",
                          f"Signature not yet current: {timestamp} is still later "
                          f"than {fmt(now + window)} ({fmt(now)} + 15 min.)")

    def _check_scope(self, timestamp, scope_date, region, service, terminator):
        if scope_date != timestamp[:8]:
            raise _Reject("InvalidSignatureException",
                          "Date in Credential scope does not match YYYYMMDD from "
                          f"ISO-8601 version of date from HTTP: '{scope_date}' != "
                          f"'{timestamp[:8]}', from 'X-Amz-Date'.")
        if service != SERVICE:
            raise _Reject("InvalidSignatureException",
                          f"Credential should be scoped to correct service: '{SERVICE}'. ")
        if self.expected_region is not None and region != self.expected_region:
            raise _Reject("InvalidSignatureException",
                          f"Credential should be scoped to a valid region, not '{region}'. ")
        if terminator != "aws4_request":
            raise _Reject("InvalidSignatureException",
                          "Credential should be scoped with a valid terminator: "
                          f"'aws4_request', not '{terminator}'. ")

    @staticmethod
    def _check_signed_headers(rec, auth):
        signed = auth["SignedHeaders"].split(";")
        required = ["host", "x-amz-date"]
        if "x-amz-security-token" in rec.headers:
            required.append("x-amz-security-token")
        for name in required:
            if name not in signed:
                raise _Reject("IncompleteSignatureException",
                              f"'{name}' must be a 'SignedHeader' in the AWS Authorization.")
        for name in signed:
            if name not in rec.headers:
                raise _Reject("InvalidSignatureException", MSG_BAD_SIGNATURE,
                              f"signed header '{name}' not in the request")
        return signed

    @staticmethod
    def _check_signature(rec, auth, signed, key, secret, token, region, timestamp):
        headers = [(n, v) for n, v in rec.header_list if n.lower() in signed]
        expected, canonical, sts = botocore_signature(
            rec.method, rec.host, rec.path, rec.query, headers, rec.body,
            key, secret, token, region, timestamp)
        rec.canonical_request, rec.string_to_sign = canonical, sts
        if auth["SignedHeaders"] != ";".join(sorted(signed)):
            raise _Reject("InvalidSignatureException", MSG_BAD_SIGNATURE,
                          "SignedHeaders not lower-case and sorted")
        if not hmac.compare_digest(expected, auth["Signature"]):
            raise _Reject("InvalidSignatureException", MSG_BAD_SIGNATURE,
                          "signature mismatch")


# --------------------------------------------------------------------------
# CONNECT proxy
# --------------------------------------------------------------------------


class _ProxyServer(mockserver.TrackedThreads, socketserver.TCPServer):
    def __init__(self, owner):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), socketserver.BaseRequestHandler)

    def finish_request(self, request, client_address):
        self.owner._serve_client(request)


def _read_head(sock, limit=65536):
    """Read up to the blank line ending the request head; return (head, rest)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > limit:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


class ConnectProxy(mockserver.ServerBase):
    """HTTP CONNECT proxy on 127.0.0.1 whose tunnels ALL go to 127.0.0.1:target_port.

    Whatever host the client asks for (e.g. s3tables.us-west-2.amazonaws.com:443)
    is only recorded in .connects, never resolved or contacted, so a test can
    set https_proxy and exercise the plugin's default endpoint safely.
    .requests holds (method, target, headers) for every request, CONNECT or not.
    """

    scheme = "http"

    def __init__(self, target_port):
        super().__init__()
        self.target_port = target_port
        self.connects = []
        self.requests = []

    def _make_server(self):
        return _ProxyServer(self)

    def _serve_client(self, client):
        client.settimeout(10)
        self._register(client)
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            lines = head.split("\r\n")
            method, target = (lines[0].split() + ["", ""])[:2]
            headers = dict(
                (n.strip(), v.strip()) for n, _, v in (l.partition(":") for l in lines[1:])
            )
            with self._lock:
                self.requests.append((method, target, headers))
            _debug(f"proxy: {method} {target}")
            if method.upper() != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\n"
                               b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
            with self._lock:
                self.connects.append(target)
            self._tunnel(client, rest)
        except OSError as exc:
            _debug(f"proxy: {exc}")
        finally:
            self._release(client)

    def _tunnel(self, client, rest):
        """Connect to the mock (127.0.0.1 only) and copy bytes both ways."""
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        self._register(upstream)
        try:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            self._pump(client, upstream)
        finally:
            self._release(upstream)

    def _pump(self, a, b):
        """Copy until both directions reach EOF, forwarding half-closes."""
        peer = {a: b, b: a}
        with selectors.DefaultSelector() as sel:
            sel.register(a, selectors.EVENT_READ)
            sel.register(b, selectors.EVENT_READ)
            while sel.get_map() and not self._stopping.is_set():
                for key, _ in sel.select(timeout=0.2):
                    src = key.fileobj
                    try:
                        data = src.recv(65536)
                    except OSError:
                        return
                    if data:
                        peer[src].sendall(data)
                        continue
                    sel.unregister(src)
                    try:
                        peer[src].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass


# --------------------------------------------------------------------------
# Demo mode
# --------------------------------------------------------------------------


def _write_atomically(path, data):
    """Write then rename, so a poller never reads a half-written file."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _demo_tables(mock):
    """The two demo tables, in namespace 'demo' of the demo bucket (so
    GetTable and ListTables find them too); job bodies are callables so
    ages stay right over time."""
    mock.add_table(DEMO_BUCKET_ARN, DEMO_NAMESPACE, "healthy_table",
                   job=lambda: job("Successful", last_run=5 * 3600 + 3 * 60,
                                   records=1234, files=12, bytes_=4404019),
                   config=expiration_config("enabled", 30), table_id="healthy-table")
    mock.add_table(DEMO_BUCKET_ARN, DEMO_NAMESPACE, "failing_table",
                   job=lambda: job("Failed", last_run=2 * 3600, failure=DEMO_FAILURE),
                   config=expiration_config("disabled"), table_id="failing-table")


def demo(state_dir, port=0):
    """Serve the demo tables in the foreground until SIGTERM/SIGINT."""
    os.makedirs(state_dir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="mock-aws-pki-") as pki_dir:
        pki = make_pki(pki_dir, [f"s3tables.{DEMO_REGION}.amazonaws.com"])
        mock = MockS3Tables(pki, {DEMO_ACCESS_KEY: {"secret": DEMO_SECRET_KEY}}, port)
        mock.expected_region = DEMO_REGION
        _demo_tables(mock)
        with mock:
            with open(pki.ca_cert, "rb") as f:
                _write_atomically(os.path.join(state_dir, "ca.pem"), f.read())
            _write_atomically(os.path.join(state_dir, "url"), (mock.url + "\n").encode())
            print(f"mock S3 Tables listening on {mock.url} (CA: {state_dir}/ca.pem)\n"
                  f"  AWS_ACCESS_KEY_ID={DEMO_ACCESS_KEY}\n"
                  f"  AWS_SECRET_ACCESS_KEY='{DEMO_SECRET_KEY}'\n"
                  f"  region {DEMO_REGION}; tables:\n    {DEMO_HEALTHY_ARN}\n"
                  f"    {DEMO_FAILING_ARN}\n"
                  f"  bucket {DEMO_BUCKET_ARN}, namespace {DEMO_NAMESPACE}: "
                  f"healthy_table, failing_table", flush=True)
            while not stop.wait(0.2):
                pass
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true",
                        help="serve the two demo tables until SIGTERM/SIGINT")
    parser.add_argument("--state-dir", help="where to write ca.pem and url")
    parser.add_argument("--port", type=int, default=0, help="default: ephemeral")
    args = parser.parse_args(argv)
    if not args.demo or not args.state_dir:
        parser.error("use --demo --state-dir DIR")
    return demo(args.state_dir, args.port)


if __name__ == "__main__":
    sys.exit(main())
