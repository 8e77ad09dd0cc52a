#include "config.h"

#include "target.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "env.h"

static const char *
first_set(const char *a, const char *b, const char *c)
{
    return a != NULL ? a : b != NULL ? b : c;
}

static int
target_region(const struct config *cfg, const struct profile *profile, struct target *out,
              char *err, size_t errlen)
{
    const char *region = cfg->region;
    if (region == NULL && out->arn.region[0] != '\0')
        region = out->arn.region;
    if (region == NULL)
        region = first_set(env_get("AWS_REGION"), env_get("AWS_DEFAULT_REGION"),
                           profile_get(profile, "region"));
    if (region == NULL) {
        snprintf(err, errlen, "no region: the %s ARN has none; use --region",
                 cfg->table_arn != NULL ? "table" : "table bucket");
        return -1;
    }
    size_t n = strlen(region);
    if (n >= sizeof(out->region) || strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
        snprintf(err, errlen, "invalid region '%.64s'", region);
        return -1;
    }
    memcpy(out->region, region, n + 1);
    return 0;
}

/* A configured endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, else
 * AWS_ENDPOINT_URL, else the profile's endpoint_url; none of them when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. */
static const char *
target_configured_endpoint(const struct profile *profile, const char *service_variable)
{
    if (env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        return NULL;
    return first_set(env_get(service_variable), env_get("AWS_ENDPOINT_URL"),
                     profile_get(profile, "endpoint_url"));
}

bool
target_setting_true(const struct profile *profile, const char *env_name, const char *profile_key)
{
    const char *v = env_get(env_name);
    if (v == NULL)
        v = profile_get(profile, profile_key);
    return v != NULL && strcasecmp(v, "true") == 0;
}

int
target_resolve(const struct config *cfg, const struct profile *profile, struct target *out,
               char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (cfg->table_arn != NULL ? arn_parse(cfg->table_arn, &out->arn, err, errlen) != 0
                               : arn_parse_bucket(cfg->bucket_arn, &out->arn, err, errlen) != 0)
        return -1;
    if (target_region(cfg, profile, out, err, errlen) != 0)
        return -1;

    out->use_fips =
        cfg->fips || target_setting_true(profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    out->use_dualstack =
        cfg->dualstack ||
        target_setting_true(profile, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
    struct endpoint_params ep = {
        .region = out->region,
        .use_fips = out->use_fips,
        .use_dualstack = out->use_dualstack,
        .endpoint = cfg->endpoint_url != NULL
                        ? cfg->endpoint_url
                        : target_configured_endpoint(profile, "AWS_ENDPOINT_URL_S3TABLES"),
    };
    char why[256];
    if (endpoint_resolve(&ep, out->endpoint_url, sizeof(out->endpoint_url), why, sizeof(why)) !=
        0) {
        snprintf(err, errlen, "cannot choose an endpoint: %s", why);
        return -1;
    }
    out->sts_endpoint_url = target_configured_endpoint(profile, "AWS_ENDPOINT_URL_STS");
    out->sso_endpoint_url = target_configured_endpoint(profile, "AWS_ENDPOINT_URL_SSO");
    out->sso_oidc_endpoint_url = target_configured_endpoint(profile, "AWS_ENDPOINT_URL_SSO_OIDC");
    out->ca_file =
        first_set(cfg->ca_file, env_get("AWS_CA_BUNDLE"), profile_get(profile, "ca_bundle"));
    return 0;
}
