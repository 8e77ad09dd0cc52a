#!/bin/sh
# Prepares a Debian 12 machine and this tree for "make": installs the
# build and test dependencies that are missing (apt-get, as root or via
# sudo), then generates and runs configure. CFLAGS and other configure
# variables are passed through from the environment.
set -eu
cd "$(dirname "$0")/.."

packages="gcc make libc6-dev autoconf automake pkg-config libcurl4-openssl-dev
libssl-dev libjson-c-dev libexpat1-dev python3 python3-botocore openssl ca-certificates"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] ||
    autoreconf -fi
./configure -q
