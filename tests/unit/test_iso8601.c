/*
 * test_iso8601.c - RFC 3339 date-times to Unix time and back.
 *
 * Expected seconds were computed independently with GNU date
 * (date -u -d '2026-11-25T10:00:00+01:00' +%s) and are hard-coded.
 */
#include "config.h"

#include "iso8601.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static void
check_time(const char *text, int64_t seconds, long nanos)
{
    struct iso8601_time t = {-1, -1};
    char err[256];

    if (iso8601_parse(text, &t, err, sizeof err) != 0) {
        tap_ok(false, "\"%s\" parses", text);
        tap_diag("%s", err);
        return;
    }
    tap_is_int(t.seconds, seconds, "\"%s\" is %lld", text, (long long)seconds);
    if (nanos != 0 || t.nanos != 0)
        tap_is_int(t.nanos, nanos, "\"%s\" has %ld ns", text, nanos);
}

/* Rejected; want is the whole message, or NULL for "some one-line reason". */
static void
check_invalid(const char *text, const char *want)
{
    struct iso8601_time t = {42, 42};
    char err[256] = "";
    int rc = iso8601_parse(text, &t, err, sizeof err);

    tap_ok(rc == -1 && t.seconds == 42 && t.nanos == 42, "\"%s\" is rejected", text);
    if (want != NULL)
        tap_is_str(err, want, "\"%s\" error message", text);
    else
        tap_ok(err[0] == '"' && strchr(err, '\n') == NULL, "\"%s\" error is one line", text);
}

static void
test_zones(void)
{
    check_time("2026-11-25T10:00:00Z", 1795600800, 0);
    check_time("2026-11-25t10:00:00z", 1795600800, 0);
    check_time("2026-11-25 10:00:00Z", 1795600800, 0);
    check_time("2026-11-25T10:00:00+00:00", 1795600800, 0);
    check_time("2026-11-25T10:00:00-00:00", 1795600800, 0);
    check_time("2026-11-25T10:00:00+01:00", 1795597200, 0);
    check_time("2026-11-25T10:00:00-05:30", 1795620600, 0);
    check_time("2026-11-25T10:00:00+0530", 1795581000, 0);
    check_time("2026-11-25T10:00:00+14", 1795550400, 0);
    check_time("2026-01-01T00:30:00+23:59", 1767141060, 0);
    check_time("2026-03-01T00:00:00-12:00", 1772366400, 0);
}

static void
test_fractions(void)
{
    check_time("2026-11-25T10:00:00.5Z", 1795600800, 500000000);
    check_time("2026-11-25T10:00:00.123Z", 1795600800, 123000000);
    check_time("2026-11-25T10:00:00.123456Z", 1795600800, 123456000);
    check_time("2026-11-25T10:00:00.123456789Z", 1795600800, 123456789);
    check_time("2026-11-25T10:00:00.1234567891234Z", 1795600800, 123456789);
    check_time("2026-11-25T10:00:00.999999999999+01:00", 1795597200, 999999999);
    check_time("2026-11-25T10:00:00.000Z", 1795600800, 0);
}

static void
test_calendar(void)
{
    check_time("1970-01-01T00:00:00Z", 0, 0);
    check_time("1969-12-31T23:59:59Z", -1, 0);
    check_time("0001-01-01T00:00:00Z", -62135596800, 0);
    check_time("1600-01-01T00:00:00Z", -11676096000, 0);
    check_time("1900-03-01T00:00:00Z", -2203891200, 0);
    check_time("2000-02-29T12:34:56Z", 951827696, 0);
    check_time("2024-02-29T00:00:00Z", 1709164800, 0);
    check_time("9999-12-31T23:59:59Z", 253402300799, 0);
    check_time("2016-12-31T23:59:59Z", 1483228799, 0);
    /* The leap second folds into the next one. */
    check_time("2016-12-31T23:59:60Z", 1483228800, 0);
}

static void
test_out_of_range(void)
{
    check_invalid("2026-13-01T00:00:00Z", "\"2026-13-01T00:00:00Z\": month out of range");
    check_invalid("2026-00-01T00:00:00Z", "\"2026-00-01T00:00:00Z\": month out of range");
    check_invalid("2026-01-32T00:00:00Z", "\"2026-01-32T00:00:00Z\": day out of range");
    check_invalid("2026-01-00T00:00:00Z", "\"2026-01-00T00:00:00Z\": day out of range");
    check_invalid("2026-04-31T00:00:00Z", "\"2026-04-31T00:00:00Z\": day out of range");
    check_invalid("2100-02-29T00:00:00Z", "\"2100-02-29T00:00:00Z\": day out of range");
    check_invalid("2026-02-29T00:00:00Z", "\"2026-02-29T00:00:00Z\": day out of range");
    check_invalid("0000-01-01T00:00:00Z", "\"0000-01-01T00:00:00Z\": year out of range");
    check_invalid("2026-11-25T24:00:00Z", "\"2026-11-25T24:00:00Z\": hour out of range");
    check_invalid("2026-11-25T10:60:00Z", "\"2026-11-25T10:60:00Z\": minute out of range");
    check_invalid("2026-11-25T10:00:61Z", "\"2026-11-25T10:00:61Z\": second out of range");
    check_invalid("2026-11-25T10:00:00+24:00",
                  "\"2026-11-25T10:00:00+24:00\": time zone offset out of range");
    check_invalid("2026-11-25T10:00:00+01:60",
                  "\"2026-11-25T10:00:00+01:60\": time zone offset out of range");
}

static void
test_malformed(void)
{
    check_invalid("", "\"\": empty date-time");
    check_invalid("2026-11-25T10:00:00", "\"2026-11-25T10:00:00\": no time zone");
    check_invalid("2026-11-25T10:00Z", "\"2026-11-25T10:00Z\": no seconds (expected HH:MM:SS)");
    check_invalid("garbage", "\"garbage\": expected a date as YYYY-MM-DD");
    check_invalid("2026-11-25T10:00:00Zjunk",
                  "\"2026-11-25T10:00:00Zjunk\": unexpected text after the time zone");
    check_invalid("-2026-11-25T10:00:00Z", "\"-2026-11-25T10:00:00Z\": expected a date as "
                                           "YYYY-MM-DD");
    check_invalid("2026-11-25X10:00:00Z",
                  "\"2026-11-25X10:00:00Z\": expected \"T\" between date and time");

    static const char *const bad[] = {
        "2026-11-25",
        "2026-11-25T",
        "2026-11-25T10",
        "2026-11-25T10:00:00.Z",
        "2026-11-25T10:00:00,5Z",
        "2026-11-25T10:00:00+1",
        "2026-11-25T10:00:00+01:0",
        "2026-11-25T10:00:00+010",
        "2026-11-25T10:00:00+01:00:00",
        "2026-11-25T10:00:00 Z",
        "2026-11-25T10:00:00Z ",
        " 2026-11-25T10:00:00Z",
        "26-11-25T10:00:00Z",
        "12026-11-25T10:00:00Z",
        "2026-1-25T10:00:00Z",
        "2026-11-25T1:00:00Z",
        "2026-11-25T10:00:00UTC",
        "+2026-11-25T10:00:00Z",
        "1764064800",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_invalid(bad[i], NULL);
}

static void
test_error_edges(void)
{
    struct iso8601_time t;
    char err[256], tiny[8];

    tap_ok(iso8601_parse("2026-11-25T10:00:00\nZ", &t, err, sizeof err) == -1 &&
               strchr(err, '\n') == NULL && strstr(err, "10:00:00?Z") != NULL,
           "a newline in the input stays out of the one-line error");
    tap_ok(iso8601_parse(NULL, &t, err, sizeof err) == -1, "NULL is rejected");
    tap_ok(iso8601_parse("x", &t, NULL, 0) == -1, "an error without an error buffer");
    tap_ok(iso8601_parse("x", &t, tiny, sizeof tiny) == -1 && strlen(tiny) == sizeof tiny - 1,
           "an error message is cut to the buffer");

    char longtext[300];
    memset(longtext, '7', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    tap_ok(iso8601_parse(longtext, &t, err, sizeof err) == -1 && strstr(err, "...") != NULL &&
               strlen(err) < 120,
           "a long input is shortened in the error");
}

static void
check_format(int64_t seconds, const char *want)
{
    char out[32];
    struct iso8601_time t;

    iso8601_format_utc(seconds, out, sizeof out);
    tap_is_str(out, want, "%lld formats as %s", (long long)seconds, want);
    tap_ok(iso8601_parse(out, &t, NULL, 0) == 0 && t.seconds == seconds && t.nanos == 0,
           "%s parses back to %lld", want, (long long)seconds);
}

static void
test_format(void)
{
    check_format(0, "1970-01-01T00:00:00Z");
    check_format(-1, "1969-12-31T23:59:59Z");
    check_format(1795600800, "2026-11-25T10:00:00Z");
    check_format(951827696, "2000-02-29T12:34:56Z");
    check_format(1709164800, "2024-02-29T00:00:00Z");
    check_format(-2203891200, "1900-03-01T00:00:00Z");
    check_format(-11676096000, "1600-01-01T00:00:00Z");
    check_format(-62135596800, "0001-01-01T00:00:00Z");
    check_format(253402300799, "9999-12-31T23:59:59Z");
    check_format(1767141060, "2025-12-31T00:31:00Z");

    char small[11];
    iso8601_format_utc(0, small, sizeof small);
    tap_is_str(small, "1970-01-01", "iso8601_format_utc cuts to the buffer");

    /* The last second of every day of two whole 400-year cycles, formatted
     * and parsed back: 1600-01-01 is day -135140, 2401-01-01 day 157420. */
    bool all = true;
    for (int64_t day = -135140; day < 157420; day++) {
        char text[32];
        struct iso8601_time t;
        int64_t s = day * 86400 + 86399;
        iso8601_format_utc(s, text, sizeof text);
        if (iso8601_parse(text, &t, NULL, 0) != 0 || t.seconds != s) {
            tap_diag("round trip failed at %s", text);
            all = false;
            break;
        }
    }
    tap_ok(all, "every day from 1600-01-01 to 2400-12-31 round-trips");
}

int
main(void)
{
    test_zones();
    test_fractions();
    test_calendar();
    test_out_of_range();
    test_malformed();
    test_error_edges();
    test_format();
    return tap_done();
}
