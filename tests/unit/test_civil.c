/*
 * test_civil.c - proleptic Gregorian dates and days since 1970-01-01.
 *
 * Expected day counts are GNU date's seconds divided by 86400
 * (date -u -d 9999-12-31 +%s).
 */
#include "config.h"

#include "civil.h"
#include "tap.h"

#include <stdint.h>

static void
check_date(int64_t year, int month, int day, int64_t days)
{
    tap_is_int(civil_days_from_date(year, month, day), days, "%04lld-%02d-%02d is day %lld",
               (long long)year, month, day, (long long)days);
    struct civil_date d = civil_date_from_days(days);
    tap_ok(d.year == year && d.month == month && d.day == day,
           "day %lld is %04lld-%02d-%02d (got %04lld-%02d-%02d)", (long long)days, (long long)year,
           month, day, (long long)d.year, d.month, d.day);
}

static void
test_dates(void)
{
    check_date(1970, 1, 1, 0);
    check_date(1969, 12, 31, -1);
    check_date(2000, 2, 29, 11016);
    check_date(2000, 3, 1, 11017);
    check_date(1900, 3, 1, -25508);
    check_date(2015, 8, 30, 16677);
    check_date(1, 1, 1, -719162);
    check_date(9999, 12, 31, 2932896);
}

static void
test_round_trip(void)
{
    int bad = 0;
    for (int64_t days = -800000; days <= 3000000; days += 7) {
        struct civil_date d = civil_date_from_days(days);
        if (d.month < 1 || d.month > 12 || d.day < 1 ||
            d.day > civil_days_in_month(d.year, d.month) ||
            civil_days_from_date(d.year, d.month, d.day) != days)
            bad++;
    }
    tap_is_int(bad, 0, "every 7th day from year -220 to 10183 survives a round trip");
}

static void
check_seconds(int64_t seconds, int64_t days, int second_of_day)
{
    int got = -1;
    tap_is_int(civil_days_from_seconds(seconds, &got), days, "second %lld is on day %lld",
               (long long)seconds, (long long)days);
    tap_is_int(got, second_of_day, "second %lld is second %d of its day", (long long)seconds,
               second_of_day);
}

static void
test_seconds(void)
{
    check_seconds(0, 0, 0);
    check_seconds(86399, 0, 86399);
    check_seconds(86400, 1, 0);
    check_seconds(-1, -1, 86399);
    check_seconds(-86400, -1, 0);
    check_seconds(-86401, -2, 86399);
    check_seconds(INT64_C(253402300799), 2932896, 86399);
}

static void
test_months(void)
{
    tap_is_int(civil_days_in_month(2024, 2), 29, "February 2024 has 29 days");
    tap_is_int(civil_days_in_month(2023, 2), 28, "February 2023 has 28 days");
    tap_is_int(civil_days_in_month(1900, 2), 28, "February 1900 has 28 days");
    tap_is_int(civil_days_in_month(2000, 2), 29, "February 2000 has 29 days");
    tap_is_int(civil_days_in_month(2026, 4), 30, "April has 30 days");
    tap_is_int(civil_days_in_month(2026, 12), 31, "December has 31 days");
}

int
main(void)
{
    test_dates();
    test_round_trip();
    test_seconds();
    test_months();
    return tap_done();
}
