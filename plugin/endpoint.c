#include "config.h"

#include "endpoint.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

/*
 * From partitions.json. Regions named explicitly in that file all match
 * their partition's regex except the "*-global" pseudo-regions, which are
 * listed here too.
 */
static const struct partition partitions[] = {
    {"aws", "^(us|eu|ap|sa|ca|me|af|il|mx)-[[:alnum:]_]+-[0-9]+$", "amazonaws.com", "api.aws", true,
     true},
    {"aws-cn", "^cn-[[:alnum:]_]+-[0-9]+$", "amazonaws.com.cn", "api.amazonwebservices.com.cn",
     true, true},
    {"aws-eusc", "^eusc-(de)-[[:alnum:]_]+-[0-9]+$", "amazonaws.eu", "api.amazonwebservices.eu",
     true, true},
    {"aws-iso", "^us-iso-[[:alnum:]_]+-[0-9]+$", "c2s.ic.gov", "api.aws.ic.gov", true, true},
    {"aws-iso-b", "^us-isob-[[:alnum:]_]+-[0-9]+$", "sc2s.sgov.gov", "api.aws.scloud", true, true},
    {"aws-iso-e", "^eu-isoe-[[:alnum:]_]+-[0-9]+$", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk",
     true, true},
    {"aws-iso-f", "^us-isof-[[:alnum:]_]+-[0-9]+$", "csp.hci.ic.gov", "api.aws.hci.ic.gov", true,
     true},
    {"aws-us-gov", "^us-gov-[[:alnum:]_]+-[0-9]+$", "amazonaws.com", "api.aws", true, true},
};

#define N_PARTITIONS (sizeof(partitions) / sizeof(partitions[0]))

static bool
endpoint_regex_match(const char *pattern, const char *text)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool match = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return match;
}

const struct partition *
endpoint_partition(const char *region)
{
    for (size_t i = 0; i < N_PARTITIONS; i++) {
        size_t idlen = strlen(partitions[i].id);
        /* "aws-global", "aws-cn-global", ...: the pseudo-regions */
        if (strncmp(region, partitions[i].id, idlen) == 0 && strcmp(region + idlen, "-global") == 0)
            return &partitions[i];
    }
    /* The more specific regexes (us-gov, us-iso...) must win over "aws". */
    for (size_t i = N_PARTITIONS; i-- > 1;)
        if (endpoint_regex_match(partitions[i].region_regex, region))
            return &partitions[i];
    return &partitions[0];
}

const struct endpoint_service endpoint_s3tables = {.name = "s3tables"};
const struct endpoint_service endpoint_sts = {
    .name = "sts",
    .global_region = "aws-global",
    .global_url = "https://sts.amazonaws.com",
    .global_signing_region = "us-east-1",
    .gov_fips_is_plain = true,
};

int
endpoint_resolve_service(const struct endpoint_service *svc, const struct endpoint_params *p,
                         char *url, size_t urllen, const char **signing_region, char *err,
                         size_t errlen)
{
    const char *region = p->region != NULL && *p->region != '\0' ? p->region : NULL;
    *signing_region = region;
    if (p->endpoint != NULL) {
        if (p->use_fips || p->use_dualstack) {
            snprintf(err, errlen, "Invalid Configuration: %s and custom endpoint are not supported",
                     p->use_fips ? "FIPS" : "Dualstack");
            return -1;
        }
        if (region == NULL && svc->global_region != NULL)
            goto missing_region; /* STS signs for a region even at a custom endpoint */
        snprintf(url, urllen, "%s", p->endpoint);
        return 0;
    }
    if (region == NULL)
        goto missing_region;
    if (svc->global_region != NULL && strcmp(region, svc->global_region) == 0 && !p->use_fips &&
        !p->use_dualstack) {
        snprintf(url, urllen, "%s", svc->global_url);
        *signing_region = svc->global_signing_region;
        return 0;
    }
    const struct partition *part = endpoint_partition(region);
    if (p->use_fips && !part->supports_fips) {
        snprintf(err, errlen, "FIPS is enabled but this partition does not support FIPS");
        return -1;
    }
    if (p->use_dualstack && !part->supports_dualstack) {
        snprintf(err, errlen, "DualStack is enabled but this partition does not support DualStack");
        return -1;
    }
    bool fips_host = p->use_fips && !(svc->gov_fips_is_plain && !p->use_dualstack &&
                                      strcmp(part->id, "aws-us-gov") == 0);
    snprintf(url, urllen, "https://%s%s.%s.%s", svc->name, fips_host ? "-fips" : "", region,
             p->use_dualstack ? part->dualstack_dns_suffix : part->dns_suffix);
    return 0;
missing_region:
    snprintf(err, errlen, "Invalid Configuration: Missing Region");
    return -1;
}

int
endpoint_resolve(const struct endpoint_params *p, char *url, size_t urllen, char *err,
                 size_t errlen)
{
    const char *signing_region;
    return endpoint_resolve_service(&endpoint_s3tables, p, url, urllen, &signing_region, err,
                                    errlen);
}
