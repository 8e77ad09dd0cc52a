#!/usr/bin/env bash
# Tests the Debian package as an administrator would meet it, in TAP:
# builds it with dpkg-buildpackage in a copy of this tree (the .deb lands
# beside the copy, not beside the caller's tree), checks its file list,
# its dependencies and lintian, installs it, runs the installed plugin
# against the demo mock (tests/mock/mock_aws.py --demo), validates an Icinga 2
# configuration that uses the CheckCommand through include <plugins-contrib>
# (when icinga2 is installed), and purges the package again.
#
# Run as root (dpkg -i); as another user the install steps are skipped.
# Installs missing build dependencies and lintian with apt-get (root only).
# DEB_BUILD_OPTIONS defaults to "nocheck": the test suite runs elsewhere in
# CI. Set DEB_BUILD_OPTIONS= (empty) to run it in the package build too; it
# then reads the shared AWS test data from S3TABLES_SHARED_DIR, by default
# ../shared beside this tree, as "make check" does.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pkg=monitoring-plugins-s3tables-expiration
plugin=/usr/lib/nagios/plugins/check_s3tables_expiration
icinga_conf=/usr/share/icinga2/include/plugins-contrib.d/check_s3tables_expiration.conf
doc=/usr/share/doc/$pkg
python=${PYTHON:-python3}
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8
if [ -z "${S3TABLES_SHARED_DIR:-}" ] && [ -d "$top/../shared" ]; then
    S3TABLES_SHARED_DIR=$(cd "$top/../shared" && pwd)
    export S3TABLES_SHARED_DIR
fi

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # description, command...: ok when the command succeeds
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
diag() { sed 's/^/# /'; }

if [ "$(id -u)" -eq 0 ]; then root=1; else root=0; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/package-test.XXXXXX")
mock=""
installed_by_us=0
cleanup() {
    if [ -n "$mock" ]; then
        kill "$mock" 2>/dev/null
        wait "$mock" 2>/dev/null
    fi
    if [ "$installed_by_us" -eq 1 ] && dpkg-query -W "$pkg" >/dev/null 2>&1; then
        dpkg --purge "$pkg" >/dev/null 2>&1
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
    echo "Bail out! $pkg is installed already; remove it first (this test purges it at the end)"
    exit 1
fi

# Build dependencies: what debian/control asks for (the test suite's only
# when it runs), dpkg-dev and lintian.
profiles=""
case " $DEB_BUILD_OPTIONS " in *" nocheck "*) profiles=nocheck ;; esac
if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null ||
    ! (cd "$top" && dpkg-checkbuilddeps ${profiles:+-P$profiles} >/dev/null 2>&1); then
    if [ "$root" -eq 1 ]; then
        echo "# installing dpkg-dev, lintian and the build dependencies"
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends dpkg-dev lintian &&
            apt-get build-dep -y -qq --no-install-recommends ${profiles:+-P $profiles} "$top"; } 2>&1 |
            tail -5 | diag
    fi
fi

echo "# building in $work/src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
# The tree's own files (tracked, or new and not ignored), as they are now;
# no build products of the caller's tree.
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z -c -o --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
    cp -a "$top/." "$work/src"
fi
start=$(date +%s)
if (cd "$work/src" && dpkg-buildpackage -us -uc -b -J2 ${profiles:+-P$profiles}) \
    >"$work/build.log" 2>&1; then
    ok "deb builds ($(($(date +%s) - start)) s)"
else
    not_ok "deb builds"
    tail -40 "$work/build.log" | diag
    echo "1..$n"
    exit 1
fi

version=$(cd "$work/src" && dpkg-parsechangelog -S Version)
upstream=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
deb=$work/${pkg}_${version}_$(dpkg --print-architecture).deb
changes=$(ls "$work"/*.changes)
check "package version $version is configure.ac's ($upstream)" [ "$version" = "$upstream" ]

echo "# dpkg -c $(basename "$deb")"
dpkg -c "$deb" | diag
files=$(dpkg -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)
want=$(sort <<EOF
$plugin
$icinga_conf
/usr/share/man/man1/check_s3tables_expiration.1.gz
$doc/README.Debian
$doc/README.gz
$doc/changelog.gz
$doc/copyright
$doc/examples/iam-policy.json
$doc/examples/icinga2-services.conf
$doc/examples/nagios-command.cfg
/usr/share/lintian/overrides/$pkg
EOF
)
if [ "$files" = "$want" ]; then
    ok "the package holds exactly the expected files"
else
    not_ok "the package holds exactly the expected files"
    diff <(echo "$want") <(echo "$files") | diag
fi
perms=$(dpkg -c "$deb" | awk -v p=".$plugin" '$6 == p { print $1, $2 }')
check "the plugin is root:root 0755 ($perms)" [ "$perms" = "-rwxr-xr-x root/root" ]

depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
missing=""
for lib in libc6 libcurl4 libssl3 libjson-c5 libexpat1; do
    grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || missing="$missing $lib"
done
check "Depends (from shlibs) names libc6 libcurl4 libssl3 libjson-c5 libexpat1${missing:+; missing:$missing}" \
    [ -z "$missing" ]

echo "# lintian --info --pedantic --display-experimental --show-overrides $(basename "$changes")"
lintian --info --pedantic --display-experimental --show-overrides "$changes" >"$work/lintian.log" 2>&1
lintian_status=$?
diag <"$work/lintian.log"
tags=$(grep -cE '^[EW]: ' "$work/lintian.log")
if [ "$tags" -eq 0 ] && [ "$lintian_status" -eq 0 ]; then
    ok "lintian: no errors or warnings on the .deb and the .changes"
else
    not_ok "lintian: no errors or warnings on the .deb and the .changes ($tags, exit $lintian_status)"
fi

if [ "$root" -eq 0 ]; then
    for t in "dpkg -i" "installed plugin --version" "installed plugin against the mock" \
        "Icinga 2 finds the CheckCommand" "dpkg --purge"; do
        skip "$t" "not root"
    done
    echo "1..$n"
    [ "$failed" -eq 0 ]
    exit
fi

if dpkg -i "$deb" >"$work/install.log" 2>&1; then
    installed_by_us=1
    ok "dpkg -i installs $(basename "$deb")"
else
    not_ok "dpkg -i installs $(basename "$deb")"
    diag <"$work/install.log"
    installed_by_us=1 # half-installed: cleanup purges it
fi

out=$("$plugin" --version 2>&1)
status=$?
if [ "$status" -eq 3 ] && [ "$(cut -d' ' -f1-2 <<<"$out")" = "check_s3tables_expiration $version" ]; then
    ok "$plugin --version: \"$out\", exit 3"
else
    not_ok "$plugin --version names version $version and exits 3: \"$out\", exit $status"
fi

# The installed plugin against the demo endpoint, as tools/demo.sh runs it.
if "$python" -c 'import botocore, ssl' 2>/dev/null; then
    state=$work/mock
    PYTHONDONTWRITEBYTECODE=1 "$python" "$top/tests/mock/mock_aws.py" --demo --state-dir "$state" >"$work/mock.log" 2>&1 &
    mock=$!
    deadline=$(($(date +%s) + 30))
    while [ ! -s "$state/url" ] && kill -0 "$mock" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
        sleep 0.1
    done
    if [ -s "$state/url" ]; then
        out=$(env -i PATH=/usr/bin:/bin HOME="$state" \
            AWS_ACCESS_KEY_ID=AKIDEMO0000000000001 \
            AWS_SECRET_ACCESS_KEY='demoSecretKey/For+LocalMockOnly0000000000' \
            AWS_ENDPOINT_URL_S3TABLES="$(cat "$state/url")" AWS_CA_BUNDLE="$state/ca.pem" \
            "$plugin" -a arn:aws:s3tables:us-east-1:111122223333:bucket/demo-bucket/table/healthy-table)
        status=$?
        line=$(head -n1 <<<"$out")
        # The job ran 5h 3m (18180 s) before the request; time= is the run's own.
        line_re='^S3TABLES_EXPIRATION OK - job Successful 5h 3m ago, 1234 records / 12 files / 4\.2 MiB removed'
        line_re="$line_re \\| age=1818[01]s;172800;259200;0 deleted_records=1234;;;0 deleted_files=12;;;0"
        line_re="$line_re removed_bytes=4404019B;;;0 time=[0-9]+\\.[0-9]{3}s;;;0\$"
        if [ "$status" -eq 0 ] && [[ $line =~ $line_re ]]; then
            ok "installed plugin against the mock: exit 0, \"$line\""
        else
            not_ok "installed plugin against the mock: exit 0 and the healthy table's line"
            echo "exit status $status" | diag
            diag <<<"$out"
        fi
    else
        not_ok "installed plugin against the mock (the mock did not start)"
        diag <"$work/mock.log"
    fi
    kill "$mock" 2>/dev/null
    wait "$mock" 2>/dev/null
    mock=""
else
    skip "installed plugin against the mock" "$python has no botocore"
fi

# Icinga 2 with a configuration of its own in a private directory: it reads
# only the ITL from /usr/share/icinga2 and writes only there.
if command -v icinga2 >/dev/null; then
    ic=$work/icinga2
    mkdir -p "$ic/var"
    cat >"$ic/icinga2.conf" <<EOF
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "/usr/lib/nagios/plugins"
const NodeName = "package-test"
const ZoneName = "package-test"
include <itl>
include <plugins>
include <plugins-contrib>
object Host "aws" {
  check_command = "dummy"
}
object Service "s3tables-expiration" {
  host_name = "aws"
  check_command = "s3tables_expiration"
  vars.s3tables_expiration_table_arn = "arn:aws:s3tables:eu-west-1:111122223333:bucket/sales/table/orders"
}
EOF
    defs=()
    for d in CacheDir DataDir LogDir InitRunDir SpoolDir ZonesDir; do
        defs+=("-DConfiguration.$d=$ic/var")
    done
    defs+=("-DConfiguration.ObjectsPath=$ic/var/icinga2.debug" "-DConfiguration.VarsPath=$ic/var/icinga2.vars"
        "-DConfiguration.StatePath=$ic/var/icinga2.state" "-DConfiguration.PidPath=$ic/var/icinga2.pid"
        "-DConfiguration.ModAttrPath=$ic/var/modified-attributes.conf"
        "-DConfiguration.RunAsUser=$(id -un)" "-DConfiguration.RunAsGroup=$(id -gn)")
    if icinga2 daemon -C -c "$ic/icinga2.conf" "${defs[@]}" >"$ic/validate.log" 2>&1 &&
        icinga2 object list --type CheckCommand --name s3tables_expiration "${defs[@]}" >"$ic/object.txt" 2>&1 &&
        grep -qF "declared in '$icinga_conf'" "$ic/object.txt" &&
        grep -qF "* command = [ \"$plugin\" ]" "$ic/object.txt"; then
        grep -E "^Object|% declared in|\* command = " "$ic/object.txt" | diag
        ok "icinga2 daemon -C: include <plugins-contrib> defines CheckCommand s3tables_expiration, command $plugin"
    else
        not_ok "icinga2 daemon -C: include <plugins-contrib> defines CheckCommand s3tables_expiration"
        grep -E 'critical|warning' "$ic/validate.log" | diag
        head -20 "$ic/object.txt" 2>/dev/null | diag
    fi
else
    skip "Icinga 2 finds the CheckCommand" "icinga2 not installed"
fi

if dpkg --purge "$pkg" >"$work/purge.log" 2>&1; then
    installed_by_us=0
    left=""
    for f in $want; do [ -e "$f" ] && left="$left $f"; done
    check "dpkg --purge removes it${left:+; left behind:$left}" [ -z "$left" ]
else
    not_ok "dpkg --purge removes it"
    diag <"$work/purge.log"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
