/*
 * endpoint.h - the endpoint of an AWS service (S3 Tables, STS) for a
 * region, per the services' endpoint rule sets and AWS partitions.
 *
 * Custom endpoint wins (and cannot be combined with FIPS or dual-stack);
 * otherwise https://NAME[-fips].REGION.SUFFIX where SUFFIX is the
 * partition's DNS suffix, or its dual-stack suffix. What differs between
 * services is data (struct endpoint_service): STS's global endpoint and
 * its GovCloud hosts, which are FIPS already.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

struct endpoint_service {
    const char *name;          /* host prefix and SigV4 signing name */
    const char *global_region; /* pseudo-region of a global endpoint, or NULL */
    const char *global_url;    /* its URL, signed for global_signing_region */
    const char *global_signing_region;
    bool gov_fips_is_plain; /* in aws-us-gov, FIPS alone uses the plain host */
};

extern const struct endpoint_service endpoint_s3tables;
extern const struct endpoint_service endpoint_sts;

struct endpoint_params {
    const char *region;   /* NULL or "" when unset */
    const char *endpoint; /* custom endpoint URL, NULL when unset */
    bool use_fips;
    bool use_dualstack;
};

struct partition {
    const char *id;
    const char *region_regex;
    const char *dns_suffix;
    const char *dualstack_dns_suffix;
    bool supports_fips;
    bool supports_dualstack;
};

/* The partition a region belongs to ("aws" when none matches). */
const struct partition *endpoint_partition(const char *region);

/* The S3 Tables endpoint URL into url. Returns 0, or -1 with the rule
 * set's error message in err. */
int endpoint_resolve(const struct endpoint_params *p, char *url, size_t urllen, char *err,
                     size_t errlen);

/* Any service's: also points *signing_region at the region to sign for. */
int endpoint_resolve_service(const struct endpoint_service *svc, const struct endpoint_params *p,
                             char *url, size_t urllen, const char **signing_region, char *err,
                             size_t errlen);

#endif
