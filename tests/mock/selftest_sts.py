#!/usr/bin/env python3
"""Self-test of tests/mock/mock_sts.py (TAP).

Why: the plugin's role tests trust the STS mock to accept exactly what
STS accepts and to answer as STS does.  This file proves it with
botocore's own STS client (its signer, its XML parser, its error
handling) and a few hand-made requests, independently of the plugin.
"""

import datetime as dt
import hashlib
import http.client
import os
import ssl
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

try:
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError
except ImportError:
    print("1..0 # SKIP botocore not importable", flush=True)
    sys.exit(0)

import mock_aws  # noqa: E402
import mock_sts  # noqa: E402
from e2e_lib import Tap  # noqa: E402

NS = {"sts": mock_sts.NAMESPACE}
REGION = "us-east-1"
KEY, SECRET = "AKIDSOURCE", "sourceSecret/Key+0123456789abcdefghijklm"
TEMP_KEY, TEMP_SECRET, TEMP_TOKEN = "ASIASOURCE", "tempSecret/0123", "FQoGZXIvYXdzEFAKE//tok+="
OLD_KEY = "ASIAEXPIRED"
ROLE = "arn:aws:iam::123456789012:role/monitor"
WEB_ROLE = "arn:aws:iam::123456789012:role/pod"
LOCKED_ROLE = "arn:aws:iam::123456789012:role/third-party"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln+/="
TABLE = "arn:aws:s3tables:us-east-1:123456789012:bucket/b/table/t"


def isolate_environment():
    """botocore must not read the caller's ~/.aws, AWS_* variables or proxies."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def sts_client(mock, ca, key=KEY, secret=SECRET, token=None):
    """botocore's STS client, pointed at the mock, no retries."""
    session = botocore.session.Session()
    return session.create_client(
        "sts", region_name=REGION, endpoint_url=mock.url, verify=ca,
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=5))


def error_of(call):
    """(Code, HTTP status) of a ClientError, or ('no error', 200)."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
    return "no error", 200


def post(mock, ca, params, sign_with=None, tamper=None, timeout=5, service="sts"):
    """POST a form to the mock, optionally SigV4-signed (key, secret) for service."""
    body = urlencode(params).encode()
    host = f"127.0.0.1:{mock.port}"
    request = AWSRequest("POST", f"https://{host}/", data=body, headers={
        "Host": host, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    if sign_with:
        SigV4Auth(Credentials(*sign_with), service, REGION).add_auth(request)
    if tamper:
        body = tamper(body)
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, timeout=timeout, context=ctx)
    try:
        conn.request("POST", "/", body=body, headers=dict(request.headers.items()))
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


def check_assume_role(t, mock, ca):
    role = mock.roles[ROLE]
    before = dt.datetime.now(dt.timezone.utc)
    got = sts_client(mock, ca).assume_role(RoleArn=ROLE, RoleSessionName="nagios")
    creds = got["Credentials"]
    t.is_((creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]),
          (role["access_key"], role["secret"], role["token"]),
          "signed AssumeRole -> 200, botocore reads the role's credentials")
    ttl = (creds["Expiration"] - before).total_seconds()
    t.ok(3595 < ttl <= 3601, "Expiration defaults to now + 3600 s", ttl)
    t.is_(got["AssumedRoleUser"]["Arn"], "arn:aws:sts::123456789012:assumed-role/monitor/nagios",
          "AssumedRoleUser Arn names role and session")
    rec = mock.last_request
    t.ok(rec.verified and rec.signed and rec.access_key == KEY and rec.action == "AssumeRole"
         and rec.params["RoleArn"] == ROLE and rec.params["Version"] == "2011-06-15"
         and rec.code is None and rec.status == 200,
         "request recorded: verified, signed, key, action, params", repr(rec))
    t.ok(rec.canonical_request.endswith("\n" + hashlib.sha256(rec.body).hexdigest()),
         "botocore's canonical request is kept, ending with the form body's hash",
         rec.canonical_request)
    got = sts_client(mock, ca).assume_role(RoleArn=ROLE, RoleSessionName="short",
                                           DurationSeconds=900)
    ttl = (got["Credentials"]["Expiration"] - dt.datetime.now(dt.timezone.utc)).total_seconds()
    t.ok(890 < ttl <= 901, "DurationSeconds=900 -> Expiration now + 900 s", ttl)
    got = sts_client(mock, ca, TEMP_KEY, TEMP_SECRET, TEMP_TOKEN).assume_role(
        RoleArn=ROLE, RoleSessionName="chained")
    sent_token = mock.last_request.headers.get("x-amz-security-token")
    t.is_((got["Credentials"]["AccessKeyId"], sent_token), (role["access_key"], TEMP_TOKEN),
          "source with a session token -> 200")


def check_xml(t, mock, ca):
    status, body = post(mock, ca, {"Action": "AssumeRole", "Version": "2011-06-15",
                                   "RoleArn": ROLE, "RoleSessionName": "raw"}, (KEY, SECRET))
    root = ET.fromstring(body)
    creds = root.find("sts:AssumeRoleResult/sts:Credentials", NS)
    t.ok(status == 200 and root.tag == f"{{{mock_sts.NAMESPACE}}}AssumeRoleResponse"
         and creds is not None and creds.find("sts:AccessKeyId", NS).text
         == mock.roles[ROLE]["access_key"]
         and root.find("sts:ResponseMetadata/sts:RequestId", NS) is not None,
         "success XML: STS namespace, AssumeRoleResult/Credentials, ResponseMetadata", body)
    t.like(creds.find("sts:Expiration", NS).text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
           "Expiration formatted like STS (seconds, Z)")
    status, body = post(mock, ca, {"Action": "AssumeRole", "Version": "2011-06-15",
                                   "RoleArn": ROLE, "RoleSessionName": "raw"}, (KEY, "wrong"))
    root = ET.fromstring(body)
    t.ok(status == 403 and root.tag == f"{{{mock_sts.NAMESPACE}}}ErrorResponse"
         and root.find("sts:Error/sts:Type", NS).text == "Sender"
         and root.find("sts:Error/sts:Code", NS).text == "SignatureDoesNotMatch"
         and root.find("sts:Error/sts:Message", NS).text == mock_aws.MSG_BAD_SIGNATURE
         and root.find("sts:RequestId", NS) is not None,
         "error XML: ErrorResponse/Error/Type, Code, Message; RequestId", body)


def check_auth_errors(t, mock, ca):
    call = lambda c: lambda: c.assume_role(RoleArn=ROLE, RoleSessionName="x1")  # noqa: E731
    t.is_(error_of(call(sts_client(mock, ca, secret="wrong"))), ("SignatureDoesNotMatch", 403),
          "wrong secret -> 403 SignatureDoesNotMatch")
    t.ok(not mock.last_request.verified and mock.last_request.reason == "signature mismatch",
         "rejected request recorded unverified, with the reason")
    t.is_(error_of(call(sts_client(mock, ca, key="AKIDUNKNOWN"))), ("InvalidClientTokenId", 403),
          "unknown access key -> 403 InvalidClientTokenId")
    t.is_(error_of(call(sts_client(mock, ca, TEMP_KEY, TEMP_SECRET))),
          ("InvalidClientTokenId", 403), "session token missing -> 403 InvalidClientTokenId")
    t.is_(error_of(call(sts_client(mock, ca, OLD_KEY, SECRET, "old"))), ("ExpiredToken", 400),
          "expired source credentials -> 400 ExpiredToken")
    params = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE,
              "RoleSessionName": "raw"}
    status, body = post(mock, ca, params)
    t.ok(status == 403 and "<Code>MissingAuthenticationToken</Code>" in body,
         "unsigned AssumeRole -> 403 MissingAuthenticationToken", body)
    status, body = post(mock, ca, params, (KEY, SECRET),
                        tamper=lambda b: b.replace(b"raw", b"rax"))
    t.ok(status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body,
         "form body changed after signing -> 403 (the body hash is signed)", body)
    mock.expected_region = "eu-west-1"
    t.is_(error_of(call(sts_client(mock, ca))), ("SignatureDoesNotMatch", 403),
          "expected_region set, scope names another -> 403")
    mock.expected_region = None
    status, body = post(mock, ca, params, (KEY, SECRET), service="s3tables")
    t.ok(status == 403 and "correct service: 'sts'" in body,
         "scope with the wrong service -> 403 SignatureDoesNotMatch", body)


def check_web_identity(t, mock, ca):
    role = mock.roles[WEB_ROLE]
    client = sts_client(mock, ca)
    got = client.assume_role_with_web_identity(RoleArn=WEB_ROLE, RoleSessionName="pod-1",
                                               WebIdentityToken=JWT)
    rec = mock.last_request
    t.is_(got["Credentials"]["AccessKeyId"], role["access_key"],
          "unsigned AssumeRoleWithWebIdentity (as botocore sends it) -> 200")
    t.ok(not rec.signed and rec.access_key is None and rec.verified
         and rec.action == "AssumeRoleWithWebIdentity" and rec.params["WebIdentityToken"] == JWT,
         "recorded unsigned, no key, the token decoded ('+' kept)", repr(rec))
    t.is_(got["SubjectFromWebIdentityToken"], "system:serviceaccount:monitoring:nagios",
          "web identity answer carries SubjectFromWebIdentityToken")
    t.is_(error_of(lambda: client.assume_role_with_web_identity(
        RoleArn=WEB_ROLE, RoleSessionName="pod-1", WebIdentityToken="other")),
        ("InvalidIdentityToken", 400), "wrong WebIdentityToken -> 400 InvalidIdentityToken")
    params = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
              "RoleArn": WEB_ROLE, "RoleSessionName": "pod-2"}
    status, body = post(mock, ca, params)
    t.ok(status == 400 and "<Code>ValidationError</Code>" in body
         and "'webIdentityToken'" in body, "no WebIdentityToken -> 400 ValidationError", body)
    params["WebIdentityToken"] = JWT
    status, body = post(mock, ca, params, (KEY, SECRET))
    t.ok(status == 200 and mock.last_request.signed and mock.last_request.verified,
         "signed AssumeRoleWithWebIdentity -> accepted, as AWS does", body)
    status, body = post(mock, ca, params, (KEY, "wrong"))
    t.ok(status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body,
         "signed with a wrong secret -> 403, like any signed request", body)


def check_roles(t, mock, ca):
    client = sts_client(mock, ca)
    t.is_(error_of(lambda: client.assume_role(RoleArn=ROLE + "x", RoleSessionName="s1")),
          ("AccessDenied", 403), "unknown role -> 403 AccessDenied")
    t.like(mock.last_request.reason, "unknown role", "reason recorded")
    t.is_(error_of(lambda: client.assume_role(RoleArn=LOCKED_ROLE, RoleSessionName="s1",
                                              ExternalId="secret-ext")),
          ("AccessDenied", 403), "source not in allowed_sources -> 403 AccessDenied")
    other = sts_client(mock, ca, TEMP_KEY, TEMP_SECRET, TEMP_TOKEN)
    t.is_(error_of(lambda: other.assume_role(RoleArn=LOCKED_ROLE, RoleSessionName="s1")),
          ("AccessDenied", 403), "ExternalId missing -> 403 AccessDenied")
    got = other.assume_role(RoleArn=LOCKED_ROLE, RoleSessionName="s1", ExternalId="secret-ext")
    t.is_((got["Credentials"]["AccessKeyId"], mock.last_request.params.get("ExternalId")),
          (mock.roles[LOCKED_ROLE]["access_key"], "secret-ext"),
          "allowed source with the right ExternalId -> 200")
    t.is_(error_of(lambda: client.assume_role(RoleArn=ROLE, RoleSessionName="s1",
                                              DurationSeconds=7200)),
          ("ValidationError", 400), "DurationSeconds over the role's maximum -> 400")
    t.is_(error_of(lambda: client.assume_role(RoleArn=ROLE, RoleSessionName="bad name")),
          ("ValidationError", 400), "session name outside [\\w+=,.@-] -> 400 ValidationError")
    fixed = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    mock.roles[ROLE]["expiration"] = fixed
    got = client.assume_role(RoleArn=ROLE, RoleSessionName="s1")
    mock.roles[ROLE]["expiration"] = None
    t.is_(got["Credentials"]["Expiration"], fixed, "a scripted expiration is sent as is")


def check_fail_next(t, mock, ca):
    client = sts_client(mock, ca)
    call = lambda: client.assume_role(RoleArn=ROLE, RoleSessionName="s1")  # noqa: E731
    for code, status in (("AccessDenied", 403), ("ExpiredToken", 400),
                         ("RegionDisabledException", 403), ("InvalidIdentityToken", 400),
                         ("InternalFailure", 500)):
        mock.fail_next(code)
        t.is_((error_of(call), mock.last_request.code), ((code, status), code),
              f"fail_next('{code}') -> {status} {code}, recorded")
    mock.fail_next("AccessDenied", "custom words", 401)
    try:
        call()
        got = None
    except ClientError as exc:
        got = (exc.response["Error"]["Message"], exc.response["ResponseMetadata"]["HTTPStatusCode"])
    t.is_(got, ("custom words", 401), "fail_next with a message and a status")
    t.is_((mock.queued, call()["Credentials"]["AccessKeyId"]),
          (0, mock.roles[ROLE]["access_key"]), "fail_next is one-shot")
    mock.fail_next("AccessDenied")
    t.is_(error_of(call_with(sts_client(mock, ca, secret="wrong"))),
          ("SignatureDoesNotMatch", 403), "fail_next waits for a request that authenticates")
    t.is_(error_of(call), ("AccessDenied", 403), "... and is used by the next one")


def call_with(client):
    return lambda: client.assume_role(RoleArn=ROLE, RoleSessionName="s1")


def check_chain(t, mock, ca, pki):
    """Role credentials from the STS mock sign a request to the S3 Tables mock."""
    got = sts_client(mock, ca).assume_role(RoleArn=ROLE, RoleSessionName="chain")["Credentials"]
    with mock_aws.MockS3Tables(pki, mock.issued_credentials()) as s3:
        s3.set_table(TABLE, mock_aws.job("Successful", last_run=60))
        host = f"127.0.0.1:{s3.port}"
        target = f"{mock_aws.OPERATION_PATH}?tableArn={quote(TABLE, safe='')}"
        request = AWSRequest("GET", f"https://{host}{target}", headers={"Host": host})
        SigV4Auth(Credentials(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"]),
                  "s3tables", REGION).add_auth(request)
        ctx = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection("127.0.0.1", s3.port, timeout=5, context=ctx)
        conn.request("GET", target, headers=dict(request.headers.items()))
        status = conn.getresponse().status
        conn.close()
        t.ok(status == 200 and s3.last_request.verified
             and s3.last_request.access_key == got["AccessKeyId"],
             "issued_credentials() registered in MockS3Tables: role credentials accepted")


def check_delay_and_stop(t, mock, ca):
    mock.delay = 3
    started = time.monotonic()
    try:
        post(mock, ca, {"Action": "AssumeRole"}, (KEY, SECRET), timeout=0.3)
        timed_out = False
    except (TimeoutError, OSError):
        timed_out = True
    mock.delay = 0
    t.ok(timed_out and time.monotonic() - started < 1.5, "delay makes a client time out")


def main():
    isolate_environment()
    t = Tap()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sts-selftest-") as tmp:
        pki = mock_aws.make_pki(os.path.join(tmp, "pki"))
        creds = {KEY: {"secret": SECRET},
                 TEMP_KEY: {"secret": TEMP_SECRET, "token": TEMP_TOKEN},
                 OLD_KEY: {"secret": SECRET, "token": "old", "expired": True}}
        with mock_sts.MockSTS(pki, creds) as mock:
            mock.add_role(ROLE)
            mock.add_role(WEB_ROLE, web_identity_token=JWT)
            mock.add_role(LOCKED_ROLE, allowed_sources={TEMP_KEY}, external_id="secret-ext")
            t.like(mock.url, r"^https://127\.0\.0\.1:\d+$", "url is https://127.0.0.1:PORT")
            check_assume_role(t, mock, pki.ca_cert)
            check_xml(t, mock, pki.ca_cert)
            check_auth_errors(t, mock, pki.ca_cert)
            check_web_identity(t, mock, pki.ca_cert)
            check_roles(t, mock, pki.ca_cert)
            check_fail_next(t, mock, pki.ca_cert)
            check_chain(t, mock, pki.ca_cert, pki)
            check_delay_and_stop(t, mock, pki.ca_cert)
        t.ok(mock.port is None, "stop() releases the port")
    t.diag(f"elapsed {time.monotonic() - started:.2f}s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
