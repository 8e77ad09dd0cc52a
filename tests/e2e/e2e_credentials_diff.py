#!/usr/bin/env python3
"""End-to-end, differential: the plugin resolves the credentials and the
region botocore resolves, for any configuration.

A generator with a fixed seed builds a few hundred configurations: the
shared credentials and config files (profiles in either or both files,
header and option-name variants, comments, spacing), environment
variables, --profile / AWS_PROFILE, role chains through source_profile,
credential_source, web identity, credential_process commands with every
kind of quoting, SSO profiles (sso_session and legacy, with the token
cache `aws sso login` leaves), container credentials, instance metadata,
regions from every place. Each configuration is resolved twice:

  botocore  Session(profile=--profile or None).get_credentials(), then
            get_frozen_credentials() (the deferred STS calls go to the
            STS mock), and get_config_variable('region'), in a forked
            child of a worker that imported botocore once;
  plugin    check_s3tables_expiration -a <a table ARN of its own> -vv
            [--profile NAME] [--region R] against the S3 Tables mock.

The verdict compares what botocore found with the key that signed the
plugin's S3 Tables request (and its credential-scope region). botocore
is the oracle; the only allowed differences are the refusals listed in
REFUSALS below. Every key a source can hand out is recognisable at a
glance: AKIDENV_<case> (environment), AKIDCRED_<profile>_<case>
(credentials file), AKIDCONF_<profile>_<case> (config file),
AKIDPROC[T]_<profile>_<case>_<crc of the argv> (credential_process),
ASIA<ROLE>_<hash of role and source> (STS, per role and the key or web
identity token that asked), ASIASSO_<profile>_<case> (SSO portal),
ASIAMOCKIMDS... / ASIAMOCKCONTAINER... (metadata mocks).

Environment: DIFF_CASES=N runs N cases (default 250; under E2E_VALGRIND=1
a fixed subset of about 30 of them); DIFF_JOBS=N cases at once (default 2);
DIFF_VERBOSE=1 prints the comparison of the agreeing cases too; DIFF_SEED
explores another set of configurations.
"""

import base64
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import queue
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import e2e_lib as e
import mock_aws
import mock_metadata
import mock_sts

try:  # the SSO mock: without it no SSO case is generated
    import mock_sso
except ImportError:
    mock_sso = None

SEED = int(os.environ.get("DIFF_SEED") or 20261201)  # another seed: to explore, not for CI
DEFAULT_CASES = 250
VALGRIND_STRIDE = 8  # under valgrind: cases 0, 8, 16, ... (32 of 250)
PREFIX = "S3TABLES_EXPIRATION"
ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1",
           "ca-central-1")
ROLE_NAMES = ("reader", "admin", "hop", "audit", "deploy", "ops")
WEB_ROLE_NAMES = ("irsa", "webapp")
ROLES = {n: f"arn:aws:iam::{ACCOUNT}:role/diff-{n}" for n in ROLE_NAMES + WEB_ROLE_NAMES}
SELECTABLE = ("dev", "prod", "ops", "ci", "qa", "default")
SOURCES = ("base", "src", "mid", "root", "shared", "keys", "hop")
CONTAINER_TOKEN = "Bearer diff-pod-identity-token"
SSO_ACCOUNTS = ("111122223333", "444455556666")

# Web identity token text -> what it stands for (filled in while generating).
TOKEN_LABELS = {}


# ==========================================================================
# The botocore side: a worker that imports botocore once and forks a child
# per case (botocore reads a few paths from HOME at import time; the child
# sets the case's environment and re-points those).
# ==========================================================================


def _botocore_child(req, loader):
    import botocore.credentials
    import botocore.session
    import botocore.tokens

    os.environ.clear()
    os.environ.update(req["env"])
    sso_cache = os.path.join(req["env"]["HOME"], ".aws", "sso", "cache")
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = sso_cache
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = sso_cache
    session = botocore.session.Session(profile=req["profile"])
    session.register_component("data_loader", loader)

    # AWS_ENDPOINT_URL_STS sends STS to the mock. Without it, botocore with
    # no region at all calls the global endpoint (sts.amazonaws.com, signed
    # for us-east-1); with it and no region, signing fails (NoRegionError),
    # an artefact of the redirection. Sign for us-east-1 then, as the global
    # endpoint would: where STS is reached, not which credentials are found.
    nested = botocore.credentials.create_nested_client

    def sts_client(sess, service_name, **kwargs):
        if service_name == "sts" and not kwargs.get("region_name"):
            try:
                region = sess.get_config_variable("region")
            except Exception:  # noqa: BLE001 - the credential chain reports it
                region = None
            if not region:
                kwargs["region_name"] = "us-east-1"
        return nested(sess, service_name, **kwargs)

    botocore.credentials.create_nested_client = sts_client
    result = {"status": None}
    try:
        creds = session.get_credentials()
        if creds is None:
            result["status"] = "none"
        else:
            frozen = creds.get_frozen_credentials()
            result.update(status="ok", key=frozen.access_key, secret=frozen.secret_key,
                          token=frozen.token, method=getattr(creds, "method", None))
        # The CLI then creates the service's client, which resolves the
        # profile's SSO token configuration too (create_client calls
        # get_auth_token) and refuses a broken sso_session whatever signed.
        session.get_auth_token()
    except Exception as exc:  # noqa: BLE001 - the class is the outcome
        result.update(status="error", error=type(exc).__name__, message=str(exc)[:300])
    try:
        result["region"] = session.get_config_variable("region")
    except Exception as exc:  # noqa: BLE001
        result["region"] = None
        result["region_error"] = type(exc).__name__
    return result


def botocore_worker():
    """--botocore-worker: one JSON request a line on stdin, one answer a line on stdout."""
    import botocore.loaders
    import botocore.session

    loader = botocore.loaders.create_loader()
    warm = botocore.session.Session()
    warm.register_component("data_loader", loader)
    for service in ("sts", "sso", "sso-oidc"):  # load the models once, before forking
        try:
            warm.create_client(service, region_name="us-east-1",
                               endpoint_url="https://127.0.0.1:9", aws_access_key_id="x",
                               aws_secret_access_key="y")
        except Exception:  # noqa: BLE001 - warming is best effort
            pass
    for line in sys.stdin:
        req = json.loads(line)
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            try:
                result = _botocore_child(req, loader)
            except BaseException as exc:  # noqa: BLE001
                result = {"status": "crash", "error": repr(exc)}
            data = json.dumps(result).encode()
            while data:
                data = data[os.write(wfd, data):]
            os._exit(0)
        os.close(wfd)
        chunks, deadline = [], time.monotonic() + 60
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([rfd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                chunks = [json.dumps({"status": "crash", "error": "botocore took > 60 s"}).encode()]
                break
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(rfd)
        os.waitpid(pid, 0)
        sys.stdout.write(b"".join(chunks).decode() + "\n")
        sys.stdout.flush()


class Botocore:
    """A running botocore worker (one per concurrent case)."""

    def __init__(self, workdir):
        home = tempfile.mkdtemp(prefix="worker-home-", dir=workdir)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": home,
               "AWS_EC2_METADATA_DISABLED": "true"}
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE"):
            if name in os.environ:
                env[name] = os.environ[name]
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                      "--botocore-worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True)

    def resolve(self, env, profile):
        self.proc.stdin.write(json.dumps({"env": env, "profile": profile}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            return {"status": "crash", "error": "botocore worker died"}
        return json.loads(line)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


# ==========================================================================
# Mocks: every key a case can hand out must verify.
# ==========================================================================


class Registry(dict):
    """Credentials the mocks accept: explicit entries, plus the keys a
    credential_process script prints (their secret and token follow from
    the key, which holds a checksum of the script's argv)."""

    def get(self, key, default=None):
        found = super().get(key)
        if found is None and isinstance(key, str) and key.startswith("AKIDPROC"):
            found = {"secret": "procSecret/" + key,
                     "token": "procToken/" + key if key.startswith("AKIDPROCT_") else None}
        return default if found is None else found


def issued_key(role_arn, source):
    """The key STS hands out for role_arn to this source (a key id or a web identity)."""
    name = role_arn.rsplit("/", 1)[-1].replace("diff-", "").upper()
    return f"ASIA{name}_{hashlib.sha1(f'{role_arn}|{source}'.encode()).hexdigest()[:8].upper()}"


def make_sts_class(mock_sts):
    class DiffSTS(mock_sts.MockSTS):
        """MockSTS whose answer depends on who asks: the credentials issued for
        a role are derived from the role and the signing key (AssumeRole) or
        the web identity token, so the final key names the whole chain."""

        def __init__(self, pki, credentials, s3mock):
            super().__init__(pki, credentials)
            self.credentials = Registry(self.credentials)
            self.s3mock = s3mock
            self.issued = {}  # key -> "role assumed with source"
            self._issue_lock = threading.Lock()

        def _route(self, rec):
            role_arn = rec.params.get("RoleArn")
            with self._issue_lock:
                if role_arn in self.roles:
                    if rec.action == "AssumeRoleWithWebIdentity":
                        token = (rec.params.get("WebIdentityToken") or "").strip()
                        source = "web identity " + TOKEN_LABELS.get(token, repr(token[:40]))
                    else:
                        source = rec.access_key
                    key = issued_key(role_arn, source)
                    creds = {"secret": "stsSecret/" + key, "token": "stsToken/" + key}
                    self.credentials[key] = creds
                    self.s3mock.credentials[key] = creds
                    self.issued[key] = f"role {role_arn.rsplit('/', 1)[-1]} assumed with {source}"
                    self.roles[role_arn].update(access_key=key, secret=creds["secret"],
                                                token=creds["token"])
                return super()._route(rec)

    return DiffSTS


# ==========================================================================
# The generator
# ==========================================================================


class Ini:
    """One shared file under construction: sections in order, canonical option names."""

    def __init__(self, kind):
        self.kind = kind  # "credentials" or "config"
        self.sections = []  # {"header", "profile", "opts": [[name, value]], "extra": [lines]}

    def section(self, profile, header):
        for s in self.sections:
            if s["profile"] == profile and s["header"] == header:
                return s
        s = {"header": header, "profile": profile, "opts": [], "extra": []}
        self.sections.append(s)
        return s

    def empty(self):
        return not self.sections


class Case:
    def __init__(self, n):
        self.n = n
        self.rng = random.Random(f"{SEED}:{n}")
        self.files = {"credentials": Ini("credentials"), "config": Ini("config")}
        self.headers = {}  # (file kind, profile) -> header text chosen for it
        self.env = {}
        self.profile_arg = None
        self.region_arg = None
        self.arn_region = ""
        self.desc = []  # compact description parts
        self.tags = []  # formatting variants used
        self.static = {}  # key id -> {"secret", "token"} as botocore would pair them
        self.scripts = []  # (relative path, text)
        self.token_files = []  # (relative path, text)
        self.used = set()  # profile names in use
        self.insecure = None  # (file kind, "mode 0666" / "owner 65534")
        self.location = "variables"  # or "~/.aws" (no AWS_*_FILE), "~/ ..." or "$HOME ..." in them
        self.flags = {}
        self.env_desc = None
        self.selected = None
        self.late = []  # (file kind, section) appended at the end of the file
        self.sso_tokens = []  # access tokens the portal knows
        self.sso_clients = []  # (client id, client secret, refresh token, new access token)
        self.sso_roles = []  # (account, role, key): what any known token gets
        self.sso_caches = []  # (cache name, token dict) for $HOME/.aws/sso/cache

    # -- small helpers ------------------------------------------------------

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, weighted):
        items = [(k, w) for k, w in weighted if w > 0]
        total = sum(w for _, w in items)
        x = self.rng.uniform(0, total)
        for k, w in items:
            x -= w
            if x <= 0:
                return k
        return items[-1][0]

    def tag(self, profile):
        return re.sub(r"[^A-Za-z0-9]", "", profile)

    def new_profile(self, pool=SOURCES):
        free = [p for p in pool if p not in self.used]
        name = self.rng.choice(free) if free else f"p{len(self.used)}"
        self.used.add(name)
        return name

    def header(self, kind, profile):
        """The section header a profile gets in a file (chosen once per file)."""
        key = (kind, profile)
        if key not in self.headers:
            if kind == "credentials":
                h = self.pick([(f"[{profile}]", 92), (f"[profile {profile}]", 3),
                               (f"[ {profile} ]", 2), (f"[{profile.capitalize()}]", 3)])
            elif profile == "default":
                h = self.pick([("[default]", 72), ("[profile default]", 20), ("both", 5),
                               ("[Default]", 3)])
            else:
                h = self.pick([(f"[profile {profile}]", 78), (f'[profile "{profile}"]', 8),
                               (f"[profile  {profile}]", 4), (f"[{profile}]", 4),
                               (f"[Profile {profile}]", 2), (f"[profile\t{profile}]", 2),
                               ("both", 2)])
            if h == "both":  # two sections name one profile: the later one wins whole
                pair = ["[default]", "[profile default]"] if profile == "default" else \
                    [f"[profile {profile}]", f'[profile "{profile}"]']
                self.rng.shuffle(pair)
                h, other = pair
                decoy = {"header": other, "profile": ("decoy", profile),
                         "opts": [["output", self.rng.choice(["json", "text"])]], "extra": []}
                if self.chance(0.5):
                    self.files[kind].sections.append(decoy)
                    self.tags.append(f"{other} then {h}")
                else:  # after everything else: this one wins, the profile is lost
                    self.late.append((kind, decoy))
                    self.tags.append(f"{h} then {other} (later wins)")
            if h not in (f"[{profile}]", f"[profile {profile}]", "[default]"):
                self.tags.append(f"{kind} {h}")
            self.headers[key] = h
        return self.headers[key]

    def put(self, kind, profile, name, value):
        self.used.add(profile)
        s = self.files[kind].section(profile, self.header(kind, profile))
        s["opts"].append([name, value])

    def file_for_role(self):
        return "config" if self.chance(0.75) else "credentials"

    def path(self, rel):
        return "@CASE@/" + rel  # replaced by the case directory when written

    # -- sources --------------------------------------------------------------

    def token_text(self, which):
        claim = base64.urlsafe_b64encode(json.dumps({"sub": f"case{self.n}-{which}"}).encode())
        text = f"eyJhbGciOiJSUzI1NiJ9.{claim.decode().rstrip('=')}.c2lnbmF0dXJl"
        TOKEN_LABELS[text] = f"case{self.n}-{which}"
        return text

    def session_tokens(self, key, names):
        """Maybe a session token for a static key; returns (lines, botocore's token)."""
        r = self.rng.random()
        if r < 0.62:
            return [], None
        if r < 0.84:
            return [(names[1], f"sessTok/{key}")], f"sessTok/{key}"
        if r < 0.94:
            return [(names[0], f"secTok/{key}")], f"secTok/{key}"
        # Both: botocore takes the security token first (EnvProvider.TOKENS,
        # SharedCredentialProvider.TOKENS, ConfigProvider.TOKENS).
        return [(names[1], f"sessTok/{key}"), (names[0], f"secTok/{key}")], f"secTok/{key}"

    def static_keys(self, profile, where=None, allow_broken=True):
        """Static keys for a profile; returns a short description."""
        tag, n = self.tag(profile), self.n
        where = where or self.pick([("credentials", 45), ("config", 33), ("both", 10),
                                    ("split", 6 if allow_broken else 0),
                                    ("secret only", 3 if allow_broken else 0),
                                    ("id only", 3 if allow_broken else 0)])
        names = ("aws_security_token", "aws_session_token")
        desc = []
        kinds = ["credentials", "config"] if where == "both" else [where]
        for kind in kinds:
            if kind not in ("credentials", "config"):
                break
            key = f"AKID{'CRED' if kind == 'credentials' else 'CONF'}_{tag}_{n}"
            secret = f"{kind[:4]}Secret/{tag}/{n}"
            self.put(kind, profile, "aws_access_key_id", key)
            self.put(kind, profile, "aws_secret_access_key", secret)
            lines, token = self.session_tokens(key, names)
            for name, value in lines:
                self.put(kind, profile, name, value)
            self.static[key] = {"secret": secret, "token": token}
            desc.append(("cred" if kind == "credentials" else "conf") + " keys" +
                        ("" if not lines else "+" + "+".join(l[0].split("_")[1] for l in lines)))
        if where == "split":
            id_in = self.rng.choice(["credentials", "config"])
            other = "config" if id_in == "credentials" else "credentials"
            key = f"AKIDSPLIT_{tag}_{n}"
            self.put(id_in, profile, "aws_access_key_id", key)
            self.put(other, profile, "aws_secret_access_key", f"splitSecret/{tag}/{n}")
            self.static[key] = {"secret": f"splitSecret/{tag}/{n}", "token": None}
            desc.append(f"split keys (id in {id_in[:4]})")
        elif where == "secret only":
            self.put(self.rng.choice(["credentials", "config"]), profile, "aws_secret_access_key",
                     f"loneSecret/{tag}/{n}")
            desc.append("secret key only")
        elif where == "id only":
            key = f"AKIDLONE_{tag}_{n}"
            self.put(self.rng.choice(["credentials", "config"]), profile, "aws_access_key_id", key)
            self.static[key] = {"secret": "none", "token": None}
            desc.append("key id only")
        return "+".join(desc)

    def role(self, profile, depth=1):
        """role_arn + source_profile (or a variant); returns a description."""
        kind = self.file_for_role()
        role = self.rng.choice(ROLE_NAMES)
        self.put(kind, profile, "role_arn", ROLES[role])
        self.role_extras(kind, profile)
        src_kind = self.pick([("static", 30), ("chain", 14 if depth < 3 else 0),
                              ("keys+role", 7), ("self", 6), ("aba", 5), ("cycle", 4),
                              ("missing", 3), ("empty", 3), ("process", 8), ("webid", 5),
                              ("credsrc", 6), ("secret only", 2), ("process+role", 3),
                              ("conf keys+process", 3), ("webid+keys", 2),
                              ("sso", 5 if mock_sso else 0)])
        # Usually source_profile sits with role_arn; sometimes in the other file.
        sp_kind = kind if self.chance(0.92) else ("credentials" if kind == "config" else "config")
        split = "" if sp_kind == kind else " (source_profile in the other file)"
        if src_kind == "self":
            self.put(sp_kind, profile, "source_profile", profile)
            if self.chance(0.2):  # only static keys make a self-reference legal
                return f"role_arn->self({self.process(profile)}){split}"
            return f"role_arn->self({self.static_keys(profile, allow_broken=False)}){split}"
        if src_kind == "missing":
            self.put(sp_kind, profile, "source_profile", "ghost")
            return f"role_arn->ghost(missing){split}"
        src = self.new_profile()
        self.put(sp_kind, profile, "source_profile", src)
        if src_kind == "static":
            inner = self.static_keys(src)
        elif src_kind == "chain":
            inner = self.role(src, depth + 1)
        elif src_kind == "keys+role":
            inner = self.static_keys(src, allow_broken=False)
            k2 = self.file_for_role()
            self.put(k2, src, "role_arn", ROLES[self.rng.choice(ROLE_NAMES)])
            self.put(k2, src, "source_profile", self.rng.choice(["ghost", profile, src]))
            inner += "+role_arn"
        elif src_kind == "aba":
            inner = self.static_keys(src, allow_broken=False)
            k2 = self.file_for_role()
            self.put(k2, src, "role_arn", ROLES[self.rng.choice(ROLE_NAMES)])
            self.put(k2, src, "source_profile", profile)
            inner += f"+role_arn->{profile}"
        elif src_kind == "cycle":
            k2 = self.file_for_role()
            self.put(k2, src, "role_arn", ROLES[self.rng.choice(ROLE_NAMES)])
            if self.chance(0.5):
                self.put(k2, src, "source_profile", profile)
                inner = f"role_arn->{profile}: cycle"
            else:
                third = self.new_profile()
                self.put(k2, src, "source_profile", third)
                k3 = self.file_for_role()
                self.put(k3, third, "role_arn", ROLES[self.rng.choice(ROLE_NAMES)])
                self.put(k3, third, "source_profile", src)
                inner = f"role_arn->{third}(role_arn->{src}): cycle"
        elif src_kind == "empty":
            self.put(self.rng.choice(["credentials", "config"]), src, "output", "json")
            inner = "no credentials"
        elif src_kind == "process":
            inner = self.process(src)
        elif src_kind == "webid":
            inner = self.webid_profile(src)
        elif src_kind == "credsrc":
            inner = self.credential_source(src)
        elif src_kind == "process+role":  # a source with role_arn: the role, not the process
            inner = self.process(src) + "+" + self.role(src, depth + 1)
        elif src_kind == "conf keys+process":  # the process comes before the config's keys
            inner = self.static_keys(src, where="config") + "+" + self.process(src)
        elif src_kind == "sso":
            inner = self.sso(src)
        elif src_kind == "webid+keys":  # web identity comes before the keys
            inner = self.static_keys(src, allow_broken=False) + "+" + self.webid_profile(src)
        else:
            inner = self.static_keys(src, where="secret only")
        return f"role_arn->{src}({inner}){split}"

    def role_extras(self, kind, profile):
        if self.chance(0.15):
            self.put(kind, profile, "role_session_name", f"diff-{self.n}")
        if self.chance(0.1):  # botocore ignores a value that is not an integer
            self.put(kind, profile, "duration_seconds",
                     str(self.rng.choice([900, 1800, 3600, 3600, "1h"])))
        if self.chance(0.1):
            self.put(kind, profile, "external_id", f"ext-{self.n}")

    def credential_source(self, profile):
        kind = self.file_for_role()
        self.put(kind, profile, "role_arn", ROLES[self.rng.choice(ROLE_NAMES)])
        self.role_extras(kind, profile)
        source = self.pick([("Environment", 30), ("EcsContainer", 25), ("Ec2InstanceMetadata", 25),
                            ("environment", 5), ("ECSCONTAINER", 3), ("Magic", 3), ("both", 4)])
        if source == "both":
            self.put(kind, profile, "credential_source", "Environment")
            other = self.new_profile()
            self.static_keys(other, allow_broken=False)
            self.put(kind, profile, "source_profile", other)
            self.env_keys(force=True)
            return "role_arn+credential_source+source_profile"
        self.put(kind, profile, "credential_source", source)
        if source.lower() == "environment" and self.chance(0.75):
            self.env_keys(force=True)
        elif source.lower() == "ecscontainer" and self.chance(0.75):
            self.flags["container"] = True
        elif source == "Ec2InstanceMetadata" and self.chance(0.75):
            self.flags["imds"] = True
        return f"role_arn+credential_source={source}"

    def webid_profile(self, profile, with_source=None):
        kind = self.file_for_role()
        role = self.rng.choice(WEB_ROLE_NAMES)
        if self.chance(0.1):  # the role may come from AWS_ROLE_ARN, key by key
            desc = "web_identity_token_file without role_arn"
            if self.chance(0.6):
                self.env["AWS_ROLE_ARN"] = ROLES[role]
                desc += " (AWS_ROLE_ARN set)"
        else:
            self.put(kind, profile, "role_arn", ROLES[role])
            desc = "role_arn+web_identity_token_file"
        self.flags["webid_profile"] = True
        if self.chance(0.05):
            self.put(kind, profile, "web_identity_token_file", self.path("tokens/missing.jwt"))
            desc += " (missing file)"
        else:
            rel = self.rng.choice([f"tokens/{self.tag(profile)}.jwt",
                                   f"token dir/{self.tag(profile)} token"])
            text = self.token_text(f"profile-{profile}")
            self.token_files.append((rel, text + ("\n" if self.chance(0.3) else "")))
            self.put(kind, profile, "web_identity_token_file", self.path(rel))
        if self.chance(0.25):
            self.put(kind, profile, "role_session_name", f"web-{self.n}")
        if with_source if with_source is not None else self.chance(0.2):
            src = self.new_profile()
            self.static_keys(src, allow_broken=False)
            self.put(kind, profile, "source_profile", src)
            desc += f"+source_profile={src}"
        return desc

    PROCESS_ARGS = (
        ("plain args", "--profile prod"),
        ("single-quoted arg", "'with space'"),
        ("double-quoted arg", '"two words"'),
        ('"\\$" in double quotes', '"cost\\$5"'),
        ("unquoted \\$", "cost\\$5"),
        ("adjacent quotes", "'it'\"'\"'s'"),
        ("escaped quote in double quotes", '"say \\"hi\\""'),
        ("# inside a word", "x#y"),
        ("# starting a word", "#notacomment"),
        ("empty quoted arg", "''"),
        ("backslash in single quotes", "'a\\b'"),
        ("double backslash unquoted", "a\\\\b"),
        ("runs of spaces", "one    two"),
        ("tab between args", "one\ttwo"),
        ("unquoted $HOME", "$HOME"),
        ("~ in an arg", "~/x"),
        ("semicolon", "a;b"),
        ("backslash-newline-free escape", "tab\\tx"),
    )

    def process(self, profile, where=None):
        """credential_process with a quoting variant; returns a description."""
        kind = where or ("config" if self.chance(0.75) else "credentials")
        command, what = self.process_command(profile)
        self.put(kind, profile, "credential_process", command)
        return f"{'cred' if kind == 'credentials' else 'conf'} credential_process {what}"

    def process_command(self, profile):
        """A helper script and a command line running it: (command, description)."""
        tag, n = self.tag(profile), self.n
        tag += str(sum(1 for rel, _ in self.scripts if "/" + tag in rel) or "")
        token = self.chance(0.3)
        prefix = f"AKIDPROC{'T' if token else ''}_{tag}_{n}"
        exp = ""
        if self.chance(0.2):
            when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)
            exp = f', "Expiration": "{when.strftime("%Y-%m-%dT%H:%M:%SZ")}"'
        tok = ', "SessionToken": "procToken/$k"' if token else ""
        fault = self.pick([("none", 84), ("exit 1", 3), ("Version 2", 2), ("missing command", 3),
                           ("expired", 2), ("Version \"1\"", 2), ("no SecretAccessKey", 1),
                           ("SessionToken null", 2), ("AccountId, extra members", 2)])
        if fault == "expired":
            exp = ', "Expiration": "2020-01-01T00:00:00Z"'
        if fault == "SessionToken null" and not token:
            tok = ', "SessionToken": null'
        if fault == "AccountId, extra members":
            exp += ', "AccountId": "111122223333", "Extra": {"a": [1, 2]}'
        version = {"Version 2": "2", 'Version "1"': '"1"'}.get(fault, "1")
        secret = "" if fault == "no SecretAccessKey" else ', "SecretAccessKey": "procSecret/$k"'
        out = f'{{"Version": {version}, "AccessKeyId": "$k"{secret}{tok}{exp}}}'
        script = ("#!/bin/sh\n"
                  "h=$( { echo \"$#\"; for a in \"$@\"; do printf '[%s]' \"$a\"; done; } "
                  "| cksum | cut -d ' ' -f 1)\n"
                  f"k=\"{prefix}_$h\"\n")
        script += "echo 'helper failed' >&2\nexit 1\n" if fault == "exit 1" else \
            f"cat <<EOF\n{out}\nEOF\n"
        spaced = self.chance(0.6)
        rel = f"bin dir/{tag} helper.sh" if spaced else f"bin/{tag}-helper.sh"
        self.scripts.append((rel, script))
        full = self.path(rel if fault != "missing command" else rel + ".missing")
        if spaced:
            how, head = self.rng.choice([
                ("single-quoted path", f"'{full}'"), ("double-quoted path", f'"{full}"'),
                ("backslash-escaped spaces", full.replace(" ", "\\ ")),
                ("/bin/sh + quoted path", f'/bin/sh "{full}"')])
        else:
            how, head = self.rng.choice([("plain path", full), ("plain path", full),
                                         ("/bin/sh + path", f"/bin/sh {full}"),
                                         ("sh (PATH lookup) + path", f"sh {full}")])
        args = self.rng.sample(self.PROCESS_ARGS, k=self.pick([(0, 3), (1, 4), (2, 3), (3, 2)]))
        command = " ".join([head] + [a for _, a in args])
        what = ", ".join([how] + [d for d, _ in args])
        return command, f"({what})" + ("" if fault == "none" else f" [{fault}]")

    def put_raw(self, kind, header, name, value):
        """An option in a section that is not a profile ([sso-session X])."""
        self.files[kind].section(("raw", header), header)["opts"].append([name, value])

    def sso(self, profile):
        """An SSO profile (sso_session form or legacy) and the token cache
        `aws sso login` would have left; returns a description."""
        tag, n, rng = self.tag(profile), self.n, self.rng
        form = self.pick([("sso_session", 65), ("legacy", 35)])
        kind = "config" if self.chance(0.9) else "credentials"
        account, role = rng.choice(SSO_ACCOUNTS), f"Diff{tag.capitalize()}Role"
        start_url = f"https://d-{n:04d}{tag}.awsapps.com/start" + ("#/" if self.chance(0.3) else "")
        region = rng.choice(REGIONS)
        key = f"ASIASSO_{tag}_{n}"
        desc = [f"{'conf' if kind == 'config' else 'cred'} SSO {form}"]
        broken = self.pick([("none", 84), ("no sso_role_name", 3), ("no account, no role", 3),
                            ("inconsistent start URL", 2),
                            ("session missing", 6 if profile == self.selected else 2),
                            ("session without sso_region", 6 if profile == self.selected else 2)])
        if broken != "no account, no role":
            self.put(kind, profile, "sso_account_id", account)
        if broken not in ("no sso_role_name", "no account, no role"):
            self.put(kind, profile, "sso_role_name", role)
        if form == "sso_session":
            sname = rng.choice(["corp", "my-sso", f"s{n}", "corp sso"])
            self.put(kind, profile, "sso_session", sname)
            header = f'[sso-session "{sname}"]' if " " in sname else f"[sso-session {sname}]"
            if broken != "session missing":
                self.put_raw("config", header, "sso_start_url", start_url)
                if broken != "session without sso_region":
                    self.put_raw("config", header, "sso_region", region)
                self.put_raw("config", header, "sso_registration_scopes", "sso:account:access")
            if broken == "inconsistent start URL":
                self.put(kind, profile, "sso_start_url", start_url + "x")
            elif self.chance(0.15):  # the same values repeated in the profile: fine
                self.put(kind, profile, "sso_start_url", start_url)
                self.put(kind, profile, "sso_region", region)
            cache_name = sname
        else:
            self.put(kind, profile, "sso_start_url", start_url)
            if broken != "session without sso_region":
                self.put(kind, profile, "sso_region", region)
            cache_name = start_url
        if broken != "none":
            desc.append(broken)
        if broken.startswith("session") and profile == self.selected:
            # botocore validates the selected profile's sso-session whenever it
            # makes a client (its bearer-token provider), e.g. for STS.
            self.flags["sso_broken_session"] = True
        state = self.pick([("valid", 55),
                           ("expired, refreshable", 20 if form == "sso_session" else 0),
                           ("expiring in 10 min, refreshable", 5 if form == "sso_session" else 0),
                           ("expired", 10), ("no cache file", 7), ("cache without accessToken", 3)])
        cached = f"aoaCached{tag}{n}x" + "A" * 20
        fresh = f"aoaRefreshed{tag}{n}x" + "B" * 20
        token = {"startUrl": start_url, "region": region, "accessToken": cached}
        if state == "valid":
            token["expiresAt"] = 3600 * rng.choice([1, 4, 8])
            self.sso_tokens.append(cached)  # the portal knows it (expired ones it does not)
        elif state.startswith("expiring"):
            token["expiresAt"] = 600
            self.sso_tokens.append(cached)
        else:
            token["expiresAt"] = -3600
        if "refreshable" in state:
            client = f"diffClient{n}{tag}"
            token.update(clientId=client, clientSecret=f"diffClientSecret{n}",
                         registrationExpiresAt=90 * 86400, refreshToken=f"aorRefresh{n}{tag}")
            self.sso_clients.append((client, f"diffClientSecret{n}", f"aorRefresh{n}{tag}", fresh))
            self.sso_tokens.append(fresh)
        if state == "cache without accessToken":
            del token["accessToken"]
        if state != "no cache file":
            self.sso_caches.append((cache_name, token))
        self.sso_roles.append((account, role, key))
        desc.append(f"token {state}")
        return " ".join(desc[:1]) + ("" if len(desc) == 1 else " (" + ", ".join(desc[1:]) + ")")

    # -- environment ----------------------------------------------------------

    def env_keys(self, force=False, kind=None):
        if "AWS_ACCESS_KEY_ID" in self.env or "AWS_SECRET_ACCESS_KEY" in self.env:
            return None
        kind = kind or ("pair" if force else self.pick([("pair", 88), ("secret only", 7),
                                                         ("id only", 5)]))
        key, secret = f"AKIDENV_{self.n}", f"envSecret/{self.n}"
        if kind in ("pair", "id only"):
            self.env["AWS_ACCESS_KEY_ID"] = key
        if kind in ("pair", "secret only"):
            self.env["AWS_SECRET_ACCESS_KEY"] = secret
        lines, token = self.session_tokens(key, ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"))
        for name, value in lines:
            self.env[name] = value
        self.static[key] = {"secret": secret, "token": token}
        expiry = ""
        if kind == "pair" and self.chance(0.12):  # botocore: refreshable, fails once expired
            hours = self.rng.choice([3, -3])
            when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=hours)
            self.env["AWS_CREDENTIAL_EXPIRATION"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            expiry = "+EXPIRATION " + ("future" if hours > 0 else "past")
        self.env_desc = "env keys" + ("" if kind == "pair" else f" ({kind})") + \
            "".join("+" + name[4:] for name, _ in lines) + expiry
        return self.env_desc

    def env_webid(self, kind=None):
        kind = kind or self.pick([("full", 80), ("token file only", 10), ("role only", 10)])
        if kind != "role only":
            rel = "tokens/env.jwt"
            self.token_files.append((rel, self.token_text("env")))
            self.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = self.path(rel)
        if kind != "token file only":
            self.env["AWS_ROLE_ARN"] = ROLES[self.rng.choice(WEB_ROLE_NAMES)]
        if kind == "full" and self.chance(0.3):
            self.env["AWS_ROLE_SESSION_NAME"] = f"env-web-{self.n}"
        return "env web identity" + ("" if kind == "full" else f" ({kind})")


def generate(n):
    """Case n (its own seeded generator: the same whatever the case count)."""
    c = Case(n)
    rng = c.rng

    # Which profile: --profile, AWS_PROFILE (AWS_DEFAULT_PROFILE), or none.
    selected = c.pick([(p, 10) for p in SELECTABLE[:-1]] + [("default", 8), ("my dev", 2),
                                                            ("team.eu", 2)])
    how = c.pick([("--profile", 30), ("AWS_PROFILE", 30), ("none", 34), ("both", 3),
                  ("AWS_DEFAULT_PROFILE", 3)])
    if how == "--profile":
        c.profile_arg = selected
        c.desc.append(f"--profile {selected}")
    elif how == "AWS_PROFILE":
        c.env["AWS_PROFILE"] = selected
        c.desc.append(f"AWS_PROFILE={selected}")
    elif how == "AWS_DEFAULT_PROFILE":
        c.env["AWS_DEFAULT_PROFILE"] = selected
        if c.chance(0.5):
            other = rng.choice([p for p in SELECTABLE if p != selected])
            c.env["AWS_PROFILE"] = other
            c.desc.append(f"AWS_DEFAULT_PROFILE={selected} AWS_PROFILE={other}")
        else:
            c.desc.append(f"AWS_DEFAULT_PROFILE={selected}")
    elif how == "both":
        c.profile_arg = selected
        other = rng.choice([p for p in SELECTABLE if p != selected])
        c.env["AWS_PROFILE"] = other
        c.desc.append(f"--profile {selected} AWS_PROFILE={other}")
    else:
        selected = "default"
        c.desc.append("no profile named")
    target = c.selected = selected
    c.used.add(target)

    # What the selected profile holds.
    kind = c.pick([("static", 18), ("role", 21), ("credsrc", 8), ("webid", 7), ("process", 11),
                   ("mixed", 13), ("empty", 5), ("missing", 5), ("role broken", 3),
                   ("sso", 10 if mock_sso else 0)])
    if kind == "static":
        what = c.static_keys(target)
    elif kind == "role":
        what = c.role(target)
    elif kind == "credsrc":
        what = c.credential_source(target)
    elif kind == "webid":
        what = c.webid_profile(target)
    elif kind == "process":
        what = c.process(target)
    elif kind == "empty":
        c.put(rng.choice(["credentials", "config"]), target, "output", "json")
        what = "no credentials"
    elif kind == "missing":
        what = "not in the files"
    elif kind == "sso":
        what = c.sso(target)
    elif kind == "role broken":
        k = c.file_for_role()
        c.put(k, target, "role_arn", ROLES[rng.choice(ROLE_NAMES)])
        what = "role_arn alone"
    else:
        sso = 2 if mock_sso else 0
        sub = c.pick([("conf keys+process", 3), ("cred keys+process", 3), ("keys+role", 3),
                      ("webid+keys", 2), ("process+role", 2), ("webid+source_profile", 2),
                      ("sso+keys", sso), ("sso+process", sso), ("sso+role", sso / 2),
                      ("sso+webid", sso / 2)])
        if sub == "conf keys+process":
            what = c.static_keys(target, where="config") + " + " + c.process(target)
        elif sub == "cred keys+process":
            what = c.static_keys(target, where="credentials") + " + " + c.process(target)
        elif sub == "keys+role":
            what = c.static_keys(target, allow_broken=False) + " + " + c.role(target)
        elif sub == "webid+keys":
            what = c.static_keys(target, allow_broken=False) + " + " + c.webid_profile(target)
        elif sub == "process+role":
            what = c.process(target) + " + " + c.role(target)
        elif sub == "sso+keys":  # SSO comes before the keys, and never falls through
            what = c.sso(target) + " + " + c.static_keys(target, allow_broken=False)
        elif sub == "sso+process":
            what = c.sso(target) + " + " + c.process(target)
        elif sub == "sso+role":  # role_arn comes before SSO
            what = c.sso(target) + " + " + c.role(target)
        elif sub == "sso+webid":  # and so does web identity
            what = c.sso(target) + " + " + c.webid_profile(target)
        else:
            what = c.webid_profile(target, with_source=True)
    c.desc.append(f"{target}: {what}")

    # Other profiles (a selected profile must not borrow from them).
    if target != "default" and c.chance(0.35):
        c.desc.append("default: " + c.static_keys("default", allow_broken=False))
    if c.chance(0.2):
        other = c.new_profile(("prod", "dev", "qa", "stage"))
        c.desc.append(f"{other}: " + c.static_keys(other, allow_broken=False))

    # Environment sources.
    if "AWS_ACCESS_KEY_ID" not in c.env and "AWS_SECRET_ACCESS_KEY" not in c.env and c.chance(0.25):
        c.desc.append(c.env_keys())
    elif "AWS_ACCESS_KEY_ID" in c.env or "AWS_SECRET_ACCESS_KEY" in c.env:
        c.desc.append(c.env_desc)
    # A named profile without credentials falls through to the container and
    # IMDS in botocore: more of those where the profile has none.
    bare = kind in ("empty",) or "secret key only" in what or "key id only" in what
    if c.flags.get("webid_profile") and c.chance(0.35):  # env and profile values mix per key
        c.desc.append(c.env_webid(c.pick([("full", 40), ("token file only", 30),
                                           ("role only", 30)])))
    elif c.chance(0.6 if c.flags.get("sso_broken_session") else 0.15):
        c.desc.append(c.env_webid())
    if c.flags.get("container") or c.chance(0.45 if bare else 0.2):
        c.flags["container"] = True
        auth = c.pick([("token", 60), ("token file", 12), ("token file with newline", 8),
                       ("token file and a wrong token", 8), ("none", 8), ("wrong token", 4)])
        c.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "@CONTAINER@"
        if auth in ("token", "wrong token"):
            c.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = \
                CONTAINER_TOKEN if auth == "token" else "Bearer wrong"
        elif auth.startswith("token file"):  # botocore: the file wins, read as is
            newline = "\n" if auth == "token file with newline" else ""
            c.token_files.append(("tokens/pod-token", CONTAINER_TOKEN + newline))
            c.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = c.path("tokens/pod-token")
            if auth == "token file and a wrong token":
                c.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer wrong"
        c.desc.append("container" + ("" if auth == "token" else f" ({auth})"))
    if c.flags.get("imds") or c.chance(0.4 if bare else 0.2):
        c.flags["imds"] = True
        c.desc.append("IMDS")

    # Regions.
    regions = list(REGIONS)
    rng.shuffle(regions)
    # Without a region anywhere the plugin stops before the credentials: an
    # ARN without one mostly gets some other source, so the credentials are
    # still compared.
    need = None
    if c.chance(0.6):
        c.arn_region = regions.pop()
    else:
        c.desc.append("ARN without region")
        if c.chance(0.85):
            need = c.pick([("--region", 15), ("AWS_REGION", 20), ("AWS_DEFAULT_REGION", 25),
                           ("profile", 40)])
    if need == "--region" or c.chance(0.12):
        c.region_arg = regions.pop()
        c.desc.append("--region")
    if need == "AWS_REGION" or c.chance(0.15):
        c.env["AWS_REGION"] = regions.pop()
        c.desc.append("AWS_REGION")
    if need == "AWS_DEFAULT_REGION" or c.chance(0.2):
        c.env["AWS_DEFAULT_REGION"] = regions.pop()
        c.desc.append("AWS_DEFAULT_REGION")
    if need == "profile" or c.chance(0.45):
        where = c.pick([("config", 75), ("credentials", 18), ("both", 7)])
        for kind_ in (["config", "credentials"] if where == "both" else [where]):
            c.put(kind_, target, "region", regions.pop())  # both: the credentials file's wins
        c.desc.append(f"region in {where if where == 'both' else where[:4]} {target}")
    if target != "default" and c.chance(0.2):
        c.put("config", "default", "region", regions.pop())
        c.desc.append("region in conf default")
    others = sorted(p for p in c.used if p not in (target, "default"))
    if others and c.chance(0.2):  # a source profile's region is not the profile's
        other = rng.choice(others)
        c.put("config", other, "region", regions.pop())
        c.desc.append(f"region in conf {other}")

    # The credentials file's values win over the config file's, option by option.
    conf = [o for sec in c.files["config"].sections if sec["profile"] == target
            for o in sec["opts"] if o[0] in ("role_arn", "credential_process", "source_profile")]
    if conf and c.chance(0.15):
        name = rng.choice(conf)[0]
        if name == "role_arn":
            c.put("credentials", target, "role_arn", ROLES[rng.choice(ROLE_NAMES)])
        elif name == "credential_process":
            c.put("credentials", target, "credential_process", c.process_command(target)[0])
        else:
            c.put("credentials", target, "source_profile", "ghost")
        c.desc.append(f"{name} of {target} also in cred")

    # An inline comment is part of the value for botocore (configparser
    # without inline_comment_prefixes).
    if c.chance(0.03):
        opts = [o for kind in ("credentials", "config") for sec in c.files[kind].sections
                for o in sec["opts"] if o[0] in ("source_profile", "role_arn", "credential_process",
                                                 "credential_source", "sso_session",
                                                 "web_identity_token_file")]
        if opts:
            o = rng.choice(opts)
            o[1] += rng.choice([" # why", " ; why"])
            c.tags.append(f"inline comment after {o[0]}")

    # Where the files are, and whether the plugin must refuse one.
    c.location = c.pick([("variables", 78), ("~/.aws", 10), ("~/ in the variables", 5),
                         ("$HOME in the variables", 5), ("~/.aws, AWS_CONFIG_FILE empty", 1),
                         ("~/.aws, AWS_SHARED_CREDENTIALS_FILE empty", 1)])
    if c.location != "variables":
        c.desc.append(f"files: {c.location}")
    if c.chance(0.08) and not c.location.startswith("~/.aws, "):  # (a file botocore reads)
        kinds = [k for k in ("credentials", "config") if not c.files[k].empty()]
        if kinds and not any(k in c.env for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                  "AWS_WEB_IDENTITY_TOKEN_FILE")):
            what = c.pick([("mode 0666", 45), ("mode 0660", 35),
                           ("owner 65534", 20 if os.geteuid() == 0 else 0)])
            c.insecure = (rng.choice(kinds), what)
            c.desc.append(f"{c.insecure[0]} {what}")

    # Formatting variants, decided per case, applied when the files are written.
    c.flags.update(
        upper=c.chance(0.12), spacing=c.chance(0.3), header_comment=c.chance(0.12),
        comments=c.chance(0.2), colon=c.chance(0.04), nested=c.chance(0.05),
        continuation=c.chance(0.02), dup_option=c.chance(0.015), dup_section=c.chance(0.015),
        no_empty_file=c.chance(0.5))
    return c


def render(c, kind):
    """The text of one file, with the case's formatting variants."""
    ini = c.files[kind]
    rng = random.Random(f"{SEED}:{c.n}:{kind}")  # independent of the other file
    flags, lines, used = c.flags, [], set()
    if flags["comments"]:
        lines.append(rng.choice(["# generated by e2e_credentials_diff", "; shared file"]))
    for si, s in enumerate(ini.sections):
        header = s["header"]
        if flags["header_comment"] and rng.random() < 0.6:
            header += rng.choice([" # note", "  ; note", "\t# aws_access_key_id = AKIDFAKE"])
            used.add("comment after header")
        lines.append(header)
        if flags["comments"] and rng.random() < 0.4:
            lines.append(rng.choice(["# aws_access_key_id = AKIDCOMMENTED", "; region = xx-fake-1",
                                     "  # indented comment"]))
            used.add("comment lines")
        opts = [list(o) for o in s["opts"]]
        if flags["dup_option"] and si == 0 and opts:
            dup = rng.choice(opts)
            opts.append([dup[0].upper() if rng.random() < 0.5 else dup[0], dup[1]])
            used.add("duplicate option")
        for oi, (name, value) in enumerate(opts):
            if flags["upper"] and rng.random() < 0.5:
                name = rng.choice([name.upper(), name.title(), name.capitalize()])
                used.add("option-name case")
            sep = " = "
            if flags["spacing"]:
                sep = rng.choice(["=", " =", "= ", "  =  ", "\t=\t", " \t= "])
                used.add("spacing")
            if flags["colon"] and rng.random() < 0.5:
                sep = rng.choice([": ", " : ", ":"])
                used.add("':' delimiter")
            indent = ""
            if flags["continuation"] and oi == 1:
                indent = "  "  # configparser: a continuation of the previous value
                used.add("indented option line")
            lines.append(f"{indent}{name}{sep}{value}")
            if flags["comments"] and rng.random() < 0.15:
                lines.append(rng.choice(["# comment", ";comment", ""]))
        if flags["nested"] and rng.random() < 0.5:
            lines += ["s3 =", "    max_concurrent_requests = 10", "    addressing_style = path"]
            used.add("nested s3 block")
        lines.append("" if rng.random() < 0.8 else "   ")
    for late_kind, section in c.late:
        if late_kind == kind:
            lines += [section["header"]] + [f"{k} = {v}" for k, v in section["opts"]] + [""]
    if flags["dup_section"] and ini.sections:
        lines += [ini.sections[0]["header"], "output = json", ""]
        used.add("duplicate section")
    for u in sorted(used):
        if u not in c.tags:
            c.tags.append(u)
    text = "\n".join(lines)
    return text + ("\n" if text and rng.random() < 0.9 else "")


# ==========================================================================
# Running a case
# ==========================================================================

# Deliberate, documented refusals: the ONLY places where the plugin may
# answer differently from botocore. Each entry: (name, predicate over the
# case, pattern the plugin's UNKNOWN line must match).
REFUSALS = (
    # (1) Half of the environment's key pair: botocore ignores a lone
    # AWS_SECRET_ACCESS_KEY (and errs on a lone AWS_ACCESS_KEY_ID); the
    # plugin refuses either, naming the missing half. --profile makes both
    # ignore the environment's keys, so the refusal does not apply there.
    ("half-set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
     lambda c: c.profile_arg is None and
     bool(c.env.get("AWS_ACCESS_KEY_ID")) != bool(c.env.get("AWS_SECRET_ACCESS_KEY")),
     r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY).*AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)"),
    # (2) A shared file others can change (group/world-writable, or owned
    # by another user than this one or root): it can name a command to
    # run (credential_process). botocore reads it; the plugin refuses.
    # Generated only where the files must be read (no keys or web
    # identity in the environment).
    ("shared file writable by others or owned by someone else",
     lambda c: c.insecure is not None,
     r"(?i)refus\w*.*(writ|owned|owner)"),
)


def refusal_of(c):
    for name, predicate, pattern in REFUSALS:
        if predicate(c):
            return name, pattern
    return None


class World:
    def __init__(self, fx, sts, imds, container, sso, workdir):
        self.fx, self.sts, self.imds, self.container, self.sso = fx, sts, imds, container, sso
        self.workdir = workdir
        self.workers = queue.Queue()

    def materialize(self, c):
        """Write the case's files; returns (case dir, env shared by both sides)."""
        cdir = os.path.join(self.workdir, f"case{c.n:03d}")
        home = os.path.join(cdir, "home")
        os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
        fix = lambda s: s.replace("@CASE@", cdir).replace("@CONTAINER@", self.container.full_uri)
        for rel, text in c.scripts:
            path = os.path.join(cdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        for rel, text in c.token_files:
            path = os.path.join(cdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        c.texts, paths = {}, {}
        for kind, default in (("credentials", "credentials"), ("config", "config")):
            path = os.path.join(home, ".aws", default) if c.location.startswith("~/.aws") else \
                os.path.join(home, "aws files", kind) if c.location != "variables" else \
                os.path.join(cdir, kind)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            paths[kind] = path
            text = fix(render(c, kind))
            c.texts[kind] = text
            if not text and c.flags["no_empty_file"]:
                continue
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.chmod(path, 0o600)
        if c.insecure is not None:
            path = paths[c.insecure[0]]
            if not os.path.exists(path):
                open(path, "w").close()
            if c.insecure[1] == "owner 65534":
                os.chown(path, 65534, 65534)
            else:
                os.chmod(path, int(c.insecure[1].split()[1], 8))
        for name, token in c.sso_caches:
            mock_sso.write_token_cache(home, name, {
                k: mock_sso.cache_time(v) if isinstance(v, int) else v for k, v in token.items()})
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": home,
               "AWS_ENDPOINT_URL_STS": self.sts.url, "AWS_CA_BUNDLE": self.fx.pki.ca_cert}
        if self.sso is not None:
            env["AWS_ENDPOINT_URL_SSO"] = env["AWS_ENDPOINT_URL_SSO_OIDC"] = self.sso.url
        if c.location.startswith("~/.aws, "):  # set but empty: botocore reads no such file
            env[c.location.split()[1]] = ""
        elif c.location != "~/.aws":
            for var, kind in (("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
                              ("AWS_CONFIG_FILE", "config")):
                env[var] = paths[kind] if c.location == "variables" else \
                    ("~" if c.location.startswith("~") else "$HOME") + "/aws files/" + kind
        if c.flags.get("imds"):
            env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.imds.url
        else:
            env["AWS_EC2_METADATA_DISABLED"] = "true"
        env.update({k: fix(v) for k, v in c.env.items()})
        return cdir, env

    def arn(self, c):
        return f"arn:aws:s3tables:{c.arn_region}:{ACCOUNT}:bucket/diff/table/case{c.n:03d}"

    def run(self, c):
        cdir, env = self.materialize(c)
        for key, creds in c.static.items():
            self.fx.mock.credentials[key] = creds
            self.sts.credentials[key] = creds
        for account, role, key in c.sso_roles:
            creds = {"secret": "ssoSecret/" + key, "token": "ssoToken/" + key}
            self.fx.mock.credentials[key] = self.sts.credentials[key] = creds
            for token in c.sso_tokens:
                self.sso.add_role_credentials(token, account, role, key, creds["secret"],
                                              creds["token"])
        for client, secret, refresh, new_token in c.sso_clients:  # no rotation: both sides refresh
            self.sso.add_oidc_client(client, secret, refresh, new_token)
        arn = self.arn(c)
        self.fx.mock.set_table(arn, lambda: mock_aws.job("Successful", last_run=3600))

        # botocore may write a refreshed SSO token to the cache: the plugin
        # gets the cache as `aws sso login` left it.
        cache_dir = os.path.join(env["HOME"], ".aws", "sso", "cache")
        saved = {}
        if os.path.isdir(cache_dir):
            for name in os.listdir(cache_dir):
                with open(os.path.join(cache_dir, name), "rb") as f:
                    saved[name] = f.read()
        worker = self.workers.get()
        try:
            b = worker.resolve(env, c.profile_arg)
        finally:
            self.workers.put(worker)
        if os.path.isdir(cache_dir):
            for name in os.listdir(cache_dir):
                if name not in saved:
                    os.unlink(os.path.join(cache_dir, name))
            for name, data in saved.items():
                path = os.path.join(cache_dir, name)
                with open(path, "wb") as f:
                    f.write(data)
                os.chmod(path, 0o600)
        if b.get("status") == "ok":  # what botocore found must verify if the plugin uses it
            self.fx.mock.credentials[b["key"]] = {"secret": b["secret"], "token": b["token"]}

        xdg = tempfile.mkdtemp(prefix="xdg-", dir=cdir)
        args = ["-a", arn, "-vv"] + self.fx.args
        if c.profile_arg is not None:
            args += ["--profile", c.profile_arg]
        if c.region_arg is not None:
            args += ["--region", c.region_arg]
        if e.UNDER_VALGRIND:
            args += ["-t", "60"]
        penv = dict(env, XDG_CACHE_HOME=xdg)
        if "AWS_EC2_METADATA_DISABLED" not in env:
            penv["AWS_EC2_METADATA_DISABLED"] = None  # run_plugin sets it otherwise
        code, out, err, elapsed = e.run_plugin(args, env=penv, timeout=180 if e.UNDER_VALGRIND
                                               else 40)
        reqs = [r for r in list(self.fx.mock.requests)
                if dict(mock_aws.decode_query(r.query)).get("tableArn") == arn]
        p = {"code": code, "line": e.first_line(out), "err": err, "elapsed": elapsed,
             "requests": len(reqs),
             "key": reqs[-1].access_key if reqs else None,
             "verified": bool(reqs) and reqs[-1].verified,
             "reason": reqs[-1].reason if reqs else None,
             "region": scope_region(reqs[-1]) if reqs else None}
        return env, b, p


def scope_region(rec):
    """The region of the request's credential scope, even if it did not verify."""
    try:
        credential = mock_aws.parse_authorization(rec.headers["authorization"])["Credential"]
        return credential.split("/")[2]
    except (KeyError, ValueError, IndexError):
        return rec.region


def expected_region(c, b):
    """--region, else the ARN's, else AWS_REGION (the plugin's documented
    extension: the newer SDKs read it first), else botocore's region."""
    for value, why in ((c.region_arg, "--region"), (c.arn_region, "the ARN"),
                       (c.env.get("AWS_REGION"), "AWS_REGION"),
                       (b.get("region"), "botocore's region")):
        if value:
            return value, why
    return None, None


def judge(c, b, p):
    """(agree, expectation text)."""
    unknown_quiet = p["code"] == e.UNKNOWN and p["requests"] == 0 and \
        p["line"].startswith(f"{PREFIX} UNKNOWN")
    refusal = refusal_of(c)
    region, why = expected_region(c, b)
    if refusal is not None:
        name, pattern = refusal
        # Where botocore fails too, or no region is found anywhere, any
        # reason for UNKNOWN may come first; otherwise the refusal's own.
        return (unknown_quiet and (re.search(pattern, p["line"]) is not None or
                                   region is None or b.get("status") != "ok"),
                f"UNKNOWN, refused: {name} (line like {pattern!r})")
    if b.get("status") == "ok":
        if region is None:
            return (unknown_quiet and "no region" in p["line"],
                    f"UNKNOWN 'no region...' (botocore found {b['key']} but no region anywhere)")
        return (p["code"] == e.OK and p["line"].startswith(f"{PREFIX} OK") and
                p["key"] == b["key"] and p["verified"] and p["region"] == region,
                f"OK, signed by {b['key']} in {region} (from {why})")
    return unknown_quiet, f"UNKNOWN with no S3 Tables request (botocore: {b.get('status')})"


def describe_key(w, key):
    if key is None:
        return "-"
    if key in w.sts.issued:
        return f"{key} ({w.sts.issued[key]})"
    return key


def diagnostic(w, c, env, b, p, expectation):
    out = []
    if b.get("status") == "ok":
        bo = f"{describe_key(w, b['key'])} via {b.get('method')}"
    elif b.get("status") == "error":
        bo = f"error: {b['error']}: {b.get('message', '')}"
    else:
        bo = b.get("status") + (f": {b.get('error')}" if b.get("error") else "")
    out.append(f"botocore: {bo}; region {b.get('region')}" +
               (f" ({b['region_error']})" if b.get("region_error") else ""))
    out.append(f"plugin:   exit {p['code']}: {p['line']}")
    out.append(f"          S3 Tables requests {p['requests']}, signed by "
               f"{describe_key(w, p['key'])}, verified {p['verified']}, region {p['region']}" +
               (f", mock: {p['reason']}" if p["reason"] else ""))
    out.append(f"expected: {expectation}")
    args = (["--profile", c.profile_arg] if c.profile_arg else []) + \
        (["--region", c.region_arg] if c.region_arg else [])
    out.append(f"args: -a {w.arn(c)} {' '.join(args)}".rstrip())
    shown = {k: v for k, v in env.items() if k not in ("PATH", "LC_ALL", "AWS_CA_BUNDLE",
                                                       "AWS_ENDPOINT_URL_STS")}
    out.append("env: " + " ".join(f"{k}={v}" for k, v in sorted(shown.items())))
    if c.tags:
        out.append("variants: " + ", ".join(c.tags))
    for kind in ("credentials", "config"):
        text = c.texts.get(kind, "")
        mode = f" ({c.insecure[1]})" if c.insecure and c.insecure[0] == kind else ""
        out.append(f"--- {kind}{mode}:" + ("" if text else " (empty)"))
        out += ["    " + line.replace("\t", "\\t") for line in text.splitlines()]
    err_lines = [ln for ln in p["err"].splitlines() if ln.strip()]
    if err_lines:
        out.append("--- plugin stderr (-vv, last lines):")
        out += ["    " + ln for ln in err_lines[-12:]]
    return "\n".join(out)


def case_numbers():
    if os.environ.get("DIFF_CASES"):
        return list(range(int(os.environ["DIFF_CASES"])))
    if e.UNDER_VALGRIND:
        return list(range(0, DEFAULT_CASES, VALGRIND_STRIDE))
    return list(range(DEFAULT_CASES))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--botocore-worker":
        botocore_worker()
        return 0
    e.require_botocore()
    e.require_plugin()

    t = e.Tap()
    started = time.monotonic()
    numbers = case_numbers()
    cases = [generate(n) for n in numbers]
    jobs = max(1, int(os.environ.get("DIFF_JOBS", "2")))
    workdir = tempfile.mkdtemp(prefix="e2e-diff-")
    os.chmod(workdir, 0o755)  # files chowned to 65534 sit below it
    DiffSTS = make_sts_class(mock_sts)
    agree = differ = 0
    outcomes = {}
    try:
        with e.mock_fixture() as fx, \
                mock_metadata.MockIMDS() as imds, \
                mock_metadata.MockContainerCreds(token=CONTAINER_TOKEN) as container:
            fx.mock.credentials = Registry(fx.mock.credentials)
            sts = DiffSTS(fx.pki, {}, fx.mock)
            sts.start()
            sso = mock_sso.MockSSO(fx.pki).start() if mock_sso else None
            try:
                for role in ROLES.values():
                    sts.add_role(role)
                for key, secret, token in (
                        (mock_metadata.IMDS_ACCESS_KEY, mock_metadata.IMDS_SECRET_KEY,
                         mock_metadata.IMDS_SESSION_TOKEN),
                        (mock_metadata.CONTAINER_ACCESS_KEY, mock_metadata.CONTAINER_SECRET_KEY,
                         mock_metadata.CONTAINER_SESSION_TOKEN)):
                    fx.mock.credentials[key] = sts.credentials[key] = {"secret": secret,
                                                                       "token": token}
                w = World(fx, sts, imds, container, sso, workdir)
                for _ in range(jobs):
                    w.workers.put(Botocore(workdir))
                if sso is None:
                    t.skip("SSO profiles (sso_session / legacy)",
                           "tests/mock/mock_sso.py not present: no SSO cases generated")
                with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
                    futures = [pool.submit(w.run, c) for c in cases]
                    for c, fut in zip(cases, futures):
                        env, b, p = fut.result()
                        good, expectation = judge(c, b, p)
                        name = f"case {c.n}: " + "; ".join(c.desc)
                        if c.tags:
                            name += " [" + ", ".join(c.tags) + "]"
                        t.ok(good, name, diagnostic(w, c, env, b, p, expectation))
                        if good and os.environ.get("DIFF_VERBOSE") == "1":
                            t.diag(diagnostic(w, c, env, b, p, expectation))
                        agree, differ = agree + bool(good), differ + (not good)
                        kind = (f"ok via {b.get('method')}" if b.get("status") == "ok" else
                                f"error {b.get('error')}" if b.get("status") == "error" else
                                str(b.get("status")))
                        outcomes[kind] = outcomes.get(kind, 0) + 1
                        if refusal_of(c) is not None:
                            outcomes["(refusal)"] = outcomes.get("(refusal)", 0) + 1
                while not w.workers.empty():
                    w.workers.get().close()
            finally:
                sts.stop()
                if sso is not None:
                    sso.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    t.diag("botocore outcomes: " + ", ".join(f"{k} {v}" for k, v in
                                             sorted(outcomes.items(), key=lambda kv: -kv[1])))
    t.diag(f"differential: {len(cases)} cases, {agree} agree, {differ} differ "
           f"({time.monotonic() - started:.0f} s)")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
