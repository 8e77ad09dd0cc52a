#!/usr/bin/env python3
"""Self-test of tests/mock/mock_sso.py (TAP).

Why: the plugin's SSO tests trust the mock to accept what IAM Identity
Center accepts and to answer as it does.  This file proves it with
botocore's own `sso` and `sso-oidc` clients (their serializers, their
rest-json parser, their modelled errors), a few hand-made requests, and
botocore's whole SSO credential provider resolving sso-session and
legacy profiles against the mock, token cache file and all.  The last
part pins down the cache file the plugin must read and write: botocore
refreshes an expired token with CreateToken and rewrites the file, and
the tests check what it wrote.

botocore fixes ~/.aws/sso/cache when it is imported, so the provider runs
in a child process (this file with --resolve PROFILE) whose HOME is a
temporary directory.
"""

import datetime as dt
import hashlib
import http.client
import json
import os
import re
import ssl
import stat
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))


def resolve(profile):
    """Child mode: botocore's credential chain for profile, printed as JSON."""
    import botocore.session

    try:
        creds = botocore.session.Session(profile=profile).get_credentials()
        if creds is None:
            print(json.dumps({"error": "NoCredentials", "message": "no credentials"}))
            return 0
        frozen = creds.get_frozen_credentials()
        print(json.dumps({"method": creds.method, "access_key": frozen.access_key,
                          "secret": frozen.secret_key, "token": frozen.token}))
    except Exception as exc:  # noqa: BLE001 - the parent asserts on the class name
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--resolve"]:
    sys.exit(resolve(sys.argv[2]))

try:
    import botocore.session
    from botocore import UNSIGNED
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError
except ImportError:
    print("1..0 # SKIP botocore not importable", flush=True)
    sys.exit(0)

import mock_aws  # noqa: E402
import mock_sso  # noqa: E402
from e2e_lib import Tap  # noqa: E402

REGION = "eu-west-1"
ACCOUNT, ROLE = "111122223333", "S3TablesReadOnly"
OTHER_ACCOUNT, OTHER_ROLE = "444455556666", "AdministratorAccess"
ACCESS_TOKEN = "aoaAAAAAGVALIDaccessTOKEN0123456789abcdef"
UNKNOWN_TOKEN = "aoaAAAAAGUNKNOWNaccessTOKEN0123456789abcd"
CLIENT_ID = "selftestClientId-abc123"
CLIENT_SECRET = "eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0.secret"
REFRESH = "aorAAAAAGrefreshTOKENselftest000000000001"
NEW_ACCESS = "aoaAAAAAGrefreshedACCESStoken000000000001"
ROT_CLIENT, ROT_SECRET = "rotatingClientId-def456", "rotatingClientSecret-0000000000000000000"
ROT_REFRESH = "aorAAAAAGrotateOLDrefresh000000000000001"
ROT_NEW_REFRESH = "aorAAAAAGrotateNEWrefresh000000000000002"
ROT_ACCESS = "aoaAAAAAGrotatedACCESStoken00000000000001"
TABLE = "arn:aws:s3tables:eu-west-1:111122223333:bucket/b/table/t"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def isolate_environment():
    """botocore must not read the caller's ~/.aws, AWS_* variables or proxies."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def client(service, mock, ca):
    """botocore's unsigned sso / sso-oidc client pointed at the mock, no retries."""
    return botocore.session.Session().create_client(
        service, region_name=REGION, endpoint_url=mock.url, verify=ca,
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1},
                      connect_timeout=5, read_timeout=5))


def error_of(call):
    """(Code, HTTP status) of a ClientError, or ('no error', 200)."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
    return "no error", 200


def response_of(call):
    """The parsed error response of a ClientError (None if the call succeeded)."""
    try:
        call()
    except ClientError as exc:
        return exc.response
    return None


def request(mock, ca, method, path, body=None, headers=None):
    """A hand-made request; returns (status, headers (lower-case), parsed JSON or text)."""
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", mock.port, timeout=5, context=ctx)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        text = resp.read().decode()
        got = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    try:
        return resp.status, got, json.loads(text)
    except ValueError:
        return resp.status, got, text


def creds_path():
    return f"{mock_sso.CREDENTIALS_PATH}?account_id={ACCOUNT}&role_name={ROLE}"


def check_get_role_credentials(t, mock, ca):
    role = mock.role_credentials[(ACCESS_TOKEN, ACCOUNT, ROLE)]
    sso = client("sso", mock, ca)
    before = time.time()
    got = sso.get_role_credentials(accessToken=ACCESS_TOKEN, accountId=ACCOUNT, roleName=ROLE)
    rc = got["roleCredentials"]
    t.is_((rc["accessKeyId"], rc["secretAccessKey"], rc["sessionToken"]),
          (role["access_key"], role["secret"], role["token"]),
          "GetRoleCredentials -> 200, botocore reads the role's keys")
    ttl = rc["expiration"] / 1000 - before
    t.ok(isinstance(rc["expiration"], int) and 3595 < ttl <= 3601,
         "expiration: epoch milliseconds, now + 3600 s by default", rc["expiration"])
    rec = mock.last_request
    t.ok(rec.operation == mock_sso.OP_GET_ROLE_CREDENTIALS and rec.method == "GET"
         and rec.path == "/federation/credentials" and rec.bearer_token == ACCESS_TOKEN
         and rec.params == {"account_id": ACCOUNT, "role_name": ROLE}
         and not rec.signed and rec.status == 200 and rec.error_type is None,
         "recorded: operation, GET path, bearer token header, query, unsigned, 200", repr(rec))
    t.is_(rec.headers.get("x-amz-sso_bearer_token"), ACCESS_TOKEN,
          "botocore sends the token in x-amz-sso_bearer_token")

    fixed = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    role["expiration"] = fixed
    got = sso.get_role_credentials(accessToken=ACCESS_TOKEN, accountId=ACCOUNT, roleName=ROLE)
    role["expiration"] = None
    t.is_(got["roleCredentials"]["expiration"], int(fixed.timestamp()) * 1000,
          "a scripted expiration is sent in milliseconds")

    call = lambda token, account=ACCOUNT, name=ROLE: lambda: sso.get_role_credentials(  # noqa: E731
        accessToken=token, accountId=account, roleName=name)
    try:
        call(UNKNOWN_TOKEN)()
        caught = None
    except sso.exceptions.UnauthorizedException as exc:
        caught = (exc.response["Error"]["Message"],
                  exc.response["ResponseMetadata"]["HTTPStatusCode"])
    t.is_(caught, ("Session token not found or invalid", 401),
          "unknown token -> 401, botocore raises its modelled UnauthorizedException")
    rec = mock.last_request
    t.is_((rec.status, rec.error_type, rec.reason), (401, "UnauthorizedException",
                                                     "unknown bearer token"),
          "401 recorded with x-amzn-ErrorType and the reason")
    got = response_of(call(ACCESS_TOKEN, name=OTHER_ROLE))
    t.is_((got["Error"]["Code"], got["Error"]["Message"],
           got["ResponseMetadata"]["HTTPStatusCode"]), ("ForbiddenException", "No access", 403),
          "known token, role not assigned -> 403 ForbiddenException 'No access'")
    t.is_(error_of(call(ACCESS_TOKEN, account=OTHER_ACCOUNT)), ("ForbiddenException", 403),
          "known token, account not assigned -> 403 ForbiddenException")
    t.is_(error_of(call(ACCESS_TOKEN, account="12345")), ("InvalidRequestException", 400),
          "account_id not 12 digits -> 400 InvalidRequestException (modelled)")
    t.ok(isinstance(sso.exceptions.InvalidRequestException, type),
         "InvalidRequestException is one of botocore's modelled SSO errors")

    status, headers, body = request(mock, ca, "GET", creds_path())
    t.ok(status == 401 and body == {"message": mock_sso.MSG_UNAUTHORIZED}
         and headers.get("x-amzn-errortype", "").startswith("UnauthorizedException:")
         and headers.get("content-type") == "application/json"
         and mock.last_request.reason == "no bearer token",
         "no x-amz-sso_bearer_token header -> 401 UnauthorizedException, JSON body",
         (status, headers, body))
    status, _, body = request(mock, ca, "GET", f"{mock_sso.CREDENTIALS_PATH}?account_id={ACCOUNT}",
                              headers={"x-amz-sso_bearer_token": ACCESS_TOKEN})
    t.ok(status == 400 and body == {"message": "Invalid role name"},
         "no role_name -> 400 InvalidRequestException", (status, body))
    status, _, body = request(mock, ca, "GET", creds_path(), headers={
        "x-amz-sso_bearer_token": ACCESS_TOKEN,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDX/20250101/eu-west-1/awsssoportal/"
                         "aws4_request, SignedHeaders=host, Signature=00"})
    t.ok(status == 200 and body["roleCredentials"]["accessKeyId"] == role["access_key"]
         and mock.last_request.signed,
         "an Authorization header is ignored, and recorded (signed)", (status, body))
    status, headers, body = request(mock, ca, "POST", creds_path(),
                                    headers={"x-amz-sso_bearer_token": ACCESS_TOKEN})
    t.ok(status == 404 and headers.get("x-amzn-errortype", "").startswith(
        "UnknownOperationException:") and mock.last_request.operation is None,
        "POST /federation/credentials -> 404 UnknownOperationException, no operation",
        (status, headers, body))
    status, _, _ = request(mock, ca, "GET", f"/federation/credentials/?account_id={ACCOUNT}"
                                            f"&role_name={ROLE}",
                           headers={"x-amz-sso_bearer_token": ACCESS_TOKEN})
    t.is_(status, 404, "another path (trailing '/') -> 404")


def check_create_token(t, mock, ca):
    oidc = client("sso-oidc", mock, ca)
    got = oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,
                            clientSecret=CLIENT_SECRET, refreshToken=REFRESH)
    t.is_({k: got.get(k) for k in ("accessToken", "expiresIn", "tokenType", "refreshToken")},
          {"accessToken": NEW_ACCESS, "expiresIn": 28800, "tokenType": "Bearer",
           "refreshToken": None},
          "CreateToken (refresh grant) -> 200: accessToken, expiresIn, tokenType; "
          "no refreshToken without rotation")
    rec = mock.last_request
    t.ok(rec.operation == mock_sso.OP_CREATE_TOKEN and rec.method == "POST"
         and rec.path == "/token" and not rec.signed
         and rec.headers.get("content-type", "").startswith("application/json")
         and rec.params == {"grantType": "refresh_token", "clientId": CLIENT_ID,
                            "clientSecret": CLIENT_SECRET, "refreshToken": REFRESH},
         "recorded: POST /token, unsigned, application/json, the JSON members", repr(rec))
    got = client("sso", mock, ca).get_role_credentials(accessToken=NEW_ACCESS, accountId=ACCOUNT,
                                                       roleName=ROLE)
    t.is_(got["roleCredentials"]["accessKeyId"],
          mock.role_credentials[(NEW_ACCESS, ACCOUNT, ROLE)]["access_key"],
          "the issued access token works at the portal")
    again = oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,
                              clientSecret=CLIENT_SECRET, refreshToken=REFRESH)
    t.is_(again["accessToken"], NEW_ACCESS, "without rotation the refresh token stays valid")

    got = oidc.create_token(grantType="refresh_token", clientId=ROT_CLIENT,
                            clientSecret=ROT_SECRET, refreshToken=ROT_REFRESH)
    t.is_((got["accessToken"], got["expiresIn"], got.get("refreshToken")),
          (ROT_ACCESS, 3600, ROT_NEW_REFRESH), "rotation: the answer carries the new refreshToken")
    old = lambda: oidc.create_token(grantType="refresh_token", clientId=ROT_CLIENT,  # noqa: E731
                                    clientSecret=ROT_SECRET, refreshToken=ROT_REFRESH)
    try:
        old()
        caught = None
    except oidc.exceptions.InvalidGrantException as exc:
        caught = (exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response.get("error"),
                  exc.response.get("error_description"))
    t.is_(caught, (400, "invalid_grant", "Invalid refresh token provided"),
          "the rotated-out refresh token -> 400 InvalidGrantException (modelled), "
          "error invalid_grant, error_description")
    t.is_(mock.last_request.error_type, "InvalidGrantException",
          "x-amzn-ErrorType InvalidGrantException sent")
    got = oidc.create_token(grantType="refresh_token", clientId=ROT_CLIENT,
                            clientSecret=ROT_SECRET, refreshToken=ROT_NEW_REFRESH)
    t.is_(got["accessToken"], ROT_ACCESS, "the new refresh token works")

    got = response_of(lambda: oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,
                                                clientSecret="wrong", refreshToken=REFRESH))
    t.is_((got["Error"]["Code"], got["ResponseMetadata"]["HTTPStatusCode"], got.get("error")),
          ("InvalidClientException", 401, "invalid_client"),
          "wrong clientSecret -> InvalidClientException (401, as service-2.json), invalid_client")
    t.is_(error_of(lambda: oidc.create_token(grantType="refresh_token", clientId="nobody",
                                             clientSecret=CLIENT_SECRET, refreshToken=REFRESH)),
          ("InvalidClientException", 401), "unknown clientId -> InvalidClientException")
    t.is_(error_of(lambda: oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,
                                             clientSecret=CLIENT_SECRET, refreshToken="expired")),
          ("InvalidGrantException", 400),
          "unknown (expired) refresh token -> InvalidGrantException")
    t.is_(error_of(lambda: oidc.create_token(grantType="authorization_code", clientId=CLIENT_ID,
                                             clientSecret=CLIENT_SECRET, code="x")),
          ("UnsupportedGrantTypeException", 400), "another grant -> UnsupportedGrantTypeException")
    t.is_(error_of(lambda: oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,
                                             clientSecret=CLIENT_SECRET)),
          ("InvalidRequestException", 400), "refresh grant without refreshToken -> 400")

    json_ct = {"Content-Type": "application/json"}
    good = {"grantType": "refresh_token", "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
            "refreshToken": REFRESH}
    status, headers, body = request(mock, ca, "POST", "/token", json.dumps(good), json_ct)
    t.ok(status == 200 and body["accessToken"] == NEW_ACCESS
         and headers.get("content-type") == "application/json" and "x-amzn-requestid" in headers,
         "hand-made CreateToken -> 200 JSON with x-amzn-RequestId", (status, headers, body))
    for name, payload, headers_, want in [
            ("not JSON", "grantType=refresh_token", json_ct, "body is not a JSON object"),
            ("a JSON array", "[]", json_ct, "body is not a JSON object"),
            ("no clientSecret", json.dumps({k: v for k, v in good.items() if k != "clientSecret"}),
             json_ct, "clientSecret missing"),
            ("form Content-Type", json.dumps(good),
             {"Content-Type": "application/x-www-form-urlencoded"},
             "Content-Type 'application/x-www-form-urlencoded', not application/json")]:
        status, headers, body = request(mock, ca, "POST", "/token", payload, headers_)
        t.ok(status == 400 and isinstance(body, dict) and body.get("error") == "invalid_request"
             and headers.get("x-amzn-errortype", "").startswith("InvalidRequestException:")
             and mock.last_request.reason == want,
             f"CreateToken with {name} -> 400 InvalidRequestException invalid_request",
             (status, headers, body, mock.last_request.reason))
    status, _, _ = request(mock, ca, "GET", "/token")
    t.is_((status, mock.last_request.operation), (404, None), "GET /token -> 404, no operation")

    mock.revoke(ROT_NEW_REFRESH)
    t.is_(error_of(lambda: oidc.create_token(
        grantType="refresh_token", clientId=ROT_CLIENT, clientSecret=ROT_SECRET,
        refreshToken=ROT_NEW_REFRESH)),
          ("InvalidGrantException", 400), "revoke(refresh token) -> InvalidGrantException")
    mock.revoke(ROT_ACCESS)
    t.is_(error_of(lambda: client("sso", mock, ca).get_role_credentials(
        accessToken=ROT_ACCESS, accountId=ACCOUNT, roleName=ROLE)),
        ("UnauthorizedException", 401), "revoke(access token) -> portal 401")


def check_fail_next(t, mock, ca):
    sso, oidc = client("sso", mock, ca), client("sso-oidc", mock, ca)
    portal = lambda: sso.get_role_credentials(accessToken=ACCESS_TOKEN,  # noqa: E731
                                              accountId=ACCOUNT, roleName=ROLE)
    token = lambda: oidc.create_token(grantType="refresh_token", clientId=CLIENT_ID,  # noqa: E731
                                      clientSecret=CLIENT_SECRET, refreshToken=REFRESH)
    mock.clear()
    mock.fail_next(mock_sso.OP_GET_ROLE_CREDENTIALS, 429, "TooManyRequestsException")
    t.is_(mock.queued, 1, "fail_next queues one answer")
    t.is_(token()["accessToken"], NEW_ACCESS, "a portal failure is not used by CreateToken")
    t.is_(error_of(portal), ("TooManyRequestsException", 429),
          "fail_next(GetRoleCredentials, 429, TooManyRequestsException)")
    t.is_((mock.last_request.reason, mock.queued), ("scripted failure", 0), "... and is one-shot")
    t.is_(portal()["roleCredentials"]["accessKeyId"],
          mock.role_credentials[(ACCESS_TOKEN, ACCOUNT, ROLE)]["access_key"],
          "the next call answers normally")
    mock.fail_next(mock_sso.OP_GET_ROLE_CREDENTIALS, error_type="UnauthorizedException")
    got = response_of(portal)
    t.is_((got["Error"]["Code"], got["Error"]["Message"],
           got["ResponseMetadata"]["HTTPStatusCode"]),
          ("UnauthorizedException", mock_sso.MSG_UNAUTHORIZED, 401),
          "fail_next defaults the status and message of the error type")
    mock.fail_next(mock_sso.OP_CREATE_TOKEN, None, "InvalidGrantException", "custom words")
    got = response_of(token)
    t.is_((got["Error"]["Code"], got.get("error"), got.get("error_description")),
          ("InvalidGrantException", "invalid_grant", "custom words"),
          "fail_next(CreateToken, ..., InvalidGrantException, message): OAuth-shaped")
    mock.fail_next(mock_sso.OP_CREATE_TOKEN, 503)
    t.is_(error_of(token), ("InternalServerException", 503),
          "fail_next with a status only -> InternalServerException with that status")
    t.is_(mock.operation_counts, {mock_sso.OP_CREATE_TOKEN: 3, mock_sso.OP_GET_ROLE_CREDENTIALS: 3},
          "operation_counts per operation")
    t.is_([r.operation for r in mock.requests_for(mock_sso.OP_CREATE_TOKEN)],
          [mock_sso.OP_CREATE_TOKEN] * 3, "requests_for(operation)")
    mock.fail_next(mock_sso.OP_CREATE_TOKEN)
    mock.clear()
    t.is_((mock.queued, mock.requests, mock.operation_counts), (0, [], {}),
          "clear() drops requests, counts and one-shot failures")
    t.ok((ACCESS_TOKEN, ACCOUNT, ROLE) in mock.role_credentials and CLIENT_ID in mock.oidc_clients,
         "... not the scripted clients and tokens")
    try:
        mock.fail_next("AssumeRole")
        raised = False
    except ValueError:
        raised = True
    t.ok(raised, "fail_next refuses an unknown operation")


def check_chain(t, mock, ca, pki):
    """Role credentials from the SSO mock sign a request to the S3 Tables mock."""
    got = client("sso", mock, ca).get_role_credentials(
        accessToken=ACCESS_TOKEN, accountId=ACCOUNT, roleName=ROLE)["roleCredentials"]
    with mock_aws.MockS3Tables(pki, mock.issued_credentials()) as s3:
        s3.set_table(TABLE, mock_aws.job("Successful", last_run=60))
        host = f"127.0.0.1:{s3.port}"
        target = f"{mock_aws.OPERATION_PATH}?tableArn={quote(TABLE, safe='')}"
        req = AWSRequest("GET", f"https://{host}{target}", headers={"Host": host})
        SigV4Auth(Credentials(got["accessKeyId"], got["secretAccessKey"], got["sessionToken"]),
                  "s3tables", REGION).add_auth(req)
        ctx = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection("127.0.0.1", s3.port, timeout=5, context=ctx)
        conn.request("GET", target, headers=dict(req.headers.items()))
        status = conn.getresponse().status
        conn.close()
        t.ok(status == 200 and s3.last_request.verified
             and s3.last_request.access_key == got["accessKeyId"],
             "issued_credentials() registered in MockS3Tables: SSO role credentials accepted")


# --------------------------------------------------------------------------
# botocore's SSO credential provider against the mock
# --------------------------------------------------------------------------

START_URL = "https://d-9367selftest.awsapps.com/start"
LEGACY_URL = "https://d-9367legacy.awsapps.com/start#/"
SESSION = "selftest-sso"
PROV_TOKEN = "aoaAAAAAGproviderACCESS0000000000000001"
PROV_NEW = "aoaAAAAAGproviderREFRESHED00000000000002"
PROV_CLIENT, PROV_SECRET = "providerClientId-0001", "providerClientSecret-00000000000000000001"
PROV_REFRESH = "aorAAAAAGproviderREFRESH0000000000000001"
PROV_NEW_REFRESH = "aorAAAAAGproviderREFRESH0000000000000002"
LEGACY_TOKEN = "aoaAAAAAGlegacyACCESS000000000000000000001"
CONFIG = f"""[profile dev]
sso_session = {SESSION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = {REGION}

[profile legacy]
sso_start_url = {LEGACY_URL}
sso_region = {REGION}
sso_account_id = {OTHER_ACCOUNT}
sso_role_name = {OTHER_ROLE}

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access
"""


class Provider:
    """A HOME with ~/.aws/config, and botocore resolving a profile in a child."""

    def __init__(self, tmp, mock, ca):
        self.home = os.path.join(tmp, "home")
        os.makedirs(os.path.join(self.home, ".aws"))
        self.config = os.path.join(self.home, ".aws", "config")
        with open(self.config, "w") as f:
            f.write(CONFIG)
        self.mock, self.ca = mock, ca

    def token(self, name, **token):
        return mock_sso.write_token_cache(self.home, name, token)

    def resolve(self, profile):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": self.home,
               "AWS_CONFIG_FILE": self.config, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
               "AWS_ENDPOINT_URL_SSO": self.mock.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.mock.url,
               "AWS_CA_BUNDLE": self.ca}
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--resolve", profile],
                              env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)
        try:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"error": "child failed", "message": proc.stdout + proc.stderr}


def read_json(path):
    with open(path) as f:
        return json.load(f)


def check_provider(t, mock, ca, tmp):
    p = Provider(tmp, mock, ca)
    session_file = mock_sso.token_cache_path(p.home, SESSION)
    t.is_(session_file, os.path.join(p.home, ".aws", "sso", "cache",
                                     hashlib.sha1(SESSION.encode()).hexdigest() + ".json"),
          "token_cache_path: ~/.aws/sso/cache/<sha1 hex of the name>.json")
    role = mock.add_role_credentials(PROV_TOKEN, ACCOUNT, ROLE)
    new_role = mock.add_role_credentials(PROV_NEW, ACCOUNT, ROLE)
    legacy = mock.add_role_credentials(LEGACY_TOKEN, OTHER_ACCOUNT, OTHER_ROLE)
    registration = {"clientId": PROV_CLIENT, "clientSecret": PROV_SECRET,
                    "registrationExpiresAt": mock_sso.cache_time(90 * 86400)}

    # A valid token, sso-session profile.
    p.token(SESSION, startUrl=START_URL, region=REGION, accessToken=PROV_TOKEN,
            expiresAt=mock_sso.cache_time(3600), refreshToken=PROV_REFRESH, **registration)
    before = read_json(session_file)
    mock.clear()
    got = p.resolve("dev")
    t.is_((got.get("method"), got.get("access_key"), got.get("secret"), got.get("token")),
          ("sso", role["access_key"], role["secret"], role["token"]),
          "botocore, sso-session profile, valid cached token: the mock's role credentials")
    req = mock.last_request
    t.ok(req is not None and req.operation == mock_sso.OP_GET_ROLE_CREDENTIALS
         and req.bearer_token == PROV_TOKEN
         and req.params == {"account_id": ACCOUNT, "role_name": ROLE}
         and mock.operation_counts == {mock_sso.OP_GET_ROLE_CREDENTIALS: 1},
         "... one GetRoleCredentials with the cached token (AWS_ENDPOINT_URL_SSO honoured), "
         "no CreateToken", repr(req))
    t.is_(read_json(session_file), before, "... and the cache file is left alone")

    # An expired token: botocore refreshes it and rewrites the file.
    mock.add_oidc_client(PROV_CLIENT, PROV_SECRET, PROV_REFRESH, PROV_NEW, expires_in=28800,
                         new_refresh_token=PROV_NEW_REFRESH)
    p.token(SESSION, startUrl=START_URL, region=REGION, accessToken=PROV_TOKEN,
            expiresAt=mock_sso.cache_time(-3600), refreshToken=PROV_REFRESH, **registration)
    os.chmod(session_file, 0o644)
    mock.clear()
    started = time.time()
    got = p.resolve("dev")
    t.is_((got.get("access_key"), got.get("secret")), (new_role["access_key"], new_role["secret"]),
          "botocore, expired token with a refresh token: refreshed, the new token's role keys")
    create = mock.requests_for(mock_sso.OP_CREATE_TOKEN)
    t.ok(len(create) == 1 and create[0].params == {
        "grantType": "refresh_token", "clientId": PROV_CLIENT, "clientSecret": PROV_SECRET,
        "refreshToken": PROV_REFRESH} and create[0].status == 200
         and create[0].headers.get("content-type", "").startswith("application/json"),
         "... one CreateToken: JSON {grantType refresh_token, clientId, clientSecret, "
         "refreshToken} (AWS_ENDPOINT_URL_SSO_OIDC honoured)", [repr(r) for r in create])
    t.is_(mock.last_request.bearer_token, PROV_NEW,
          "... then GetRoleCredentials with the new token")
    written = read_json(session_file)
    t.is_({k: v for k, v in written.items() if k != "expiresAt"},
          {"startUrl": START_URL, "region": REGION, "accessToken": PROV_NEW,
           "refreshToken": PROV_NEW_REFRESH, **registration},
          "rewritten cache file: new accessToken and refreshToken, the other fields kept")
    expires = written.get("expiresAt", "")
    t.like(expires, ISO_Z.pattern, "rewritten expiresAt is 'YYYY-MM-DDTHH:MM:SSZ'")
    if ISO_Z.match(expires):
        at = dt.datetime.strptime(expires, mock_sso.CACHE_TIME_FORMAT).replace(
            tzinfo=dt.timezone.utc).timestamp()
        t.ok(started + 28800 - 2 <= at <= time.time() + 28800 + 1,
             "rewritten expiresAt = now + expiresIn", expires)
    else:
        t.ok(False, "rewritten expiresAt = now + expiresIn", expires)
    t.is_(stat.S_IMODE(os.stat(session_file).st_mode), 0o600,
          "botocore writes the cache file 0600 (mkstemp, then rename)")
    t.ok(not [n for n in os.listdir(os.path.dirname(session_file)) if n.endswith(".tmp")],
         "no temporary file left beside it")

    # The refresh fails: botocore gives up before the portal, the file stays.
    p.token(SESSION, startUrl=START_URL, region=REGION, accessToken="aoaEXPIREDunknownTOKEN01",
            expiresAt=mock_sso.cache_time(-60), refreshToken="aorREVOKEDrefresh01", **registration)
    before = read_json(session_file)
    mock.clear()
    got = p.resolve("dev")
    t.is_((got.get("error"), mock.operation_counts, read_json(session_file)),
          ("TokenRetrievalError", {mock_sso.OP_CREATE_TOKEN: 1}, before),
          "botocore, refresh answered invalid_grant: TokenRetrievalError, no portal call, "
          "file unchanged")
    t.like(got.get("message"), "sso", "... the error is about the SSO token")

    # Legacy profile: the file is named after the start URL, never refreshed.
    legacy_file = p.token(LEGACY_URL, startUrl=LEGACY_URL, region=REGION, accessToken=LEGACY_TOKEN,
                          expiresAt=mock_sso.cache_time(3600))
    t.is_(os.path.basename(legacy_file), mock_sso.cache_key(LEGACY_URL) + ".json",
          "legacy cache file: sha1 of the start URL")
    mock.clear()
    got = p.resolve("legacy")
    t.is_((got.get("access_key"), mock.last_request.params if mock.last_request else None),
          (legacy["access_key"], {"account_id": OTHER_ACCOUNT, "role_name": OTHER_ROLE}),
          "botocore, legacy profile (sso_start_url in the profile): the mock's role credentials")
    p.token(LEGACY_URL, startUrl=LEGACY_URL, region=REGION, accessToken=LEGACY_TOKEN,
            expiresAt=mock_sso.cache_time(-60))
    mock.clear()
    got = p.resolve("legacy")
    t.is_((got.get("error"), len(mock.requests)), ("UnauthorizedSSOTokenError", 0),
          "botocore, expired legacy token: UnauthorizedSSOTokenError, no request at all")
    p.token(LEGACY_URL, startUrl=LEGACY_URL, region=REGION, accessToken=UNKNOWN_TOKEN,
            expiresAt=mock_sso.cache_time(3600))
    mock.clear()
    got = p.resolve("legacy")
    t.is_((got.get("error"), mock.last_request.status if mock.last_request else None),
          ("UnauthorizedSSOTokenError", 401),
          "botocore, portal 401: UnauthorizedSSOTokenError (the 'aws sso login' error)")
    p.token(LEGACY_URL, startUrl=LEGACY_URL, region=REGION, accessToken=PROV_TOKEN,
            expiresAt=mock_sso.cache_time(3600))
    mock.clear()
    got = p.resolve("legacy")
    t.is_((got.get("error"), mock.last_request.error_type if mock.last_request else None),
          ("ClientError", "ForbiddenException"),
          "botocore, portal 403: a plain ClientError ForbiddenException (not modelled)")


def main():
    isolate_environment()
    t = Tap()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sso-selftest-") as tmp:
        pki = mock_aws.make_pki(os.path.join(tmp, "pki"))
        with mock_sso.MockSSO(pki) as mock:
            mock.add_role_credentials(ACCESS_TOKEN, ACCOUNT, ROLE)
            mock.add_role_credentials(NEW_ACCESS, ACCOUNT, ROLE)
            mock.add_oidc_client(CLIENT_ID, CLIENT_SECRET, REFRESH, NEW_ACCESS, expires_in=28800)
            mock.add_oidc_client(ROT_CLIENT, ROT_SECRET, ROT_REFRESH, ROT_ACCESS,
                                 new_refresh_token=ROT_NEW_REFRESH)
            t.like(mock.url, r"^https://127\.0\.0\.1:\d+$", "url is https://127.0.0.1:PORT")
            check_get_role_credentials(t, mock, pki.ca_cert)
            check_create_token(t, mock, pki.ca_cert)
            check_fail_next(t, mock, pki.ca_cert)
            check_chain(t, mock, pki.ca_cert, pki)
            check_provider(t, mock, pki.ca_cert, tmp)
        t.ok(mock.port is None, "stop() releases the port")
    t.diag(f"elapsed {time.monotonic() - started:.2f}s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
