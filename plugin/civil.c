#include "config.h"

#include "civil.h"

#include <time.h>

#define CIVIL_DAY 86400
/* Days from 0000-03-01 to 1970-01-01: eras start on March 1st, so the
 * leap day is the last day of its year. */
#define CIVIL_EPOCH_SHIFT 719468
#define CIVIL_ERA_DAYS 146097 /* 400 years */

int64_t
civil_days_from_date(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * CIVIL_ERA_DAYS + doe - CIVIL_EPOCH_SHIFT;
}

struct civil_date
civil_date_from_days(int64_t days)
{
    int64_t z = days + CIVIL_EPOCH_SHIFT;
    int64_t era = (z >= 0 ? z : z - (CIVIL_ERA_DAYS - 1)) / CIVIL_ERA_DAYS;
    int64_t doe = z - era * CIVIL_ERA_DAYS;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct civil_date d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = yoe + era * 400 + (d.month <= 2);
    return d;
}

int64_t
civil_days_from_seconds(int64_t seconds, int *second_of_day)
{
    int64_t days = seconds / CIVIL_DAY, rem = seconds % CIVIL_DAY;
    if (rem < 0) {
        rem += CIVIL_DAY;
        days--;
    }
    *second_of_day = (int)rem;
    return days;
}

bool
civil_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
civil_days_in_month(int64_t year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && civil_leap_year(year) ? 29 : days[month - 1];
}

int64_t
civil_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}
