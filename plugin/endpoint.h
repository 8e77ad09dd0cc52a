/*
 * endpoint.h - the S3 Tables endpoint for a region, per the service's
 * endpoint rule set (endpoint-rule-set-1.json) and AWS partitions.
 *
 * Custom endpoint wins (and cannot be combined with FIPS or dual-stack);
 * otherwise https://s3tables[-fips].REGION.SUFFIX where SUFFIX is the
 * partition's DNS suffix, or its dual-stack suffix.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

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

/* Writes the endpoint URL to url. Returns 0, or -1 with the rule set's
 * error message in err. */
int endpoint_resolve(const struct endpoint_params *p, char *url, size_t urllen, char *err,
                     size_t errlen);

#endif
