#!/bin/sh
# Runs the plugin under valgrind memcheck for 'make check-valgrind': any
# memory error or leak makes it exit 88, which no test expects.
here=$(cd "$(dirname "$0")" && pwd)
exec valgrind -q --error-exitcode=88 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --track-fds=no \
    "${PLUGIN_BINARY:-$here/../../plugin/check_s3tables_expiration}" "$@"
