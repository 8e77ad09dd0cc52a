/*
 * fuzz_range.c - range_parse, range_format and range_alerts.
 *
 * Input: one unit byte, then the range text. The byte's value modulo 3 is
 * the unit ('0' none, '1' durations, '2' bytes); with its top bit set the
 * error buffer is only 1 + (byte & 63) bytes long.
 * Checks: a parsed range is ordered and bounded; range_format writes it
 * as plain base-unit numbers that parse back (without units) to a range
 * that alerts on exactly the same values, and formats the same again;
 * a short output buffer gets a prefix of that text; NaN always alerts.
 * A rejected range gets a one-line reason.
 */
#include "config.h"

#include <math.h>

#include "fuzz.h"
#include "range.h"

#define RANGE_LIMIT 1e18 /* range.c's bound on any endpoint */

static void
check_bounded(const struct range *r)
{
    FUZZ_CHECK(r->start_infinite || (isfinite(r->start) && fabs(r->start) <= RANGE_LIMIT));
    FUZZ_CHECK(r->end_infinite || (isfinite(r->end) && fabs(r->end) <= RANGE_LIMIT));
    FUZZ_CHECK(r->start_infinite || r->end_infinite || r->start <= r->end);
}

/* Both ranges agree on the values around their endpoints. */
static void
check_same_alerts(const struct range *a, const struct range *b)
{
    double probes[32];
    size_t n = 0;
    const double fixed[] = {0, -1, 1, 0.5, -0.5, RANGE_LIMIT, -RANGE_LIMIT, INFINITY, -INFINITY};

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        probes[n++] = fixed[i];
    const struct range *both[] = {a, b};
    for (size_t k = 0; k < 2; k++) {
        const struct range *r = both[k];
        if (!r->start_infinite) {
            probes[n++] = r->start;
            probes[n++] = nextafter(r->start, -INFINITY);
            probes[n++] = nextafter(r->start, INFINITY);
        }
        if (!r->end_infinite) {
            probes[n++] = r->end;
            probes[n++] = nextafter(r->end, -INFINITY);
            probes[n++] = nextafter(r->end, INFINITY);
        }
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(range_alerts(a, probes[i]) == range_alerts(b, probes[i]));
}

static void
check_format(const struct range *r, size_t short_len)
{
    char text[256], again[256], err[256];
    struct range back;

    fuzz_poison(text, sizeof text);
    range_format(r, text, sizeof text);
    FUZZ_CHECK(strnlen(text, sizeof text) < sizeof text);
    FUZZ_CHECK(text[0] != '\0');
    FUZZ_CHECK(strspn(text, "@~:-.0123456789") == strlen(text));

    fuzz_poison(err, sizeof err);
    FUZZ_CHECK(range_parse(text, RANGE_UNIT_NONE, &back, err, sizeof err) == 0);
    FUZZ_CHECK(back.inside == r->inside);
    FUZZ_CHECK(back.start_infinite == r->start_infinite);
    FUZZ_CHECK(back.end_infinite == r->end_infinite);
    check_same_alerts(r, &back);
    range_format(&back, again, sizeof again);
    FUZZ_CHECK(strcmp(again, text) == 0);

    /* A short buffer gets a terminated prefix, and nothing past its end. */
    char *small = malloc(short_len);
    if (small == NULL)
        abort();
    fuzz_poison(small, short_len);
    range_format(r, small, short_len);
    FUZZ_CHECK(strnlen(small, short_len) < short_len);
    FUZZ_CHECK(strncmp(small, text, strlen(small)) == 0);
    free(small);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum range_unit unit = (enum range_unit)(data[0] % 3);
    size_t errlen = data[0] & 0x80 ? 1 + (data[0] & 63) : 256;
    char *text = fuzz_string(data + 1, size - 1);
    char *err = malloc(errlen);
    struct range r;

    if (err == NULL)
        abort();
    fuzz_poison(err, errlen);
    if (range_parse(text, unit, &r, err, errlen) == 0) {
        check_bounded(&r);
        FUZZ_CHECK(range_alerts(&r, NAN));
        check_format(&r, 1 + size % 24);
    } else {
        FUZZ_CHECK(fuzz_one_line(err, errlen));
        FUZZ_CHECK(errlen == 1 || err[0] != '\0');
    }
    free(err);
    free(text);
    return 0;
}
