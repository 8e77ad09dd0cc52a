#!/usr/bin/env python3
"""bench/bucket.py - what bucket mode saves: one run per bucket vs one run per table.

What it measures
----------------
The plugin can check a whole table bucket in one process
(``-b BUCKET_ARN --parallel P``: ListTables, then every table's job status
fetched concurrently over one libcurl multi handle, i.e. one connection
pool), or a monitoring core can run it once per table (``-a TABLE_ARN``, a
fresh process each time).  This script puts a number on the difference.

It starts tests/mock/mock_aws.py's HTTPS mock of S3 Tables on 127.0.0.1 with one
bucket of N tables (default 1000), every one with a Successful
record-expiration job that ran an hour ago, and measures

  (a) one bucket-mode run per P in --parallel (default 8 and 32), repeated
      --repeat times (default 3; the run of median CPU is reported), and
  (b) N single-table runs, one ``-a ARN`` per table, run one after the other
      as a monitoring core would, each a fresh process.

For each it reports

  * CPU of the plugin processes only (user + sys, from os.wait4() of each
    child).  The mock is CPU-bound Python (botocore re-computes every SigV4
    signature) and runs in this script's own threads, so it is not counted;
  * wall time (dominated by the mock, which is single-core Python: read it as
    an upper bound, not as what AWS would take);
  * HTTP requests the mock received, per operation, and TLS handshakes
    (= connections the plugin opened);
  * instructions executed by the plugin under ``valgrind --tool=callgrind``:
    the bucket run once, and the single run for a sample of K tables
    (default 20), whose mean is multiplied by N.  That N-run figure is an
    EXTRAPOLATION and is labelled so in the output.

Every run must exit 0 and the bucket run's first line must say
``N tables: N ok``; otherwise the script stops with exit status 1.

The target checked: a bucket run costs at most 2 % of the CPU of the N
single runs, with one TLS handshake per pooled connection (handshakes <=
P + 1: P job-status connections, ListTables' connection being reused).

How to run
----------
From the top of the tree, after ``make``::

    bench/bucket.py                 # 1000 tables, P = 8 and 32, K = 20 (~3 min on 2 cores)
    bench/bucket.py --quick         # 200 tables, K = 5 (under a minute)
    bench/bucket.py --tables 500 --parallel 8 --sample 10 --no-callgrind
    bench/bucket.py --system-cas    # CA bundle = system bundle + mock CA (production-sized);
                                    # no callgrind part (see --help)

Needs python3 with botocore and the openssl command (as ``make check``);
valgrind is optional (the callgrind part is skipped with a note without it).
Not part of ``make check``.  Exit status: 0 targets met, 1 a run failed,
2 every run was fine but a target was missed.
"""

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "mock"))
sys.path.insert(1, os.path.join(TOP, "tests", "e2e"))

import mock_aws  # noqa: E402

BUCKET_ARN = "arn:aws:s3tables:us-east-1:111122223333:bucket/bench-bucket"
NAMESPACE = "bench"
ACCESS_KEY = "AKIDBENCH0000000001"
SECRET_KEY = "benchSecret/Key+0123456789abcdefghijklmn"
CPU_TARGET = 0.02  # bucket run <= 2 % of the CPU of the N single runs


# --------------------------------------------------------------------------
# Running the plugin
# --------------------------------------------------------------------------


class Run:
    """One finished plugin process."""

    def __init__(self, code, stdout, stderr, wall, user, sys_):
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.wall, self.user, self.sys = wall, user, sys_
        self.cpu = user + sys_

    @property
    def first_line(self):
        return self.stdout.split("\n", 1)[0]


def run(cmd, env, timeout):
    """Run cmd to completion; return a Run with its own CPU (os.wait4).

    stdout/stderr go to temporary files (a bucket run may print a lot, and
    no pipe-reading thread is needed).  A watchdog kills the process after
    timeout seconds; it only signals a child that has not been reaped yet
    (waitid WNOWAIT first, reap second), so it can never hit a reused pid.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        lock, state = threading.Lock(), {"exited": False, "killed": False}

        def watchdog():
            with lock:
                if not state["exited"]:
                    state["killed"] = True
                    os.kill(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, watchdog)
        timer.daemon = True
        timer.start()
        while True:
            try:
                os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
                break
            except InterruptedError:
                continue
        with lock:
            state["exited"] = True
        timer.cancel()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        err.seek(0)
        code = None if state["killed"] else proc.returncode
        return Run(code, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), wall,
                   usage.ru_utime, usage.ru_stime)


class Failed(Exception):
    """A run did not exit 0 or did not say what it should."""


def expect(result, what, pattern):
    if result.code != 0 or not re.search(pattern, result.first_line):
        raise Failed(f"{what}: exit {result.code}, expected 0 and /{pattern}/\n"
                     f"stdout: {result.stdout[:2000]}\nstderr: {result.stderr[-2000:]}")


CALLGRIND_TOTAL_RE = re.compile(r"^(?:==\d+== )?Collected\s*:\s*(\d+)", re.M)
CALLGRIND_FILE_RE = re.compile(r"^(?:summary|totals):\s*(\d+)", re.M)


def callgrind_total(result, out_file):
    """Instructions of a callgrind run: 'Collected :' on stderr, else the file."""
    match = CALLGRIND_TOTAL_RE.search(result.stderr)
    if match:
        return int(match.group(1))
    if out_file and os.path.exists(out_file):
        with open(out_file, encoding="utf-8", errors="replace") as f:
            match = CALLGRIND_FILE_RE.search(f.read())
        if match:
            return int(match.group(1))
    raise Failed(f"no instruction total in callgrind's output\nstderr: {result.stderr[-2000:]}")


def top_functions(annotate, out_file, count):
    """The count functions of highest inclusive cost, from callgrind_annotate."""
    # cwd "/" and --auto=no: run where the plugin's relative source paths
    # resolve, callgrind_annotate 3.19 lists each of its functions twice.
    proc = subprocess.run([annotate, "--inclusive=yes", "--auto=no", out_file],
                          capture_output=True, text=True, check=False, cwd="/")
    rows, in_table = [], False
    for line in proc.stdout.splitlines():
        if re.match(r"^\s*Ir\s+file:function", line):
            in_table = True
            continue
        if not in_table:
            continue
        match = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*\S)", line)
        if match and "PROGRAM TOTALS" not in line:
            rows.append((int(match.group(1).replace(",", "")), float(match.group(2)),
                         match.group(3)))
            if len(rows) == count:
                break
    return rows


def tree_state(directory):
    """'commit abc1234' (+ ', uncommitted changes') of the git tree, if any."""
    try:
        head = subprocess.run(["git", "-C", directory, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", directory, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git tree"
    return f"tree at commit {head}" + (", with uncommitted changes" if dirty else "")


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def fmt_int(n):
    return "-" if n is None else f"{n:,}"


def fmt_s(x):
    return "-" if x is None else f"{x:.3f} s"


def fmt_ratio(a, b):
    if a is None or not b:
        return "-"
    return f"{100.0 * a / b:.2f} %"


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args():
    ap = argparse.ArgumentParser(
        description="Bucket mode vs one run per table: plugin CPU, wall time, requests, "
                    "TLS handshakes and instructions (callgrind).")
    ap.add_argument("--tables", type=int, default=None, help="tables in the bucket (1000)")
    ap.add_argument("--parallel", default=None,
                    help="comma-separated --parallel values for bucket runs (8,32); "
                         "the first is the one run under callgrind")
    ap.add_argument("--sample", type=int, default=None,
                    help="single runs under callgrind, K (20)")
    ap.add_argument("--quick", action="store_true", help="200 tables, K = 5")
    ap.add_argument("--repeat", type=int, default=3,
                    help="bucket runs per --parallel value; the median CPU is reported (3)")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the callgrind part")
    ap.add_argument("--top", type=int, default=15,
                    help="functions of the bucket run to list by inclusive cost (15; 0: none)")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the callgrind files of the bucket run and of the last "
                         "sampled single run in DIR")
    ap.add_argument("--plugin", default=os.environ.get("PLUGIN") or os.path.join(
        TOP, "plugin", "check_s3tables_expiration"), help="plugin binary")
    ap.add_argument("--system-cas", nargs="?", const="/etc/ssl/certs/ca-certificates.crt",
                    metavar="FILE",
                    help="make AWS_CA_BUNDLE the system bundle (default "
                         "/etc/ssl/certs/ca-certificates.crt) plus the mock's CA, as large as "
                         "what the plugin loads in production, instead of the mock's CA alone")
    ap.add_argument("--timeout", type=int, default=3600,
                    help="the plugin's -t for every run (3600: the mock is slow)")
    args = ap.parse_args()
    args.tables = args.tables or (200 if args.quick else 1000)
    args.sample = args.sample or (5 if args.quick else 20)
    args.parallel = [int(p) for p in (args.parallel or "8,32").split(",") if p]
    if args.tables < 1 or args.sample < 1 or args.repeat < 1 or not args.parallel \
            or min(args.parallel) < 1:
        ap.error("--tables, --sample, --repeat and --parallel must be positive")
    args.sample = min(args.sample, args.tables)
    return args


def main():
    args = parse_args()
    if mock_aws.BOTOCORE_IMPORT_ERROR is not None:
        sys.exit(f"botocore is needed by the mock: {mock_aws.BOTOCORE_IMPORT_ERROR}")
    if not os.access(args.plugin, os.X_OK):
        sys.exit(f"plugin not built: {args.plugin} (run make)")
    valgrind = None if args.no_callgrind or args.system_cas else shutil.which("valgrind")
    annotate = shutil.which("callgrind_annotate")

    tmp = tempfile.mkdtemp(prefix="bench-bucket-")
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    mock = None
    try:
        # Measure a private copy: a rebuild of the tree during the run (make
        # relinks the binary) must neither break the run nor change what is
        # measured.  The copy keeps its debug info for callgrind_annotate.
        built = args.plugin
        args.plugin = os.path.join(tmp, os.path.basename(built))
        shutil.copy2(built, args.plugin)
        pki = mock_aws.make_pki(os.path.join(tmp, "pki"))
        mock = mock_aws.MockS3Tables(pki, {ACCESS_KEY: {"secret": SECRET_KEY}})
        mock.start()
        last_run = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        arns = [mock.add_table(BUCKET_ARN, NAMESPACE, f"t{i:05d}",
                               job=mock_aws.job("Successful", last_run=last_run, records=10,
                                                files=1, bytes_=4096))
                for i in range(args.tables)]
        ca_bundle = pki.ca_cert
        if args.system_cas:
            ca_bundle = os.path.join(tmp, "ca-bundle.pem")
            with open(ca_bundle, "wb") as out:
                for source in (args.system_cas, pki.ca_cert):
                    with open(source, "rb") as f:
                        out.write(f.read().rstrip(b"\n") + b"\n")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": home,
               "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_ENDPOINT_URL_S3TABLES": mock.url, "AWS_CA_BUNDLE": ca_bundle,
               "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        t_opt = ["-t", str(args.timeout)]
        n = args.tables

        version = run([args.plugin, "-V"], env, 30).stdout.strip()
        print(f"plugin: {version}")
        print(f"binary: {built} (copied; {tree_state(os.path.dirname(os.path.abspath(built)))})")
        print(f"python: {sys.version.split()[0]}; valgrind: "
              + (subprocess.run([valgrind, "--version"], capture_output=True, text=True)
                 .stdout.strip() if valgrind else "absent"))
        print(f"bucket: {n} tables; --parallel {','.join(map(str, args.parallel))}; "
              f"callgrind sample K = {args.sample}; mock at {mock.url}", flush=True)
        with open(ca_bundle, "rb") as f:
            print(f"CA bundle: {f.read().count(b'BEGIN CERTIFICATE')} certificates"
                  + (f" ({args.system_cas} + the mock's CA)" if args.system_cas
                     else " (the mock's CA)"), flush=True)

        # Warm-up (page cache, the mock's first TLS context use): not counted.
        expect(run([args.plugin, "-a", arns[0]] + t_opt, env, args.timeout + 30),
               "warm-up single run", r"^S3TABLES_EXPIRATION OK - job Successful")

        bucket_re = rf"^S3TABLES_EXPIRATION OK - {n} tables: {n} ok\b"

        # (a) bucket runs: --repeat runs per P, the one of median CPU reported
        buckets = {}
        for p in args.parallel:
            runs = []
            for r in range(args.repeat):
                mock.clear()
                res = run([args.plugin, "-b", BUCKET_ARN, "--parallel", str(p)] + t_opt, env,
                          args.timeout + 30)
                expect(res, f"bucket run --parallel {p}", bucket_re)
                runs.append({"cpu": res.cpu, "user": res.user, "sys": res.sys,
                             "wall": res.wall, "ops": dict(mock.operation_counts),
                             "handshakes": mock.handshakes})
                print(f"bucket --parallel {p} #{r + 1}: cpu {res.cpu:.3f} s (user {res.user:.3f}"
                      f" + sys {res.sys:.3f}), wall {res.wall:.2f} s, {mock.handshakes} "
                      f"handshakes, {dict(mock.operation_counts)}", flush=True)
            runs.sort(key=lambda b: b["cpu"])
            buckets[p] = dict(runs[len(runs) // 2])
            buckets[p]["cpu_range"] = (runs[0]["cpu"], runs[-1]["cpu"])
            buckets[p]["max_handshakes"] = max(b["handshakes"] for b in runs)

        # (b) N single runs, sequential, one process each
        mock.clear()
        single_cpu = single_wall = single_user = single_sys = 0.0
        started = time.monotonic()
        for i, arn in enumerate(arns):
            res = run([args.plugin, "-a", arn] + t_opt, env, args.timeout + 30)
            expect(res, f"single run {i + 1}/{n} ({arn})",
                   r"^S3TABLES_EXPIRATION OK - job Successful")
            single_cpu += res.cpu
            single_user += res.user
            single_sys += res.sys
            single_wall += res.wall
            if (i + 1) % max(1, n // 10) == 0:
                print(f"  single runs: {i + 1}/{n}, cpu so far {single_cpu:.2f} s", flush=True)
        single = {"cpu": single_cpu, "user": single_user, "sys": single_sys, "wall": single_wall,
                  "elapsed": time.monotonic() - started,
                  "ops": dict(mock.operation_counts), "handshakes": mock.handshakes}
        print(f"{n} single runs: cpu {single_cpu:.3f} s (user {single_user:.3f} + sys "
              f"{single_sys:.3f}), wall {single_wall:.2f} s, "
              f"{mock.handshakes} handshakes, {single['ops']}", flush=True)

        # (c) instructions under callgrind
        cg = None
        if valgrind:
            p = args.parallel[0]
            bucket_file = os.path.join(args.keep or tmp, f"callgrind.bucket-p{p}.out")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
            vg = [valgrind, "--tool=callgrind"]
            mock.clear()
            res = run(vg + [f"--callgrind-out-file={bucket_file}", args.plugin, "-b", BUCKET_ARN,
                            "--parallel", str(p)] + t_opt, env, args.timeout + 60)
            expect(res, "bucket run under callgrind", bucket_re)
            cg_bucket = callgrind_total(res, bucket_file)
            print(f"callgrind bucket --parallel {p}: {cg_bucket:,} instructions", flush=True)
            step = n / args.sample
            sample = [arns[int(i * step)] for i in range(args.sample)]
            counts = []
            # with --keep, the last sampled single run's file is kept too
            single_file = os.path.join(args.keep or tmp, "callgrind.single.out")
            for arn in sample:
                res = run(vg + [f"--callgrind-out-file={single_file}", args.plugin, "-a", arn]
                          + t_opt, env, args.timeout + 60)
                expect(res, f"single run under callgrind ({arn})",
                       r"^S3TABLES_EXPIRATION OK - job Successful")
                counts.append(callgrind_total(res, single_file))
            mean = sum(counts) / len(counts)
            cg = {"p": p, "bucket": cg_bucket, "mean": mean, "min": min(counts),
                  "max": max(counts), "extrapolated": round(mean * n), "file": bucket_file}
            print(f"callgrind single runs (K = {len(counts)}): mean {mean:,.0f}, "
                  f"min {min(counts):,}, max {max(counts):,} instructions", flush=True)
        else:
            why = ("--no-callgrind" if args.no_callgrind else
                   "--system-cas: under callgrind the plugin loads the bundle for each new "
                   "connection so slowly that the mock's 10 s TLS handshake timeout cuts "
                   "the later connections" if args.system_cas else "valgrind not found")
            print(f"callgrind part skipped ({why})")

        # ------------------------------------------------------------------
        print()
        print(f"## {n} tables: one bucket run vs {n} single runs")
        print()
        cols = [f"bucket -b --parallel {p}" for p in args.parallel] + [f"{n} x single -a"]
        ratio_cols = [f"ratio P={p} / single" for p in args.parallel]
        header = ["metric"] + cols + ratio_cols
        ops = sorted(set().union(*(b["ops"] for b in buckets.values()), single["ops"]),
                     key=lambda o: (o != mock_aws.OP_LIST_TABLES, o))
        rows = []
        bl = [buckets[p] for p in args.parallel]
        rows.append(["plugin processes"] + ["1"] * len(bl) + [fmt_int(n)] + ["-"] * len(bl))
        rows.append(["plugin CPU (user+sys)"] + [fmt_s(b["cpu"]) for b in bl]
                    + [fmt_s(single["cpu"])] + [fmt_ratio(b["cpu"], single["cpu"]) for b in bl])
        rows.append(["  of which user"] + [fmt_s(b["user"]) for b in bl]
                    + [fmt_s(single["user"])] + [fmt_ratio(b["user"], single["user"]) for b in bl])
        rows.append(["  of which sys"] + [fmt_s(b["sys"]) for b in bl]
                    + [fmt_s(single["sys"])] + [fmt_ratio(b["sys"], single["sys"]) for b in bl])
        rows.append(["plugin CPU per table"] + [f"{1000 * b['cpu'] / n:.3f} ms" for b in bl]
                    + [f"{1000 * single['cpu'] / n:.3f} ms"] + ["-"] * len(bl))
        rows.append(["wall time (mock-bound)"] + [fmt_s(b["wall"]) for b in bl]
                    + [fmt_s(single["wall"])] + [fmt_ratio(b["wall"], single["wall"]) for b in bl])
        for op in ops:
            rows.append([f"requests {op}"] + [fmt_int(b["ops"].get(op, 0)) for b in bl]
                        + [fmt_int(single["ops"].get(op, 0))] + ["-"] * len(bl))
        rows.append(["TLS handshakes"] + [fmt_int(b["handshakes"]) for b in bl]
                    + [fmt_int(single["handshakes"])] + ["-"] * len(bl))
        if cg:
            cells = [fmt_int(cg["bucket"]) if p == cg["p"] else "-" for p in args.parallel]
            rows.append(["instructions (callgrind)"] + cells
                         + [f"{fmt_int(cg['extrapolated'])} (extrapolated)"]
                         + [fmt_ratio(cg["bucket"], cg["extrapolated"]) if p == cg["p"] else "-"
                            for p in args.parallel])
            rows.append(["instructions per table"]
                        + [fmt_int(round(cg["bucket"] / n)) if p == cg["p"] else "-"
                           for p in args.parallel]
                        + [f"{fmt_int(round(cg['mean']))} (mean of K={args.sample})"]
                        + ["-"] * len(bl))
        print_table(header, rows)
        print()
        if args.repeat > 1:
            print(f"Bucket columns: the run of median CPU of {args.repeat} runs per P (CPU range "
                  + "; ".join(f"P={p}: {b['cpu_range'][0]:.3f}-{b['cpu_range'][1]:.3f} s"
                              for p, b in zip(args.parallel, bl)) + ").")
        if cg:
            print(f"Instructions of the {n} single runs are EXTRAPOLATED: the mean of "
                  f"{args.sample} single runs under callgrind (min {cg['min']:,}, max "
                  f"{cg['max']:,}) x {n}. The bucket figure is one measured run "
                  f"(--parallel {cg['p']}).")
        print(f"Wall time of the single runs: sum of the {n} processes' wall times "
              f"({single['elapsed']:.1f} s elapsed for the whole loop). The mock is "
              "single-process Python and sets the pace of both.")

        # ------------------------------------------------------------------
        print()
        print("## Targets")
        met = True
        for p, b in zip(args.parallel, bl):
            share = b["cpu"] / single["cpu"]
            cpu_ok = share <= CPU_TARGET
            hs_ok = b["max_handshakes"] <= p + 1
            met = met and cpu_ok and hs_ok
            print(f"--parallel {p}: CPU {100 * share:.2f} % of the single runs "
                  f"(target <= {100 * CPU_TARGET:.0f} %): {'MET' if cpu_ok else 'NOT MET'}; "
                  f"{b['max_handshakes']} TLS handshakes at most (target <= P + 1 = {p + 1}): "
                  f"{'MET' if hs_ok else 'NOT MET'}")
        if cg:
            share = cg["bucket"] / cg["extrapolated"]
            print(f"(instructions, --parallel {cg['p']}: {100 * share:.2f} % of the "
                  f"extrapolated single runs: {'within' if share <= CPU_TARGET else 'above'} "
                  f"{100 * CPU_TARGET:.0f} %)")
        print("ALL TARGETS MET" if met else "TARGETS NOT MET")

        if cg and args.top > 0:
            print()
            if annotate:
                print(f"## Bucket run (--parallel {cg['p']}): top {args.top} functions by "
                      "inclusive instructions (callgrind_annotate --inclusive=yes)")
                print()
                for ir, pct, name in top_functions(annotate, cg["file"], args.top):
                    print(f"{ir:>15,} {pct:6.2f} %  {name}")
            else:
                print("callgrind_annotate not found: no function list")
        if args.keep and cg:
            print(f"\ncallgrind files kept: {cg['file']}, {single_file}")
        return 0 if met else 2
    except Failed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if mock is not None:
            mock.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
