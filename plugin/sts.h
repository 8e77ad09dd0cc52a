/*
 * sts.h - AWS STS AssumeRole (signed) and AssumeRoleWithWebIdentity
 * (unsigned), query protocol: POST / with a form body, XML answers.
 *
 * Endpoint: the configured one (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or
 * the profile's endpoint_url, chosen by target.h and passed in), else
 * the regional https://sts[-fips].REGION.<partition suffix> (endpoint.h). Bounded by the run's
 * deadline. Errors read "assume role ARN: Code: message (HTTP nnn)".
 */
#ifndef STS_H
#define STS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "http.h"

struct sts_context {
    struct http_client *http;
    const char *region;       /* signing region and regional endpoint */
    const char *endpoint_url; /* configured endpoint; NULL: from the region */
    bool use_fips;
    bool use_dualstack;
};

struct sts_assume_role {
    const char *role_arn;
    const char *session_name;       /* NULL: "check_s3tables_expiration-<time>" */
    const char *external_id;        /* NULL: none (AssumeRole only) */
    int duration_seconds;           /* 0: the STS default */
    const char *web_identity_token; /* non-NULL: AssumeRoleWithWebIdentity */
};

/* source: the credentials that sign AssumeRole (unused for web
 * identity). Fills out (not its source). 0, or -1 with err; timed_out
 * set when the deadline ran out. */
int sts_assume_role(const struct sts_context *ctx, const struct credentials *source,
                    const struct sts_assume_role *req, time_t now, struct credentials *out,
                    bool *timed_out, char *err, size_t errlen);

/* The form body for a request (pure; for tests). malloc'd, NULL on ENOMEM. */
char *sts_form_body(const struct sts_assume_role *req, time_t now);

#endif
