#!/usr/bin/env python3
"""Self-test of tests/mock/mock_metadata.py (TAP).

Why: the plugin's IMDS and container-credentials tests trust these mocks
to behave like the real services.  This proves it with urllib alone,
independently of the plugin: the IMDSv2 token dance, the IMDSv1
fallback and its refusal, wrong tokens, the container Authorization
check, and a mock that never answers.
"""

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import mock_metadata  # noqa: E402
from e2e_lib import Tap  # noqa: E402
from mock_metadata import ROLE_PATH, TOKEN_PATH, MockContainerCreds, MockIMDS  # noqa: E402

# Never through a proxy from the caller's environment: 127.0.0.1 only.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
TTL = {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}


def call(url, method="GET", headers=None, timeout=5):
    """(status, body text) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=b"" if method == "PUT" else None)
    try:
        with OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_imds_v2(t):
    with MockIMDS(role="web-role") as imds:
        status, token = call(imds.url + TOKEN_PATH, "PUT", TTL)
        t.is_(status, 200, "IMDS: PUT /latest/api/token with the TTL header issues a token")
        t.ok(len(token) > 20 and token in imds.tokens, "IMDS: the token is one the mock remembers")
        auth = {"X-aws-ec2-metadata-token": token}
        t.is_(call(imds.url + ROLE_PATH, headers=auth), (200, "web-role"),
              "IMDS: the role listing with the token names the role")
        status, body = call(imds.url + ROLE_PATH + "web-role", headers=auth)
        creds = json.loads(body) if status == 200 else {}
        t.is_((status, creds.get("Code"), creds.get("AccessKeyId")),
              (200, "Success", mock_metadata.IMDS_ACCESS_KEY),
              "IMDS: the role's credentials are served as JSON with Code Success")
        t.is_(call(imds.url + ROLE_PATH + "other-role", headers=auth)[0], 404,
              "IMDS: another role's credentials are 404")
        t.is_(call(imds.url + ROLE_PATH, headers={"X-aws-ec2-metadata-token": "forged"})[0], 401,
              "IMDS: a token the mock did not issue gets 401")
        t.is_(imds.count, 5, "IMDS: every request is recorded")
        first = imds.requests[0]
        ttl = first.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
        t.is_((first.method, first.path, ttl), ("PUT", TOKEN_PATH, "21600"),
              "IMDS: a record has method, path and headers")
        t.is_(imds.requests[1].headers.get("x-aws-ec2-metadata-token"), token,
              "IMDS: the token header is recorded as sent")
        t.is_(call(imds.url + TOKEN_PATH, "PUT")[0], 400,
              "IMDS: a PUT without the TTL header is 400")
        t.is_(call(imds.url + TOKEN_PATH, "PUT", dict(TTL, **{"X-Forwarded-For": "10.0.0.1"}))[0],
              403, "IMDS: a PUT with X-Forwarded-For is 403, as the real service")


def test_imds_v1_and_failures(t):
    with MockIMDS() as imds:
        t.is_(call(imds.url + ROLE_PATH), (200, "mock-instance-role"),
              "IMDS: without a token, IMDSv1 is served by default")
        imds.v1_allowed = False
        t.is_(call(imds.url + ROLE_PATH)[0], 401,
              "IMDS: v1_allowed = False refuses IMDSv1 with 401")
        for status in (403, 404, 405):
            imds.token_status = status
            t.is_(call(imds.url + TOKEN_PATH, "PUT", TTL)[0], status,
                  f"IMDS: token_status = {status} answers the PUT with {status}")
        imds.token_status = None
        imds.v1_allowed = True
        imds.role = None
        t.is_(call(imds.url + ROLE_PATH)[0], 404, "IMDS: role = None makes the listing 404")
        imds.role = "r"
        imds.expires_in(-120)
        creds = json.loads(call(imds.url + ROLE_PATH + "r")[1])
        t.ok(creds["Expiration"] < mock_metadata.iso8601_in(0),
             "IMDS: expires_in(-120) serves credentials already expired")
        imds.disabled = True
        t.is_((call(imds.url + TOKEN_PATH, "PUT", TTL)[0], call(imds.url + ROLE_PATH)[0]),
              (403, 403), "IMDS: disabled = True answers everything with 403")
        imds.clear()
        t.is_(imds.count, 0, "IMDS: clear() forgets the requests")


def test_hang(t):
    imds = MockIMDS().start()
    imds.hang = True
    started = time.monotonic()
    try:
        call(imds.url + TOKEN_PATH, "PUT", TTL, timeout=0.5)
        timed_out = False
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        timed_out = True
    elapsed = time.monotonic() - started
    t.ok(timed_out and 0.4 < elapsed < 2.0, "IMDS: hang = True accepts but never answers",
         f"timed out: {timed_out}, after {elapsed:.2f} s")
    t.is_(imds.count, 1, "IMDS: the hung request is still recorded")
    started = time.monotonic()
    imds.stop()
    t.ok(time.monotonic() - started < 2.0, "IMDS: stop() returns promptly with a hung request")


def test_container(t):
    with MockContainerCreds() as mock:
        t.ok(mock.full_uri.startswith("http://127.0.0.1:") and
             mock.full_uri.endswith("/v2/credentials/mock-task"),
             "container: full_uri is the mock's URL and path")
        status, body = call(mock.full_uri)
        t.is_((status, json.loads(body).get("AccessKeyId")),
              (200, mock_metadata.CONTAINER_ACCESS_KEY),
              "container: no token required by default: credentials served")
        t.is_(call(mock.url + "/other")[0], 404, "container: another path is 404")
        mock.status = 500
        t.is_(call(mock.full_uri)[0], 500, "container: status = 500 answers 500")

    with MockContainerCreds(path="/get-credentials", token="Bearer good") as mock:
        t.is_(call(mock.full_uri)[0], 401, "container: a missing Authorization is 401")
        t.is_(call(mock.full_uri, headers={"Authorization": "Bearer bad"})[0], 403,
              "container: a wrong Authorization is 403")
        status, body = call(mock.full_uri, headers={"Authorization": "Bearer good"})
        t.is_((status, "Token" in json.loads(body)), (200, True),
              "container: the right Authorization gets the credentials")
        t.is_(mock.last_request.headers.get("authorization"), "Bearer good",
              "container: the Authorization header is recorded")
        t.is_(mock.count, 3, "container: every request is recorded")
        port = mock.port

    refused = False
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        refused = True
    t.ok(refused, "container: after stop() the port no longer accepts")
    mock.stop()
    t.ok(True, "container: stop() twice is harmless")


def main():
    t = Tap()
    test_imds_v2(t)
    test_imds_v1_and_failures(t)
    test_hang(t)
    test_container(t)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
