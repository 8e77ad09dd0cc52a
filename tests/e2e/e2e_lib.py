"""e2e_lib - small harness for the TAP end-to-end tests (tests/e2e/e2e_*.py).

Why: each e2e test runs the real plugin binary against mock_aws and must
(a) speak TAP for automake's tap-driver, (b) never let the caller's
environment (AWS_* variables, proxies, ~/.aws) leak into the plugin, and
(c) never reach anything but 127.0.0.1.  This module holds the pieces
every such test needs so the tests themselves stay short.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# The mocks live in tests/mock (make check sets PYTHONPATH; this is for
# running a test by hand).
_MOCKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock")
if os.path.abspath(_MOCKS) not in map(os.path.abspath, sys.path):
    sys.path.append(_MOCKS)

import mock_aws  # noqa: E402

DEFAULT_PLUGIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plugin",
                              "check_s3tables_expiration")

# Nagios exit codes.
OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3

# Set by 'make check-valgrind': the plugin runs under valgrind, which makes
# it many times slower, so elapsed-time assertions are skipped (timing() says
# so in the TAP output) while every other assertion still holds.
UNDER_VALGRIND = os.environ.get("E2E_VALGRIND") == "1"

# Sanitizer settings a CI build passes down to the plugin.
_PASSED_THROUGH = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")

TEST_ACCESS_KEY = "AKIDTEST"
TEST_SECRET_KEY = "testSecret/Key+0123456789abcdefghijklmnop"

# Hosts the mock's certificate is valid for besides localhost/127.0.0.1:
# the plugin's default endpoints for a few regions/partitions (reached
# through mock_aws.ConnectProxy, never through DNS).
DEFAULT_HOSTNAMES = (
    "s3tables.us-east-1.amazonaws.com",
    "s3tables.us-west-2.amazonaws.com",
    "s3tables.eu-west-1.amazonaws.com",
    "s3tables.cn-north-1.amazonaws.com.cn",
    "s3tables.us-gov-east-1.amazonaws.com",
    "s3tables-fips.us-east-1.amazonaws.com",
)


# --------------------------------------------------------------------------
# TAP
# --------------------------------------------------------------------------


class Tap:
    """Minimal TAP producer; the plan is printed last, by done()."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.count = 0
        self.failed = 0

    def _emit(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    @staticmethod
    def _clean(name):
        """'#' would start a TAP directive and newlines would end the line."""
        return " ".join(str(name).split()).replace("#", "\\#")

    def diag(self, message):
        """Comment lines (shown by the driver's log, ignored by the parser)."""
        for line in str(message).splitlines() or [""]:
            self._emit(f"# {line}")

    def ok(self, cond, name, diag=None):
        """One test point; diag is printed only on failure. Returns cond."""
        self.count += 1
        if cond:
            self._emit(f"ok {self.count} - {self._clean(name)}")
        else:
            self.failed += 1
            self._emit(f"not ok {self.count} - {self._clean(name)}")
            if diag is not None:
                self.diag(diag)
        return bool(cond)

    def is_(self, got, want, name):
        """Equality test point that shows got/want on failure."""
        return self.ok(got == want, name, f"     got: {got!r}\nexpected: {want!r}")

    def like(self, got, pattern, name):
        """Regex (re.search) test point that shows the text on failure."""
        matched = got is not None and re.search(pattern, got) is not None
        return self.ok(matched, name, f"     got: {got!r}\n    like: {pattern!r}")

    def timing(self, cond, name, diag=None):
        """An elapsed-time assertion: skipped under valgrind, where time means nothing."""
        if UNDER_VALGRIND:
            return self.skip(name, "elapsed time is not measured under valgrind")
        return self.ok(cond, name, diag)

    def skip(self, name, reason=""):
        """A test point that was not run (counts as passed)."""
        self.count += 1
        self._emit(f"ok {self.count} - {self._clean(name)} # SKIP {self._clean(reason)}")

    def done(self):
        """Print the plan; return the exit status (1 if any test failed)."""
        self._emit(f"1..{self.count}")
        return 1 if self.failed else 0


def skip_all(reason):
    """Skip the whole test file (TAP '1..0 # SKIP') and exit successfully."""
    print(f"1..0 # SKIP {reason}", flush=True)
    sys.exit(0)


def require_botocore():
    """Skip the file when botocore is missing: the mock cannot verify SigV4."""
    if mock_aws.BOTOCORE_IMPORT_ERROR is not None:
        skip_all("botocore not importable")


def plugin_path():
    """The binary under test: $PLUGIN (set by 'make check') or the default."""
    return os.environ.get("PLUGIN") or DEFAULT_PLUGIN


def require_plugin():
    """Skip the file when the plugin has not been built yet."""
    if not os.access(plugin_path(), os.X_OK):
        skip_all(f"plugin not built: {plugin_path()}")


# --------------------------------------------------------------------------
# Running the plugin
# --------------------------------------------------------------------------


def stage_plugin(dest):
    """Copies of the plugin under test in dest, laid out as in the tree, for
    a user who cannot reach this checkout (one under /root, say, when a
    monitoring engine's daemon runs as nagios): dest/plugin/ holds the
    binary and, when $PLUGIN is a wrapper such as valgrind-plugin.sh,
    dest/tests/e2e/ a copy of it, which finds the binary two levels up as
    the original does. Everything is world-readable; returns the path to
    run instead of plugin_path()."""
    plugin = os.path.abspath(plugin_path())
    binary = os.path.abspath(DEFAULT_PLUGIN)
    copies = {binary: os.path.join(dest, "plugin", os.path.basename(binary))}
    if plugin != binary:
        copies[plugin] = os.path.join(dest, "tests", "e2e", os.path.basename(plugin))
    for src, dst in copies.items():
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    for root, _, files in os.walk(dest):
        os.chmod(root, 0o755)
        for name in files:
            path = os.path.join(root, name)
            os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)
    return copies[plugin]


def run_plugin(args, env=None, timeout=30, prefix=None):
    """Run the plugin with a clean environment; return (code, stdout, stderr, elapsed).

    Only PATH, LC_ALL=C, HOME (a fresh empty directory, so no
    ~/.aws/credentials is found) and AWS_EC2_METADATA_DISABLED=true are
    set, plus env; a None value in env
    removes a variable.  Nothing from the caller's AWS_* or proxy variables
    gets through.  On timeout the plugin is killed and code is None; if
    the binary cannot be started, code is 127.  prefix, a list, is a
    wrapper command the plugin runs under (e.g. ["unshare", "-n"]).
    """
    home = tempfile.mkdtemp(prefix="e2e-home-")
    # With no credentials the chain's last step asks the EC2 metadata
    # service at 169.254.169.254: never from a test. A test of that step
    # points AWS_EC2_METADATA_SERVICE_ENDPOINT at a mock and removes this.
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": home,
                "AWS_EC2_METADATA_DISABLED": "true"}
    full_env.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = str(value)
    started = time.monotonic()
    try:
        try:
            proc = subprocess.Popen(
                [str(p) for p in prefix or []] + [plugin_path()] + [str(a) for a in args],
                env=full_env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        except OSError as exc:  # not built / not executable: answer like a shell
            name = prefix[0] if prefix else plugin_path()
            return 127, "", f"{name}: {exc}\n", time.monotonic() - started
        try:
            out, err = proc.communicate(timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            code = None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    elapsed = time.monotonic() - started
    return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed


def first_line(stdout):
    """The Nagios status line (first line of output), without its newline."""
    return stdout.split("\n", 1)[0].rstrip("\r")


_VALUE_RE = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|U)(.*)$")


def _number(text):
    """float for numeric fields, None for empty ones, the text otherwise."""
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _perf_tokens(text):
    """Yield (label, data) pairs; labels may be 'quoted' with '' for a quote."""
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return
        if text[i] == "'":
            label, i = "", i + 1
            while i < n:
                if text[i] == "'" and text[i + 1:i + 2] == "'":
                    label, i = label + "'", i + 2
                elif text[i] == "'":
                    i += 1
                    break
                else:
                    label, i = label + text[i], i + 1
        else:
            start = i
            while i < n and text[i] != "=" and not text[i].isspace():
                i += 1
            label = text[start:i]
        if i >= n or text[i] != "=":
            yield label, None  # malformed: a label without '='
            continue
        start = i + 1
        while i < n and not text[i].isspace():
            i += 1
        yield label, text[start:i]


def perfdata(stdout):
    """Parse the first line's performance data.

    Returns {label: (value, uom, warn, crit, min, max)}: value is a float
    (or the raw text, e.g. 'U'), uom a str ('' if none), warn/crit the
    range strings or None, min/max floats or None.  A malformed item maps
    to None so tests can notice it.
    """
    line = first_line(stdout)
    if "|" not in line:
        return {}
    result = {}
    for label, data in _perf_tokens(line.split("|", 1)[1]):
        if data is None:
            result[label] = None
            continue
        fields = (data.split(";") + [""] * 5)[:5]
        match = _VALUE_RE.match(fields[0])
        if not match:
            result[label] = None
            continue
        value = match.group(1)
        result[label] = (
            value if value == "U" else float(value), match.group(2),
            fields[1] or None, fields[2] or None, _number(fields[3]), _number(fields[4]),
        )
    return result


# --------------------------------------------------------------------------
# Mock fixture
# --------------------------------------------------------------------------


class Fixture:
    """A running MockS3Tables with a fresh PKI, and how to point the plugin at it.

    .mock, .pki, .tmpdir; .env = {AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY};
    .args = ['--endpoint-url', mock url, '--ca-file', CA path].
    Use as a context manager, or call close().
    """

    def __init__(self, hostnames=DEFAULT_HOSTNAMES, credentials=None, expected_region=None):
        self.tmpdir = tempfile.mkdtemp(prefix="e2e-mock-")
        self.proxy = None
        try:
            self.pki = mock_aws.make_pki(os.path.join(self.tmpdir, "pki"), hostnames)
            creds = {TEST_ACCESS_KEY: {"secret": TEST_SECRET_KEY}}
            creds.update(credentials or {})
            self.mock = mock_aws.MockS3Tables(self.pki, creds)
            self.mock.expected_region = expected_region
            self.mock.start()
        except BaseException:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise
        self.env = {"AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY": TEST_SECRET_KEY}
        self.args = ["--endpoint-url", self.mock.url, "--ca-file", self.pki.ca_cert]

    def start_proxy(self):
        """Start a ConnectProxy to the mock; return env to make the plugin use it."""
        if self.proxy is None:
            self.proxy = mock_aws.ConnectProxy(self.mock.port).start()
        return {"https_proxy": self.proxy.url, "HTTPS_PROXY": self.proxy.url}

    def close(self):
        if self.proxy is not None:
            self.proxy.stop()
        self.mock.stop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def mock_fixture(hostnames=DEFAULT_HOSTNAMES, credentials=None, expected_region=None):
    """Build PKI + MockS3Tables with the standard test credentials (started)."""
    return Fixture(hostnames, credentials, expected_region)


def human_duration(seconds):
    """The plugin's human_duration(), for lines that depend on the clock."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


# --------------------------------------------------------------------------
# Scripted times
# --------------------------------------------------------------------------


def whole_seconds_ago(seconds, millis=False):
    """A timestamp exactly `seconds` before the current whole second.

    Called when the mock answers. Late in a second it first waits for the
    next one, so the plugin reads its clock (a few ms later) in the same
    second and sees exactly `seconds`. millis: with ".000" before the Z."""
    now = time.time()
    if now % 1 > (0.2 if UNDER_VALGRIND else 0.5):
        time.sleep(1.01 - now % 1)
    when = dt.datetime.fromtimestamp(int(time.time()) - seconds, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z" if millis else "%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """A run's 'now' for ages scripted before it starts: base, a whole
    second, and the timestamps of last runs relative to it."""

    def __init__(self):
        self.base = int(time.time())

    def start(self):
        """Early in a second (waits for the next one if need be): the run's base."""
        frac = time.time() % 1
        if frac > 0.3:
            time.sleep(1.01 - frac)
        self.base = int(time.time())

    def stamp(self, age):
        """ISO-8601 UTC, whole seconds, `age` seconds before base."""
        when = dt.datetime.fromtimestamp(self.base - age, dt.timezone.utc)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
