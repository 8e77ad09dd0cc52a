/*
 * arn.h - S3 Tables table ARNs.
 *
 * arn:PARTITION:s3tables:REGION:ACCOUNT:bucket/BUCKET/table/TABLE_ID, as the
 * service model's TableARN pattern allows, with the service fixed to
 * s3tables (the only service this plugin talks to).
 */
#ifndef ARN_H
#define ARN_H

#include <stddef.h>

#define ARN_EXPECTED "arn:aws:s3tables:REGION:ACCOUNT_ID:bucket/BUCKET/table/TABLE_ID"

struct table_arn {
    char partition[64];
    char region[64]; /* may be empty: the model allows it */
    char account[13];
    char bucket[64];
    char table[256];
};

/* Returns 0 on success, -1 with a one-line reason in err. */
int arn_parse(const char *text, struct table_arn *out, char *err, size_t errlen);

#endif
