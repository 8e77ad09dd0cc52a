/*
 * target.h - which table, region, endpoint and CA bundle to use.
 *
 * Region: --region, else the table ARN's, else AWS_REGION, else
 * AWS_DEFAULT_REGION, else the profile's "region". Endpoint: --endpoint-url, else
 * AWS_ENDPOINT_URL_S3TABLES, else AWS_ENDPOINT_URL, else the profile's
 * "endpoint_url" (the last three skipped when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else the endpoint rules
 * for the region. CA bundle: --ca-file, else AWS_CA_BUNDLE, else the
 * profile's "ca_bundle". FIPS and dual-stack endpoints: --fips and
 * --dualstack, else AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT,
 * else the profile's use_fips_endpoint / use_dualstack_endpoint.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "arn.h"
#include "options.h"
#include "profile.h"

struct target {
    struct table_arn arn;
    char region[64];
    char endpoint_url[1024];
    const char *ca_file;          /* NULL: the system store */
    const char *sts_endpoint_url; /* configured for STS, as endpoint_url is for S3 Tables */
    const char *sso_endpoint_url;      /* configured for the SSO portal, or NULL */
    const char *sso_oidc_endpoint_url; /* configured for SSO-OIDC, or NULL */
    bool use_fips;                /* --fips, AWS_USE_FIPS_ENDPOINT, use_fips_endpoint */
    bool use_dualstack; /* --dualstack, AWS_USE_DUALSTACK_ENDPOINT, use_dualstack_endpoint */
};

/* "true" (any case) in the environment variable, else in the profile
 * setting: how the SDKs read boolean settings. */
bool target_setting_true(const struct profile *profile, const char *env_name,
                         const char *profile_key);

/* Returns 0, or -1 with a one-line reason in err. */
int target_resolve(const struct config *cfg, const struct profile *profile, struct target *out,
                   char *err, size_t errlen);

#endif
