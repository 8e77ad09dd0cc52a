/*
 * iso8601.h - RFC 3339 / ISO-8601 date-time strings to Unix time.
 *
 * Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", with "t"/"z"
 * in either case, a space instead of "T", "+HHMM"/"+HH" offsets and a
 * leap second ":60" (folded into the next second). Rejects anything
 * else, including a missing zone (the age would be ambiguous) and
 * out-of-range fields. Years 0001-9999.
 */
#ifndef ISO8601_H
#define ISO8601_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct iso8601_time {
    int64_t seconds; /* since 1970-01-01T00:00:00Z */
    long nanos;      /* 0..999999999, fraction beyond 9 digits dropped */
};

/* Returns 0 on success, -1 with a one-line reason in err. */
int iso8601_parse(const char *text, struct iso8601_time *out, char *err, size_t errlen);

/* Formats seconds as "YYYY-MM-DDTHH:MM:SSZ" into out[21+]. */
void iso8601_format_utc(int64_t seconds, char *out, size_t outlen);

#endif
