#!/usr/bin/env python3
"""End-to-end: IAM Identity Center (SSO) profiles.

The plugin runs against the SSO mock (SSO-OIDC CreateToken and the
portal's GetRoleCredentials on one loopback server, mock_sso) and the
S3 Tables mock (every request's SigV4 checked with botocore), with the
token cache `aws sso login` leaves in $HOME/.aws/sso/cache.  Each test
checks what a user sees (exit code, first line) and which credentials
signed the S3 Tables request, so a wrong source cannot pass for SSO.

Both profile forms are covered: sso_session = NAME with an
[sso-session NAME] section (cache file named after the session, token
refreshable), and the legacy sso_start_url + sso_region in the profile
(cache file named after the start URL).  Every run is at -vvv and its
output is searched for every token and secret in play.  Each run gets a
fresh empty XDG_CACHE_HOME, so no run reuses another's credentials.
"""

import datetime as dt
import json
import os
import re
import stat
import sys
import tempfile
import time

import e2e_lib as e
import mock_aws
import mock_metadata
import mock_sso

PREFIX = "S3TABLES_EXPIRATION"
ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
OK_LINE = re.compile(rf"{PREFIX} OK - job Successful 1h 0m ago \| age=360[01]s;172800;259200;0 "
                     r"time=\d+\.\d{3}s;;;0")
SSO_REGION = "eu-west-1"
SESSION = "monitoring-sso"
START_URL = "https://d-9067c0ffee.awsapps.com/start"
LEGACY_URL = "https://d-9067legacy.awsapps.com/start#/"
ACCOUNT, ROLE = "111122223333", "S3TablesMonitoring"
DEV_ACCOUNT, DEV_ROLE = "444455556666", "S3TablesDevMonitoring"
LEGACY_ACCOUNT, LEGACY_ROLE = "777788889999", "S3TablesLegacyMonitoring"
TOKEN = "aoaAAAAAGcachedAccessTokenValid0aZ9xQ2wE4rT6yU8iO1pL3kJ5hG7f"
NEW_TOKEN = "aoaAAAAAGrefreshedAccessToken1bY8wP3vD5sF7gH9jK2lZ4xC6vB8nM"
STALE_TOKEN = "aoaAAAAAGstaleAccessTokenUnknown2cX7eO4uI6yT8rE0wQ3aS5dF7gH"
LEGACY_TOKEN = "aoaAAAAAGlegacyAccessToken3dW6rN5tY7uI9oP1aS4dF6gH8jK0lZ2x"
CLIENT_ID = "monitoringClientId-Zm9vYmFyYmF6cXV4"
CLIENT_SECRET = "eyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0.clientSecret4eV5"
REFRESH = "aorAAAAAGrefreshTokenOriginal5fU4tR3eW2qA1sZ0xC9vB8nM7lK6jH"
NEW_REFRESH = "aorAAAAAGrefreshTokenRotated6gT3yH2uJ1iK0oL9pA8sD7fG6hJ5kL"
BASE_KEY, BASE_SECRET = "AKIDSTATICINPROFILE", "staticSecret/Key+abcdefghijklmnopqrstuvw"
NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
REFRESH_IN = 28800  # CreateToken's expiresIn
DEFAULT_HOSTS = (f"oidc.{SSO_REGION}.amazonaws.com", f"portal.sso.{SSO_REGION}.amazonaws.com")
CACHE_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def expired_line(profile):
    return f"{PREFIX} UNKNOWN - SSO session expired: run 'aws sso login --profile {profile}'"


def session_config(section="default", account=ACCOUNT, role=ROLE, session=SESSION, extra=""):
    """A profile of the sso_session form, and its [sso-session] section."""
    lines = [f"[{section}]", f"sso_session = {session}"]
    if account is not None:
        lines.append(f"sso_account_id = {account}")
    if role is not None:
        lines.append(f"sso_role_name = {role}")
    return "\n".join(lines) + f"\nregion = us-east-1\n{extra}\n" + sso_session_section()


def sso_session_section(name=SESSION, start_url=START_URL, region=SSO_REGION):
    lines = [f"[sso-session {name}]"]
    if start_url is not None:
        lines.append(f"sso_start_url = {start_url}")
    if region is not None:
        lines.append(f"sso_region = {region}")
    return "\n".join(lines) + "\nsso_registration_scopes = sso:account:access\n"


def legacy_config(section="default", region=SSO_REGION):
    text = (f"[{section}]\nsso_start_url = {LEGACY_URL}\nsso_account_id = {LEGACY_ACCOUNT}\n"
            f"sso_role_name = {LEGACY_ROLE}\n")
    return text + (f"sso_region = {region}\n" if region is not None else "")


class World:
    """The mocks, the files, and how to run the plugin against them.

    files() starts a scenario: new config and credentials files and a new,
    empty HOME, where session_token()/legacy_token() write the cache files
    `aws sso login` would.  Every run is at -vvv, with a fresh
    XDG_CACHE_HOME, and its stdout and stderr are searched for every
    token and secret the mocks know."""

    def __init__(self, t, fx, sso, container):
        self.t, self.fx, self.sso, self.container = t, fx, sso, container
        self.dir = fx.tmpdir
        self.creds_file = os.path.join(self.dir, "credentials")
        self.config_file = os.path.join(self.dir, "config")
        self.home = None
        self.runs = 0
        self.last_out = self.last_err = ""

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def files(self, credentials="", config=""):
        self.write("credentials", credentials)
        self.write("config", config)
        self.home = tempfile.mkdtemp(prefix="home-", dir=self.dir)
        return {"AWS_SHARED_CREDENTIALS_FILE": self.creds_file,
                "AWS_CONFIG_FILE": self.config_file, "HOME": self.home}

    def reset_client(self, rotate=True, expires_in=REFRESH_IN):
        """(Re)register the OIDC client, its refresh token REFRESH valid again."""
        return self.sso.add_oidc_client(CLIENT_ID, CLIENT_SECRET, REFRESH, NEW_TOKEN, expires_in,
                                        NEW_REFRESH if rotate else None)

    def session_token(self, access=TOKEN, expires_in=3600, refreshable=True, mode=0o600,
                      **overrides):
        """The sso-session form's cache file (named after the session)."""
        token = {"startUrl": START_URL, "region": SSO_REGION, "accessToken": access,
                 "expiresAt": mock_sso.cache_time(expires_in)}
        if refreshable:
            token.update({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
                          "registrationExpiresAt": mock_sso.cache_time(90 * 86400),
                          "refreshToken": REFRESH})
        token.update(overrides)
        return mock_sso.write_token_cache(self.home, SESSION, token, mode)

    def legacy_token(self, access=LEGACY_TOKEN, expires_in=3600):
        """The legacy form's cache file (named after the start URL)."""
        return mock_sso.write_token_cache(self.home, LEGACY_URL, {
            "startUrl": LEGACY_URL, "region": SSO_REGION, "accessToken": access,
            "expiresAt": mock_sso.cache_time(expires_in)})

    def run(self, env, *args, endpoints=True):
        """Run with no keys unless env gives some; SSO endpoints at the mock."""
        for m in (self.fx.mock, self.sso, self.container):
            m.clear()
        full = {**NO_KEYS, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="xdg-cache-", dir=self.dir)}
        if endpoints:
            full.update({"AWS_ENDPOINT_URL_SSO": self.sso.url,
                         "AWS_ENDPOINT_URL_SSO_OIDC": self.sso.url})
        full.update(env)
        code, out, err, elapsed = e.run_plugin(["-a", ARN, "-vvv"] + self.fx.args + list(args),
                                               env=full)
        self.runs += 1
        self.last_out, self.last_err = out, err
        leaked = [s for s in self.secrets() if s in out or s in err]
        self.t.ok(not leaked and "Signature=" not in out + err,
                  f"run {self.runs}: no token, client secret, secret key or session token "
                  "in stdout/stderr at -vvv", f"leaked: {leaked}")
        return code, e.first_line(out), err, elapsed

    def secrets(self):
        """Everything that must never be printed."""
        found = [TOKEN, NEW_TOKEN, STALE_TOKEN, LEGACY_TOKEN, REFRESH, NEW_REFRESH, CLIENT_SECRET,
                 BASE_SECRET, e.TEST_SECRET_KEY, "pod-identity-token",
                 mock_metadata.CONTAINER_SECRET_KEY, mock_metadata.CONTAINER_SESSION_TOKEN]
        for role in self.sso.role_credentials.values():
            found += [role["secret"], role["token"]]
        return found

    def signer(self):
        """The access key that signed the S3 Tables request, if it verified."""
        r = self.fx.mock.last_request
        return r.access_key if r is not None and r.verified else None

    def role(self, token, account=ACCOUNT, role=ROLE):
        return self.sso.role_credentials[(token, account, role)]

    def counts(self):
        """(CreateToken, GetRoleCredentials) requests of the last run."""
        c = self.sso.operation_counts
        return c.get(mock_sso.OP_CREATE_TOKEN, 0), c.get(mock_sso.OP_GET_ROLE_CREDENTIALS, 0)


def expect_ok(t, w, got, key, name):
    code, line, err, _ = got
    good = t.is_((code, bool(OK_LINE.fullmatch(line))), (e.OK, True), f"{name}: OK")
    good = t.is_(w.signer(), key, f"{name}: the SSO role credentials signed") and good
    if not good:
        t.diag(f"line: {line}\nstderr: {err}")


def expect_unknown(t, got, line, name):
    code, got_line, err, _ = got
    if not t.is_((code, got_line), (e.UNKNOWN, line), name):
        t.diag(f"stderr: {err}")


def expect_unknown_prefix(t, got, prefix, name, contains=()):
    code, line, err, _ = got
    good = code == e.UNKNOWN and line.startswith(prefix) and all(c in line for c in contains)
    t.ok(good, name, f"     got: {(code, line)!r}\nexpected: (3, {prefix!r}...) containing "
                     f"{list(contains)!r}\nstderr: {err}")


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        return f"unreadable: {exc}"


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def cache_epoch(value):
    """expiresAt as epoch seconds, None if it is not 'YYYY-MM-DDTHH:MM:SSZ'."""
    if not isinstance(value, str) or not CACHE_TIME_RE.match(value):
        return None
    return dt.datetime.strptime(value, mock_sso.CACHE_TIME_FORMAT).replace(
        tzinfo=dt.timezone.utc).timestamp()


def test_valid_token(t, w):
    env = w.files("", session_config())
    path = w.session_token()
    before = read_bytes(path)
    expect_ok(t, w, w.run(env), w.role(TOKEN)["access_key"], "sso-session profile, valid token")
    t.is_(w.counts(), (0, 1), "valid token: one GetRoleCredentials, no CreateToken")
    req = w.sso.last_request
    t.is_((req.operation, req.bearer_token, req.params, req.signed),
          (mock_sso.OP_GET_ROLE_CREDENTIALS, TOKEN, {"account_id": ACCOUNT, "role_name": ROLE},
           False),
          "GetRoleCredentials: unsigned, the cached token, the profile's account and role")
    t.is_(read_bytes(path), before, "valid token: the cache file is not rewritten")

    env = w.files("", session_config())
    w.session_token()
    mock_sso.write_token_cache(w.home, START_URL, {
        "startUrl": START_URL, "region": SSO_REGION, "accessToken": STALE_TOKEN,
        "expiresAt": mock_sso.cache_time(3600)})
    expect_ok(t, w, w.run(env), w.role(TOKEN)["access_key"],
              "sso-session profile: the cache file named after the session wins over the "
              "start URL's")

    env = w.files("", session_config())
    w.session_token(expires_in=8 * 3600)
    w.reset_client()
    expect_ok(t, w, w.run(env), w.role(TOKEN)["access_key"], "token valid for 8 hours")
    t.is_(w.counts(), (0, 1), "token valid for 8 hours: not refreshed")


def test_refresh(t, w):
    env = w.files("", session_config())
    w.reset_client(rotate=True)
    path = w.session_token(expires_in=-3600)
    old = read_json(path)
    started = time.time()
    expect_ok(t, w, w.run(env), w.role(NEW_TOKEN)["access_key"],
              "expired token, refresh token in the cache: refreshed")
    finished = time.time()
    create = w.sso.requests_for(mock_sso.OP_CREATE_TOKEN)
    t.is_(len(create), 1, "refresh: CreateToken called once")
    if create:
        t.is_((create[0].params, create[0].signed, create[0].status),
              ({"grantType": "refresh_token", "clientId": CLIENT_ID,
                "clientSecret": CLIENT_SECRET, "refreshToken": REFRESH}, False, 200),
              "CreateToken: unsigned JSON with grantType refresh_token, clientId, clientSecret, "
              "refreshToken")
    portal = w.sso.requests_for(mock_sso.OP_GET_ROLE_CREDENTIALS)
    t.is_([r.bearer_token for r in portal], [NEW_TOKEN],
          "refresh: GetRoleCredentials with the new access token")
    new = read_json(path)
    t.ok(isinstance(new, dict), "refresh: the cache file is still JSON", new)
    new = new if isinstance(new, dict) else {}
    t.is_((new.get("accessToken"), new.get("refreshToken")), (NEW_TOKEN, NEW_REFRESH),
          "refresh: the cache file has the new access token and the new refresh token")
    t.is_({k: new.get(k) for k in ("startUrl", "region", "clientId", "clientSecret",
                                   "registrationExpiresAt")},
          {k: old[k] for k in ("startUrl", "region", "clientId", "clientSecret",
                               "registrationExpiresAt")},
          "refresh: startUrl, region, clientId, clientSecret, registrationExpiresAt kept")
    at = cache_epoch(new.get("expiresAt"))
    t.ok(at is not None, "refresh: expiresAt written as 'YYYY-MM-DDTHH:MM:SSZ'",
         new.get("expiresAt"))
    t.ok(at is not None and int(started) + REFRESH_IN - 1 <= at <= finished + REFRESH_IN + 1,
         "refresh: expiresAt = now + expiresIn (later than before)",
         f"{new.get('expiresAt')} (was {old['expiresAt']})")
    t.is_(stat.S_IMODE(os.stat(path).st_mode), 0o600, "refresh: the cache file is mode 0600")
    t.is_(sorted(os.listdir(os.path.dirname(path))), [os.path.basename(path)],
          "refresh: written atomically, no temporary file left in ~/.aws/sso/cache")

    expect_ok(t, w, w.run(env), w.role(NEW_TOKEN)["access_key"],
              "the next run reads the rewritten cache file")
    t.is_(w.counts(), (0, 1), "the next run: no CreateToken")

    env = w.files("", session_config())
    w.reset_client(rotate=False)
    path = w.session_token(expires_in=-60, mode=0o644)
    expect_ok(t, w, w.run(env), w.role(NEW_TOKEN)["access_key"],
              "expired token, CreateToken answers no new refresh token")
    new = read_json(path)
    new = new if isinstance(new, dict) else {}
    t.is_((w.counts(), new.get("accessToken"), new.get("refreshToken")),
          ((1, 1), NEW_TOKEN, REFRESH),
          "no new refresh token: the new access token written, the old refresh token kept")
    t.is_(stat.S_IMODE(os.stat(path).st_mode), 0o600,
          "a cache file that was 0644 is rewritten 0600")

    env = w.files("", session_config())
    w.reset_client()
    w.session_token(expires_in=120)
    expect_ok(t, w, w.run(env), w.role(NEW_TOKEN)["access_key"],
              "token expiring within 5 minutes: refreshed first")
    t.is_(w.counts(), (1, 1), "expiring within 5 minutes: one CreateToken, one GetRoleCredentials")


def test_secrets(t, w):
    """The scenario where every kind of secret is in play at once."""
    env = w.files("", session_config())
    w.reset_client(rotate=True)
    w.session_token(expires_in=-3600)
    code, _, _, _ = w.run(env)
    out = w.last_out + w.last_err
    role = w.role(NEW_TOKEN)
    t.is_(code, e.OK, "refresh at -vvv: OK")
    for name, secret in [("the access tokens", [TOKEN, NEW_TOKEN]),
                         ("the refresh tokens", [REFRESH, NEW_REFRESH]),
                         ("the client secret", [CLIENT_SECRET]),
                         ("the role's secret key", [role["secret"]]),
                         ("the role's session token", [role["token"]])]:
        t.ok(not any(s in out for s in secret), f"refresh at -vvv: {name} not printed")


def test_expired(t, w):
    env = w.files("", session_config())
    w.session_token(access=STALE_TOKEN, expires_in=-3600, refreshable=False)
    expect_unknown(t, w.run(env), expired_line("default"), "expired token, no refresh token")
    t.is_(w.counts()[0], 0, "no refresh token: no CreateToken")

    env = w.files("", session_config())
    w.reset_client()
    w.sso.revoke(REFRESH)
    path = w.session_token(access=STALE_TOKEN, expires_in=-3600)
    before = read_bytes(path)
    expect_unknown(t, w.run(env), expired_line("default"),
                   "expired token, CreateToken answers invalid_grant")
    t.is_((w.sso.requests_for(mock_sso.OP_CREATE_TOKEN)[0].error_type
           if w.counts()[0] else None, read_bytes(path)),
          ("InvalidGrantException", before),
          "invalid_grant: CreateToken was asked, the cache file is left as it was")

    env = w.files("", session_config())
    w.reset_client()
    w.session_token(access=STALE_TOKEN, expires_in=-3600, clientSecret="revokedClientSecret")
    expect_unknown(t, w.run(env), expired_line("default"),
                   "expired token, CreateToken answers invalid_client")

    env = w.files("", session_config())
    w.session_token(access=STALE_TOKEN, expires_in=3600)
    expect_unknown(t, w.run(env), expired_line("default"),
                   "portal 401 UnauthorizedException (token revoked)")
    t.is_(w.sso.last_request.status, 401, "portal 401: GetRoleCredentials was asked")

    env = w.files("", session_config(role="NotAssignedRole"))
    w.session_token()
    expect_unknown_prefix(t, w.run(env), f"{PREFIX} UNKNOWN - SSO GetRoleCredentials failed: "
                                         "ForbiddenException", "portal 403 ForbiddenException")

    env = w.files("", session_config())
    got = w.run(env)
    t.ok(got[0] == e.UNKNOWN and "aws sso login --profile default" in got[1],
         "no cached token at all: UNKNOWN, and says to run 'aws sso login --profile default'",
         got[1])


def test_legacy(t, w):
    env = w.files("", legacy_config())
    w.legacy_token()
    role = w.role(LEGACY_TOKEN, LEGACY_ACCOUNT, LEGACY_ROLE)
    expect_ok(t, w, w.run(env), role["access_key"],
              "legacy profile (sso_start_url, sso_region), valid token")
    req = w.sso.last_request
    t.is_((req.bearer_token, req.params), (LEGACY_TOKEN, {"account_id": LEGACY_ACCOUNT,
                                                          "role_name": LEGACY_ROLE}),
          "legacy: the token of the file named after the start URL, the profile's account, role")

    env = w.files("", legacy_config())
    w.legacy_token(expires_in=-3600)
    expect_unknown(t, w.run(env), expired_line("default"), "legacy profile, expired token")
    t.is_(w.counts()[0], 0, "legacy profile, expired token: no CreateToken")


def test_named_profiles(t, w):
    creds = f"[default]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
    config = session_config("profile dev", DEV_ACCOUNT, DEV_ROLE)
    dev_key = w.role(TOKEN, DEV_ACCOUNT, DEV_ROLE)["access_key"]
    env = w.files(creds, config)
    w.session_token()
    expect_ok(t, w, w.run(env, "--profile", "dev"), dev_key, "--profile dev (sso-session form)")
    t.is_(w.sso.last_request.params, {"account_id": DEV_ACCOUNT, "role_name": DEV_ROLE},
          "--profile dev: dev's account and role asked")
    expect_ok(t, w, w.run({**env, "AWS_PROFILE": "dev"}), dev_key, "AWS_PROFILE=dev")

    env = w.files(creds, config)
    w.session_token(access=STALE_TOKEN, expires_in=-3600, refreshable=False)
    expect_unknown(t, w.run(env, "--profile", "dev"), expired_line("dev"),
                   "--profile dev, expired: the message names dev")
    expect_unknown(t, w.run({**env, "AWS_PROFILE": "dev"}), expired_line("dev"),
                   "AWS_PROFILE=dev, expired: the message names dev")

    env = w.files(creds, legacy_config("profile dev"))
    w.legacy_token()
    expect_ok(t, w, w.run(env, "--profile", "dev"),
              w.role(LEGACY_TOKEN, LEGACY_ACCOUNT, LEGACY_ROLE)["access_key"],
              "--profile dev (legacy form)")


def test_no_fallthrough(t, w):
    keys = f"aws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
    container = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": w.container.full_uri,
                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer pod-identity-token"}
    for name, creds, extra, env_extra, profile in [
            ("keys in the same profile", "", keys, {}, "default"),
            ("keys in its credentials-file section", f"[default]\n{keys}", "", {}, "default"),
            ("container credentials available", "", "", container, "default"),
            ("--profile dev, keys in [dev] of the credentials file", f"[dev]\n{keys}", "", {},
             "dev")]:
        section = "default" if profile == "default" else f"profile {profile}"
        args = [] if profile == "default" else ["--profile", profile]
        env = w.files(creds, session_config(section, extra=extra))
        w.session_token()
        expect_ok(t, w, w.run({**env, **env_extra}, *args), w.role(TOKEN)["access_key"],
                  f"SSO profile with {name}: SSO signs")
        w.session_token(access=STALE_TOKEN, expires_in=3600)
        expect_unknown(t, w.run({**env, **env_extra}, *args), expired_line(profile),
                       f"SSO profile with {name}, portal 401: the SSO error, no fallback")
        t.is_(w.container.count, 0, f"{name}: the container endpoint is never asked")


def test_missing_settings(t, w):
    for name, config, profile, want in [
            ("sso_role_name without sso_account_id", session_config(account=None), "default",
             ["sso_account_id"]),
            ("sso_account_id without sso_role_name", session_config(role=None), "default",
             ["sso_role_name"]),
            ("sso_session naming a missing [sso-session]",
             session_config("profile dev", session="nosuch").replace(
                 f"[sso-session {SESSION}]", "[sso-session other]"), "dev", ["nosuch"]),
            ("[sso-session] without sso_region",
             session_config().replace(f"sso_region = {SSO_REGION}\n", ""), "default",
             ["sso_region"]),
            ("[sso-session] without sso_start_url",
             session_config().replace(f"sso_start_url = {START_URL}\n", ""), "default",
             ["sso_start_url"]),
            ("legacy profile without sso_region", legacy_config(region=None), "default",
             ["sso_region"])]:
        env = w.files("", config)
        w.session_token()
        w.legacy_token()
        args = [] if profile == "default" else ["--profile", profile]
        expect_unknown_prefix(t, w.run(env, *args), f"{PREFIX} UNKNOWN - profile '{profile}'",
                              f"{name}: UNKNOWN, names profile '{profile}' and {want[0]}", want)
        t.is_(len(w.sso.requests), 0, f"{name}: no SSO request")


def test_default_endpoints(t, w):
    proxy = mock_aws.ConnectProxy(w.sso.port).start()
    try:
        env = w.files("", session_config())
        w.reset_client()
        w.session_token(expires_in=-3600)
        proxied = {**env, "https_proxy": proxy.url, "HTTPS_PROXY": proxy.url,
                   "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}
        expect_ok(t, w, w.run(proxied, endpoints=False), w.role(NEW_TOKEN)["access_key"],
                  "no AWS_ENDPOINT_URL_SSO*: the default endpoints of sso_region")
        t.is_(proxy.connects, [f"{DEFAULT_HOSTS[0]}:443", f"{DEFAULT_HOSTS[1]}:443"],
              f"default endpoints: https://{DEFAULT_HOSTS[0]} then https://{DEFAULT_HOSTS[1]}")
        t.is_([r.host for r in w.sso.requests], list(DEFAULT_HOSTS),
              "default endpoints: the Host headers name them")
    finally:
        proxy.stop()


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    with e.mock_fixture(hostnames=e.DEFAULT_HOSTNAMES + DEFAULT_HOSTS) as fx, \
            mock_sso.MockSSO(fx.pki) as sso, \
            mock_metadata.MockContainerCreds(token="Bearer pod-identity-token") as container:
        sso.add_role_credentials(TOKEN, ACCOUNT, ROLE)
        sso.add_role_credentials(NEW_TOKEN, ACCOUNT, ROLE)
        sso.add_role_credentials(TOKEN, DEV_ACCOUNT, DEV_ROLE)
        sso.add_role_credentials(LEGACY_TOKEN, LEGACY_ACCOUNT, LEGACY_ROLE)
        fx.mock.credentials.update(sso.issued_credentials())
        fx.mock.credentials[BASE_KEY] = {"secret": BASE_SECRET}
        fx.mock.credentials[mock_metadata.CONTAINER_ACCESS_KEY] = {
            "secret": mock_metadata.CONTAINER_SECRET_KEY,
            "token": mock_metadata.CONTAINER_SESSION_TOKEN}
        fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=3600))
        w = World(t, fx, sso, container)
        for test in (test_valid_token, test_refresh, test_secrets, test_expired, test_legacy,
                     test_named_profiles, test_no_fallthrough, test_missing_settings,
                     test_default_endpoints):
            test(t, w)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
