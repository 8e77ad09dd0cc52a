/*
 * retry.h - when to try an AWS call again, as the SDKs' "standard" retry
 * mode does: throttling (HTTP 429 and the Throttling* family of error
 * codes), transient server errors (500, 502, 503, 504, request
 * timeouts) and broken connections are retried, at most
 * RETRY_MAX_ATTEMPTS attempts in all, after an exponential backoff with
 * full jitter. Nothing else is retried. The delay never runs past the
 * run's deadline: a retry that would is not made.
 */
#ifndef RETRY_H
#define RETRY_H

#include <stdbool.h>

#define RETRY_MAX_ATTEMPTS 3
#define RETRY_BASE_MS 1000L /* first backoff is up to 1 s, then 2 s... */
#define RETRY_MAX_BACKOFF_MS 20000L
#define RETRY_MIN_LEFT_MS 500L /* an attempt with less time than this is pointless */

enum retry_kind { RETRY_NONE, RETRY_THROTTLE, RETRY_TRANSIENT };

/* How an HTTP answer should be treated; error_type may be NULL or "". */
enum retry_kind retry_classify(long http_status, const char *error_type);

/* The backoff before attempt (failed_attempts + 1): a uniform draw
 * (random01 in [0, 1)) of up to min(RETRY_MAX_BACKOFF_MS,
 * RETRY_BASE_MS * 2^(failed_attempts - 1)). Pure. */
long retry_backoff_ms(int failed_attempts, double random01);

/* After failed attempt number `attempt` of kind `kind`, with left_ms of
 * the deadline left: whether to try again, and after how long. Pure. */
bool retry_decide(int attempt, enum retry_kind kind, long left_ms, double random01, long *delay_ms);

/* retry_decide with a random draw. For the request layer, which waits. */
bool retry_plan(int attempt, enum retry_kind kind, long left_ms, long *delay_ms);

#endif
