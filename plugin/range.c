#include "config.h"

#include "range.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Thresholds beyond an exabyte or 30 billion years mean nothing, and within
 * this bound range_format's fixed-point text stays short and exponent-free. */
#define RANGE_MAX 1e18
/* Longest number we convert; more digits than a double can tell apart. */
#define RANGE_DIGITS_MAX 64
/* Longest piece of user text quoted in an error message. */
#define RANGE_QUOTE_MAX 64
/* Fixed-point text of any |v| <= RANGE_MAX with up to RANGE_PREC_MAX decimals. */
#define RANGE_PREC_MAX 40
#define RANGE_NUMBER_MAX 96

struct range_suffix {
    const char *name;
    double factor;
};

static const struct range_suffix range_durations[] = {
    {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}, {NULL, 0},
};

static const struct range_suffix range_bytes[] = {
    {"B", 1},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"KiB", 1024.0},
    {"MiB", 1024.0 * 1024},
    {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024},
    {NULL, 0},
};

/* What range_fail needs to name the problem and the text. */
struct range_ctx {
    const char *text;
    enum range_unit unit;
    char *err;
    size_t errlen;
};

static bool
range_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ASCII only: isalpha() would follow LC_CTYPE. */
static bool
range_is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int range_fail(const struct range_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
range_fail(const struct range_ctx *c, const char *fmt, ...)
{
    char quoted[RANGE_QUOTE_MAX + 4];
    char reason[256];
    va_list ap;

    if (c->err == NULL || c->errlen == 0)
        return -1;
    text_quote(quoted, sizeof quoted, c->text, strlen(c->text));
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "invalid range \"%s\": %s", quoted, reason);
    return -1;
}

/* Length of the [+-]digits[.digits] prefix of s[0..len), 0 if there is none.
 * Hand-written so "inf", "nan", "0x1p3" and "1e3" are never numbers. */
static size_t
range_scan_number(const char *s, size_t len)
{
    size_t i = 0, digits = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < len && range_is_digit(s[i]); i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && range_is_digit(s[i]); i++)
            digits++;
    return digits > 0 ? i : 0;
}

/* Converts text range_scan_number accepted. strtod rounds correctly but reads
 * the LC_NUMERIC decimal point, so we hand it that instead of ".". */
static int
range_strtod(const char *s, size_t len, double *out)
{
    const char *point = localeconv()->decimal_point;
    char buf[RANGE_DIGITS_MAX + 16];
    size_t n = 0;

    if (point == NULL || *point == '\0')
        point = ".";
    size_t plen = strlen(point);
    if (len > RANGE_DIGITS_MAX || plen > 8)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '.') {
            buf[n++] = s[i];
            continue;
        }
        memcpy(buf + n, point, plen);
        n += plen;
    }
    buf[n] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0' ? 0 : -1;
}

static int
range_suffix_lookup(const struct range_suffix *table, const char *s, size_t len, bool anycase,
                    double *factor)
{
    for (; table->name != NULL; table++) {
        const char *name = table->name;
        size_t i;
        if (strlen(name) != len)
            continue;
        for (i = 0; i < len; i++) {
            char a = s[i], b = name[i];
            if (anycase && a >= 'a' && a <= 'z')
                a = (char)(a - 'a' + 'A');
            if (anycase && b >= 'a' && b <= 'z')
                b = (char)(b - 'a' + 'A');
            if (a != b)
                break;
        }
        if (i == len) {
            *factor = table->factor;
            return 0;
        }
    }
    return -1;
}

/* The multiplier to the base unit for the suffix s[0..len) (may be empty). */
static int
range_suffix_factor(const struct range_ctx *c, const char *s, size_t len, double *factor)
{
    char quoted[RANGE_QUOTE_MAX + 4];

    *factor = 1;
    if (len == 0)
        return 0;
    text_quote(quoted, sizeof quoted, s, len);
    switch (c->unit) {
    case RANGE_UNIT_DURATION:
        if (range_suffix_lookup(range_durations, s, len, false, factor) == 0)
            return 0;
        return range_fail(c, "unknown unit \"%s\" (use s, m, h, d or w)", quoted);
    case RANGE_UNIT_BYTES:
        if (range_suffix_lookup(range_bytes, s, len, true, factor) == 0)
            return 0;
        return range_fail(c, "unknown unit \"%s\" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)",
                          quoted);
    case RANGE_UNIT_NONE:
    default:
        return range_fail(c, "unexpected unit \"%s\" (plain numbers only)", quoted);
    }
}

/* One endpoint: a number and an optional unit, converted to the base unit. */
static int
range_endpoint(const struct range_ctx *c, const char *s, size_t len, double *out)
{
    char quoted[RANGE_QUOTE_MAX + 4];
    size_t num = range_scan_number(s, len);
    size_t end = num;
    double value, factor;

    text_quote(quoted, sizeof quoted, s, len);
    if (len == 1 && *s == '~')
        return range_fail(c, "\"~\" (minus infinity) is only allowed as start");
    if (num == 0)
        return range_fail(c, "\"%s\" is not a number", quoted);
    while (end < len && range_is_letter(s[end]))
        end++;
    if (end < len)
        return range_fail(c, "expected [@]start:end");
    if (range_suffix_factor(c, s + num, end - num, &factor) != 0)
        return -1;
    if (range_strtod(s, num, &value) != 0)
        return range_fail(c, "\"%s\" has too many digits", quoted);
    value *= factor;
    if (value > RANGE_MAX || value < -RANGE_MAX)
        return range_fail(c, "\"%s\" is too large", quoted);
    /* Thresholds finer than 1e-9 cannot be written back exactly in perfdata. */
    if (value != 0 && value < 1e-9 && value > -1e-9)
        return range_fail(c, "\"%s\" is too small", quoted);
    *out = value;
    return 0;
}

/* "start:end" or a lone "end", after any "@". */
static int
range_bounds(const struct range_ctx *c, const char *p, struct range *r)
{
    const char *colon = strchr(p, ':');

    if (colon == NULL)
        return range_endpoint(c, p, strlen(p), &r->end);

    size_t slen = (size_t)(colon - p);
    const char *e = colon + 1;
    size_t elen = strlen(e);

    if (slen == 0 && elen == 0)
        return range_fail(c, "no start or end");
    if (slen == 1 && *p == '~')
        r->start_infinite = true;
    else if (slen > 0 && range_endpoint(c, p, slen, &r->start) != 0)
        return -1;
    if (elen == 0)
        r->end_infinite = true;
    else if (range_endpoint(c, e, elen, &r->end) != 0)
        return -1;
    return 0;
}

int
range_parse(const char *text, enum range_unit unit, struct range *out, char *err, size_t errlen)
{
    struct range_ctx c = {text != NULL ? text : "", unit, err, errlen};
    struct range r = {0};
    const char *p = c.text;

    if (*p == '@') {
        r.inside = true;
        p++;
    }
    if (*p == '\0')
        return range_fail(&c, "empty range");
    if (range_bounds(&c, p, &r) != 0)
        return -1;
    if (!r.start_infinite && !r.end_infinite && r.start > r.end)
        return range_fail(&c, "start is greater than end");
    *out = r;
    return 0;
}

bool
range_alerts(const struct range *r, double value)
{
    /* A value nobody can compare is never reported as fine. */
    if (isnan(value))
        return true;
    bool within = (r->start_infinite || value >= r->start) && (r->end_infinite || value <= r->end);
    return r->inside ? within : !within;
}

/* printf's "%.*f" with whatever LC_NUMERIC uses as decimal point turned back
 * into "." and trailing zeros dropped. */
static void
range_fixed(double v, int prec, char *out, size_t outlen)
{
    char raw[RANGE_NUMBER_MAX];
    size_t n = 0;
    bool point = false;

    snprintf(raw, sizeof raw, "%.*f", prec, v);
    for (const char *s = raw; *s != '\0' && n + 2 < outlen; s++) {
        if (range_is_digit(*s) || (s == raw && *s == '-')) {
            out[n++] = *s;
        } else if (!point) {
            out[n++] = '.';
            point = true;
        }
    }
    while (point && n > 0 && out[n - 1] == '0')
        n--;
    if (point && n > 0 && out[n - 1] == '.')
        n--;
    out[n] = '\0';
    if (strcmp(out, "-0") == 0)
        strcpy(out, "0");
}

/* The shortest fixed-point text that reads back as v. */
static void
range_format_number(double v, char *out, size_t outlen)
{
    if (isnan(v))
        v = 0;
    if (v > RANGE_MAX)
        v = RANGE_MAX;
    if (v < -RANGE_MAX)
        v = -RANGE_MAX;
    for (int prec = 0; prec <= RANGE_PREC_MAX; prec++) {
        double back;
        range_fixed(v, prec, out, outlen);
        if (range_strtod(out, strlen(out), &back) == 0 && back == v)
            return;
    }
}

void
range_format(const struct range *r, char *out, size_t outlen)
{
    char start[RANGE_NUMBER_MAX], end[RANGE_NUMBER_MAX];
    const char *at = r->inside ? "@" : "";

    if (out == NULL || outlen == 0)
        return;
    range_format_number(r->start, start, sizeof start);
    range_format_number(r->end, end, sizeof end);
    if (r->end_infinite)
        end[0] = '\0';
    /* "10" means "0:10"; after "@" the 0 stays, "@0:10" reads better. */
    if (r->start_infinite)
        snprintf(out, outlen, "%s~:%s", at, end);
    else if (r->start == 0 && !r->end_infinite && !r->inside)
        snprintf(out, outlen, "%s%s", at, end);
    else
        snprintf(out, outlen, "%s%s:%s", at, start, end);
}
