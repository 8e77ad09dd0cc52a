#!/usr/bin/env python3
"""mock_sts - a local, scripted stand-in for AWS STS (AssumeRole and
AssumeRoleWithWebIdentity, query protocol, XML answers).

Why it exists: the plugin's role chains (--role-arn, role_arn profiles,
EKS web identity) must be tested end to end without talking to AWS.
This mock is mock_aws.MockS3Tables with STS routing: the same
127.0.0.1-only HTTPS server and PKI, the same SigV4 checks recomputed
with botocore (service "sts", form body hash included), answering as
STS does:

  * AssumeRole must be signed by one of `credentials` (same shape as
    MockS3Tables: {access_key: {"secret": ..., "token": ...}}); a bad
    signature gets 403 SignatureDoesNotMatch, an unknown key or token
    403 InvalidClientTokenId, as real STS answers;
  * AssumeRoleWithWebIdentity needs no signature but a WebIdentityToken
    (a signed one is accepted too, as AWS does, once its signature
    checks out);
  * the roles to hand out are scripted in .roles; the credentials they
    return can be registered in a MockS3Tables (issued_credentials()), so
    a test can chain plugin -> STS mock -> S3 Tables mock.

Set MOCK_DEBUG=1 to log each request to stderr.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
import socket
import string
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import mock_aws
from mock_aws import Answer, _Reject

try:
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # mock_aws.require_botocore() reports it when a mock is made
    pass

SERVICE = "sts"
VERSION = "2011-06-15"
NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
ACTIONS = ("AssumeRole", "AssumeRoleWithWebIdentity")
DEFAULT_DURATION = 3600  # seconds, as STS
# What a .roles entry may leave out (access_key, secret and token it may not).
ROLE_DEFAULTS = {"expiration": None, "allowed_sources": None, "external_id": None,
                 "web_identity_token": None, "max_session_duration": DEFAULT_DURATION}
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$")

# What AssumeRoleWithWebIdentityResult adds (an EKS service account's claims).
WEB_IDENTITY_EXTRA = (
    "    <SubjectFromWebIdentityToken>system:serviceaccount:monitoring:nagios"
    "</SubjectFromWebIdentityToken>\n"
    "    <Audience>sts.amazonaws.com</Audience>\n"
    "    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.example</Provider>\n")

# HTTP status of the STS error codes (service-2.json, and what the front
# end answers before the operation runs).
ERROR_STATUS = {
    "AccessDenied": 403,
    "ExpiredToken": 400,
    "ExpiredTokenException": 400,
    "RegionDisabledException": 403,
    "InvalidIdentityToken": 400,
    "IDPRejectedClaim": 403,
    "IDPCommunicationError": 400,
    "MalformedPolicyDocument": 400,
    "PackedPolicyTooLarge": 400,
    "ValidationError": 400,
    "InvalidAction": 400,
    "MissingAction": 400,
    "SignatureDoesNotMatch": 403,
    "InvalidClientTokenId": 403,
    "IncompleteSignature": 400,
    "MissingAuthenticationToken": 403,
    "Throttling": 400,
    "InternalFailure": 500,
    "ServiceUnavailable": 503,
}

DEFAULT_MESSAGES = {
    "AccessDenied": "User is not authorized to perform: sts:AssumeRole",
    "ExpiredToken": "The security token included in the request is expired",
    "ExpiredTokenException": "Token expired: current date/time 1700000000 must be before "
                             "the expiration date/time 1600000000",
    "RegionDisabledException": "STS is not activated in this region for account:"
                               "123456789012. Your account administrator can activate STS in "
                               "this region using the IAM Console.",
    "InvalidIdentityToken": "Couldn't retrieve verification key from your identity provider,  "
                            "please reference AssumeRoleWithWebIdentity documentation for "
                            "requirements",
    "MalformedPolicyDocument": "The policy is not in the valid JSON format.",
    "Throttling": "Rate exceeded",
    "InternalFailure": "An internal error occurred.",
}

# The S3 Tables mock's rest-json rejections, as STS words them.
_STS_CODES = {
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403),
    "IncompleteSignatureException": ("IncompleteSignature", 400),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
    "UnrecognizedClientException": ("InvalidClientTokenId", 403),
}


def _random(alphabet, n):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _role_id(role_arn):
    """A stable, realistic role id ("AROA" + 17 characters) for an ARN."""
    return "AROA" + hashlib.sha256(role_arn.encode()).hexdigest()[:17].upper()


def error_xml(code, message, status):
    """An STS <ErrorResponse>."""
    kind = "Receiver" if status >= 500 else "Sender"
    return (f'<ErrorResponse xmlns="{NAMESPACE}">\n'
            f"  <Error>\n    <Type>{kind}</Type>\n    <Code>{escape(code)}</Code>\n"
            f"    <Message>{escape(message)}</Message>\n  </Error>\n"
            f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n")


def credentials_xml(action, role_arn, session_name, role, expiration, extra=""):
    """An STS <AssumeRoleResponse> or <AssumeRoleWithWebIdentityResponse>."""
    account, role_name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    return (f'<{action}Response xmlns="{NAMESPACE}">\n  <{action}Result>\n{extra}'
            f"    <AssumedRoleUser>\n"
            f"      <Arn>arn:aws:sts::{escape(account)}:assumed-role/{escape(role_name)}/"
            f"{escape(session_name)}</Arn>\n"
            f"      <AssumedRoleId>{_role_id(role_arn)}:{escape(session_name)}</AssumedRoleId>\n"
            f"    </AssumedRoleUser>\n    <Credentials>\n"
            f"      <AccessKeyId>{escape(role['access_key'])}</AccessKeyId>\n"
            f"      <SecretAccessKey>{escape(role['secret'])}</SecretAccessKey>\n"
            f"      <SessionToken>{escape(role['token'])}</SessionToken>\n"
            f"      <Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>\n"
            f"    </Credentials>\n  </{action}Result>\n"
            f"  <ResponseMetadata>\n    <RequestId>{uuid.uuid4()}</RequestId>\n"
            f"  </ResponseMetadata>\n</{action}Response>\n")


@dataclass
class _STSAnswer(Answer):
    code: str = None  # the STS error code, None for a success


def _answer(status, body, code=None):
    return _STSAnswer(status, body, {"Content-Type": "text/xml"}, code=code)


def _error(code, message=None, status=None):
    status = status or ERROR_STATUS.get(code, 400)
    return _answer(status, error_xml(code, message or DEFAULT_MESSAGES.get(code, code), status),
                   code)


class _STSReject(_Reject):
    """An STS error raised by the checks (code and status as STS has them)."""

    def __init__(self, code, message, reason=None):
        super().__init__(code, message, reason, ERROR_STATUS.get(code, 400))


def _validation(field, value, constraint):
    return _STSReject("ValidationError", f"1 validation error detected: Value {value} at "
                                         f"'{field}' failed to satisfy constraint: {constraint}")


class MockSTS(mock_aws.MockS3Tables):
    """HTTPS mock of STS AssumeRole / AssumeRoleWithWebIdentity on 127.0.0.1.

    MockSTS(pki, credentials, port=0): pki from mock_aws.make_pki;
    credentials {access_key: {"secret": str, "token": str or None,
    "expired": bool}} may sign AssumeRole ("expired" answers 400
    ExpiredToken). Start with .start() or a with block; .url, .port, .stop().

    .roles {role_arn: {...}} (add_role() fills in defaults):
      access_key, secret, token  the credentials handed out;
      expiration         datetime, or None: now + DurationSeconds (3600);
      allowed_sources    set of access keys that may assume it, None: any;
      external_id        if set, AssumeRole must send this ExternalId;
      web_identity_token if set, the only WebIdentityToken accepted;
      max_session_duration  DurationSeconds above it is a ValidationError.
    An unknown role answers 403 AccessDenied.

    Inherited from MockS3Tables: expected_region (the signing region
    required), delay, clock_skew, tls_errors, clear(), queued,
    enqueue_disconnect(). .requests holds mock_aws.RecordedRequest objects
    with, besides method/path/headers/body/access_key/verified/reason:
      action  "AssumeRole", ...;  params  the decoded form (last value wins);
      signed  an Authorization header was sent;  code  STS error code or None.
    """

    def __init__(self, pki, credentials, port=0):
        super().__init__(pki, credentials, port)
        self.roles = {}

    # -- scripting ---------------------------------------------------------

    def add_role(self, role_arn, access_key=None, secret=None, token=None, expiration=None,
                 allowed_sources=None, external_id=None, web_identity_token=None,
                 max_session_duration=DEFAULT_DURATION):
        """Script a role; unset keys get random, realistic values. Returns the entry."""
        role = {
            "access_key": access_key or "ASIA" + _random(string.ascii_uppercase + string.digits,
                                                         16),
            "secret": secret or _random(string.ascii_letters + string.digits + "+/", 40),
            "token": token or "IQoJb3JpZ2luX2Vj" + _random(string.ascii_letters + "+/=", 200),
            "expiration": expiration,
            "allowed_sources": allowed_sources,
            "external_id": external_id,
            "web_identity_token": web_identity_token,
            "max_session_duration": max_session_duration,
        }
        with self._lock:
            self.roles[role_arn] = role
        return role

    def issued_credentials(self):
        """{access_key: {"secret", "token"}} of every role: for MockS3Tables.credentials."""
        with self._lock:
            return {r["access_key"]: {"secret": r["secret"], "token": r["token"]}
                    for r in self.roles.values()}

    def fail_next(self, code, message=None, status=None):
        """One-shot STS error for the next request that authenticates, e.g.
        fail_next("RegionDisabledException"); status defaults per ERROR_STATUS."""
        with self._lock:
            self._queue.append(_error(code, message, status))

    # -- request handling --------------------------------------------------

    def _handle(self, handler):
        rec = self._record(handler)
        rec.params = self._params(rec)
        rec.action = rec.params.get("Action")
        rec.signed = "authorization" in rec.headers
        rec.code = None
        try:
            if rec.action != "AssumeRoleWithWebIdentity" or rec.signed:
                self._authenticate(rec)
            rec.verified = True
            answer = self._route(rec)
        except _Reject as rej:
            code, status = _STS_CODES.get(rej.error_type, (rej.error_type, rej.status))
            rec.reason = rej.reason
            answer = _error(code, rej.message, status)
        rec.code = getattr(answer, "code", None)
        delay = answer.delay if answer.delay is not None else self.delay
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
        self._send(handler, rec, answer)

    @staticmethod
    def _params(rec):
        """The query's parameters, then the form body's (as STS, '+' is a space)."""
        pairs = parse_qsl(rec.query, keep_blank_values=True)
        content_type = rec.headers.get("content-type", "")
        if content_type.lower().startswith("application/x-www-form-urlencoded"):
            pairs += parse_qsl(rec.body.decode("utf-8", "replace"), keep_blank_values=True)
        return dict(pairs)

    def _route(self, rec):
        params = rec.params
        if rec.path != "/":
            raise _STSReject("InvalidAction", f"Could not find operation for path {rec.path}")
        if not rec.action:
            raise _STSReject("MissingAction", "Missing Action")
        if rec.action not in ACTIONS or params.get("Version") != VERSION:
            raise _STSReject("InvalidAction", f"Could not find operation {rec.action} for "
                                              f"version {params.get('Version')}")
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            role = self.roles.get(params.get("RoleArn"))
        if role is not None:
            role = {**ROLE_DEFAULTS, **role}
        session = self._check_params(params)
        self._check_role(rec, role)
        duration = int(params.get("DurationSeconds") or DEFAULT_DURATION)
        if duration > role["max_session_duration"]:
            raise _STSReject("ValidationError", "The requested DurationSeconds exceeds the "
                                                "MaxSessionDuration set for this role.")
        expiration = role["expiration"] or (dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)
                                            + dt.timedelta(seconds=duration))
        extra = WEB_IDENTITY_EXTRA if rec.action == "AssumeRoleWithWebIdentity" else ""
        return _answer(200, credentials_xml(rec.action, params["RoleArn"], session, role,
                                            mock_aws._utc(expiration), extra))

    @staticmethod
    def _check_params(params):
        """STS's input validation; returns the session name."""
        for name, field in (("RoleArn", "roleArn"), ("RoleSessionName", "roleSessionName")):
            if not params.get(name):
                raise _validation(field, "null", "Member must not be null")
        session = params["RoleSessionName"]
        if not SESSION_NAME_RE.match(session):
            raise _validation("roleSessionName", f"'{session}'",
                              r"Member must satisfy regular expression pattern: [\w+=,.@-]*")
        duration = params.get("DurationSeconds")
        if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
            raise _validation("durationSeconds", f"'{duration}'",
                              "Member must have value between 900 and 43200")
        if params["Action"] == "AssumeRoleWithWebIdentity" and not params.get("WebIdentityToken"):
            raise _validation("webIdentityToken", "null", "Member must not be null")
        return session

    def _check_role(self, rec, role):
        params, action = rec.params, rec.action
        who = f"arn:aws:iam::123456789012:user/{rec.access_key}" if rec.access_key else "Anonymous"
        denied = _STSReject("AccessDenied", f"User: {who} is not authorized to perform: "
                                            f"sts:{action} on resource: {params['RoleArn']}")
        if role is None:
            denied.reason = "unknown role"
            raise denied
        if action == "AssumeRole":
            allowed = role["allowed_sources"]
            if allowed is not None and rec.access_key not in allowed:
                denied.reason = f"{rec.access_key} may not assume the role"
                raise denied
            if role["external_id"] is not None and params.get("ExternalId") != role["external_id"]:
                denied.reason = "ExternalId missing or wrong"
                raise denied
        elif role["web_identity_token"] is not None and \
                params["WebIdentityToken"] != role["web_identity_token"]:
            raise _STSReject("InvalidIdentityToken", DEFAULT_MESSAGES["InvalidIdentityToken"],
                             "WebIdentityToken wrong")

    # -- SigV4, as the S3 Tables mock checks it but for service "sts" ------

    def _check_credentials(self, rec, auth):
        found = super()._check_credentials(rec, auth)
        creds = self.credentials.get(rec.access_key)
        if isinstance(creds, dict) and creds.get("expired"):
            raise _STSReject("ExpiredToken", DEFAULT_MESSAGES["ExpiredToken"])
        return found

    def _check_scope(self, timestamp, scope_date, region, service, terminator):
        if service != SERVICE:
            raise _Reject("InvalidSignatureException",
                          f"Credential should be scoped to correct service: '{SERVICE}'. ")
        super()._check_scope(timestamp, scope_date, region, mock_aws.SERVICE, terminator)

    @staticmethod
    def _check_signature(rec, auth, signed, key, secret, token, region, timestamp):
        url = f"https://{rec.host}{rec.path}" + (f"?{rec.query}" if rec.query else "")
        request = AWSRequest(method=rec.method, url=url, data=rec.body or b"",
                             params=mock_aws.decode_query(rec.query))
        for name, value in rec.header_list:
            if name.lower() in signed:
                request.headers[name] = value
        signer = mock_aws._VerifierSigV4Auth(Credentials(key, secret, token), SERVICE, region,
                                             timestamp)
        signer.add_auth(request)
        expected = mock_aws.parse_authorization(request.headers["Authorization"])["Signature"]
        rec.canonical_request, rec.string_to_sign = signer.canonical, signer.string_to_sign_text
        if auth["SignedHeaders"] != ";".join(sorted(signed)):
            raise _Reject("InvalidSignatureException", mock_aws.MSG_BAD_SIGNATURE,
                          "SignedHeaders not lower-case and sorted")
        if not hmac.compare_digest(expected, auth["Signature"]):
            raise _Reject("InvalidSignatureException", mock_aws.MSG_BAD_SIGNATURE,
                          "signature mismatch")
