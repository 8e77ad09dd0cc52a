#!/usr/bin/env python3
"""End-to-end: the credential chain, as the AWS SDKs walk it.

The plugin runs against three kinds of loopback mocks: S3 Tables (every
request's SigV4 checked with botocore), STS (AssumeRole signed and
checked, AssumeRoleWithWebIdentity unsigned) and the metadata services
(EC2 IMDS with session tokens, ECS/EKS container credentials). Each test
checks which credentials signed the S3 Tables request, so a wrong source
cannot pass for the right one.
"""

import os
import re
import sys

import e2e_lib as e
import mock_aws
import mock_metadata
import mock_sts

PREFIX = "S3TABLES_EXPIRATION"
ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
OK_LINE = re.compile(rf"{PREFIX} OK - job Successful 1h 0m ago \| age=360[01]s;172800;259200;0 "
                     r"time=\d+\.\d{3}s;;;0")
BASE_KEY, BASE_SECRET = "AKIDBASEPROFILE", "baseSecret/Key+abcdefghijklmnopqrstuvwx"
ROLE_A = "arn:aws:iam::111122223333:role/monitoring-a"
ROLE_B = "arn:aws:iam::444455556666:role/monitoring-b"
ROLE_WEB = "arn:aws:iam::111122223333:role/irsa"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl"
NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


class World:
    """The mocks, the files, and how to run the plugin against them.

    Every run is at -vvv, and every run's stdout and stderr are searched
    for every secret the mocks know: secret keys, session tokens, the web
    identity token, the container authorization token, signatures."""

    def __init__(self, t, fx, sts, imds, container):
        self.t = t
        self.fx, self.sts, self.imds, self.container = fx, sts, imds, container
        self.runs = 0
        self.dir = fx.tmpdir
        self.creds_file = os.path.join(self.dir, "credentials")
        self.config_file = os.path.join(self.dir, "config")
        self.token_file = self.write("web-identity-token", JWT + "\n")
        self.sts_failure = None

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def files(self, credentials="", config=""):
        self.write("credentials", credentials)
        self.write("config", config)
        return {"AWS_SHARED_CREDENTIALS_FILE": self.creds_file, "AWS_CONFIG_FILE": self.config_file}

    def run(self, env, *args):
        """Run with no keys unless env gives some; all mocks reachable."""
        for m in (self.fx.mock, self.sts, self.imds, self.container):
            m.clear()
        if self.sts_failure is not None:  # clear() drops queued answers: queue it now
            self.sts.fail_next(*self.sts_failure)
            self.sts_failure = None
        full = {"AWS_ENDPOINT_URL_STS": self.sts.url, **NO_KEYS, **env}
        code, out, err, elapsed = e.run_plugin(["-a", ARN, "-vvv"] + self.fx.args + list(args),
                                               env=full)
        self.runs += 1
        leaked = [s for s in self.secrets() if s in out or s in err]
        self.t.ok(not leaked and "Signature=" not in out + err,
                  f"run {self.runs}: no secret key, token or signature in stdout/stderr at -vvv",
                  f"leaked: {leaked}")
        return code, e.first_line(out), err, elapsed

    def secrets(self):
        """Everything that must never be printed, whichever source is in play."""
        found = [e.TEST_SECRET_KEY, BASE_SECRET, JWT, "pod-identity-token",
                 mock_metadata.IMDS_SECRET_KEY, mock_metadata.IMDS_SESSION_TOKEN,
                 mock_metadata.CONTAINER_SECRET_KEY, mock_metadata.CONTAINER_SESSION_TOKEN]
        for role in self.sts.roles.values():
            found += [role["secret"], role["token"]]
        return found

    def signer(self):
        """The access key that signed the S3 Tables request, if it verified."""
        r = self.fx.mock.last_request
        return r.access_key if r is not None and r.verified else None


def expect_ok(t, w, got, key, name, source=None):
    code, line, err, _ = got
    good = t.is_((code, bool(OK_LINE.fullmatch(line))), (e.OK, True), f"{name}: OK")
    good = t.is_(w.signer(), key, f"{name}: the expected credentials signed") and good
    if source is not None:
        good = t.ok(f"credentials: {source}" in err, f"{name}: -vv names the source", err) and good
    if not good:
        t.diag(f"line: {line}\nstderr: {err}")


def expect_unknown(t, got, message, name):
    code, line, err, _ = got
    if not t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - {message}"), name):
        t.diag(f"stderr: {err}")


def imds_env(w):
    return {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": w.imds.url}


def container_env(w):
    return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": w.container.full_uri,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer pod-identity-token"}


def test_sources(t, w):
    """Each source of the chain, winning on its own."""
    expect_ok(t, w, w.run(w.fx.env), e.TEST_ACCESS_KEY, "environment keys", "environment")

    role = w.sts.roles[ROLE_WEB]
    expect_ok(t, w, w.run({"AWS_WEB_IDENTITY_TOKEN_FILE": w.token_file, "AWS_ROLE_ARN": ROLE_WEB,
                           "AWS_ROLE_SESSION_NAME": "irsa-session"}),
              role["access_key"], "web identity from the environment (EKS IRSA)",
              f"web identity {w.token_file} -> assume role {ROLE_WEB}")
    req = w.sts.last_request
    t.is_((req.action, req.signed, req.params.get("WebIdentityToken"),
           req.params.get("RoleSessionName")),
          ("AssumeRoleWithWebIdentity", False, JWT, "irsa-session"),
          "web identity: unsigned AssumeRoleWithWebIdentity with the token and session name")

    files = w.files(f"[default]\naws_access_key_id = {BASE_KEY}\n"
                    f"aws_secret_access_key = {BASE_SECRET}\n")
    expect_ok(t, w, w.run(files), BASE_KEY, "default profile, static keys",
              "profile default (static keys)")

    files = w.files(f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n",
                    f"[default]\nrole_arn = {ROLE_A}\nsource_profile = base\n"
                    "external_id = ext-123\nrole_session_name = nagios\nduration_seconds = 1800\n")
    expect_ok(t, w, w.run(files), w.sts.roles[ROLE_A]["access_key"],
              "role_arn with source_profile", f"profile default -> assume role {ROLE_A} "
              "(profile base (static keys))")
    req = w.sts.last_request
    t.is_((req.action, req.verified, req.access_key, req.params.get("ExternalId"),
           req.params.get("RoleSessionName"), req.params.get("DurationSeconds")),
          ("AssumeRole", True, BASE_KEY, "ext-123", "nagios", "1800"),
          "AssumeRole signed by the source profile, with external_id, session name, duration")

    files = w.files("", f"[default]\nrole_arn = {ROLE_A}\ncredential_source = Environment\n")
    expect_ok(t, w, w.run({**files, **w.fx.env}), e.TEST_ACCESS_KEY,
              "credential_source = Environment (env keys win first)")
    files = w.files("", f"[profile ci]\nrole_arn = {ROLE_A}\ncredential_source = Environment\n")
    expect_ok(t, w, w.run({**files, **w.fx.env, "AWS_PROFILE": "ci"}), e.TEST_ACCESS_KEY,
              "credential_source = Environment with AWS_PROFILE (env keys still win, as botocore)")
    expect_ok(t, w, w.run({**files, **w.fx.env}, "--profile", "ci"),
              w.sts.roles[ROLE_A]["access_key"], "credential_source = Environment")
    t.is_(w.sts.last_request.access_key, e.TEST_ACCESS_KEY,
          "credential_source = Environment: the environment's keys sign AssumeRole")

    files = w.files("", f"[default]\nrole_arn = {ROLE_A}\ncredential_source = Ec2InstanceMetadata\n")
    expect_ok(t, w, w.run({**files, **imds_env(w)}), w.sts.roles[ROLE_A]["access_key"],
              "credential_source = Ec2InstanceMetadata")
    t.is_(w.sts.last_request.access_key, mock_metadata.IMDS_ACCESS_KEY,
          "credential_source = Ec2InstanceMetadata: the instance role signs AssumeRole")

    files = w.files("", f"[default]\nrole_arn = {ROLE_A}\ncredential_source = EcsContainer\n")
    expect_ok(t, w, w.run({**files, **container_env(w)}), w.sts.roles[ROLE_A]["access_key"],
              "credential_source = EcsContainer")
    t.is_(w.sts.last_request.access_key, mock_metadata.CONTAINER_ACCESS_KEY,
          "credential_source = EcsContainer: the container role signs AssumeRole")

    files = w.files("", f"[default]\nrole_arn = {ROLE_WEB}\n"
                        f"web_identity_token_file = {w.token_file}\n")
    expect_ok(t, w, w.run(files), w.sts.roles[ROLE_WEB]["access_key"],
              "profile web_identity_token_file")

    helper = w.write("cred-helper.sh", "#!/bin/sh\nprintf '%s' '{\"Version\": 1, \"AccessKeyId\": "
                     f"\"{BASE_KEY}\", \"SecretAccessKey\": \"{BASE_SECRET}\"}}'\n")
    os.chmod(helper, 0o755)
    files = w.files("", f"[profile helper]\ncredential_process = {helper} --profile 'with space'\n")
    expect_ok(t, w, w.run({**files, "AWS_PROFILE": "helper"}), BASE_KEY, "credential_process",
              "profile helper (credential_process)")

    expect_ok(t, w, w.run(container_env(w)), mock_metadata.CONTAINER_ACCESS_KEY,
              "container credentials (FULL_URI + token)", "container credentials")
    t.is_(w.container.last_request.headers.get("authorization"), "Bearer pod-identity-token",
          "container credentials: the authorization token is sent")
    token_file = w.write("pod-token", "Bearer pod-identity-token")
    expect_ok(t, w, w.run({"AWS_CONTAINER_CREDENTIALS_FULL_URI": w.container.full_uri,
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file}),
              mock_metadata.CONTAINER_ACCESS_KEY, "container credentials (token file, EKS Pod Identity)")
    token_file = w.write("pod-token-nl", "Bearer pod-identity-token\n")
    code, line, _, _ = w.run({"AWS_CONTAINER_CREDENTIALS_FULL_URI": w.container.full_uri,
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})
    t.is_((code, line), (e.UNKNOWN, f"{PREFIX} UNKNOWN - the token in "
                                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE contains a line break "
                                    "or NUL byte"),
          "container token file ending in a newline: refused, as botocore refuses it")

    expect_ok(t, w, w.run(imds_env(w)), mock_metadata.IMDS_ACCESS_KEY, "EC2 instance metadata (IMDSv2)",
              "EC2 instance metadata (role mock-instance-role)")
    t.ok(w.imds.requests[0].method == "PUT" and
         all(r.headers.get("x-aws-ec2-metadata-token") for r in w.imds.requests[1:]),
         "IMDSv2: token PUT first, then every GET carries the token")

    expect_ok(t, w, w.run({**w.fx.env, "AWS_ENDPOINT_URL_STS": w.sts.url}, "--role-arn", ROLE_A,
                          "--external-id", "ext-123", "--role-session-name", "central"),
              w.sts.roles[ROLE_A]["access_key"], "--role-arn on top of environment keys",
              f"environment -> assume role {ROLE_A} (--role-arn)")
    req = w.sts.last_request
    t.is_((req.access_key, req.params.get("ExternalId"), req.params.get("RoleSessionName")),
          (e.TEST_ACCESS_KEY, "ext-123", "central"), "--role-arn: external id and session name sent")


def test_precedence(t, w):
    web = {"AWS_WEB_IDENTITY_TOKEN_FILE": w.token_file, "AWS_ROLE_ARN": ROLE_WEB}
    files = w.files(f"[default]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
                    f"[other]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n")
    everything = {**w.fx.env, **web, **files, **container_env(w), **imds_env(w)}
    expect_ok(t, w, w.run(everything), e.TEST_ACCESS_KEY, "environment keys beat everything after")
    t.is_((w.imds.count, w.container.count, len(w.sts.requests)), (0, 0, 0),
          "with environment keys: no IMDS, container or STS request at all")
    no_env = {**everything, **NO_KEYS}
    expect_ok(t, w, w.run(no_env), w.sts.roles[ROLE_WEB]["access_key"],
              "web identity beats the shared files")
    no_web = {k: v for k, v in no_env.items() if k not in web}
    expect_ok(t, w, w.run(no_web), BASE_KEY, "the default profile beats container and IMDS")
    t.is_((w.imds.count, w.container.count), (0, 0), "default profile: no container or IMDS request")
    no_files = {**no_web, **w.files()}
    expect_ok(t, w, w.run(no_files), mock_metadata.CONTAINER_ACCESS_KEY,
              "container credentials beat IMDS")
    t.is_(w.imds.count, 0, "container credentials: no IMDS request")
    expect_ok(t, w, w.run({**everything, **w.files(
        f"[other]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n")},
        "--profile", "other"), BASE_KEY, "a named profile beats the environment keys")


def test_role_chains(t, w):
    files = w.files(f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n",
                    f"[profile a]\nrole_arn = {ROLE_A}\nsource_profile = base\n"
                    f"[profile b]\nrole_arn = {ROLE_B}\nsource_profile = a\n")
    w.sts.roles[ROLE_B]["allowed_sources"] = {w.sts.roles[ROLE_A]["access_key"]}
    expect_ok(t, w, w.run({**files, "AWS_PROFILE": "b"}), w.sts.roles[ROLE_B]["access_key"],
              "role chaining: b -> a -> base", f"profile b -> assume role {ROLE_B} (profile a -> "
              f"assume role {ROLE_A} (profile base (static keys)))")
    t.is_([(r.params.get("RoleArn"), r.access_key) for r in w.sts.requests],
          [(ROLE_A, BASE_KEY), (ROLE_B, w.sts.roles[ROLE_A]["access_key"])],
          "role chaining: base signs for a, a's credentials sign for b")
    w.sts.roles[ROLE_B]["allowed_sources"] = None

    files = w.files("", f"[profile x]\nrole_arn = {ROLE_A}\nsource_profile = y\n"
                        f"[profile y]\nrole_arn = {ROLE_B}\nsource_profile = x\n")
    expect_unknown(t, w.run({**files, "AWS_PROFILE": "x"}), "source_profile cycle: x -> y -> x",
                   "source_profile cycle")
    t.is_(len(w.sts.requests), 0, "source_profile cycle: no STS request")
    files = w.files(f"[self]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
                    f"role_arn = {ROLE_A}\nsource_profile = self\n")
    expect_ok(t, w, w.run({**files, "AWS_PROFILE": "self"}), w.sts.roles[ROLE_A]["access_key"],
              "a profile that is its own source_profile uses its static keys")
    files = w.files("", f"[profile lost]\nrole_arn = {ROLE_A}\nsource_profile = missing\n")
    expect_unknown(t, w.run({**files, "AWS_PROFILE": "lost"}),
                   f"profile 'missing' not found in {w.creds_file} or {w.config_file}",
                   "source_profile that does not exist")
    files = w.files("", f"[profile bad]\nrole_arn = {ROLE_A}\ncredential_source = Magic\n")
    expect_unknown(t, w.run({**files, "AWS_PROFILE": "bad"}),
                   "profile 'bad': unknown credential_source 'Magic' (use Environment, "
                   "Ec2InstanceMetadata or EcsContainer)", "unknown credential_source")


def test_credential_process_faults(t, w):
    def process(body):
        script = w.write("helper-fault.sh", "#!/bin/sh\n" + body)
        os.chmod(script, 0o755)
        return {**w.files("", f"[default]\ncredential_process = {script}\n")}

    expect_unknown(t, w.run(process("echo 'secret stuff' >&2\nexit 4\n")),
                   "profile credential_process: credential_process exited with status 4",
                   "credential_process fails")
    got = w.run(process("printf 'not json'\n"))
    t.ok(got[0] == e.UNKNOWN and got[1].startswith(
        f"{PREFIX} UNKNOWN - profile credential_process: credential_process: ") and
        "not json" not in got[1], "credential_process bad JSON: UNKNOWN, output not echoed", got[1])
    got = w.run(process("printf '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n"))
    t.ok(got[0] == e.UNKNOWN and '"Version" 2' in got[1], "credential_process Version 2 refused",
         got[1])
    limit = 4 if e.UNDER_VALGRIND else 2
    got = w.run(process("sleep 30\n"), "-t", str(limit))
    t.is_(got[:2], (e.UNKNOWN, f"{PREFIX} UNKNOWN - timeout after {limit} s while running "
                               "credential_process"), "credential_process hangs past -t")
    t.timing(got[3] < limit + 1, "credential_process hang: exits within -t + 1 s",
             f"{got[3]:.2f} s")


def test_sts_errors(t, w):
    files = w.files(f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n",
                    f"[default]\nrole_arn = {ROLE_A}\nsource_profile = base\n")
    for code, status in [("AccessDenied", 403), ("ExpiredToken", 400),
                         ("RegionDisabledException", 403)]:
        w.sts_failure = (code, f"message for {code}", status)
        expect_unknown(t, w.run(files), f"assume role {ROLE_A}: {code}: message for {code} "
                                        f"(HTTP {status})", f"STS {code}")
    w.sts_failure = ("InvalidIdentityToken", "Couldn't retrieve verification key", 400)
    expect_unknown(t, w.run({"AWS_WEB_IDENTITY_TOKEN_FILE": w.token_file, "AWS_ROLE_ARN": ROLE_WEB}),
                   f"assume role with web identity {ROLE_WEB}: InvalidIdentityToken: Couldn't "
                   "retrieve verification key (HTTP 400)", "STS InvalidIdentityToken")
    got = w.run({**w.fx.env}, "--role-arn", "arn:aws:iam::111122223333:role/nobody")
    t.ok(got[0] == e.UNKNOWN and got[1].startswith(
        f"{PREFIX} UNKNOWN - assume role arn:aws:iam::111122223333:role/nobody: AccessDenied"),
        "--role-arn of a role STS refuses", got[1])


def test_metadata_faults(t, w):
    w.imds.token_status = 405
    expect_ok(t, w, w.run(imds_env(w)), mock_metadata.IMDS_ACCESS_KEY, "IMDSv1 fallback")
    t.ok(all("x-aws-ec2-metadata-token" not in r.headers for r in w.imds.requests[1:]),
         "IMDSv1 fallback: GETs without a token")
    got = w.run({**imds_env(w), "AWS_EC2_METADATA_V1_DISABLED": "true"})
    expect_unknown(t, got, "instance metadata: IMDSv1 fallback disabled and no IMDSv2 token",
                   "IMDSv1 fallback refused when disabled")
    w.imds.token_status = None
    w.imds.expires_in(-60)
    got = w.run(imds_env(w))
    t.ok(got[0] == e.UNKNOWN and "credentials expired at" in got[1],
         "expired IMDS credentials: UNKNOWN", got[1])
    w.imds.expires_in(3600)
    got = w.run({**imds_env(w), "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"})
    t.ok(got[0] == e.UNKNOWN and "no AWS credentials found" in got[1],
         "not on EC2: no credentials", got[1])
    t.timing(got[3] < 2.0, "not on EC2: fast", f"{got[3]:.2f} s")
    w.imds.hang = True
    got = w.run(imds_env(w))
    w.imds.hang = False
    t.ok(got[0] == e.UNKNOWN and "no AWS credentials found" in got[1],
         "IMDS that never answers: no credentials", got[1])
    t.timing(got[3] < 2.5, "IMDS that never answers: about a second", f"{got[3]:.2f} s")
    got = w.run({"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"})
    t.ok(got[0] == e.UNKNOWN and "not to 192.0.2.1" in got[1],
         "container FULL_URI to a non-loopback http host is refused", got[1])


def test_endpoints(t, w):
    proxy = w.fx.start_proxy()
    ca = {"AWS_CA_BUNDLE": w.fx.pki.ca_cert}
    for args, env, host, name in [
            (["--fips"], {}, "s3tables-fips.us-east-1.amazonaws.com", "--fips"),
            ([], {"AWS_USE_FIPS_ENDPOINT": "true"}, "s3tables-fips.us-east-1.amazonaws.com",
             "AWS_USE_FIPS_ENDPOINT"),
            (["--dualstack"], {}, "s3tables.us-east-1.api.aws", "--dualstack"),
            ([], {"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "s3tables.us-east-1.api.aws",
             "AWS_USE_DUALSTACK_ENDPOINT"),
            (["--fips", "--dualstack"], {}, "s3tables-fips.us-east-1.api.aws", "--fips --dualstack"),
            ([], w.files("", "[default]\nuse_fips_endpoint = true\n"),
             "s3tables-fips.us-east-1.amazonaws.com", "profile use_fips_endpoint")]:
        w.fx.proxy.connects.clear()
        code, out, err, _ = e.run_plugin(["-a", ARN] + args, env={**w.fx.env, **proxy, **ca, **env})
        t.is_((code, w.fx.proxy.connects), (e.OK, [f"{host}:443"]), f"{name}: {host}",
              ) or t.diag(out + err)
    code, out, _, _ = e.run_plugin(["-a", ARN, "--fips"] + w.fx.args, env=w.fx.env)
    t.is_((code, e.first_line(out)), (e.UNKNOWN, f"{PREFIX} UNKNOWN - cannot choose an endpoint: "
                                                 "Invalid Configuration: FIPS and custom endpoint "
                                                 "are not supported"), "--fips with --endpoint-url")
    files = w.files("", f"[default]\nendpoint_url = {w.fx.mock.url}\nca_bundle = {w.fx.pki.ca_cert}\n")
    code, out, _, _ = e.run_plugin(["-a", ARN], env={**w.fx.env, **files})
    t.is_((code, w.fx.mock.last_request.verified), (e.OK, True),
          "profile endpoint_url and ca_bundle are honoured")
    no_region = "arn:aws:s3tables::111122223333:bucket/monitored/table/orders"
    w.fx.mock.set_table(no_region, mock_aws.job("Successful", last_run=3600))
    w.fx.mock.expected_region = "eu-west-1"
    files = w.files("", "[default]\nregion = eu-west-1\n")
    code, out, _, _ = e.run_plugin(["-a", no_region] + w.fx.args, env={**w.fx.env, **files})
    t.is_(code, e.OK, "an ARN without a region: the profile's region signs")
    w.fx.mock.expected_region = None


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    hosts = e.DEFAULT_HOSTNAMES + ("s3tables.us-east-1.api.aws", "s3tables-fips.us-east-1.api.aws")
    with e.mock_fixture(hostnames=hosts) as fx, \
            mock_sts.MockSTS(fx.pki, {e.TEST_ACCESS_KEY: {"secret": e.TEST_SECRET_KEY},
                                      BASE_KEY: {"secret": BASE_SECRET},
                                      mock_metadata.IMDS_ACCESS_KEY: {
                                          "secret": mock_metadata.IMDS_SECRET_KEY,
                                          "token": mock_metadata.IMDS_SESSION_TOKEN},
                                      mock_metadata.CONTAINER_ACCESS_KEY: {
                                          "secret": mock_metadata.CONTAINER_SECRET_KEY,
                                          "token": mock_metadata.CONTAINER_SESSION_TOKEN}}) as sts, \
            mock_metadata.MockIMDS() as imds, \
            mock_metadata.MockContainerCreds(token="Bearer pod-identity-token") as container:
        sts.add_role(ROLE_A)
        sts.add_role(ROLE_B)
        sts.add_role(ROLE_WEB, web_identity_token=JWT)
        fx.mock.credentials.update(sts.issued_credentials())
        sts.credentials.update(sts.issued_credentials())  # role credentials may sign AssumeRole
        fx.mock.credentials[BASE_KEY] = {"secret": BASE_SECRET}
        for key, secret, token in [
                (mock_metadata.IMDS_ACCESS_KEY, mock_metadata.IMDS_SECRET_KEY,
                 mock_metadata.IMDS_SESSION_TOKEN),
                (mock_metadata.CONTAINER_ACCESS_KEY, mock_metadata.CONTAINER_SECRET_KEY,
                 mock_metadata.CONTAINER_SESSION_TOKEN)]:
            fx.mock.credentials[key] = {"secret": secret, "token": token}
        fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=3600))
        w = World(t, fx, sts, imds, container)
        for test in (test_sources, test_precedence, test_role_chains,
                     test_credential_process_faults, test_sts_errors, test_metadata_faults,
                     test_endpoints):
            test(t, w)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
