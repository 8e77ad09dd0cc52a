/*
 * range.h - Nagios threshold ranges ([@]start:end), with unit suffixes.
 *
 * Syntax and semantics follow the Monitoring Plugins guidelines as pinned
 * down in PLUGIN-CONVENTIONS.md: endpoints inclusive, "~" is -infinity,
 * a missing start is 0, a missing end is +infinity, "@" inverts. Each
 * number may carry a unit suffix, converted to the base unit (seconds or
 * bytes) when parsed:
 *   RANGE_UNIT_NONE      plain numbers only
 *   RANGE_UNIT_DURATION  s, m, h, d, w  (no suffix: seconds)
 *   RANGE_UNIT_BYTES     B, KB, MB, GB, TB (powers of 1000) and
 *                        KiB, MiB, GiB, TiB (powers of 1024)
 */
#ifndef RANGE_H
#define RANGE_H

#include <stdbool.h>
#include <stddef.h>

enum range_unit { RANGE_UNIT_NONE, RANGE_UNIT_DURATION, RANGE_UNIT_BYTES };

struct range {
    double start; /* ignored when start_infinite */
    double end;   /* ignored when end_infinite */
    bool start_infinite;
    bool end_infinite;
    bool inside; /* "@": alert when start <= x <= end */
};

/* Parses text. On error returns -1 and writes a one-line reason to err. */
int range_parse(const char *text, enum range_unit unit, struct range *out, char *err,
                size_t errlen);

/* True when value is outside the range (inside it, with "@"). */
bool range_alerts(const struct range *r, double value);

/* Writes the range back in base units ("172800", "10:", "~:5", "@1:2"),
 * in the C locale, without exponent notation; for perfdata. */
void range_format(const struct range *r, char *out, size_t outlen);

#endif
