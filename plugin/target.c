#include "config.h"

#include "target.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"

static const char *
env_value(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : NULL;
}

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
        region = first_set(profile_get(profile, "region"), env_value("AWS_REGION"),
                           env_value("AWS_DEFAULT_REGION"));
    if (region == NULL) {
        snprintf(err, errlen, "no region: the table ARN has none; use --region");
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

static bool
target_ignore_configured_endpoints(void)
{
    const char *ignore = env_value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    return ignore != NULL && strcasecmp(ignore, "true") == 0;
}

static const char *
target_configured_endpoint(const struct profile *profile)
{
    if (target_ignore_configured_endpoints())
        return NULL;
    return first_set(env_value("AWS_ENDPOINT_URL_S3TABLES"), env_value("AWS_ENDPOINT_URL"),
                     profile_get(profile, "endpoint_url"));
}

bool
target_setting_true(const struct profile *profile, const char *env_name, const char *profile_key)
{
    const char *v = env_value(env_name);
    if (v == NULL)
        v = profile_get(profile, profile_key);
    return v != NULL && strcasecmp(v, "true") == 0;
}

int
target_resolve(const struct config *cfg, const struct profile *profile, struct target *out,
               char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (arn_parse(cfg->table_arn, &out->arn, err, errlen) != 0)
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
        .endpoint =
            cfg->endpoint_url != NULL ? cfg->endpoint_url : target_configured_endpoint(profile),
    };
    char why[256];
    if (endpoint_resolve(&ep, out->endpoint_url, sizeof(out->endpoint_url), why, sizeof(why)) !=
        0) {
        snprintf(err, errlen, "cannot choose an endpoint: %s", why);
        return -1;
    }
    /* Environment variables for STS are read by the STS module itself. */
    if (!target_ignore_configured_endpoints() && env_value("AWS_ENDPOINT_URL_STS") == NULL &&
        env_value("AWS_ENDPOINT_URL") == NULL)
        out->sts_endpoint_url = profile_get(profile, "endpoint_url");
    out->ca_file =
        first_set(cfg->ca_file, env_value("AWS_CA_BUNDLE"), profile_get(profile, "ca_bundle"));
    return 0;
}
