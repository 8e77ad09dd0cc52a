#!/usr/bin/env python3
"""mock_metadata - local stand-ins for the EC2 instance metadata service
and the ECS / EKS Pod Identity container credentials endpoint.

Why it exists: the plugin's last two credential sources talk to
link-local services that only exist inside AWS.  The end-to-end tests
point the plugin at these mocks instead (AWS_EC2_METADATA_SERVICE_ENDPOINT,
AWS_CONTAINER_CREDENTIALS_FULL_URI), plain HTTP on 127.0.0.1 only, and
script every answer the real services give:

  MockIMDS            IMDSv2 (PUT /latest/api/token, then GETs with the
                      token), the IMDSv1 fallback, a turned-off service,
                      no role, expired credentials, a service that never
                      answers.
  MockContainerCreds  GET <path> with the Authorization token the
                      container was given.

Both record every request (.requests, .count) so a test can also assert
that nothing was asked.  Run `python3 tests/mock/mock_metadata.py` for a
foreground demo.  Set MOCK_DEBUG=1 to log each request to stderr.
"""

import datetime as dt
import json
import os
import secrets
import sys
import time
from collections import namedtuple

import mockserver

DEBUG = os.environ.get("MOCK_DEBUG") == "1"

TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aws-ec2-metadata-token"

IMDS_ACCESS_KEY = "ASIAMOCKIMDS00000001"
IMDS_SECRET_KEY = "mockImdsSecret/ForLocalTestsOnly00000000"
IMDS_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEMOCK//imds+session/token=="
CONTAINER_ACCESS_KEY = "ASIAMOCKCONTAINER001"
CONTAINER_SECRET_KEY = "mockContainerSecret/ForLocalTestsOnly000"
CONTAINER_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEMOCK//container+session/token=="

# One request as the mock saw it; headers has lower-cased names.
Request = namedtuple("Request", "method path headers")


def _debug(msg):
    """Log to stderr only when MOCK_DEBUG=1, so TAP output stays clean."""
    if DEBUG:
        sys.stderr.write(f"mock_metadata: {msg}\n")
        sys.stderr.flush()


def iso8601_in(seconds):
    """'YYYY-MM-DDTHH:MM:SSZ', seconds from now (negative: in the past),
    the form both services use for Expiration."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class _MockBase(mockserver.ServerBase):
    """Request log and 'hang' shared by both mocks (plain HTTP on loopback)."""

    server_version = "mock-metadata/1.0"
    handler_timeout = 10

    def __init__(self):
        super().__init__()
        self.hang = False  # accept, read the request, never answer
        self.requests = []

    @property
    def count(self):
        """How many requests arrived (0: the plugin never asked)."""
        with self._lock:
            return len(self.requests)

    @property
    def last_request(self):
        with self._lock:
            return self.requests[-1] if self.requests else None

    def clear(self):
        """Forget the recorded requests."""
        with self._lock:
            self.requests.clear()

    # -- plumbing ----------------------------------------------------------

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        rec = Request(
            handler.command,
            handler.path,
            {name.lower(): value for name, value in handler.headers.items()},
        )
        with self._lock:
            self.requests.append(rec)
        _debug(f"{rec.method} {rec.path}")
        if self.hang:
            self._stopping.wait()
            handler.close_connection = True
            return
        status, body, content_type = self._answer(rec)
        payload = body.encode() if isinstance(body, str) else body
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)

    def _answer(self, rec):
        raise NotImplementedError


class MockIMDS(_MockBase):
    """The EC2 instance metadata service, as far as credentials go.

    Attributes a test may set at any time:
      v1_allowed    True: GETs without a token are served (IMDSv1);
                    False: they get 401, as with HttpTokens=required.
      token_status  None: PUT /latest/api/token issues a token (200);
                    an int (403, 404, 405, 500...): the PUT gets that status.
      disabled      True: every request gets 403, as when the instance's
                    metadata endpoint is turned off.
      role          the role name listed; None: the listing is 404 (no role).
      credentials   the dict served as the role's credentials (JSON).
      hang          True: read each request, never answer.
    A GET with a token the mock did not issue gets 401; a PUT without the
    TTL header gets 400, one with X-Forwarded-For 403, as the real service.
    """

    def __init__(self, role="mock-instance-role"):
        super().__init__()
        self.v1_allowed = True
        self.token_status = None
        self.disabled = False
        self.role = role
        self.tokens = []  # issued, newest last
        self.credentials = {
            "Code": "Success",
            "LastUpdated": iso8601_in(-60),
            "Type": "AWS-HMAC",
            "AccessKeyId": IMDS_ACCESS_KEY,
            "SecretAccessKey": IMDS_SECRET_KEY,
            "Token": IMDS_SESSION_TOKEN,
            "Expiration": iso8601_in(6 * 3600),
        }

    def expires_in(self, seconds):
        """Set the credentials' Expiration; negative: already expired."""
        self.credentials["Expiration"] = iso8601_in(seconds)

    @property
    def token_requests(self):
        return [r for r in self.requests if r.method == "PUT"]

    def _answer(self, rec):
        text = "text/plain"
        if self.disabled:
            return 403, "", text
        if rec.method == "PUT" and rec.path == TOKEN_PATH:
            return self._token(rec)
        if rec.method != "GET":
            return 405, "", text
        token = rec.headers.get(TOKEN_HEADER)
        if token is None and not self.v1_allowed:
            return 401, "", text
        if token is not None and token not in self.tokens:
            return 401, "", text
        if rec.path == ROLE_PATH:
            return (404, "", text) if self.role is None else (200, self.role, text)
        if self.role is not None and rec.path == ROLE_PATH + self.role:
            return 200, json.dumps(self.credentials, indent=2), text
        return 404, "", text

    def _token(self, rec):
        if self.token_status is not None:
            return self.token_status, "", "text/plain"
        if "x-forwarded-for" in rec.headers:
            return 403, "", "text/plain"
        ttl = rec.headers.get(TTL_HEADER, "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return 400, "", "text/plain"
        token = "AQAEA" + secrets.token_urlsafe(40)
        self.tokens.append(token)
        return 200, token, "text/plain"


class MockContainerCreds(_MockBase):
    """The ECS task role / EKS Pod Identity credentials endpoint.

    Constructor: path (the URL path served, default
    "/v2/credentials/mock-task"), token (the Authorization value required;
    None: none required).  Attributes a test may set at any time:
      token        as above; a missing header gets 401, a wrong one 403.
      credentials  the dict served (JSON).
      status       None: normal; an int: every request gets that status
                   (with a small JSON error body).
      hang         True: read each request, never answer.
    .full_uri is the value for AWS_CONTAINER_CREDENTIALS_FULL_URI.
    """

    def __init__(self, path="/v2/credentials/mock-task", token=None):
        super().__init__()
        self.path = path
        self.token = token
        self.status = None
        self.credentials = {
            "RoleArn": "arn:aws:iam::111122223333:role/mock-task-role",
            "AccessKeyId": CONTAINER_ACCESS_KEY,
            "SecretAccessKey": CONTAINER_SECRET_KEY,
            "Token": CONTAINER_SESSION_TOKEN,
            "Expiration": iso8601_in(6 * 3600),
        }

    @property
    def full_uri(self):
        return self.url + self.path

    def expires_in(self, seconds):
        """Set the credentials' Expiration; negative: already expired."""
        self.credentials["Expiration"] = iso8601_in(seconds)

    def _answer(self, rec):
        js = "application/json"
        if self.status is not None:
            return self.status, json.dumps({"message": "scripted failure"}), js
        if self.token is not None:
            got = rec.headers.get("authorization")
            if got is None:
                return 401, json.dumps({"message": "missing Authorization"}), js
            if got != self.token:
                return 403, json.dumps({"message": "invalid Authorization"}), js
        if rec.method != "GET" or rec.path != self.path:
            return 404, json.dumps({"message": "not found"}), js
        return 200, json.dumps(self.credentials), js


def demo():
    """Serve both mocks in the foreground until interrupted."""
    with MockIMDS() as imds, MockContainerCreds(token="demo-token") as container:
        print(f"AWS_EC2_METADATA_SERVICE_ENDPOINT={imds.url}")
        print(f"AWS_CONTAINER_CREDENTIALS_FULL_URI={container.full_uri}")
        print("AWS_CONTAINER_AUTHORIZATION_TOKEN=demo-token")
        print("Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    demo()
