#include "config.h"

#include "iso8601.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "text.h"

/* Longest piece of the input quoted in an error message. */
#define ISO8601_QUOTE_MAX 64

/* The input, how far we got, and where a failure is reported. */
struct iso8601_cursor {
    const char *text;
    const char *p;
    char *err;
    size_t errlen;
};

struct iso8601_fields {
    int year, month, day;
    int hour, minute, second;
    long nanos;
    int offset_sign; /* +1 east of UTC, -1 west */
    int offset_hour, offset_minute;
};

static int iso8601_fail(const struct iso8601_cursor *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
iso8601_fail(const struct iso8601_cursor *c, const char *fmt, ...)
{
    char quoted[ISO8601_QUOTE_MAX + 4];
    char reason[128];
    va_list ap;

    if (c->err == NULL || c->errlen == 0)
        return -1;
    /* One line, bounded: the input may be anything an API sent us. */
    text_quote(quoted, sizeof quoted, c->text, strlen(c->text));
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "\"%s\": %s", quoted, reason);
    return -1;
}

static bool
iso8601_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Exactly n digits. */
static bool
iso8601_digits(struct iso8601_cursor *c, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!iso8601_is_digit(c->p[i]))
            return false;
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *out = v;
    return true;
}

static bool
iso8601_accept(struct iso8601_cursor *c, const char *chars)
{
    if (*c->p == '\0' || strchr(chars, *c->p) == NULL)
        return false;
    c->p++;
    return true;
}

static int
iso8601_parse_date(struct iso8601_cursor *c, struct iso8601_fields *f)
{
    if (!iso8601_digits(c, 4, &f->year) || !iso8601_accept(c, "-") ||
        !iso8601_digits(c, 2, &f->month) || !iso8601_accept(c, "-") ||
        !iso8601_digits(c, 2, &f->day))
        return iso8601_fail(c, "expected a date as YYYY-MM-DD");
    if (!iso8601_accept(c, "Tt "))
        return iso8601_fail(c, "expected \"T\" between date and time");
    return 0;
}

/* The fraction's first 9 digits are nanoseconds; the rest is dropped. */
static int
iso8601_parse_fraction(struct iso8601_cursor *c, struct iso8601_fields *f)
{
    long scale = 100000000;

    if (!iso8601_accept(c, "."))
        return 0;
    if (!iso8601_is_digit(*c->p))
        return iso8601_fail(c, "expected digits after \".\"");
    for (; iso8601_is_digit(*c->p); c->p++) {
        f->nanos += (*c->p - '0') * scale;
        scale /= 10;
    }
    return 0;
}

static int
iso8601_parse_time(struct iso8601_cursor *c, struct iso8601_fields *f)
{
    if (!iso8601_digits(c, 2, &f->hour) || !iso8601_accept(c, ":") ||
        !iso8601_digits(c, 2, &f->minute))
        return iso8601_fail(c, "expected a time as HH:MM:SS");
    /* RFC 3339 requires seconds; "HH:MMZ" is a common mistake, name it. */
    if (*c->p == '\0' || strchr("Zz+-", *c->p) != NULL)
        return iso8601_fail(c, "no seconds (expected HH:MM:SS)");
    if (!iso8601_accept(c, ":") || !iso8601_digits(c, 2, &f->second))
        return iso8601_fail(c, "expected a time as HH:MM:SS");
    return iso8601_parse_fraction(c, f);
}

/* Z, +HH:MM, +HHMM or +HH (and the same with "-"). */
static int
iso8601_parse_zone(struct iso8601_cursor *c, struct iso8601_fields *f)
{
    if (*c->p == '\0')
        return iso8601_fail(c, "no time zone");
    if (iso8601_accept(c, "Zz"))
        return 0;
    f->offset_sign = *c->p == '-' ? -1 : 1;
    if (!iso8601_accept(c, "+-"))
        return iso8601_fail(c, "expected Z or an offset like +01:00 after the time");
    if (!iso8601_digits(c, 2, &f->offset_hour))
        return iso8601_fail(c, "expected a time zone offset as +HH:MM");
    bool colon = iso8601_accept(c, ":");
    if ((colon || iso8601_is_digit(*c->p)) && !iso8601_digits(c, 2, &f->offset_minute))
        return iso8601_fail(c, "expected a time zone offset as +HH:MM");
    return 0;
}

static int
iso8601_validate(const struct iso8601_cursor *c, const struct iso8601_fields *f)
{
    if (f->year < 1)
        return iso8601_fail(c, "year out of range");
    if (f->month < 1 || f->month > 12)
        return iso8601_fail(c, "month out of range");
    if (f->day < 1 || f->day > civil_days_in_month(f->year, f->month))
        return iso8601_fail(c, "day out of range");
    if (f->hour > 23)
        return iso8601_fail(c, "hour out of range");
    if (f->minute > 59)
        return iso8601_fail(c, "minute out of range");
    if (f->second > 60)
        return iso8601_fail(c, "second out of range");
    if (f->offset_hour > 23 || f->offset_minute > 59)
        return iso8601_fail(c, "time zone offset out of range");
    return 0;
}

int
iso8601_parse(const char *text, struct iso8601_time *out, char *err, size_t errlen)
{
    struct iso8601_cursor c = {text != NULL ? text : "", NULL, err, errlen};
    struct iso8601_fields f = {0};

    c.p = c.text;
    if (*c.p == '\0')
        return iso8601_fail(&c, "empty date-time");
    if (iso8601_parse_date(&c, &f) != 0 || iso8601_parse_time(&c, &f) != 0 ||
        iso8601_parse_zone(&c, &f) != 0)
        return -1;
    if (*c.p != '\0')
        return iso8601_fail(&c, "unexpected text after the time zone");
    if (iso8601_validate(&c, &f) != 0)
        return -1;
    /* A leap second ":60" simply counts on into the next minute. */
    int64_t offset = f.offset_sign * (f.offset_hour * 3600 + f.offset_minute * 60);
    out->seconds = civil_days_from_date(f.year, f.month, f.day) * 86400 + f.hour * 3600 +
                   f.minute * 60 + f.second - offset;
    out->nanos = f.nanos;
    return 0;
}

void
iso8601_format_utc(int64_t seconds, char *out, size_t outlen)
{
    int rem;

    if (out == NULL || outlen == 0)
        return;
    struct civil_date d = civil_date_from_days(civil_days_from_seconds(seconds, &rem));
    snprintf(out, outlen, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
             rem / 3600, rem / 60 % 60, rem % 60);
}
