/*
 * evaluate.h - a decoded job status plus thresholds gives a state.
 *
 * The state is the worst of: the state the job status maps to
 * (Successful is OK; the others are configurable), the age of the last
 * run against the age thresholds (when the answer has a timestamp), and
 * each metric against its thresholds (when the answer has it). Critical
 * ranges are checked before warning ranges. Pure: "now" is an argument.
 */
#ifndef EVALUATE_H
#define EVALUATE_H

#include <stdbool.h>
#include <stdint.h>

#include "jobstatus.h"
#include "range.h"
#include "state.h"

/* A last run up to this far in the future is clock skew, counted as 0. */
#define EVAL_MAX_FUTURE_SECONDS 300

enum eval_check { CHECK_STATUS, CHECK_AGE, CHECK_RECORDS, CHECK_FILES, CHECK_BYTES, CHECK_COUNT };

struct threshold {
    bool has_warning;
    bool has_critical;
    struct range warning;
    struct range critical;
    const char *warning_text; /* as the user gave it, for messages */
    const char *critical_text;
};

struct eval_config {
    enum state status_state[4]; /* indexed by enum job_status_value */
    struct threshold age;       /* seconds */
    struct threshold records;
    struct threshold files;
    struct threshold bytes;
};

struct evaluation {
    enum state state;
    enum state check_state[CHECK_COUNT];
    bool has_age;
    int64_t age; /* seconds since the last run, >= 0 */
};

/* The state a value gets from a threshold: CRITICAL, WARNING or OK. */
enum state threshold_check(const struct threshold *t, double value);

/* Returns 0, or -1 with a reason in err when the last run lies more than
 * EVAL_MAX_FUTURE_SECONDS in the future (the caller reports UNKNOWN). */
int evaluate(const struct job_status *job, const struct eval_config *cfg, int64_t now,
             struct evaluation *out, char *err, size_t errlen);

#endif
