/*
 * test_range.c - threshold ranges: the conformance vectors of
 * PLUGIN-CONVENTIONS.md, unit suffixes, errors and range_format.
 */
#include "config.h"

#include "range.h"
#include "tap.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* value is passed twice: as a number and as written, for the test name. */
#define ALERTS(text, value, want) check_alerts(text, value, #value, want)

static void
check_alerts(const char *text, double value, const char *written, bool want)
{
    struct range r;
    char err[256];

    if (range_parse(text, RANGE_UNIT_NONE, &r, err, sizeof err) != 0) {
        tap_ok(false, "range %s: %s %s", text, written, want ? "alerts" : "does not alert");
        tap_diag("%s", err);
        return;
    }
    tap_ok(range_alerts(&r, value) == want, "range %s: %s %s", text, written,
           want ? "alerts" : "does not alert");
}

static void
test_conformance_vectors(void)
{
    ALERTS("6", -1, true);
    ALERTS("6", 0, false);
    ALERTS("6", 4, false);
    ALERTS("6", 6, false);
    ALERTS("6", 6.1, true);

    ALERTS("-7:23", -23, true);
    ALERTS("-7:23", -7, false);
    ALERTS("-7:23", 23, false);
    ALERTS("-7:23", 23.1, true);

    ALERTS(":5.75", 5.75, false);
    ALERTS(":5.75", 5.7501, true);
    ALERTS(":5.75", -0.5, true); /* start is 0, not -inf */

    ALERTS("~:-95.99", -96, false);
    ALERTS("~:-95.99", -95.99, false);
    ALERTS("~:-95.99", -95.989, true);
    ALERTS("~:-95.99", 0, true);

    ALERTS("10:", 9.91, true);
    ALERTS("10:", 10, false);
    ALERTS("10:", 1.2e14, false);

    ALERTS("~:0", -1, false);
    ALERTS("~:0", 0, false);
    ALERTS("~:0", 0.001, true);

    ALERTS("@0:657.8210567", -1, false);
    ALERTS("@0:657.8210567", 0, true);
    ALERTS("@0:657.8210567", 657.8210567, true);
    ALERTS("@0:657.8210567", 657.9, false);

    ALERTS("1:1", 0.5, true);
    ALERTS("1:1", 1, false);
    ALERTS("1:1", 1.001, true);
    ALERTS("@1:1", 0.5, false);
    ALERTS("@1:1", 1, true);
    ALERTS("@1:1", 5.2, false);

    ALERTS("~:", -1e18, false);
    ALERTS("~:", 1e18, false);
}

/* The text as a test name: control characters would break the TAP line. */
static const char *
visible(const char *text, char *buf, size_t len)
{
    size_t n = 0;
    for (; *text != '\0' && n + 3 < len; text++) {
        if (*text == '\n') {
            buf[n++] = '\\';
            buf[n++] = 'n';
        } else {
            buf[n++] = *text;
        }
    }
    buf[n] = '\0';
    return buf;
}

/* Rejected, with the one-line message we promise. */
static void
check_invalid(const char *raw, enum range_unit unit, const char *want)
{
    struct range r = {.start = 42};
    char err[256] = "", name[64];
    const char *text = visible(raw, name, sizeof name);
    int rc = range_parse(raw, unit, &r, err, sizeof err);

    tap_ok(rc == -1 && r.start == 42, "\"%s\" is rejected", text);
    if (want != NULL)
        tap_is_str(err, want, "\"%s\" error message", text);
    else
        tap_ok(strstr(err, "invalid range \"") == err && strchr(err, '\n') == NULL,
               "\"%s\" error names the range on one line", text);
}

static void
test_invalid_vectors(void)
{
    check_invalid("", RANGE_UNIT_NONE, "invalid range \"\": empty range");
    check_invalid(":", RANGE_UNIT_NONE, "invalid range \":\": no start or end");
    check_invalid("1:~", RANGE_UNIT_NONE,
                  "invalid range \"1:~\": \"~\" (minus infinity) is only allowed as start");
    check_invalid("foo", RANGE_UNIT_NONE, "invalid range \"foo\": \"foo\" is not a number");
    check_invalid("1-10", RANGE_UNIT_NONE, "invalid range \"1-10\": expected [@]start:end");
    check_invalid("10:~", RANGE_UNIT_NONE,
                  "invalid range \"10:~\": \"~\" (minus infinity) is only allowed as start");
    check_invalid("1,10", RANGE_UNIT_NONE, "invalid range \"1,10\": expected [@]start:end");
    check_invalid("2:1", RANGE_UNIT_NONE, "invalid range \"2:1\": start is greater than end");
}

static void
test_more_invalid(void)
{
    static const char *const bad[] = {
        "@",    "@:",    "~",   "nan",    "inf",  "-inf", "infinity", "1e3",
        "0x10", " 10",   "10 ", "1:2:3",  "@@1",  "-",    ".",        "+",
        "1..2", "1.2.3", "~5",  "10:20x", "5:-5", "~~:1", "1:+",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_invalid(bad[i], RANGE_UNIT_NONE, NULL);
    check_invalid("1\n2", RANGE_UNIT_NONE, "invalid range \"1?2\": expected [@]start:end");
    check_invalid("99999999999999999999", RANGE_UNIT_NONE,
                  "invalid range \"99999999999999999999\": \"99999999999999999999\" is too large");
    check_invalid("0:0.0000000001", RANGE_UNIT_NONE,
                  "invalid range \"0:0.0000000001\": \"0.0000000001\" is too small");

    char longtext[200];
    memset(longtext, '9', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    struct range r;
    char err[512];
    tap_ok(range_parse(longtext, RANGE_UNIT_NONE, &r, err, sizeof err) == -1 &&
               strstr(err, "...") != NULL && strlen(err) < 200,
           "a 199-digit number is rejected with the text shortened");
    tap_ok(range_parse("foo", RANGE_UNIT_NONE, &r, NULL, 0) == -1,
           "an error without an error buffer is still reported");
    char tiny[8];
    tap_ok(range_parse("foo", RANGE_UNIT_NONE, &r, tiny, sizeof tiny) == -1 &&
               strlen(tiny) == sizeof tiny - 1,
           "an error message is cut to the buffer");
}

static const char *
evaluate(const char *warn, const char *crit, double value)
{
    struct range w, c;

    if (range_parse(warn, RANGE_UNIT_NONE, &w, NULL, 0) != 0 ||
        range_parse(crit, RANGE_UNIT_NONE, &c, NULL, 0) != 0)
        return "parse error";
    /* Critical is evaluated before warning. */
    if (range_alerts(&c, value))
        return "CRITICAL";
    if (range_alerts(&w, value))
        return "WARNING";
    return "OK";
}

#define STATE(warn, crit, value, want)                                                             \
    tap_is_str(evaluate(warn, crit, value), want, "warn %s crit %s: %s is %s", warn, crit, #value, \
               want)

static void
test_warn_crit_pairs(void)
{
    STATE("30", "60", 15.3, "OK");
    STATE("30", "60", 30.0001, "WARNING");
    STATE("30", "60", 69, "CRITICAL");

    STATE("-10:-2", "-30:20", -31, "CRITICAL");
    STATE("-10:-2", "-30:20", -29, "WARNING");
    STATE("-10:-2", "-30:20", -11, "WARNING");
    STATE("-10:-2", "-30:20", -10, "OK");
    STATE("-10:-2", "-30:20", -2, "OK");
    STATE("-10:-2", "-30:20", -1, "WARNING");
    STATE("-10:-2", "-30:20", 19, "WARNING");
    STATE("-10:-2", "-30:20", 21, "CRITICAL");
}

/* A range of the given unit parses to exactly these bounds. */
static void
check_bounds(const char *text, enum range_unit unit, const char *start, double start_value,
             const char *end, double end_value, bool end_infinite, bool inside)
{
    struct range r;
    char err[256];

    if (range_parse(text, unit, &r, err, sizeof err) != 0) {
        tap_ok(false, "\"%s\" parses", text);
        tap_diag("%s", err);
        return;
    }
    if (start != NULL)
        tap_ok(!r.start_infinite && r.start == start_value, "\"%s\" starts at %s", text, start);
    if (end_infinite)
        tap_ok(r.end_infinite, "\"%s\" has no end", text);
    else
        tap_ok(!r.end_infinite && r.end == end_value, "\"%s\" ends at %s", text, end);
    tap_ok(r.inside == inside, "\"%s\" %s", text, inside ? "alerts inside" : "alerts outside");
}

#define DURATION(text, seconds)                                                                    \
    check_bounds(text, RANGE_UNIT_DURATION, NULL, 0, #seconds, seconds, false, false)
#define BYTES(text, bytes)                                                                         \
    check_bounds(text, RANGE_UNIT_BYTES, NULL, 0, #bytes, bytes, false, false)

static void
test_durations(void)
{
    DURATION("48h", 172800);
    DURATION("3d", 259200);
    DURATION("1w", 604800);
    DURATION("90m", 5400);
    DURATION("30s", 30);
    DURATION("45", 45);
    DURATION("1.5h", 5400);
    DURATION("0.5d", 43200);
    DURATION("36h", 129600);
    check_bounds("10m:", RANGE_UNIT_DURATION, "600", 600, NULL, 0, true, false);
    check_bounds("@1h:2h", RANGE_UNIT_DURATION, "3600", 3600, "7200", 7200, false, true);
    check_bounds("30m:1h", RANGE_UNIT_DURATION, "1800", 1800, "3600", 3600, false, false);
    check_bounds("~:2d", RANGE_UNIT_DURATION, NULL, 0, "172800", 172800, false, false);
}

static void
test_bytes(void)
{
    BYTES("1B", 1);
    BYTES("512", 512);
    BYTES("1KB", 1000);
    BYTES("1KiB", 1024);
    BYTES("4.2MiB", 4.2 * 1048576);
    BYTES("2GB", 2e9);
    BYTES("1GiB", 1073741824);
    BYTES("3TB", 3e12);
    BYTES("1TiB", 1099511627776.0);
    BYTES("1kib", 1024);
    BYTES("5mb", 5e6);
    check_bounds("1MB:1GiB", RANGE_UNIT_BYTES, "1000000", 1e6, "1073741824", 1073741824, false,
                 false);
}

static void
test_unit_errors(void)
{
    check_invalid("5x", RANGE_UNIT_DURATION,
                  "invalid range \"5x\": unknown unit \"x\" (use s, m, h, d or w)");
    check_invalid("10S", RANGE_UNIT_DURATION,
                  "invalid range \"10S\": unknown unit \"S\" (use s, m, h, d or w)");
    check_invalid("10s", RANGE_UNIT_NONE,
                  "invalid range \"10s\": unexpected unit \"s\" (plain numbers only)");
    check_invalid("1m", RANGE_UNIT_BYTES,
                  "invalid range \"1m\": unknown unit \"m\" (use B, KB, MB, GB, TB, KiB, MiB, "
                  "GiB or TiB)");
    check_invalid("1h:30m", RANGE_UNIT_DURATION,
                  "invalid range \"1h:30m\": start is greater than end");
    check_invalid("1KB", RANGE_UNIT_DURATION, NULL);
    check_invalid("1h30m", RANGE_UNIT_DURATION, NULL);
    check_invalid("5 s", RANGE_UNIT_DURATION, NULL);
    check_invalid("h", RANGE_UNIT_DURATION, NULL);
    check_invalid("1d:~", RANGE_UNIT_DURATION, NULL);
    check_invalid("1KiBs", RANGE_UNIT_BYTES, NULL);
    check_invalid("1000000TiB", RANGE_UNIT_BYTES, NULL);
}

static bool
ranges_equal(const struct range *a, const struct range *b)
{
    return a->start_infinite == b->start_infinite && a->end_infinite == b->end_infinite &&
           a->inside == b->inside && (a->start_infinite || a->start == b->start) &&
           (a->end_infinite || a->end == b->end);
}

static void
check_format(const char *text, enum range_unit unit, const char *want)
{
    struct range r, again;
    char err[256], out[128], back[128];

    if (range_parse(text, unit, &r, err, sizeof err) != 0) {
        tap_ok(false, "format \"%s\"", text);
        tap_diag("%s", err);
        return;
    }
    range_format(&r, out, sizeof out);
    tap_is_str(out, want, "\"%s\" formats as \"%s\"", text, want);
    if (range_parse(out, RANGE_UNIT_NONE, &again, err, sizeof err) != 0) {
        tap_ok(false, "\"%s\" parses back", out);
        return;
    }
    range_format(&again, back, sizeof back);
    tap_ok(ranges_equal(&r, &again) && strcmp(out, back) == 0,
           "\"%s\" parses back to the same range", out);
}

static void
test_format(void)
{
    check_format("48h", RANGE_UNIT_DURATION, "172800");
    check_format("10", RANGE_UNIT_NONE, "10");
    check_format("0:10", RANGE_UNIT_NONE, "10");
    check_format("10:", RANGE_UNIT_NONE, "10:");
    check_format("0:", RANGE_UNIT_NONE, "0:");
    check_format("~:5", RANGE_UNIT_NONE, "~:5");
    check_format("~:", RANGE_UNIT_NONE, "~:");
    check_format("@1:2", RANGE_UNIT_NONE, "@1:2");
    check_format("@10", RANGE_UNIT_NONE, "@0:10");
    check_format("@~:-3", RANGE_UNIT_NONE, "@~:-3");
    check_format("0.5", RANGE_UNIT_NONE, "0.5");
    check_format(".5", RANGE_UNIT_NONE, "0.5");
    check_format("+5.000", RANGE_UNIT_NONE, "5");
    check_format("-0", RANGE_UNIT_NONE, "0");
    check_format("0.1:0.3", RANGE_UNIT_NONE, "0.1:0.3");
    check_format(":5.75", RANGE_UNIT_NONE, "5.75");
    check_format("~:-95.99", RANGE_UNIT_NONE, "~:-95.99");
    check_format("-7:23", RANGE_UNIT_NONE, "-7:23");
    check_format("@0:657.8210567", RANGE_UNIT_NONE, "@0:657.8210567");
    check_format("0.000001", RANGE_UNIT_NONE, "0.000001");
    check_format("123456789.123456", RANGE_UNIT_NONE, "123456789.123456");
    check_format("10m:", RANGE_UNIT_DURATION, "600:");
    check_format("@1h:2h", RANGE_UNIT_DURATION, "@3600:7200");
    check_format("1.5h", RANGE_UNIT_DURATION, "5400");
    check_format("4.2MiB", RANGE_UNIT_BYTES, "4404019.2");
    check_format("1TiB", RANGE_UNIT_BYTES, "1099511627776");
    check_format("900000TiB", RANGE_UNIT_BYTES, "989560464998400000");
    check_format("1000000000000000000", RANGE_UNIT_NONE, "1000000000000000000");
    check_format("-1000000000000000000:0", RANGE_UNIT_NONE, "-1000000000000000000:0");
}

static void
test_format_edges(void)
{
    struct range r = {.start = -INFINITY, .end = NAN};
    char out[64];

    range_format(&r, out, sizeof out);
    tap_is_str(out, "-1000000000000000000:0", "a hand-made non-finite range never prints inf/nan");
    tap_ok(range_alerts(&r, NAN), "NaN always alerts");

    struct range wide = {.start = 100, .end = 200, .inside = true};
    range_format(&wide, out, 4);
    tap_is_str(out, "@10", "range_format cuts to the buffer");
}

/* The plugin may run under any LC_NUMERIC; nothing may change. */
static void
check_locale(const char *name)
{
    struct range r;
    char out[64];

    if (setlocale(LC_NUMERIC, name) == NULL) {
        tap_skip("locale %s is not installed", name);
        tap_skip("locale %s is not installed", name);
        tap_skip("locale %s is not installed", name);
        return;
    }
    tap_ok(range_parse("@0.25:1.5h", RANGE_UNIT_DURATION, &r, NULL, 0) == 0 && r.start == 0.25 &&
               r.end == 5400,
           "under %s \"@0.25:1.5h\" parses", name);
    range_format(&r, out, sizeof out);
    tap_is_str(out, "@0.25:5400", "under %s it formats with a \".\"", name);
    tap_ok(range_parse("0,5", RANGE_UNIT_NONE, &r, NULL, 0) == -1, "under %s \"0,5\" is rejected",
           name);
    setlocale(LC_NUMERIC, "C");
}

int
main(void)
{
    test_conformance_vectors();
    test_invalid_vectors();
    test_more_invalid();
    test_warn_crit_pairs();
    test_durations();
    test_bytes();
    test_unit_errors();
    test_format();
    test_format_edges();
    check_locale("de_DE.UTF-8");
    check_locale("ps_AF.UTF-8");
    return tap_done();
}
