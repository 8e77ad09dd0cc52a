#include "config.h"

#include "retry.h"

#include <stdint.h>
#include <string.h>

#include <openssl/rand.h>

/* The throttling and transient codes of the SDKs' standard retry mode. */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};
static const char *const transient_codes[] = {
    "RequestTimeout",     "RequestTimeoutException",     "InternalError",
    "ServiceUnavailable", "ServiceUnavailableException",
};

static bool
retry_code_in(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(code, list[i]) == 0)
            return true;
    return false;
}

enum retry_kind
retry_classify(long http_status, const char *error_type)
{
    if (error_type != NULL && *error_type != '\0') {
        if (retry_code_in(error_type, throttle_codes,
                          sizeof(throttle_codes) / sizeof(throttle_codes[0])))
            return RETRY_THROTTLE;
        if (retry_code_in(error_type, transient_codes,
                          sizeof(transient_codes) / sizeof(transient_codes[0])))
            return RETRY_TRANSIENT;
    }
    if (http_status == 429)
        return RETRY_THROTTLE;
    if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504)
        return RETRY_TRANSIENT;
    return RETRY_NONE;
}

long
retry_backoff_ms(int failed_attempts, double random01)
{
    long cap = RETRY_BASE_MS;
    for (int i = 1; i < failed_attempts && cap < RETRY_MAX_BACKOFF_MS; i++)
        cap *= 2;
    if (cap > RETRY_MAX_BACKOFF_MS)
        cap = RETRY_MAX_BACKOFF_MS;
    if (!(random01 >= 0.0) || random01 >= 1.0)
        random01 = 0.0;
    return (long)(random01 * (double)cap);
}

static bool
retry_possible(int attempt, enum retry_kind kind)
{
    return kind != RETRY_NONE && attempt < RETRY_MAX_ATTEMPTS;
}

bool
retry_decide(int attempt, enum retry_kind kind, long left_ms, double random01, long *delay_ms)
{
    *delay_ms = 0;
    if (!retry_possible(attempt, kind))
        return false;
    long delay = retry_backoff_ms(attempt, random01);
    if (left_ms - delay < RETRY_MIN_LEFT_MS)
        return false;
    *delay_ms = delay;
    return true;
}

static double
retry_random01(void)
{
    uint32_t r;
    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        return 0.5;
    return (double)r / 4294967296.0;
}

/* The jitter is drawn only when a retry is possible: most attempts succeed. */
bool
retry_plan(int attempt, enum retry_kind kind, long left_ms, long *delay_ms)
{
    if (!retry_possible(attempt, kind)) {
        *delay_ms = 0;
        return false;
    }
    return retry_decide(attempt, kind, left_ms, retry_random01(), delay_ms);
}
