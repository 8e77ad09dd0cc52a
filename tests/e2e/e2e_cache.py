#!/usr/bin/env python3
"""End-to-end: the credential cache across runs.

Credentials that expire (STS AssumeRole from --role-arn or a role_arn
profile, AssumeRoleWithWebIdentity, SSO GetRoleCredentials, the container
endpoint, EC2 instance metadata, credential_process output with an
Expiration) are kept between
runs in $XDG_CACHE_HOME/check_s3tables_expiration/ (else
$HOME/.cache/check_s3tables_expiration/, or --cache-dir DIR; --no-cache
turns it off): one <64 hex>.json file per source identity, mode 0600 in a
directory of mode 0700, written to a temporary file and renamed, reused
until 5 minutes before the credentials expire. Concurrent misses
serialise on an flock so that one run fetches for all.

What is checked, against the STS, SSO, IMDS and container mocks (which
count what they are asked) and the S3 Tables mock (which verifies every
signature with botocore and records the access key that signed): how
many fetches a series of runs makes, sequential and 16 at once; which
credentials signed each S3 Tables request; where the files appear, their
modes, owner and JSON; what -v says ('credential cache: using FILE',
'stored FILE', 'ignoring FILE: REASON', 'not used: REASON', 'off'); that
a corrupt, foreign, badly-moded or other-identity file is never trusted
and is replaced; that identities are told apart; that static keys are
never written; that -t holds while another process has the lock; and
that no secret reaches stdout, stderr or any file but a cache entry.

The number of fetches of each series is printed as a diag line
('# 20 sequential runs (--role-arn): 1 AssumeRole call') and again in a
summary at the end.
"""

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import stat
import sys
import threading
import time

import e2e_lib as e
import mock_aws
import mock_metadata
import mock_sso
import mock_sts

PREFIX = "S3TABLES_EXPIRATION"
ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/monitored/table/orders"
OK_LINE = re.compile(rf"{PREFIX} OK - job Successful 1h 0m ago \| age=360[01]s;172800;259200;0 "
                     r"time=\d+\.\d{3}s;;;0")
SUBDIR = "check_s3tables_expiration"
ENTRY_RE = re.compile(r"^[0-9a-f]{64}\.json$")
LOCK_RE = re.compile(r"^[0-9a-f]{64}\.lock$")
CACHE_PREFIX = "credential cache: "

BASE_KEY, BASE_SECRET = "AKIDBASEPROFILE", "baseSecret/Key+abcdefghijklmnopqrstuvwx"
SECOND_KEY, SECOND_SECRET = "AKIDSECONDSOURCE", "secondSecret/Key+0123456789ABCDEFGHIJK"
PROC_KEY, PROC_SECRET = "ASIAPROCESSHELPER001", "processSecret/Key+ForLocalTestsOnly0000"
PROC_TOKEN = "IQoJb3JpZ2luX2VjEMOCK//process+session/token=="
POD_TOKEN = "Bearer pod-identity-token-for-the-cache"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.Y2FjaGUtdGVzdA"

SSO_REGION = "eu-west-1"
SSO_SESSION, SSO_START_URL = "cache-sso", "https://d-9067cac4e1.awsapps.com/start"
SSO_SESSION_2, SSO_START_URL_2 = "cache-sso-other", "https://d-9067cac4e2.awsapps.com/start"
SSO_ACCOUNT, SSO_ROLE = "111122223333", "S3TablesMonitoring"
SSO_DEV_ACCOUNT, SSO_DEV_ROLE = "444455556666", "S3TablesDevMonitoring"
SSO_TOKEN = "aoaAAAAAGcacheTestAccessToken0aZ9xQ2wE4rT6yU8iO1pL3kJ5hG7f"
SSO_TOKEN_2 = "aoaAAAAAGcacheTestOtherToken1bY8wP3vD5sF7gH9jK2lZ4xC6vB8n"
SSO_TOKEN_SOON = "aoaAAAAAGcacheTestSoonToken2cX7eO4uI6yT8rE0wQ3aS5dF7gH9jK"

ACCOUNT = "arn:aws:iam::111122223333:role/"
ROLE_A = ACCOUNT + "cache-a"
ROLE_B = "arn:aws:iam::444455556666:role/cache-b"
ROLE_PROFILE = ACCOUNT + "cache-profile"
ROLE_WEB = ACCOUNT + "cache-irsa"
ROLE_PARALLEL = ACCOUNT + "cache-parallel"
ROLE_SOON = ACCOUNT + "cache-soon"
ROLE_HOUR = ACCOUNT + "cache-hour"
ROLE_SIX = ACCOUNT + "cache-six-minutes"
ROLE_CHAIN_A = ACCOUNT + "cache-chain-a"
ROLE_CHAIN_B = ACCOUNT + "cache-chain-b"
ROLES = (ROLE_A, ROLE_B, ROLE_PROFILE, ROLE_PARALLEL, ROLE_SOON, ROLE_HOUR, ROLE_SIX,
         ROLE_CHAIN_A, ROLE_CHAIN_B)

NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None}
ENV_KEYS = {"AWS_ACCESS_KEY_ID": e.TEST_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": e.TEST_SECRET_KEY}
SECOND_KEYS = {"AWS_ACCESS_KEY_ID": SECOND_KEY, "AWS_SECRET_ACCESS_KEY": SECOND_SECRET}

SEQUENTIAL = 20
PARALLEL = 16
# The verbosities the sequential series cycle through (secrets are checked at each).
VERBOSITIES = ("-v", "-vv", "-vvv", "")
# -t of the parallel runs (16 plugins on a small machine, maybe under valgrind).
T_PARALLEL = 180 if e.UNDER_VALGRIND else 20
# How long the STS mock holds its answer in the parallel series: every run
# starts while the first fetch is still in flight.
STS_DELAY = 1.0
# -t while another process holds the lock.
T_LOCK = 8 if e.UNDER_VALGRIND else 3
RUN_TIMEOUT = 240 if e.UNDER_VALGRIND else 60
# Stands in for the path of an entry that should exist but does not.
NO_FILE = os.path.join(os.sep, "nonexistent", "no-cache-file.json")


def fail_all(t, names, why=None):
    """Test points that cannot run because an earlier step failed: not ok."""
    for name in names:
        t.ok(False, name, why)


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def in_minutes(minutes):
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)


class Run:
    """One plugin run: exit code, output, the first line, the cache lines of -v."""

    def __init__(self, code, out, err, elapsed, verbosity):
        self.code, self.out, self.err, self.elapsed = code, out, err, elapsed
        self.verbosity = verbosity
        self.line = e.first_line(out)
        self.signer = None  # access key that signed the S3 Tables request (verified)

    @property
    def ok(self):
        return self.code == e.OK and bool(OK_LINE.fullmatch(self.line))

    @property
    def cache_lines(self):
        return [l for l in self.err.splitlines() if l.startswith(CACHE_PREFIX)]

    def cache_line(self, kind, path):
        """The -v line 'credential cache: KIND FILE[: REASON]' naming path, or None.

        FILE may be the full path or the file name."""
        head = f"{CACHE_PREFIX}{kind} "
        for line in self.cache_lines:
            if not line.startswith(head):
                continue
            rest = line[len(head):]
            if kind != "ignoring":
                if same_path(rest, path):
                    return line
                continue
            for printed in (path, os.path.basename(path)):  # FILE: REASON, REASON not empty
                if rest.startswith(printed + ": ") and rest[len(printed) + 2:].strip():
                    return line
        return None

    def describe(self):
        return (f"exit {self.code}, {self.elapsed:.2f} s, signer {self.signer}\n"
                f"line: {self.line}\nstderr:\n{self.err}")


def same_path(printed, path):
    return printed == os.path.basename(path) or os.path.normpath(printed) == os.path.normpath(path)


class Scenario:
    """Fresh HOME (with an empty ~/.cache), XDG_CACHE_HOME and TMPDIR for one scenario."""

    def __init__(self, root, name):
        self.name = name
        self.root = root
        self.home = os.path.join(root, "home")
        self.xdg = os.path.join(root, "xdg-cache")
        self.tmp = os.path.join(root, "tmp")
        for d in (self.home, os.path.join(self.home, ".cache"), self.xdg, self.tmp):
            os.makedirs(d, mode=0o700)
        self.cache_dir = os.path.join(self.xdg, SUBDIR)  # the default while XDG_CACHE_HOME is set
        self.home_cache = os.path.join(self.home, ".cache", SUBDIR)


class World:
    """The mocks, the scenario directories, and how to run the plugin against them."""

    def __init__(self, t, fx, sts, imds, container, sso):
        self.t = t
        self.fx, self.sts, self.imds, self.container, self.sso = fx, sts, imds, container, sso
        self.own_files = set()  # files the test wrote under a scenario (SSO token caches)
        self.files_dir = os.path.join(fx.tmpdir, "files")
        self.scenarios_dir = os.path.join(fx.tmpdir, "scenarios")
        os.makedirs(self.files_dir)
        os.makedirs(self.scenarios_dir)
        self.scenarios = []
        self.summary = []
        self.pending = []  # (run label, leaked secrets) since the last leak check
        self.pending_lock = threading.Lock()
        self.role_secrets = []  # every secret and token STS ever handed out
        self.token_file = self.write("web-identity-token", JWT + "\n")

    # -- set-up ------------------------------------------------------------

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.files_dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def add_role(self, role_arn, **kw):
        """(Re)script a role with fresh credentials the S3 Tables mock (and STS) accept."""
        role = self.sts.add_role(role_arn, **kw)
        creds = {"secret": role["secret"], "token": role["token"]}
        self.fx.mock.credentials[role["access_key"]] = creds
        self.sts.credentials[role["access_key"]] = creds
        self.role_secrets += [role["secret"], role["token"]]
        return role

    def key(self, role_arn):
        return self.sts.roles[role_arn]["access_key"]

    def sso_role(self, token, account=SSO_ACCOUNT, role=SSO_ROLE):
        return self.sso.role_credentials[(token, account, role)]

    def sso_token(self, sc, session, start_url, token):
        """The token cache `aws sso login` leaves in sc's HOME (valid 8 h, not refreshable)."""
        path = mock_sso.write_token_cache(sc.home, session, {
            "startUrl": start_url, "region": SSO_REGION, "accessToken": token,
            "expiresAt": mock_sso.cache_time(8 * 3600)})
        self.own_files.add(path)
        return path

    def scenario(self, name):
        root = os.path.join(self.scenarios_dir, f"{len(self.scenarios):02d}-"
                            + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40])
        sc = Scenario(root, name)
        self.scenarios.append(sc)
        for m in (self.sts, self.imds, self.container, self.sso):
            m.clear()
        return sc

    # -- running -----------------------------------------------------------

    def run(self, sc, env=None, args=(), v="-v", timeout=RUN_TIMEOUT, clear=True):
        """Run with no keys unless env gives some; HOME, XDG_CACHE_HOME, TMPDIR of sc."""
        if clear:
            self.fx.mock.clear()
        full = {"HOME": sc.home, "XDG_CACHE_HOME": sc.xdg, "TMPDIR": sc.tmp,
                "AWS_ENDPOINT_URL_STS": self.sts.url, "AWS_ENDPOINT_URL_SSO": self.sso.url,
                "AWS_ENDPOINT_URL_SSO_OIDC": self.sso.url, **NO_KEYS, **(env or {})}
        argv = ["-a", ARN] + ([v] if v else []) + self.fx.args + list(args)
        r = Run(*e.run_plugin(argv, env=full, timeout=timeout), v)
        if clear:
            last = self.fx.mock.last_request
            r.signer = last.access_key if last is not None and last.verified else None
        leaked = [s for s in self.secrets() if s in r.out or s in r.err]
        if "Signature=" in r.out + r.err:
            leaked.append("Signature=")
        with self.pending_lock:
            self.pending.append((f"{sc.name} {v or 'no -v'}", leaked))
        return r

    def parallel(self, sc, n, env=None, args=()):
        """n runs started together (a barrier, then Popen each); S3 Tables signers
        are read from the mock's log by the caller."""
        self.fx.mock.clear()
        barrier = threading.Barrier(n)
        results = [None] * n

        def one(i):
            try:
                barrier.wait(30)
            except threading.BrokenBarrierError:
                pass
            results[i] = self.run(sc, env, list(args) + ["-t", str(T_PARALLEL)],
                                  timeout=T_PARALLEL + 60, clear=False)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        started = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return results, time.monotonic() - started

    def secrets(self):
        """Everything that must never be printed."""
        return self.source_secrets() + self.role_secrets + [
            mock_metadata.IMDS_SECRET_KEY, mock_metadata.IMDS_SESSION_TOKEN,
            mock_metadata.CONTAINER_SECRET_KEY, mock_metadata.CONTAINER_SESSION_TOKEN,
            PROC_SECRET, PROC_TOKEN]

    @staticmethod
    def source_secrets():
        """Secrets of the sources, which are not even written to a cache entry."""
        return [e.TEST_SECRET_KEY, BASE_SECRET, SECOND_SECRET, JWT, POD_TOKEN,
                POD_TOKEN.split(" ", 1)[1], SSO_TOKEN, SSO_TOKEN_2, SSO_TOKEN_SOON]

    def check_leaks(self, name):
        """One test point for every run since the last check."""
        with self.pending_lock:
            runs, self.pending = self.pending, []
        leaked = [(label, s) for label, found in runs for s in found]
        self.t.ok(not leaked, f"{name}: no secret key, session token, web identity token or "
                              f"signature in stdout/stderr ({plural(len(runs), 'run')})",
                  f"leaked: {leaked[:5]}")

    def note(self, text):
        """A diag line now and in the closing summary."""
        self.t.diag(text)
        self.summary.append(text)

    # -- STS / metadata counts ----------------------------------------------

    def sts_calls(self, action=None):
        with self.sts._lock:
            return len([r for r in self.sts.requests if action is None or r.action == action])

    def imds_credential_gets(self):
        path = mock_metadata.ROLE_PATH + self.imds.role
        with self.imds._lock:
            return len([r for r in self.imds.requests if r.method == "GET" and r.path == path])

    # -- the cache directory -------------------------------------------------

    @staticmethod
    def entries(d):
        """Full paths of the <64 hex>.json files in d (none if d is missing)."""
        if not os.path.isdir(d):
            return []
        return sorted(os.path.join(d, n) for n in os.listdir(d) if ENTRY_RE.match(n))

    @staticmethod
    def all_files(d):
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def check_entry(self, path, name, key=None, not_key=None, inode_not=None):
        """One test point: path is a regular <64 hex>.json file of mode 0600, ours,
        holding valid JSON with key (an access key id) and not not_key, no source
        secret; inode_not: it was replaced (rename), not rewritten in place."""
        problems = []
        try:
            st = os.lstat(path)
        except OSError as exc:
            self.t.ok(False, name, f"{path}: {exc}")
            return False
        if not stat.S_ISREG(st.st_mode):
            problems.append("not a regular file")
        if stat.S_IMODE(st.st_mode) != 0o600:
            problems.append(f"mode {stat.S_IMODE(st.st_mode):04o}")
        if st.st_uid != os.geteuid():
            problems.append(f"owner uid {st.st_uid}")
        if not ENTRY_RE.match(os.path.basename(path)):
            problems.append("name is not <64 hex>.json")
        if inode_not is not None and st.st_ino == inode_not:
            problems.append("same inode: rewritten in place, not a renamed temporary file")
        text = ""
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8", "replace")
            try:
                json.loads(raw)
            except ValueError as exc:
                problems.append(f"not JSON: {exc}")
        if key is not None and key not in text:
            problems.append(f"does not hold {key}")
        if not_key is not None and not_key in text:
            problems.append(f"still holds {not_key}")
        found = [s for s in self.source_secrets() if s in text]
        if found:
            problems.append(f"holds a source secret ({len(found)})")
        return self.t.ok(not problems, name, f"{path}: " + "; ".join(problems))

    def check_dir(self, d, name):
        """One test point: d is a directory of mode 0700 owned by us."""
        try:
            st = os.lstat(d)
        except OSError as exc:
            return self.t.ok(False, name, f"{d}: {exc}")
        got = (stat.S_ISDIR(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid)
        return self.t.ok(got == (True, 0o700, os.geteuid()), name,
                         f"{d}: dir {got[0]}, mode {got[1]:04o}, uid {got[2]}")

    def only_entry(self, sc_dir, name, key=None):
        """Test points: exactly one entry in sc_dir, valid; returns its path or None."""
        found = self.entries(sc_dir)
        valid = (f"{name}: the file is JSON, mode 0600, ours, holds the credentials' key id and "
                 "no source secret")
        if not self.t.is_(len(found), 1, f"{name}: one cache file in the directory"):
            self.t.diag(f"{sc_dir}: {self.all_files(sc_dir)}")
            self.t.ok(False, valid, "no single cache file")
            return None
        self.check_entry(found[0], valid, key=key)
        return found[0]


# --------------------------------------------------------------------------
# Series of runs
# --------------------------------------------------------------------------


def sequential(t, w, sc, name, env, args, key, action, n=SEQUENTIAL):
    """n runs one after the other: one fetch, all OK and signed by key."""
    runs = []
    for i in range(n):
        runs.append(w.run(sc, env, args, v=VERBOSITIES[i % len(VERBOSITIES)]))
    bad = [(i + 1, r) for i, r in enumerate(runs) if not (r.ok and r.signer == key)]
    if not t.ok(not bad, f"{name}: all {n} runs OK, S3 Tables signed with the role's key"):
        t.diag(f"{len(bad)} bad; first: run {bad[0][0]}: {bad[0][1].describe()}")
    calls = w.sts_calls(action)
    t.is_(calls, 1, f"{name}: exactly 1 STS {action} call for {n} runs")
    w.note(f"{n} sequential runs ({name}): {plural(calls, action + ' call')}")
    entry = w.only_entry(sc.cache_dir, name, key) or NO_FILE
    lines_ok = [not r.verbosity or r.cache_line("stored" if i == 0 else "using", entry)
                is not None for i, r in enumerate(runs)]
    if not t.ok(all(lines_ok), f"{name}: -v says 'stored FILE' on the first run and "
                               "'using FILE' on every later one"):
        first_bad = lines_ok.index(False)
        t.diag(f"run {first_bad + 1}: {runs[first_bad].cache_lines}")
    w.check_dir(sc.cache_dir, f"{name}: the cache directory is mode 0700, ours")
    w.check_leaks(name)
    return runs


def test_sequential(t, w):
    sc = w.scenario("--role-arn")
    sequential(t, w, sc, "--role-arn", ENV_KEYS, ["--role-arn", ROLE_A], w.key(ROLE_A),
               "AssumeRole")
    t.is_(w.sts.requests[0].access_key if w.sts.requests else None, e.TEST_ACCESS_KEY,
          "--role-arn: the environment's keys signed AssumeRole")
    t.ok(not os.path.exists(sc.home_cache) and not w.all_files(sc.home_cache),
         "XDG_CACHE_HOME set: nothing under $HOME/.cache", sc.home_cache)

    sc = w.scenario("role_arn profile")
    files = {"AWS_SHARED_CREDENTIALS_FILE": w.write("profile-credentials", f"[base]\n"
                                                    f"aws_access_key_id = {BASE_KEY}\n"
                                                    f"aws_secret_access_key = {BASE_SECRET}\n"),
             "AWS_CONFIG_FILE": w.write("profile-config", f"[default]\nrole_arn = {ROLE_PROFILE}\n"
                                                          "source_profile = base\n")}
    sequential(t, w, sc, "role_arn profile", files, [], w.key(ROLE_PROFILE), "AssumeRole")
    t.is_(w.sts.requests[0].access_key if w.sts.requests else None, BASE_KEY,
          "role_arn profile: the source profile's keys signed AssumeRole")

    sc = w.scenario("web identity")
    web = {"AWS_WEB_IDENTITY_TOKEN_FILE": w.token_file, "AWS_ROLE_ARN": ROLE_WEB}
    sequential(t, w, sc, "web identity from the environment", web, [], w.key(ROLE_WEB),
               "AssumeRoleWithWebIdentity")


def test_parallel(t, w):
    name = f"{PARALLEL} parallel runs, cold cache"
    sc = w.scenario("parallel")
    key = w.key(ROLE_PARALLEL)
    args = ["--role-arn", ROLE_PARALLEL]
    w.sts.delay = STS_DELAY
    try:
        runs, elapsed = w.parallel(sc, PARALLEL, ENV_KEYS, args)
    finally:
        w.sts.delay = 0.0
    check_parallel(t, w, sc, name, runs, key, 0, 1, elapsed)

    name = f"{PARALLEL} parallel runs, warm cache"
    before = w.sts_calls("AssumeRole")
    runs, elapsed = w.parallel(sc, PARALLEL, ENV_KEYS, args)
    check_parallel(t, w, sc, name, runs, key, before, 0, elapsed)

    # An entry about to expire is a miss too: 16 runs refresh it once.
    name = f"{PARALLEL} parallel runs, entry expiring in 4 min"
    sc = w.scenario("parallel refresh")
    w.add_role(ROLE_PARALLEL, expiration=in_minutes(4))
    first = w.run(sc, ENV_KEYS, args)
    t.ok(first.ok and w.sts_calls() == 1, f"{name}: a first run fetches (1 call)",
         first.describe())
    key = w.add_role(ROLE_PARALLEL)["access_key"]  # new credentials, 1 h
    before = w.sts_calls("AssumeRole")
    w.sts.delay = STS_DELAY
    try:
        runs, elapsed = w.parallel(sc, PARALLEL, ENV_KEYS, args)
    finally:
        w.sts.delay = 0.0
    check_parallel(t, w, sc, name, runs, key, before, 1, elapsed)


def check_parallel(t, w, sc, name, runs, key, calls_before, fetches, elapsed):
    """fetches: the AssumeRole calls (and 'stored' lines) the batch may make."""
    bad = [r for r in runs if not r.ok]
    if not t.ok(not bad, f"{name}: all {len(runs)} OK"):
        t.diag(f"{len(bad)} not OK; first: {bad[0].describe()}")
    with w.fx.mock._lock:
        jobs = [r for r in w.fx.mock.requests if r.operation == mock_aws.OP_JOB_STATUS]
    t.is_((len(jobs), sorted({(r.verified, r.access_key) for r in jobs})),
          (len(runs), [(True, key)]),
          f"{name}: {len(runs)} S3 Tables requests, every one verified and signed with the "
          "role's key")
    calls = w.sts_calls("AssumeRole") - calls_before
    t.is_(calls, fetches, f"{name}: {plural(fetches, 'AssumeRole call')}")
    w.note(f"{name}: {plural(calls, 'AssumeRole call')} ({elapsed:.1f} s)")
    entry = w.only_entry(sc.cache_dir, name, key) or NO_FILE
    kinds = ["stored" if r.cache_line("stored", entry) else
             "using" if r.cache_line("using", entry) else "?" for r in runs]
    if not t.is_((kinds.count("stored"), kinds.count("using")), (fetches, len(runs) - fetches),
                 f"{name}: -v: {fetches} run(s) say 'stored FILE', the others 'using FILE'"):
        t.diag("\n".join(f"{k}: {r.cache_lines}" for k, r in zip(kinds, runs)))
    w.check_dir(sc.cache_dir, f"{name}: the cache directory is mode 0700, ours")
    w.check_leaks(name)


def test_no_cache(t, w):
    name = "--no-cache"
    sc = w.scenario(name)
    args = ["--role-arn", ROLE_A, "--no-cache"]
    runs = [w.run(sc, ENV_KEYS, args, v="-vvv") for _ in range(5)]
    t.ok(all(r.ok and r.signer == w.key(ROLE_A) for r in runs),
         f"{name}: 5 runs OK, signed with the role's key", runs[0].describe())
    calls = w.sts_calls("AssumeRole")
    t.is_(calls, 5, f"{name}: one AssumeRole call per run (5 runs)")
    w.note(f"5 runs with --no-cache: {plural(calls, 'AssumeRole call')}")
    t.ok(all(r.cache_lines == [CACHE_PREFIX + "off"] for r in runs),
         f"{name}: -vvv says 'credential cache: off' and nothing else about the cache",
         runs[0].cache_lines)
    t.ok(not w.all_files(sc.cache_dir) and not w.all_files(sc.home_cache),
         f"{name}: no file created (XDG_CACHE_HOME and HOME)",
         f"{w.all_files(sc.cache_dir)} {w.all_files(sc.home_cache)}")

    # With a valid entry present: --no-cache neither reads nor touches it.
    first = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A])
    entry = w.only_entry(sc.cache_dir, "--no-cache then a cached run", w.key(ROLE_A))
    if entry is None:
        t.diag(first.describe())
        fail_all(t, [f"{name} with a valid entry present: STS called anyway, 'off' only",
                     f"{name} with a valid entry present: the entry is left untouched"])
    else:
        before = os.stat(entry)
        with open(entry, "rb") as f:
            content = f.read()
        r = w.run(sc, ENV_KEYS, args, v="-v")
        after = os.stat(entry)
        with open(entry, "rb") as f:
            same = f.read() == content
        t.is_((r.ok, w.sts_calls("AssumeRole"), r.cache_lines),
              (True, 7, [CACHE_PREFIX + "off"]),
              f"{name} with a valid entry present: STS called anyway, 'off' only")
        t.ok(same and (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns),
             f"{name} with a valid entry present: the entry is left untouched")

    # --no-cache wins over a --cache-dir that could not be used anyway.
    blocker = os.path.join(sc.root, "regular-file")
    with open(blocker, "w") as f:
        f.write("not a directory\n")
    r = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A, "--cache-dir",
                             os.path.join(blocker, "cache"), "--no-cache"], v="-vvv")
    t.is_((r.ok, r.cache_lines), (True, [CACHE_PREFIX + "off"]),
          f"{name} with an unusable --cache-dir: OK, 'off' only (no 'not used')")
    w.check_leaks(name)


def test_expiry(t, w):
    args = ["--role-arn"]

    name = "entry expiring in 4 min"
    sc = w.scenario(name)
    w.add_role(ROLE_SOON, expiration=in_minutes(4))
    r1 = w.run(sc, ENV_KEYS, args + [ROLE_SOON])
    t.ok(r1.ok and r1.signer == w.key(ROLE_SOON), f"{name}: first run OK", r1.describe())
    old = w.entries(sc.cache_dir)
    old_ino = os.stat(old[0]).st_ino if len(old) == 1 else None
    key = w.add_role(ROLE_SOON)["access_key"]  # STS now hands out new credentials, 1 h
    r2 = w.run(sc, ENV_KEYS, args + [ROLE_SOON])
    calls2 = w.sts_calls("AssumeRole")
    t.ok(r2.ok and r2.signer == key,
         f"{name}: the next run is OK and signed with the fresh credentials", r2.describe())
    t.is_(calls2, 2, f"{name}: refreshed: a second AssumeRole call")
    w.note(f"2 runs, entry expiring in 4 min: {plural(calls2, 'AssumeRole call')}")
    entry = w.only_entry(sc.cache_dir, name, key) or NO_FILE
    w.check_entry(entry, f"{name}: the file is rewritten (new inode) with the fresh key",
                  key=key, inode_not=old_ino)
    t.ok(r2.cache_line("stored", entry), f"{name}: -v says 'stored FILE' on the refresh",
         r2.cache_lines)
    r3 = w.run(sc, ENV_KEYS, args + [ROLE_SOON])
    t.is_((r3.ok, r3.signer, w.sts_calls("AssumeRole")), (True, key, 2),
          f"{name}: the refreshed entry (1 h) is then reused")
    w.check_leaks(name)

    for minutes, role_arn in ((60, ROLE_HOUR), (6, ROLE_SIX)):
        name = f"entry expiring in {minutes} min"
        sc = w.scenario(name)
        first_key = w.add_role(role_arn, expiration=in_minutes(minutes))["access_key"]
        r1 = w.run(sc, ENV_KEYS, args + [role_arn])
        # STS would now hand out other credentials: a reused entry still signs with the first.
        w.add_role(role_arn, expiration=in_minutes(minutes))
        r2 = w.run(sc, ENV_KEYS, args + [role_arn])
        calls = w.sts_calls("AssumeRole")
        t.ok(r1.ok and r2.ok and r1.signer == r2.signer == first_key,
             f"{name}: both runs OK, both signed with the first credentials",
             r1.describe() + "\n" + r2.describe())
        t.is_(calls, 1, f"{name}: not refreshed: 1 AssumeRole call for 2 runs")
        w.note(f"2 runs, entry expiring in {minutes} min: {plural(calls, 'AssumeRole call')}")
        w.check_leaks(name)


def bad_entry_variants(w, sc):
    """(name, how to spoil the entry at path); the spoiling may need root."""
    decoy = os.path.join(sc.root, "decoy")

    def overwrite(data):
        def spoil(path):
            with open(path, "r+b") as f:  # same file, same mode
                f.truncate(0)
                f.write(data(path) if callable(data) else data)
        return spoil

    def truncated(path):
        with open(path, "rb") as f:
            raw = f.read()
        return raw[:len(raw) // 2]

    def chmod(mode):
        return lambda path: os.chmod(path, mode)

    def foreign(path):
        os.chown(path, 65534, 65534)

    def symlink(path):
        with open(decoy, "w") as f:
            f.write("decoy: must not be written through\n")
        os.chmod(decoy, 0o600)
        os.unlink(path)
        os.symlink(decoy, path)

    return [
        ("garbage bytes", overwrite(bytes(range(256)) * 4 + b"\x00{\"Access")),
        ("an empty file", overwrite(b"")),
        ("truncated JSON", overwrite(truncated)),
        ("JSON of another shape", overwrite(b"{}")),
        ("JSON that is not an object", overwrite(b"[1, 2, 3]\n")),
        ("mode 0644", chmod(0o644)),
        ("mode 0640", chmod(0o640)),
        ("mode 0400", chmod(0o400)),
        ("owned by another user", foreign if os.geteuid() == 0 else None),
        ("a symlink to another file", symlink),
    ], decoy


def test_bad_entries(t, w):
    sc = w.scenario("bad entries")
    key = w.key(ROLE_A)
    args = ["--role-arn", ROLE_A, "--role-session-name", "bad-entries"]
    r = w.run(sc, ENV_KEYS, args)
    entry = w.only_entry(sc.cache_dir, "bad entries: first run", key)
    if entry is None:
        t.diag(r.describe())
        entry = os.path.join(sc.cache_dir, "0" * 64 + ".json")
    variants, decoy = bad_entry_variants(w, sc)
    for what, spoil in variants:
        name = f"cache file: {what}"
        points = [f"{name}: OK, signed with the role's key", f"{name}: not trusted: STS called",
                  f"{name}: -v says 'ignoring FILE: REASON', then 'stored FILE'",
                  f"{name}: replaced by a new file: JSON, mode 0600, ours"]
        if what.startswith("a symlink"):
            points.append(f"{name}: the file it pointed to is unchanged")
        if spoil is None:
            for point in points:
                t.skip(point, "needs root to give the file to another user")
            continue
        if not os.path.lexists(entry):
            fail_all(t, points, "no cache file to spoil")
            continue
        calls = w.sts_calls()
        spoil(entry)
        ino = os.lstat(entry).st_ino
        r = w.run(sc, ENV_KEYS, args)
        t.ok(r.ok and r.signer == key, points[0], r.describe())
        t.is_(w.sts_calls() - calls, 1, points[1])
        t.ok(r.cache_line("ignoring", entry) and r.cache_line("stored", entry), points[2],
             r.cache_lines)
        w.check_entry(entry, points[3], key=key, inode_not=ino)
        if what.startswith("a symlink"):
            with open(decoy) as f:
                t.is_(f.read(), "decoy: must not be written through\n", points[4])
    calls = w.sts_calls()
    r = w.run(sc, ENV_KEYS, args)
    t.ok(r.ok and w.sts_calls() == calls and r.cache_line("using", entry),
         "bad entries: the replaced file is then used", r.describe())
    w.check_leaks("bad entries")


def test_other_identity(t, w):
    name = "another identity's file"
    sc = w.scenario(name)
    key_a, key_b = w.key(ROLE_A), w.key(ROLE_B)
    ra = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A])
    file_a = w.entries(sc.cache_dir)
    rb = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_B])
    files = w.entries(sc.cache_dir)
    t.ok(ra.ok and rb.ok and (ra.signer, rb.signer) == (key_a, key_b) and len(file_a) == 1
         and len(files) == 2, f"{name}: role A then role B: OK, 2 files",
         ra.describe() + "\n" + rb.describe() + f"\nfiles: {files}")
    if len(file_a) != 1 or len(files) != 2:
        fail_all(t, [f"{name}: role B again: OK, signed with B's credentials (not A's)",
                     f"{name}: STS called for B", f"{name}: the call is for role B",
                     f"{name}: -v says 'ignoring FILE: REASON'",
                     f"{name}: B's file rewritten with B's credentials",
                     f"{name}: A's file is still used for A"], "no two files to swap")
        w.check_leaks(name)
        return
    file_a = file_a[0]
    file_b = [f for f in files if f != file_a][0]
    shutil.copyfile(file_a, file_b)  # B's name, A's content; B's mode and owner
    ino = os.stat(file_b).st_ino
    calls = w.sts_calls("AssumeRole")
    r = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_B], v="-vvv")
    t.ok(r.ok and r.signer == key_b, f"{name}: role B again: OK, signed with B's credentials "
                                     "(not A's)", r.describe())
    t.is_(w.sts_calls("AssumeRole") - calls, 1, f"{name}: STS called for B")
    t.is_(w.sts.last_request.params.get("RoleArn") if w.sts.requests else None, ROLE_B,
          f"{name}: the call is for role B")
    t.ok(r.cache_line("ignoring", file_b), f"{name}: -v says 'ignoring FILE: REASON'",
         r.cache_lines)
    w.check_entry(file_b, f"{name}: B's file rewritten with B's credentials", key=key_b,
                  not_key=key_a, inode_not=ino)
    calls = w.sts_calls("AssumeRole")
    r = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A])
    t.is_((r.ok, r.signer, w.sts_calls("AssumeRole") - calls), (True, key_a, 0),
          f"{name}: A's file is still used for A")
    w.check_leaks(name)


def identity_pair(t, w, name, first, second, keys, count=None, what="AssumeRole call"):
    """first/second: (scenario) -> (env, args); keys: the key that must sign each
    (one for both, or a pair); count: () -> fetches so far (default: AssumeRole
    calls). Runs first, second, first: 2 fetches, 2 files, the first reused."""
    sc = w.scenario(name)
    count = count or (lambda: w.sts_calls("AssumeRole"))
    key1, key2 = keys if isinstance(keys, tuple) else (keys, keys)
    runs, calls = [], []
    for make in (first, second, first):
        env, args = make(sc)
        runs.append(w.run(sc, env, args))
        calls.append(count())
    bad = [(i + 1, r) for i, (r, k) in enumerate(zip(runs, (key1, key2, key1)))
           if not (r.ok and r.signer == k)]
    t.ok(not bad, f"{name}: 3 runs OK, each signed with its identity's key",
         f"run {bad[0][0]}: {bad[0][1].describe()}" if bad else None)
    t.is_(calls, [1, 2, 2], f"{name}: 2 identities, 2 fetches, then the first file is reused")
    w.note(f"{name} (3 runs, 2 identities): {plural(calls[-1], what)}")
    found = w.entries(sc.cache_dir)
    t.is_(len(found), 2, f"{name}: 2 cache files") or t.diag(w.all_files(sc.cache_dir))
    w.check_leaks(name)
    return sc


def test_identities(t, w):
    key = w.key(ROLE_A)
    role = ["--role-arn", ROLE_A]
    identity_pair(t, w, "--external-id",
                  lambda sc: (ENV_KEYS, role + ["--external-id", "ext-1"]),
                  lambda sc: (ENV_KEYS, role + ["--external-id", "ext-2"]), key)
    identity_pair(t, w, "--role-session-name",
                  lambda sc: (ENV_KEYS, role + ["--role-session-name", "nagios-1"]),
                  lambda sc: (ENV_KEYS, role + ["--role-session-name", "nagios-2"]), key)
    identity_pair(t, w, "source access key id", lambda sc: (ENV_KEYS, role),
                  lambda sc: (SECOND_KEYS, role), key)
    t.is_([r.access_key for r in w.sts.requests], [e.TEST_ACCESS_KEY, SECOND_KEY],
          "source access key id: each source key signed its own AssumeRole")
    localhost = f"https://localhost:{w.sts.port}"
    identity_pair(t, w, "STS endpoint", lambda sc: ({**ENV_KEYS}, role),
                  lambda sc: ({**ENV_KEYS, "AWS_ENDPOINT_URL_STS": localhost}, role), key)

    creds = w.write("duration-credentials", f"[base]\naws_access_key_id = {BASE_KEY}\n"
                                            f"aws_secret_access_key = {BASE_SECRET}\n")
    config = os.path.join(w.files_dir, "duration-config")

    def profile(duration):
        def make(sc):
            w.write("duration-config", f"[default]\nrole_arn = {ROLE_PROFILE}\n"
                                       f"source_profile = base\nduration_seconds = {duration}\n")
            return {"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": config}, []
        return make

    identity_pair(t, w, "profile duration_seconds", profile(900), profile(1800),
                  w.key(ROLE_PROFILE))
    t.is_([r.params.get("DurationSeconds") for r in w.sts.requests], ["900", "1800"],
          "profile duration_seconds: each duration asked for")


def test_locations(t, w):
    key = w.key(ROLE_A)
    role = ["--role-arn", ROLE_A]

    def two_runs(sc, name, env, args, where):
        r1 = w.run(sc, {**ENV_KEYS, **env}, role + args)
        r2 = w.run(sc, {**ENV_KEYS, **env}, role + args)
        t.ok(r1.ok and r2.ok and r1.signer == r2.signer == key, f"{name}: 2 runs OK",
             r1.describe() + "\n" + r2.describe())
        t.is_(w.sts_calls("AssumeRole"), 1, f"{name}: 1 AssumeRole call for 2 runs")
        entry = w.only_entry(where, f"{name}: {os.path.relpath(where, sc.root)}", key) or NO_FILE
        t.ok(r1.cache_line("stored", entry) and r2.cache_line("using", entry),
             f"{name}: -v names the file in {os.path.basename(os.path.dirname(where))}/"
             f"{os.path.basename(where)}", r1.cache_lines + r2.cache_lines)
        w.check_dir(where, f"{name}: created with mode 0700")
        return r1, r2

    name = "--cache-dir"
    sc = w.scenario(name)
    custom = os.path.join(sc.root, "elsewhere")
    two_runs(sc, name, {}, ["--cache-dir", custom], custom)
    t.ok(not w.all_files(sc.cache_dir) and not w.all_files(sc.home_cache),
         f"{name}: nothing under XDG_CACHE_HOME or HOME", sc.cache_dir)

    name = "$HOME/.cache (XDG_CACHE_HOME unset)"
    sc = w.scenario(name)
    two_runs(sc, name, {"XDG_CACHE_HOME": None}, [], sc.home_cache)

    name = "$HOME/.cache (XDG_CACHE_HOME empty)"
    sc = w.scenario(name)
    two_runs(sc, name, {"XDG_CACHE_HOME": ""}, [], sc.home_cache)

    name = "$XDG_CACHE_HOME"
    sc = w.scenario(name)
    two_runs(sc, name, {}, [], sc.cache_dir)
    t.ok(not w.all_files(sc.home_cache), f"{name}: nothing under $HOME/.cache")

    name = "--cache-dir that exists (0700)"
    sc = w.scenario(name)
    custom = os.path.join(sc.root, "existing")
    os.mkdir(custom, 0o700)
    two_runs(sc, name, {}, ["--cache-dir", custom], custom)

    name = "--cache-dir under a regular file"
    sc = w.scenario(name)
    blocker = os.path.join(sc.root, "regular-file")
    with open(blocker, "w") as f:
        f.write("not a directory\n")
    runs = [w.run(sc, ENV_KEYS, role + ["--cache-dir", os.path.join(blocker, "cache")])
            for _ in range(2)]
    t.ok(all(r.ok and r.signer == key for r in runs), f"{name}: the check runs and says OK",
         runs[0].describe())
    t.ok(all(any(l.startswith(CACHE_PREFIX + "not used: ") and len(l) > len(
        CACHE_PREFIX + "not used: ") for l in r.cache_lines) for r in runs),
         f"{name}: -v says 'credential cache: not used: REASON'", runs[0].cache_lines)
    t.is_(w.sts_calls("AssumeRole"), 2, f"{name}: no cache: one AssumeRole call per run")
    with open(blocker) as f:
        t.is_(f.read(), "not a directory\n", f"{name}: the file in the way is untouched")
    w.note(f"2 runs, cache directory cannot be created: "
           f"{plural(w.sts_calls('AssumeRole'), 'AssumeRole call')}")

    name = "--cache-dir owned by another user"
    if os.geteuid() != 0:
        for _ in range(2):
            t.skip(name, "needs root to give the directory to another user")
    else:
        sc = w.scenario(name)
        custom = os.path.join(sc.root, "foreign")
        os.mkdir(custom, 0o700)
        os.chown(custom, 65534, 65534)
        r = w.run(sc, ENV_KEYS, role + ["--cache-dir", custom])
        t.ok(r.ok and r.signer == key and any(l.startswith(CACHE_PREFIX + "not used: ")
                                              for l in r.cache_lines),
             f"{name}: OK, -v says 'not used: REASON'", r.describe())
        t.is_(w.all_files(custom), [], f"{name}: nothing written in it")

    name = "--cache-dir of mode 0777"
    sc = w.scenario(name)
    custom = os.path.join(sc.root, "open")
    os.mkdir(custom)
    os.chmod(custom, 0o777)
    r = w.run(sc, ENV_KEYS, role + ["--cache-dir", custom])
    mode = stat.S_IMODE(os.stat(custom).st_mode)
    found = w.entries(custom)
    refused = any(l.startswith(CACHE_PREFIX + "not used: ") for l in r.cache_lines)
    t.ok(r.ok and r.signer == key, f"{name}: OK", r.describe())
    t.ok((mode == 0o700 and len(found) == 1) or (refused and not found),
         f"{name}: either made 0700 and used, or not used (and nothing written)",
         f"mode {mode:04o}, files {w.all_files(custom)}, lines {r.cache_lines}")
    w.check_leaks("cache locations")


def test_not_cached(t, w):
    """Static keys are never written; neither is a failure."""
    name = "static keys"
    sc = w.scenario(name)
    profile = {"AWS_SHARED_CREDENTIALS_FILE": w.write(
        "static-credentials", f"[default]\naws_access_key_id = {BASE_KEY}\n"
                              f"aws_secret_access_key = {BASE_SECRET}\n"),
        "AWS_CONFIG_FILE": w.write("static-config", "")}
    helper = w.write("static-helper.sh",
                     "#!/bin/sh\necho run >> \"$0.count\"\nprintf '%s' '{\"Version\": 1, "
                     f"\"AccessKeyId\": \"{PROC_KEY}\", \"SecretAccessKey\": \"{PROC_SECRET}\", "
                     f"\"SessionToken\": \"{PROC_TOKEN}\"}}'\n", mode=0o700)
    process = {"AWS_SHARED_CREDENTIALS_FILE": profile["AWS_SHARED_CREDENTIALS_FILE"],
               "AWS_CONFIG_FILE": w.write("static-process-config",
                                          f"[profile helper]\ncredential_process = {helper}\n"),
               "AWS_PROFILE": "helper"}
    for what, env, key in (("environment keys", ENV_KEYS, e.TEST_ACCESS_KEY),
                           ("profile static keys", profile, BASE_KEY),
                           ("credential_process without Expiration", process, PROC_KEY)):
        runs = [w.run(sc, env, [], v=v) for v in ("-v", "-vvv", "-v")]
        t.ok(all(r.ok and r.signer == key for r in runs), f"{what}: 3 runs OK",
             runs[0].describe())
        t.ok(not any(l.startswith((CACHE_PREFIX + "stored", CACHE_PREFIX + "using"))
                     for r in runs for l in r.cache_lines),
             f"{what}: -v never says 'stored' or 'using'", runs[0].cache_lines)
        t.is_(w.entries(sc.cache_dir) + w.entries(sc.home_cache), [],
              f"{what}: never written to the cache")
    with open(helper + ".count") as f:
        t.is_(len(f.read().split()), 3, "credential_process without Expiration: run every time")
    w.check_leaks(name)

    name = "STS failure"
    sc = w.scenario(name)
    w.sts.fail_next("AccessDenied", "scripted denial")
    r1 = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A])
    t.ok(r1.code == e.UNKNOWN and "AccessDenied" in r1.line, f"{name}: UNKNOWN", r1.describe())
    t.is_(w.entries(sc.cache_dir), [], f"{name}: nothing cached")
    r2 = w.run(sc, ENV_KEYS, ["--role-arn", ROLE_A])
    t.ok(r2.ok and r2.signer == w.key(ROLE_A) and w.sts_calls() == 2,
         f"{name}: the next run asks STS again and is OK", r2.describe())
    w.check_leaks(name)


def test_other_sources(t, w):
    imds = {"AWS_EC2_METADATA_DISABLED": None,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": w.imds.url}
    name = "EC2 instance metadata"
    sc = w.scenario(name)
    w.imds.expires_in(6 * 3600)
    runs = [w.run(sc, imds) for _ in range(5)]
    gets = w.imds_credential_gets()
    t.ok(all(r.ok and r.signer == mock_metadata.IMDS_ACCESS_KEY for r in runs),
         f"{name}: 5 runs OK, signed with the instance role", runs[0].describe())
    t.is_(gets, 1, f"{name}: the credentials fetched once for 5 runs")
    w.note(f"5 runs, {name}: {plural(gets, 'credential request')}")
    w.only_entry(sc.cache_dir, name, mock_metadata.IMDS_ACCESS_KEY)

    name = "EC2 instance metadata expiring in 4 min"
    sc = w.scenario(name)
    w.imds.expires_in(240)
    runs = [w.run(sc, imds) for _ in range(3)]
    w.imds.expires_in(6 * 3600)
    gets = w.imds_credential_gets()
    t.ok(all(r.ok for r in runs), f"{name}: 3 runs OK", runs[0].describe())
    t.is_(gets, 3, f"{name}: fetched on every run")
    w.note(f"3 runs, {name}: {plural(gets, 'credential request')}")

    name = "container credentials"
    sc = w.scenario(name)
    container = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": w.container.full_uri,
                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": POD_TOKEN}
    runs = [w.run(sc, container) for _ in range(5)]
    t.ok(all(r.ok and r.signer == mock_metadata.CONTAINER_ACCESS_KEY for r in runs),
         f"{name}: 5 runs OK, signed with the task role", runs[0].describe())
    t.is_(w.container.count, 1, f"{name}: the endpoint asked once for 5 runs")
    w.note(f"5 runs, {name}: {plural(w.container.count, 'request')}")
    w.only_entry(sc.cache_dir, name, mock_metadata.CONTAINER_ACCESS_KEY)

    name = "credential_process with Expiration"
    sc = w.scenario(name)
    expiration = in_minutes(60).strftime("%Y-%m-%dT%H:%M:%SZ")
    helper = w.write("expiring-helper.sh",
                     "#!/bin/sh\necho \"$1\" >> \"$0.count\"\nprintf '%s' '{\"Version\": 1, "
                     f"\"AccessKeyId\": \"{PROC_KEY}\", \"SecretAccessKey\": \"{PROC_SECRET}\", "
                     f"\"SessionToken\": \"{PROC_TOKEN}\", \"Expiration\": \"{expiration}\"}}'\n",
                     mode=0o700)

    def process(arg):
        return {"AWS_CONFIG_FILE": w.write(f"process-config-{arg}",
                                           f"[default]\ncredential_process = {helper} {arg}\n"),
                "AWS_SHARED_CREDENTIALS_FILE": w.write("process-credentials", "")}

    runs = [w.run(sc, process("one")) for _ in range(5)]
    with open(helper + ".count") as f:
        count = len(f.read().split())
    t.ok(all(r.ok and r.signer == PROC_KEY for r in runs), f"{name}: 5 runs OK",
         runs[0].describe())
    t.is_(count, 1, f"{name}: the helper ran once for 5 runs")
    w.note(f"5 runs, {name}: helper ran {plural(count, 'time')}")
    w.only_entry(sc.cache_dir, name, PROC_KEY)
    r = w.run(sc, process("two"))
    with open(helper + ".count") as f:
        count = len(f.read().split())
    t.ok(r.ok and count == 2 and len(w.entries(sc.cache_dir)) == 2,
         f"{name}: another command line is another identity (helper runs, 2 files)",
         f"count {count}, files {w.all_files(sc.cache_dir)}\n{r.describe()}")

    name = "role chain b -> a -> base"
    sc = w.scenario(name)
    files = {"AWS_SHARED_CREDENTIALS_FILE": w.write(
        "chain-credentials", f"[base]\naws_access_key_id = {BASE_KEY}\n"
                             f"aws_secret_access_key = {BASE_SECRET}\n"),
        "AWS_CONFIG_FILE": w.write("chain-config",
                                   f"[profile a]\nrole_arn = {ROLE_CHAIN_A}\nsource_profile = base\n"
                                   f"[profile b]\nrole_arn = {ROLE_CHAIN_B}\nsource_profile = a\n"),
        "AWS_PROFILE": "b"}
    runs = [w.run(sc, files) for _ in range(3)]
    calls = w.sts_calls("AssumeRole")
    t.ok(all(r.ok and r.signer == w.key(ROLE_CHAIN_B) for r in runs),
         f"{name}: 3 runs OK, signed with b's credentials", runs[0].describe())
    t.is_(calls, 2, f"{name}: 2 AssumeRole calls (a, then b) for 3 runs")
    w.note(f"3 runs, {name}: {plural(calls, 'AssumeRole call')}")
    w.check_leaks("other sources")


def sso_config(session, start_url, account=SSO_ACCOUNT, role=SSO_ROLE):
    return (f"[default]\nsso_session = {session}\nsso_account_id = {account}\n"
            f"sso_role_name = {role}\nregion = us-east-1\n"
            f"[sso-session {session}]\nsso_start_url = {start_url}\nsso_region = {SSO_REGION}\n"
            "sso_registration_scopes = sso:account:access\n")


def test_sso(t, w):
    """IAM Identity Center: the role credentials GetRoleCredentials hands out are
    cached; the SSO token cache `aws sso login` leaves is the source."""
    sso = w.sso

    def portal_calls():
        return len(sso.requests_for(mock_sso.OP_GET_ROLE_CREDENTIALS))

    def profile(session, start_url, token, account=SSO_ACCOUNT, role=SSO_ROLE, tag="sso"):
        def make(sc):
            w.sso_token(sc, session, start_url, token)
            env = {"AWS_CONFIG_FILE": w.write(f"{tag}-config",
                                              sso_config(session, start_url, account, role)),
                   "AWS_SHARED_CREDENTIALS_FILE": w.write(f"{tag}-credentials", "")}
            return env, []
        return make

    name = "SSO profile"
    sc = w.scenario(name)
    env, _ = profile(SSO_SESSION, SSO_START_URL, SSO_TOKEN)(sc)
    key = w.sso_role(SSO_TOKEN)["access_key"]
    runs = [w.run(sc, env, [], v=VERBOSITIES[i % len(VERBOSITIES)]) for i in range(5)]
    calls = portal_calls()
    t.ok(all(r.ok and r.signer == key for r in runs), f"{name}: 5 runs OK, signed with the "
                                                      "SSO role credentials", runs[0].describe())
    t.is_(calls, 1, f"{name}: 1 GetRoleCredentials call for 5 runs")
    w.note(f"5 runs, {name}: {plural(calls, 'GetRoleCredentials call')}")
    entry = w.only_entry(sc.cache_dir, name, key) or NO_FILE
    t.ok(runs[0].cache_line("stored", entry) and runs[1].cache_line("using", entry),
         f"{name}: -v says 'stored FILE', then 'using FILE'", runs[0].cache_lines)
    w.check_leaks(name)

    identity_pair(t, w, "SSO account and role",
                  profile(SSO_SESSION, SSO_START_URL, SSO_TOKEN),
                  profile(SSO_SESSION, SSO_START_URL, SSO_TOKEN, SSO_DEV_ACCOUNT, SSO_DEV_ROLE),
                  (key, w.sso_role(SSO_TOKEN, SSO_DEV_ACCOUNT, SSO_DEV_ROLE)["access_key"]),
                  portal_calls, "GetRoleCredentials call")
    identity_pair(t, w, "SSO start URL",
                  profile(SSO_SESSION, SSO_START_URL, SSO_TOKEN),
                  profile(SSO_SESSION_2, SSO_START_URL_2, SSO_TOKEN_2),
                  (key, w.sso_role(SSO_TOKEN_2)["access_key"]),
                  portal_calls, "GetRoleCredentials call")

    name = "SSO role credentials expiring in 4 min"
    sc = w.scenario(name)
    w.sso_role(SSO_TOKEN_SOON)["expiration"] = in_minutes(4)  # from now, whatever ran before
    env, _ = profile(SSO_SESSION, SSO_START_URL, SSO_TOKEN_SOON)(sc)
    runs = [w.run(sc, env) for _ in range(3)]
    calls = portal_calls()
    t.ok(all(r.ok and r.signer == w.sso_role(SSO_TOKEN_SOON)["access_key"] for r in runs),
         f"{name}: 3 runs OK", runs[0].describe())
    t.is_(calls, 3, f"{name}: fetched on every run")
    w.note(f"3 runs, {name}: {plural(calls, 'GetRoleCredentials call')}")
    w.check_leaks("SSO")


def test_lock_held(t, w):
    name = "lock held by another process"
    sc = w.scenario(name)
    key = w.key(ROLE_A)
    args = ["--role-arn", ROLE_A, "--role-session-name", "lock-test"]
    r = w.run(sc, ENV_KEYS, args)
    found = w.entries(sc.cache_dir)
    others = [n for n in w.all_files(sc.cache_dir) if not ENTRY_RE.match(n)]
    lock = None
    if len(found) == 1:
        mine = os.path.basename(found[0])[:64] + ".lock"
        lock = mine if mine in others else others[0] if len(others) == 1 else None
    if not t.ok(lock is not None, f"{name}: a lock file is in the directory after a run",
                f"files: {w.all_files(sc.cache_dir)}\n{r.describe()}"):
        fail_all(t, [f"{name}: the run fetches on its own or says 'timeout after {T_LOCK} s'",
                     f"{name}: the run ends by itself (not killed)",
                     f"{name}: ends within -t {T_LOCK} + 1 s",
                     f"{name}: lock released: the next run is OK and leaves an entry"],
                 "no lock file to hold")
        w.check_leaks(name)
        return
    lock = os.path.join(sc.cache_dir, lock)
    os.unlink(found[0])  # a miss: the run wants the lock
    calls = w.sts_calls("AssumeRole")
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = w.run(sc, ENV_KEYS, args + ["-t", str(T_LOCK)], timeout=T_LOCK + 30)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    timed_out = r.code == e.UNKNOWN and re.match(
        rf"{PREFIX} UNKNOWN - timeout after {T_LOCK} s\b", r.line) is not None
    fetched = r.ok and r.signer == key and w.sts_calls("AssumeRole") == calls + 1
    t.ok(timed_out or fetched, f"{name}: the run fetches on its own or says 'timeout after "
                               f"{T_LOCK} s'", r.describe())
    t.ok(r.code is not None, f"{name}: the run ends by itself (not killed)")
    t.timing(r.elapsed < T_LOCK + 1, f"{name}: ends within -t {T_LOCK} + 1 s",
             f"{r.elapsed:.2f} s")
    w.note(f"{name}: {'fetched on its own' if fetched else 'timed out' if timed_out else 'neither'}"
           f" after {r.elapsed:.1f} s (-t {T_LOCK})")
    r = w.run(sc, ENV_KEYS, args)
    t.ok(r.ok and r.signer == key and len(w.entries(sc.cache_dir)) == 1,
         f"{name}: lock released: the next run is OK and leaves an entry", r.describe())
    w.check_leaks(name)


def test_disk(t, w):
    """After everything: no secret in any file but a cache entry, nothing left in
    TMPDIR, and the cache directories hold only entries and lock files."""
    secrets = w.secrets()
    leaks, tmp_left, strays = [], [], []
    for sc in w.scenarios:
        tmp_left += [os.path.join(sc.tmp, n) for n in os.listdir(sc.tmp)]
        for top, dirs, names in os.walk(sc.root):
            for n in names:
                path = os.path.join(top, n)
                if path in w.own_files or os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        text = f.read().decode("utf-8", "replace")
                except OSError:
                    continue
                allowed = ENTRY_RE.match(n) is not None
                if any(s in text for s in (w.source_secrets() if allowed else secrets)):
                    leaks.append(path)
            if os.path.basename(top) == SUBDIR or any(ENTRY_RE.match(n) for n in names):
                others = [n for n in names if not ENTRY_RE.match(n)]
                if not (all(LOCK_RE.match(n) for n in others) or len(others) == 1):
                    strays.append((top, others))
    t.ok(not leaks, "on disk: secrets only in cache entries, source secrets nowhere",
         f"{leaks[:5]}")
    t.ok(not tmp_left, "TMPDIR is left empty (the temporary file is in the cache directory)",
         f"{tmp_left[:5]}")
    t.ok(not strays, "cache directories hold only <hash>.json files and lock files "
                     "(no temporary file left behind)", f"{strays[:5]}")


def main():
    e.require_botocore()
    e.require_plugin()
    t = e.Tap()
    started = time.monotonic()
    with e.mock_fixture() as fx, \
            mock_sts.MockSTS(fx.pki, {e.TEST_ACCESS_KEY: {"secret": e.TEST_SECRET_KEY},
                                      BASE_KEY: {"secret": BASE_SECRET},
                                      SECOND_KEY: {"secret": SECOND_SECRET}}) as sts, \
            mock_metadata.MockIMDS() as imds, \
            mock_metadata.MockContainerCreds(token=POD_TOKEN) as container, \
            mock_sso.MockSSO(fx.pki) as sso:
        fx.mock.set_table(ARN, lambda: mock_aws.job("Successful", last_run=3600))
        fx.mock.credentials[BASE_KEY] = {"secret": BASE_SECRET}
        fx.mock.credentials[SECOND_KEY] = {"secret": SECOND_SECRET}
        fx.mock.credentials[PROC_KEY] = {"secret": PROC_SECRET, "token": PROC_TOKEN}
        for key, secret, token in [
                (mock_metadata.IMDS_ACCESS_KEY, mock_metadata.IMDS_SECRET_KEY,
                 mock_metadata.IMDS_SESSION_TOKEN),
                (mock_metadata.CONTAINER_ACCESS_KEY, mock_metadata.CONTAINER_SECRET_KEY,
                 mock_metadata.CONTAINER_SESSION_TOKEN)]:
            fx.mock.credentials[key] = {"secret": secret, "token": token}
        w = World(t, fx, sts, imds, container, sso)
        for token, account, role, expiration in [
                (SSO_TOKEN, SSO_ACCOUNT, SSO_ROLE, None),
                (SSO_TOKEN, SSO_DEV_ACCOUNT, SSO_DEV_ROLE, None),
                (SSO_TOKEN_2, SSO_ACCOUNT, SSO_ROLE, None),
                (SSO_TOKEN_SOON, SSO_ACCOUNT, SSO_ROLE, None)]:
            entry = sso.add_role_credentials(token, account, role, expiration=expiration)
            fx.mock.credentials[entry["access_key"]] = {"secret": entry["secret"],
                                                        "token": entry["token"]}
            w.role_secrets += [entry["secret"], entry["token"]]
        for role_arn in ROLES:
            w.add_role(role_arn)
        w.add_role(ROLE_WEB, web_identity_token=JWT)
        w.sts.roles[ROLE_CHAIN_B]["allowed_sources"] = {w.key(ROLE_CHAIN_A)}
        for test in (test_sequential, test_parallel, test_no_cache, test_expiry,
                     test_bad_entries, test_other_identity, test_identities, test_locations,
                     test_not_cached, test_other_sources, test_sso, test_lock_held, test_disk):
            test(t, w)
        t.diag("")
        t.diag("summary of fetches:")
        for line in w.summary:
            t.diag(f"  {line}")
        t.diag(f"runtime {time.monotonic() - started:.1f} s")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
