/*
 * civil.h - proleptic Gregorian dates and day counts since 1970-01-01.
 *
 * Plain integer arithmetic (H. Hinnant's days_from_civil and
 * civil_from_days), so no timegm(), gmtime_r(), TZ or locale is
 * involved, and any int64 Unix time has a date. Pure.
 */
#ifndef CIVIL_H
#define CIVIL_H

#include <stdbool.h>
#include <stdint.h>

struct civil_date {
    int64_t year; /* astronomical: year 0 is 1 BC */
    int month;    /* 1..12 */
    int day;      /* 1..31 */
};

/* Days from 1970-01-01 to the date (negative before it). The month must
 * be 1..12; a day past the month's end counts on into the next. */
int64_t civil_days_from_date(int64_t year, int month, int day);

/* The inverse of civil_days_from_date. */
struct civil_date civil_date_from_days(int64_t days);

/* Unix seconds to the day they fall on (rounded down, also before 1970)
 * and the second within that day, 0..86399. */
int64_t civil_days_from_seconds(int64_t seconds, int *second_of_day);

bool civil_leap_year(int64_t year);

/* 28..31; month 1..12. */
int civil_days_in_month(int64_t year, int month);

/* Seconds since the epoch now, from the precise real-time clock. time()
 * reads a copy the kernel updates once a tick, which can still hold the
 * previous second for a few milliseconds after the AWS side (or a mock)
 * has moved on: an age of 3600 s would read 3599 s. */
int64_t civil_now(void);

#endif
