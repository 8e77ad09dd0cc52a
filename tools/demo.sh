#!/bin/sh
# Runs the plugin against the bundled demo endpoint: a local HTTPS mock
# of S3 Tables on 127.0.0.1 (tests/mock/mock_aws.py --demo) that verifies
# every signature with botocore. Shows a healthy and a failing table.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
plugin=${PLUGIN:-$top/plugin/check_s3tables_expiration}
python=${PYTHON:-python3}
state=$(mktemp -d)
"$python" "$top/tests/mock/mock_aws.py" --demo --state-dir "$state" &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null; rm -rf "$state"' EXIT INT TERM

i=0
while [ ! -s "$state/url" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $mock 2>/dev/null; then
        echo "demo: the mock endpoint did not start" >&2
        exit 1
    fi
    sleep 0.1
done

# Runs the plugin with only the demo credentials and endpoint in its environment.
plugin_run() {
    echo "\$ check_s3tables_expiration $*"
    env -i PATH="$PATH" HOME="$state" \
        AWS_ACCESS_KEY_ID=AKIDEMO0000000000001 \
        AWS_SECRET_ACCESS_KEY='demoSecretKey/For+LocalMockOnly0000000000' \
        AWS_ENDPOINT_URL_S3TABLES="$(cat "$state/url")" AWS_CA_BUNDLE="$state/ca.pem" \
        "$plugin" "$@"
    echo "(exit status $?)"
    echo
}

bucket=arn:aws:s3tables:us-east-1:111122223333:bucket/demo-bucket
run() {
    table=$1
    shift
    plugin_run -a "$bucket/table/$table" "$@"
}

run_bucket() {
    plugin_run -b "$bucket" "$@"
}

echo "Demo endpoint: $(cat "$state/url") (local mock, signatures checked with botocore)"
echo
run healthy-table
run failing-table
run_bucket --namespace demo --name healthy_table --show-configuration
run_bucket
