#!/usr/bin/env python3
"""mock_sso - a local, scripted stand-in for IAM Identity Center (SSO):
the SSO-OIDC CreateToken call (refresh grant) and the SSO portal's
GetRoleCredentials.

Why it exists: a profile with sso_session / sso_start_url gets its keys
in two unsigned rest-json calls, and the plugin must be tested end to end
without talking to AWS.  `aws sso login` leaves a token in
~/.aws/sso/cache/<sha1>.json; the plugin refreshes it with SSO-OIDC when
it has expired (POST /token) and trades it for role credentials at the
portal (GET /federation/credentials).  This mock serves both from one
server: mock_aws.MockS3Tables with SSO routing, so it is the same
127.0.0.1-only HTTPS server with the same throwaway PKI (make_pki), the
same request log (mock_aws.RecordedRequest), delay and disconnects.
Neither call is signed, so there is no SigV4 check; instead every
request is checked the way the services check it:

  * CreateToken: POST /token, Content-Type application/json, a JSON
    object with clientId, clientSecret and grantType (and refreshToken
    for grantType "refresh_token", the only grant scripted here).  An
    unknown client or a wrong clientSecret gets 401 InvalidClientException
    (the status service-2.json gives it), an unknown, rotated or revoked
    refresh token 400 InvalidGrantException, any other grant 400
    UnsupportedGrantTypeException, a malformed request 400
    InvalidRequestException.  Errors are OAuth-shaped as in AWS,
    {"error": "invalid_grant", "error_description": ...}, and carry
    x-amzn-ErrorType.  The clients are scripted with add_oidc_client().
  * GetRoleCredentials: GET /federation/credentials?account_id=&role_name=
    with the access token in x-amz-sso_bearer_token.  A token the portal
    does not know (or no token) gets 401 UnauthorizedException "Session
    token not found or invalid"; a known token asking for an account and
    role it was not given, 403 ForbiddenException "No access"; an
    account_id that is not 12 digits or a missing role_name, 400
    InvalidRequestException.  The answer is {"roleCredentials":
    {accessKeyId, secretAccessKey, sessionToken, expiration}} with the
    expiration in epoch milliseconds, as the portal sends it.  Scripted
    with add_role_credentials(); issued_credentials() gives the keys to
    register in a MockS3Tables, so a test can chain plugin -> SSO mock ->
    S3 Tables mock.

An Authorization header is ignored by both (and recorded: .signed).
fail_next() scripts a one-shot error per operation.  token_cache_path()
and write_token_cache() make the cache files `aws sso login` writes.

Set MOCK_DEBUG=1 to log each request to stderr.
"""

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import socket
import string

import mock_aws
from mock_aws import Answer, error_headers

# Operation names, as RecordedRequest.operation and operation_counts use them.
OP_CREATE_TOKEN = "CreateToken"
OP_GET_ROLE_CREDENTIALS = "GetRoleCredentials"
OPERATIONS = (OP_CREATE_TOKEN, OP_GET_ROLE_CREDENTIALS)
TOKEN_PATH = "/token"
CREDENTIALS_PATH = "/federation/credentials"
BEARER_HEADER = "x-amz-sso_bearer_token"
ROUTES = {("POST", TOKEN_PATH): OP_CREATE_TOKEN,
          ("GET", CREDENTIALS_PATH): OP_GET_ROLE_CREDENTIALS}

GRANT_REFRESH = "refresh_token"
ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")
DEFAULT_EXPIRES_IN = 3600  # seconds: CreateToken's expiresIn, role credentials' lifetime
CACHE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # expiresAt, as botocore and `aws sso login` write it

MSG_UNAUTHORIZED = "Session token not found or invalid"
MSG_FORBIDDEN = "No access"

# SSO-OIDC errors (service-2.json): HTTP status and the OAuth "error" code.
OIDC_ERRORS = {
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidGrantException": (400, "invalid_grant"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
    "InvalidScopeException": (400, "invalid_scope"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "SlowDownException": (400, "slow_down"),
    "AccessDeniedException": (400, "access_denied"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
}

# SSO portal errors: service-2.json's four, the ForbiddenException the portal
# answers for an account or role the user was not assigned (not in the model),
# and what the front end answers for an unknown route.
PORTAL_ERRORS = {
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ForbiddenException": 403,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "InternalServerException": 500,
    "UnknownOperationException": 404,
}

DEFAULT_MESSAGES = {
    "UnauthorizedException": MSG_UNAUTHORIZED,
    "ForbiddenException": MSG_FORBIDDEN,
    "TooManyRequestsException": "Rate exceeded",
    "InvalidGrantException": "Invalid refresh token provided",
    "InvalidClientException": "Invalid client provided",
    "InternalServerException": "An internal error occurred",
}


def _random(alphabet, n):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _epoch_ms(when):
    return int(mock_aws._utc(when).timestamp() * 1000)


# --------------------------------------------------------------------------
# The token cache `aws sso login` writes
# --------------------------------------------------------------------------


def cache_key(name):
    """The cache file's name without .json: sha1 hex of the sso-session name
    (sso_session profiles) or of the start URL (legacy profiles)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def token_cache_path(home, name):
    """$HOME/.aws/sso/cache/<sha1 of name>.json."""
    return os.path.join(home, ".aws", "sso", "cache", cache_key(name) + ".json")


def cache_time(when):
    """A datetime (naive = UTC) or seconds from now, as expiresAt is written."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=when)
    return mock_aws._utc(when).strftime(CACHE_TIME_FORMAT)


def write_token_cache(home, name, token, mode=0o600):
    """Write token (a dict; datetimes become expiresAt-style strings) where
    the CLI would for name; return the path.  The directories are made 0700."""
    path = token_cache_path(home, name)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    text = json.dumps({k: cache_time(v) if isinstance(v, dt.datetime) else v
                       for k, v in token.items()})
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


# --------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------


def oidc_error(error_type, message=None, status=None):
    """An SSO-OIDC error Answer: {"error", "error_description"}, x-amzn-ErrorType."""
    default_status, code = OIDC_ERRORS.get(error_type, (400, "invalid_request"))
    body = {"error": code,
            "error_description": message or DEFAULT_MESSAGES.get(error_type, error_type)}
    return Answer(status or default_status, body, error_headers(error_type))


def portal_error(error_type, message=None, status=None):
    """An SSO portal error Answer: {"message"}, x-amzn-ErrorType."""
    return Answer(status or PORTAL_ERRORS.get(error_type, 400),
                  {"message": message or DEFAULT_MESSAGES.get(error_type, error_type)},
                  error_headers(error_type))


class _SSOReject(Exception):
    """A check failed: answer is the error to send, reason what was wrong."""

    def __init__(self, answer, reason):
        super().__init__(reason)
        self.answer = answer
        self.reason = reason


def _oidc_reject(error_type, message, reason=None):
    return _SSOReject(oidc_error(error_type, message), reason or message)


def _portal_reject(error_type, message=None, reason=None):
    return _SSOReject(portal_error(error_type, message),
                      reason or message or DEFAULT_MESSAGES.get(error_type, error_type))


class MockSSO(mock_aws.MockS3Tables):
    """HTTPS mock of SSO-OIDC CreateToken and SSO GetRoleCredentials on 127.0.0.1.

    MockSSO(pki, port=0): pki from mock_aws.make_pki.  Start with .start()
    or a with block; .url (for both AWS_ENDPOINT_URL_SSO and
    AWS_ENDPOINT_URL_SSO_OIDC), .port, .stop().

    Scripting:
      add_oidc_client(client_id, client_secret, refresh_token,
                      new_access_token, expires_in=3600, new_refresh_token=None)
          CreateToken with that client and refresh token answers
          new_access_token (which the portal then knows) and expiresIn;
          with new_refresh_token the answer carries it and it replaces the
          old one (rotation: the old one then gets invalid_grant), without
          it the answer has no refreshToken.  Returns the entry (a dict:
          client_secret, refresh_token, access_token, expires_in,
          new_refresh_token), which a test may change.
      add_role_credentials(access_token, account_id, role_name,
                           access_key=None, secret=None, session_token=None,
                           expiration=None)
          GetRoleCredentials with that token, account and role answers
          these keys (random, realistic ones if None); expiration: a
          datetime, epoch milliseconds (int, sent as is), or None for
          now + 3600 s at each answer.  Returns the entry.
      revoke(token)  forget an access token (the portal answers 401) or a
          refresh token (CreateToken answers invalid_grant).
      fail_next(operation, status=None, error_type=None, message=None)
          one-shot error for the next request routed to operation
          (OP_CREATE_TOKEN or OP_GET_ROLE_CREDENTIALS), before its checks.
      issued_credentials()  {access_key: {"secret", "token"}} of every
          role: for MockS3Tables.credentials.

    Inherited from MockS3Tables: delay, clock_skew, tls_errors,
    handshakes, enqueue_disconnect() (one-shot, any operation), queued,
    last_request.  clear() forgets requests, counts and one-shot answers,
    not the clients and tokens.

    Results: .requests holds mock_aws.RecordedRequest objects with
    method, path, query, headers, body, status, error_type, reason and:
      operation     OP_CREATE_TOKEN, OP_GET_ROLE_CREDENTIALS or None (no route);
      params        the decoded JSON body (CreateToken; None if not JSON)
                    or query (GetRoleCredentials), last value wins;
      bearer_token  the x-amz-sso_bearer_token header, or None;
      signed        an Authorization header was sent (ignored otherwise).
    .operation_counts {operation: requests routed to it};
    requests_for(operation) the recorded requests of one operation.
    """

    def __init__(self, pki, port=0):
        super().__init__(pki, {}, port)
        self.oidc_clients = {}  # client_id -> entry
        self.role_credentials = {}  # (access_token, account_id, role_name) -> entry
        self.access_tokens = set()  # every access token the portal knows
        self._failures = {op: [] for op in OPERATIONS}

    # -- scripting ---------------------------------------------------------

    def add_oidc_client(self, client_id, client_secret, refresh_token, new_access_token,
                        expires_in=DEFAULT_EXPIRES_IN, new_refresh_token=None):
        """Script a registered client and its refresh token; returns the entry."""
        entry = {"client_secret": client_secret, "refresh_token": refresh_token,
                 "access_token": new_access_token, "expires_in": expires_in,
                 "new_refresh_token": new_refresh_token}
        with self._lock:
            self.oidc_clients[client_id] = entry
            self.access_tokens.add(new_access_token)
        return entry

    def add_role_credentials(self, access_token, account_id, role_name, access_key=None,
                             secret=None, session_token=None, expiration=None):
        """Script the role credentials a token gets for an account and role."""
        entry = {
            "access_key": access_key or "ASIA" + _random(string.ascii_uppercase + string.digits,
                                                         16),
            "secret": secret or _random(string.ascii_letters + string.digits + "+/", 40),
            "token": session_token or "IQoJb3JpZ2luX2Vj" + _random(string.ascii_letters + "+/=",
                                                                   200),
            "expiration": expiration,
        }
        with self._lock:
            self.role_credentials[(access_token, account_id, role_name)] = entry
            self.access_tokens.add(access_token)
        return entry

    def revoke(self, token):
        """Forget an access token (portal: 401) or a refresh token (CreateToken:
        invalid_grant), e.g. to script 'the session was ended'."""
        with self._lock:
            self.access_tokens.discard(token)
            for entry in self.oidc_clients.values():
                if entry["refresh_token"] == token:
                    entry["refresh_token"] = None

    def issued_credentials(self):
        """{access_key: {"secret", "token"}} of every role: for MockS3Tables.credentials."""
        with self._lock:
            return {r["access_key"]: {"secret": r["secret"], "token": r["token"]}
                    for r in self.role_credentials.values()}

    def fail_next(self, operation, status=None, error_type=None, message=None):
        """One-shot error for the next request of operation, e.g.
        fail_next(OP_GET_ROLE_CREDENTIALS, 429, "TooManyRequestsException").
        error_type defaults to InternalServerException; status and message
        to what that error has (OIDC_ERRORS / PORTAL_ERRORS)."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}: use one of {OPERATIONS}")
        error_type = error_type or "InternalServerException"
        make = oidc_error if operation == OP_CREATE_TOKEN else portal_error
        with self._lock:
            self._failures[operation].append(make(error_type, message, status))

    @property
    def queued(self):
        """Number of one-shot answers not yet used (fail_next and inherited)."""
        with self._lock:
            return len(self._queue) + sum(len(q) for q in self._failures.values())

    def clear(self):
        """Forget requests, counts and one-shot answers (not clients and tokens)."""
        with self._lock:
            super().clear()
            for queue in self._failures.values():
                queue.clear()

    def requests_for(self, operation):
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    # -- request handling --------------------------------------------------

    def _handle(self, handler):
        rec = self._record(handler)
        with self._lock:
            if rec.operation is not None:  # _record counted an S3 Tables route: undo
                self.operation_counts[rec.operation] -= 1
                if not self.operation_counts[rec.operation]:
                    del self.operation_counts[rec.operation]
            rec.operation = ROUTES.get((rec.method, rec.path))
            if rec.operation is not None:
                self.operation_counts[rec.operation] = \
                    self.operation_counts.get(rec.operation, 0) + 1
        rec.bearer_token = rec.headers.get(BEARER_HEADER)
        rec.signed = "authorization" in rec.headers
        rec.params = None
        try:
            answer = self._route(rec)
        except _SSOReject as rej:
            rec.reason = rej.reason
            answer = rej.answer
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

    def _route(self, rec):
        if rec.operation is None:
            raise _portal_reject("UnknownOperationException", "Unknown operation",
                                 f"no operation for {rec.method} {rec.path}")
        if rec.operation == OP_CREATE_TOKEN:
            rec.params = self._json_params(rec)
        else:
            rec.params = dict(mock_aws.decode_query(rec.query))
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            if self._failures[rec.operation]:
                answer = self._failures[rec.operation].pop(0)
                rec.reason = "scripted failure"
                return answer
        if rec.operation == OP_CREATE_TOKEN:
            return self._create_token(rec)
        return self._get_role_credentials(rec)

    @staticmethod
    def _json_params(rec):
        try:
            params = json.loads(rec.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return params if isinstance(params, dict) else None

    # -- SSO-OIDC CreateToken ----------------------------------------------

    def _create_token(self, rec):
        content_type = rec.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise _oidc_reject("InvalidRequestException", "Invalid content type",
                               f"Content-Type {content_type!r}, not application/json")
        params = rec.params
        if params is None:
            raise _oidc_reject("InvalidRequestException", "Invalid request body",
                               "body is not a JSON object")
        for member in ("clientId", "clientSecret", "grantType"):
            if not isinstance(params.get(member), str) or not params[member]:
                raise _oidc_reject("InvalidRequestException", f"{member} is required",
                                   f"{member} missing")
        if params["grantType"] != GRANT_REFRESH:
            raise _oidc_reject("UnsupportedGrantTypeException",
                               f"Unsupported grant type: {params['grantType']}")
        refresh = params.get("refreshToken")
        if not isinstance(refresh, str) or not refresh:
            raise _oidc_reject("InvalidRequestException", "refreshToken is required",
                               "refreshToken missing")
        with self._lock:
            client = self.oidc_clients.get(params["clientId"])
            if client is None:
                raise _oidc_reject("InvalidClientException", "Invalid client provided",
                                   "unknown clientId")
            if params["clientSecret"] != client["client_secret"]:
                raise _oidc_reject("InvalidClientException", "Invalid client provided",
                                   "wrong clientSecret")
            if client["refresh_token"] is None or refresh != client["refresh_token"]:
                raise _oidc_reject("InvalidGrantException", "Invalid refresh token provided",
                                   "unknown, rotated or revoked refreshToken")
            body = {"accessToken": client["access_token"], "tokenType": "Bearer",
                    "expiresIn": client["expires_in"]}
            if client["new_refresh_token"] is not None:
                body["refreshToken"] = client["new_refresh_token"]
                client["refresh_token"] = client["new_refresh_token"]
            self.access_tokens.add(client["access_token"])
        return Answer(200, body)

    # -- SSO portal GetRoleCredentials -------------------------------------

    def _get_role_credentials(self, rec):
        token = rec.bearer_token
        with self._lock:
            known = token is not None and token in self.access_tokens
        if not known:
            raise _portal_reject("UnauthorizedException", MSG_UNAUTHORIZED,
                                 "no bearer token" if token is None else "unknown bearer token")
        account, role_name = rec.params.get("account_id"), rec.params.get("role_name")
        if account is None or not ACCOUNT_ID_RE.fullmatch(account):
            raise _portal_reject("InvalidRequestException", "Invalid account id",
                                 f"account_id {account!r} is not 12 digits")
        if not role_name:
            raise _portal_reject("InvalidRequestException", "Invalid role name",
                                 "role_name missing")
        with self._lock:
            role = self.role_credentials.get((token, account, role_name))
        if role is None:
            raise _portal_reject("ForbiddenException", MSG_FORBIDDEN,
                                 f"token not assigned {account}/{role_name}")
        expiration = role["expiration"]
        if expiration is None:
            expiration = int((self.now() + DEFAULT_EXPIRES_IN) * 1000)
        elif isinstance(expiration, dt.datetime):
            expiration = _epoch_ms(expiration)
        return Answer(200, {"roleCredentials": {
            "accessKeyId": role["access_key"], "secretAccessKey": role["secret"],
            "sessionToken": role["token"], "expiration": expiration}})
