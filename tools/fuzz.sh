#!/bin/sh
# Builds the libFuzzer harnesses of fuzz/ and runs each for FUZZ_SECONDS
# (default 20) on a scratch copy of its corpus. Prints one line per
# target, "fuzz range: 412345 runs, no crash" or "fuzz range: ... CRASH:
# <saved input>", and exits non-zero on any crash, leak, timeout or
# out-of-memory. FUZZ_TARGETS="range arn" limits the run; FUZZ_FLAGS passes
# libFuzzer options (FUZZ_SECONDS=0 FUZZ_FLAGS=-runs=1000000 for a long run).
# Installs clang and the libFuzzer runtime (Debian packages clang and
# libclang-rt-14-dev) when a fuzzer cannot be linked, and configures the
# tree (tools/setup.sh) when config.h is missing.
set -u
cd "$(dirname "$0")/.." || exit 1

CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
export CLANG FUZZ_SECONDS

# Can clang link a libFuzzer target with the sanitizers?
can_link() {
    dir=$(mktemp -d) || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$dir/probe.c"
    "$CLANG" -fsanitize=fuzzer,address,undefined "$dir/probe.c" -o "$dir/probe" >/dev/null 2>&1
    rc=$?
    rm -rf "$dir"
    return $rc
}

if ! can_link; then
    echo "fuzz: installing clang libclang-rt-14-dev"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq &&
        $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
    if ! can_link; then
        echo "fuzz: build FAILED: $CLANG cannot link -fsanitize=fuzzer"
        exit 1
    fi
fi

if [ ! -f config.h ]; then
    tools/setup.sh || {
        echo "fuzz: build FAILED: configure"
        exit 1
    }
fi

if ! make -s -j2 -f fuzz/Makefile.fuzz all; then
    echo "fuzz: build FAILED"
    exit 1
fi
make -s -f fuzz/Makefile.fuzz run
