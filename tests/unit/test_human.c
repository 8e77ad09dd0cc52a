/*
 * test_human.c - durations and sizes as an operator reads them, and the
 * state names.
 */
#include "config.h"

#include "human.h"
#include "state.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

static void
check_duration(int64_t seconds, const char *want)
{
    char out[64];
    memset(out, 'X', sizeof out);
    human_duration(seconds, out, sizeof out);
    tap_is_str(out, want, "human_duration(%lld) is \"%s\"", (long long)seconds, want);
}

static void
check_bytes(int64_t bytes, const char *want)
{
    char out[64];
    memset(out, 'X', sizeof out);
    human_bytes(bytes, out, sizeof out);
    tap_is_str(out, want, "human_bytes(%lld) is \"%s\"", (long long)bytes, want);
}

static void
test_durations(void)
{
    check_duration(0, "0s");
    check_duration(1, "1s");
    check_duration(59, "59s");
    check_duration(60, "1m 0s");
    check_duration(61, "1m 1s");
    check_duration(725, "12m 5s");
    check_duration(3599, "59m 59s");
    check_duration(3600, "1h 0m");
    check_duration(18180, "5h 3m");
    check_duration(86399, "23h 59m");
    check_duration(86400, "1d 0h");
    check_duration(172801, "2d 0h");
    check_duration(266400, "3d 2h");
    check_duration(INT64_C(10) * 365 * 86400, "3650d 0h");
    check_duration(INT64_MAX, "106751991167300d 15h");

    char small[4];
    human_duration(86400, small, sizeof small);
    tap_ok(memchr(small, '\0', sizeof small) != NULL, "human_duration truncates to its buffer");
}

static void
test_bytes(void)
{
    check_bytes(0, "0 B");
    check_bytes(1, "1 B");
    check_bytes(512, "512 B");
    check_bytes(1023, "1023 B");
    check_bytes(1024, "1.0 KiB");
    check_bytes(1536, "1.5 KiB");
    check_bytes(4404019, "4.2 MiB");
    /* Just under the next unit rounds up into it, never "1024.0 KiB". */
    check_bytes(1048575, "1.0 MiB");
    check_bytes(1048576, "1.0 MiB");
    check_bytes(INT64_C(1073741824), "1.0 GiB");
    check_bytes(INT64_C(1099511627775), "1.0 TiB");
    check_bytes(INT64_C(1099511627776), "1.0 TiB");
    check_bytes(INT64_C(5) * 1099511627776 / 2, "2.5 TiB");
    check_bytes(INT64_C(1125899906842624), "1.0 PiB");
    check_bytes(INT64_MAX, "8.0 EiB");

    char small[4];
    human_bytes(INT64_MAX, small, sizeof small);
    tap_ok(memchr(small, '\0', sizeof small) != NULL, "human_bytes truncates to its buffer");
}

static void
check_state_parse(const char *text, enum state want)
{
    enum state s = (enum state) - 1;
    int rc = state_parse(text, &s);
    tap_ok(rc == 0 && s == want, "state_parse(\"%s\") is %s", text, state_name(want));
}

static void
check_state_reject(const char *text)
{
    enum state s = STATE_OK;
    tap_ok(state_parse(text, &s) != 0, "state_parse(\"%s\") is an error", text);
}

static void
test_states(void)
{
    tap_is_str(state_name(STATE_OK), "OK", "state_name(OK)");
    tap_is_str(state_name(STATE_WARNING), "WARNING", "state_name(WARNING)");
    tap_is_str(state_name(STATE_CRITICAL), "CRITICAL", "state_name(CRITICAL)");
    tap_is_str(state_name(STATE_UNKNOWN), "UNKNOWN", "state_name(UNKNOWN)");
    tap_is_int(STATE_OK, 0, "OK is exit code 0");
    tap_is_int(STATE_WARNING, 1, "WARNING is exit code 1");
    tap_is_int(STATE_CRITICAL, 2, "CRITICAL is exit code 2");
    tap_is_int(STATE_UNKNOWN, 3, "UNKNOWN is exit code 3");

    check_state_parse("ok", STATE_OK);
    check_state_parse("OK", STATE_OK);
    check_state_parse("warning", STATE_WARNING);
    check_state_parse("Warning", STATE_WARNING);
    check_state_parse("cRiTiCaL", STATE_CRITICAL);
    check_state_parse("UNKNOWN", STATE_UNKNOWN);
    check_state_parse("0", STATE_OK);
    check_state_parse("1", STATE_WARNING);
    check_state_parse("2", STATE_CRITICAL);
    check_state_parse("3", STATE_UNKNOWN);

    check_state_reject("");
    check_state_reject("4");
    check_state_reject("-1");
    check_state_reject("01");
    check_state_reject("okay");
    check_state_reject("warn");
    check_state_reject("crit");
    check_state_reject(" ok");
    check_state_reject("ok ");
}

int
main(void)
{
    test_durations();
    test_bytes();
    test_states();
    return tap_done();
}
