#!/usr/bin/env python3
"""End-to-end: how the plugin finds its endpoint, region, CA and
credentials, and how it answers bad input, untrusted TLS and timeouts.

The default endpoints (s3tables.REGION.amazonaws.com...) are reached
through a local CONNECT proxy that tunnels to the mock on 127.0.0.1, so
the test sees the host the plugin chose without any DNS or network.
"""

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

import e2e_lib as e
import mock_aws

PREFIX = "S3TABLES_EXPIRATION"
ARN_EAST = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
ARN_WEST = "arn:aws:s3tables:us-west-2:111122223333:bucket/monitored/table/orders"
ARN_CN = "arn:aws-cn:s3tables:cn-north-1:111122223333:bucket/monitored/table/orders"
# These tests are about where the request goes and how it is signed; the
# age may read 3601 s when a second ticks between the answer and the check.
OK_LINE = re.compile(rf"{PREFIX} OK - job Successful 1h 0m ago \| age=360[01]s;172800;259200;0 "
                     r"time=\d+\.\d{3}s;;;0")
PROFILE_KEY, PROFILE_SECRET = "AKIDPROFILE", "profileSecret/Key+abcdefghijklmnopqrstuv"
TOKEN_KEY, TOKEN_SECRET = "ASIATOKEN", "tokenSecret/Key+abcdefghijklmnopqrstuvw"
TOKEN = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=="


def plugin(args, env):
    code, out, err, _ = e.run_plugin(args, env=env)
    return code, e.first_line(out), out, err


def expect_ok(t, got, name):
    code, line, out, err = got
    t.is_(code, e.OK, f"{name}: exit code")
    if not t.ok(OK_LINE.fullmatch(line), f"{name}: OK line", line):
        t.diag(f"stderr: {err!r}")


def serve_all(fx):
    for arn in (ARN_EAST, ARN_WEST, ARN_CN):
        fx.mock.set_table(arn, lambda: mock_aws.job("Successful", last_run=3600))


def test_default_endpoints(t, fx):
    proxy = fx.start_proxy()
    ca = {"AWS_CA_BUNDLE": fx.pki.ca_cert}
    for arn, region, host, name in [
            (ARN_WEST, "us-west-2", "s3tables.us-west-2.amazonaws.com", "aws partition"),
            (ARN_CN, "cn-north-1", "s3tables.cn-north-1.amazonaws.com.cn", "aws-cn partition")]:
        fx.mock.expected_region = region
        fx.proxy.connects.clear()
        fx.mock.clear()
        expect_ok(t, plugin(["-a", arn], {**fx.env, **proxy, **ca}), f"endpoint from ARN, {name}")
        t.is_(fx.proxy.connects, [f"{host}:443"], f"{name}: connects to {host}")
        req = fx.mock.last_request
        t.is_(req and (req.host, req.region), (host, region),
              f"{name}: Host header and signing region come from the ARN")

    fx.mock.expected_region = "eu-west-1"
    fx.proxy.connects.clear()
    expect_ok(t, plugin(["-a", ARN_WEST, "--region", "eu-west-1"], {**fx.env, **proxy, **ca}),
              "--region overrides the ARN's region")
    t.is_(fx.proxy.connects, ["s3tables.eu-west-1.amazonaws.com:443"],
          "--region: connects to s3tables.eu-west-1.amazonaws.com")
    fx.mock.expected_region = None


def test_endpoint_overrides(t, fx):
    ca = ["--ca-file", fx.pki.ca_cert]
    fx.mock.expected_region = "us-west-2"
    expect_ok(t, plugin(["-a", ARN_WEST, "--endpoint-url", fx.mock.url] + ca, fx.env),
              "--endpoint-url, signed for the ARN's region")
    expect_ok(t, plugin(["-a", ARN_WEST] + ca, {**fx.env, "AWS_ENDPOINT_URL_S3TABLES": fx.mock.url}),
              "AWS_ENDPOINT_URL_S3TABLES")
    expect_ok(t, plugin(["-a", ARN_WEST] + ca, {**fx.env, "AWS_ENDPOINT_URL": fx.mock.url}),
              "AWS_ENDPOINT_URL")
    expect_ok(t, plugin(["-a", ARN_WEST] + ca, {**fx.env, "AWS_ENDPOINT_URL_S3TABLES": fx.mock.url,
                                                "AWS_ENDPOINT_URL": "https://127.0.0.1:9"}),
              "AWS_ENDPOINT_URL_S3TABLES wins over AWS_ENDPOINT_URL")
    expect_ok(t, plugin(["-a", ARN_WEST, "--endpoint-url", fx.mock.url] + ca,
                        {**fx.env, "AWS_ENDPOINT_URL_S3TABLES": "https://127.0.0.1:9"}),
              "--endpoint-url wins over the environment")
    expect_ok(t, plugin(["-a", ARN_WEST, "--endpoint-url", fx.mock.url],
                        {**fx.env, "AWS_CA_BUNDLE": fx.pki.ca_cert}), "AWS_CA_BUNDLE")
    fx.mock.expected_region = None
    code, line, _, _ = plugin(["-a", ARN_WEST, "--endpoint-url", "ftp://127.0.0.1/"] + ca, fx.env)
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - invalid endpoint URL 'ftp://127.0.0.1/': "
                                    "use https (plain http only to loopback)"),
          "an ftp endpoint is refused")


def test_tls(t, fx):
    code, line, _, _ = plugin(["-a", ARN_EAST, "--endpoint-url", fx.mock.url], fx.env)
    t.is_(code, e.UNKNOWN, "untrusted certificate: exit code")
    t.ok(line.startswith(f"{PREFIX} UNKNOWN - GetTableRecordExpirationJobStatus failed: ") and
         "certificate" in line, "untrusted certificate: first line says so", line)
    code, line, _, _ = plugin(["-a", ARN_EAST, "--endpoint-url", fx.mock.url,
                               "--ca-file", fx.pki.other_ca_cert], fx.env)
    t.is_(code, e.UNKNOWN, "certificate from another CA: UNKNOWN")
    test_trust_store_directory(t, fx)


def ca_directory(fx, cert, hashed):
    """A directory holding cert, with OpenSSL's subject-hash link when hashed."""
    d = tempfile.mkdtemp(prefix="e2e-cadir-", dir=fx.tmpdir)
    shutil.copy(cert, os.path.join(d, "ca.pem"))
    if hashed:
        subprocess.run([mock_aws._openssl_binary(), "rehash", d], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return d


def test_trust_store_directory(t, fx):
    """No CA configured: OpenSSL's hashed certificate directory (here named by
    SSL_CERT_DIR) is the trust store, and it verifies as strictly as a file."""
    serve_all(fx)
    args = ["-a", ARN_EAST, "--endpoint-url", fx.mock.url, "-vvv"]
    mine = ca_directory(fx, fx.pki.ca_cert, hashed=True)
    code, line, out, err = plugin(args, {**fx.env, "SSL_CERT_DIR": mine})
    expect_ok(t, (code, line, out, err), "no CA configured, the mock's CA in a hashed directory")
    t.ok(f"trust store: {mine}\n" in err, "-vvv names the hashed directory as the trust store",
         err)
    other = ca_directory(fx, fx.pki.other_ca_cert, hashed=True)
    code, line, _, _ = plugin(args, {**fx.env, "SSL_CERT_DIR": other})
    t.ok(code == e.UNKNOWN and "certificate" in line,
         "hashed directory of another CA: UNKNOWN, the certificate is not trusted", line)
    plain = ca_directory(fx, fx.pki.ca_cert, hashed=False)
    code, line, _, err = plugin(args, {**fx.env, "SSL_CERT_DIR": plain})
    t.ok("trust store: libcurl's default CA bundle" in err,
         "a directory without hash links: libcurl's default bundle instead", err)
    t.ok(code == e.UNKNOWN and "certificate" in line,
         "a directory without hash links: the mock's CA is not trusted", line)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def test_credentials(t, fx):
    args = ["-a", ARN_EAST] + fx.args
    base = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    fx.mock.credentials[PROFILE_KEY] = {"secret": PROFILE_SECRET}
    fx.mock.credentials[TOKEN_KEY] = {"secret": TOKEN_SECRET, "token": TOKEN}
    d = fx.tmpdir
    creds = write(os.path.join(d, "credentials"),
                  f"[default]\naws_access_key_id = {PROFILE_KEY}\n"
                  f"aws_secret_access_key = {PROFILE_SECRET}\n\n"
                  f"[monitoring]\naws_access_key_id = {TOKEN_KEY}\n"
                  f"aws_secret_access_key = {TOKEN_SECRET}\naws_session_token = {TOKEN}\n")
    config = write(os.path.join(d, "config"),
                   "[default]\nregion = eu-west-1\n\n"
                   f"[profile from-config]\naws_access_key_id = {PROFILE_KEY}\n"
                   f"aws_secret_access_key = {PROFILE_SECRET}\n\n"
                   f"[from-config-unprefixed]\naws_access_key_id = {PROFILE_KEY}\n"
                   f"aws_secret_access_key = {PROFILE_SECRET}\n")
    files = {"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": config}

    def who():
        r = fx.mock.last_request
        return r and (r.access_key, r.verified, "x-amz-security-token" in r.headers)

    fx.mock.clear()
    expect_ok(t, plugin(args, {**fx.env}), "environment keys")
    t.is_(who(), (e.TEST_ACCESS_KEY, True, False), "environment keys: used to sign")

    expect_ok(t, plugin(args, {**base, "AWS_ACCESS_KEY_ID": TOKEN_KEY,
                               "AWS_SECRET_ACCESS_KEY": TOKEN_SECRET, "AWS_SESSION_TOKEN": TOKEN}),
              "environment keys with session token")
    t.is_(who(), (TOKEN_KEY, True, True), "session token: sent and signed")
    auth = fx.mock.last_request.headers.get("authorization", "")
    t.ok("SignedHeaders=host;x-amz-date;x-amz-security-token," in auth,
         "session token: x-amz-security-token is in SignedHeaders", auth)

    expect_ok(t, plugin(args, {**fx.env, **files}), "environment keys win over [default]")
    t.is_(who(), (e.TEST_ACCESS_KEY, True, False), "environment keys: not the default profile")

    expect_ok(t, plugin(args, {**base, **files}), "default profile of the credentials file")
    t.is_(who(), (PROFILE_KEY, True, False), "default profile: its keys sign")

    expect_ok(t, plugin(args + ["--profile", "monitoring"], {**fx.env, **files}),
              "--profile wins over environment keys")
    t.is_(who(), (TOKEN_KEY, True, True), "--profile monitoring: its keys and token sign")

    expect_ok(t, plugin(args, {**fx.env, **files, "AWS_PROFILE": "monitoring"}),
              "AWS_PROFILE with environment keys")
    t.is_(who(), (e.TEST_ACCESS_KEY, True, False),
          "AWS_PROFILE monitoring: environment keys still win (unlike --profile), as botocore")
    expect_ok(t, plugin(args, {**base, **files, "AWS_PROFILE": "monitoring"}), "AWS_PROFILE")
    t.is_(who(), (TOKEN_KEY, True, True), "AWS_PROFILE monitoring: its keys and token sign")

    expect_ok(t, plugin(args + ["--profile", "from-config"], {**base, **files}),
              "static keys in the config file's [profile NAME]")
    t.is_(who(), (PROFILE_KEY, True, False), "config file profile: its keys sign")

    code, line, _, _ = plugin(args + ["--profile", "from-config-unprefixed"], {**base, **files})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - profile 'from-config-unprefixed' not "
                                    f"found in {creds} or {config}"),
          "config file [NAME] without 'profile ' is not a profile")

    home = os.path.join(d, "home")
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    write(os.path.join(home, ".aws", "credentials"),
          f"[default]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n")
    expect_ok(t, plugin(args, {**base, "HOME": home}), "~/.aws/credentials under HOME")
    t.is_(who(), (PROFILE_KEY, True, False), "HOME: the default profile signs")

    code, line, _, _ = plugin(args, {**base, "HOME": d + "/nowhere"})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - no AWS credentials found (looked in: "
                                    f"environment, web identity, {d}/nowhere/.aws/credentials "
                                    f"[default], {d}/nowhere/.aws/config [default], container "
                                    "credentials, EC2 instance metadata)"),
          "no credentials: UNKNOWN saying where it looked")
    test_home_from_passwd(t, args, base)
    code, line, _, _ = plugin(args, {**base, "AWS_ACCESS_KEY_ID": "AKIDONLY"})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - AWS_ACCESS_KEY_ID is set but "
                                    "AWS_SECRET_ACCESS_KEY is not"), "half-set environment keys")
    code, line, _, _ = plugin(args, {**fx.env, "AWS_SECRET_ACCESS_KEY": "wrong/secret"})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - API error InvalidSignatureException: The "
                                    "request signature we calculated does not match the signature "
                                    "you provided. Check your AWS Secret Access Key and signing "
                                    "method. Consult the service documentation for details. "
                                    "(HTTP 403)"),
          "wrong secret: rejected by the botocore check, UNKNOWN")
    code, line, _, _ = plugin(args, {**fx.env, "AWS_ACCESS_KEY_ID": "AKIDUNKNOWN"})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - API error UnrecognizedClientException: "
                                    "The security token included in the request is invalid. "
                                    "(HTTP 403)"), "unknown access key")
    shared = write(os.path.join(d, "shared-config"), "[default]\nregion = us-east-1\n")
    os.chmod(shared, 0o666)
    code, line, _, _ = plugin(args, {**fx.env, "AWS_CONFIG_FILE": shared})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - refusing to read {shared}: anyone can "
                                    "write to it (chmod go-w)"), "world-writable config file refused")
    os.chmod(shared, 0o664)
    code, line, _, _ = plugin(args, {**fx.env, "AWS_CONFIG_FILE": shared})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - refusing to read {shared}: its group can "
                                    "write to it (chmod go-w)"), "group-writable config file refused")
    if os.geteuid() == 0:
        os.chmod(shared, 0o644)
        os.chown(shared, 65534, 65534)
        code, line, _, _ = plugin(args, {**fx.env, "AWS_CONFIG_FILE": shared})
        t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - refusing to read {shared}: owned by "
                                        "uid 65534, not by this user or root"),
              "config file owned by another user refused")
    else:
        t.skip("config file owned by another user refused", "needs root to chown")
    code, line, _, _ = plugin(args, {**fx.env, "AWS_CONFIG_FILE": d})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - cannot read {d}: not a regular file"),
          "a config path that is not a file gives a clear message")
    bad = write(os.path.join(d, "bad-config"), "aws_access_key_id = x\n")
    code, line, _, _ = plugin(args, {**fx.env, "AWS_CONFIG_FILE": bad})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - {bad}: line 1: setting before any "
                                    "[section]"), "unparsable config file names file and line")


def test_home_from_passwd(t, args, base):
    """Without HOME (systemd starts Icinga 2 and Nagios without one), "~" is
    the user's home directory in the password database, as Python's
    os.path.expanduser (so botocore and the AWS CLI) takes it. As root the
    plugin runs as nobody, whose home has no .aws."""
    name = "no HOME: ~ is the user's home in the password database, as expanduser"
    prefix = None
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            t.skip(name, "setpriv not installed")
            return
        pw = pwd.getpwnam("nobody")
        prefix = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"]
    else:
        pw = pwd.getpwuid(os.getuid())
    home = pw.pw_dir
    if os.path.exists(os.path.join(home, ".aws")) or os.path.exists(os.path.join(home, ".cache")):
        t.skip(name, f"{home} has .aws or .cache: they are not this test's to read")
        return
    code, out, err, _ = e.run_plugin(args, env={**base, "HOME": None}, prefix=prefix)
    if code == 127 or (code is not None and "Permission denied" in err):
        t.skip(name, f"{pw.pw_name} cannot run {e.plugin_path()}: {err.strip()}")
        return
    t.is_((code, e.first_line(out)),
          (e.UNKNOWN, f"{PREFIX} UNKNOWN - no AWS credentials found (looked in: environment, web "
                      f"identity, {home}/.aws/credentials [default], {home}/.aws/config "
                      "[default], container credentials, EC2 instance metadata)"), name)


def test_secrets_stay_hidden(t, fx):
    env = {"AWS_ACCESS_KEY_ID": TOKEN_KEY, "AWS_SECRET_ACCESS_KEY": TOKEN_SECRET,
           "AWS_SESSION_TOKEN": TOKEN}
    fx.mock.credentials[TOKEN_KEY] = {"secret": TOKEN_SECRET, "token": TOKEN}
    code, out, err, _ = e.run_plugin(["-a", ARN_EAST, "-vvv"] + fx.args, env=env)
    t.is_(code, e.OK, "-vvv: still OK")
    text = out + err
    t.ok(TOKEN_SECRET not in text and TOKEN not in text and "Signature=" not in text,
         "-vvv: no secret key, session token or signature in any output")
    t.ok("credentials: environment, key ASIA...OKEN with session token" in err,
         "-vvv: names the credential source and a redacted key id", err)


def test_command_line(t, fx):
    env = fx.env
    cases = [
        (["-a", "arn:aws:s3:::my-bucket"],
         f"{PREFIX} UNKNOWN - invalid table ARN 'arn:aws:s3:::my-bucket': service is not "
         "s3tables, expected arn:aws:s3tables:REGION:ACCOUNT_ID:bucket/BUCKET/table/TABLE_ID",
         "bad ARN"),
        ([], f"{PREFIX} UNKNOWN - missing -a/--table-arn", "missing --table-arn"),
        (["-a", ARN_EAST, "-w", "1-10"],
         f'{PREFIX} UNKNOWN - -w: invalid range "1-10": ', "bad -w range"),
        (["-a", ARN_EAST, "--bytes-critical", "5 parsecs"],
         f'{PREFIX} UNKNOWN - --bytes-critical: invalid range "5 parsecs"', "bad bytes range"),
        (["-a", ARN_EAST, "--failed-state", "purple"],
         f"{PREFIX} UNKNOWN - --failed-state: invalid state 'purple' (use ok, warning, critical, "
         "unknown or 0-3)", "bad state"),
        (["-a", ARN_EAST, "-t", "0"],
         f"{PREFIX} UNKNOWN - -t: invalid timeout '0' (use SECONDS[:STATE], 1-3600)",
         "bad timeout"),
        (["-a", ARN_EAST, "--frobnicate"], f"{PREFIX} UNKNOWN - unknown option '--frobnicate'",
         "unknown option"),
        (["-a", ARN_EAST, "extra"], f"{PREFIX} UNKNOWN - unexpected argument 'extra'",
         "positional argument"),
        (["-a", ARN_EAST, "--region", "us-east-1.evil.example"],
         f"{PREFIX} UNKNOWN - --region: invalid region 'us-east-1.evil.example'",
         "region that is not a host label"),
    ]
    for args, want, name in cases:
        code, line, out, _ = plugin(args, env)
        t.is_(code, e.UNKNOWN, f"{name}: exit code")
        t.ok(line.startswith(want), f"{name}: first line", line)
    code, line, out, _ = plugin(["--help"], env)
    t.ok(code == e.UNKNOWN and "--table-arn" in out and "--records-warning" in out,
         "--help prints the options and exits 3")
    code, line, out, _ = plugin(["-V"], env)
    t.ok(code == e.UNKNOWN and re.match(r"check_s3tables_expiration \d+\.\d+\.\d+ \(libcurl ", line),
         "-V prints versions and exits 3", line)


def test_timeout(t, fx):
    limit = 4 if e.UNDER_VALGRIND else 1  # valgrind alone can take a second to start
    fx.mock.delay = limit + 4
    for args, code, state in [([f"-t", f"{limit}"], e.UNKNOWN, "UNKNOWN"),
                              ([f"-t", f"{limit}:critical"], e.CRITICAL, "CRITICAL")]:
        got, out, err, elapsed = e.run_plugin(["-a", ARN_EAST] + fx.args + args, env=fx.env)
        t.is_((got, e.first_line(out)),
              (code, f"{PREFIX} {state} - timeout after {limit} s while calling "
                     "GetTableRecordExpirationJobStatus"), f"{' '.join(args)}: stalled endpoint")
        t.timing(elapsed < limit + 1, f"{' '.join(args)}: exits within -t + 1 s",
                 f"{elapsed:.2f} s")
    fx.mock.delay = 0


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    with e.mock_fixture() as fx:
        serve_all(fx)
        for test in (test_default_endpoints, test_endpoint_overrides, test_tls, test_credentials,
                     test_secrets_stay_hidden, test_command_line, test_timeout):
            test(t, fx)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
