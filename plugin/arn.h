/*
 * arn.h - S3 Tables table and table bucket ARNs, and the names of
 * namespaces and tables.
 *
 * arn:PARTITION:s3tables:REGION:ACCOUNT:bucket/BUCKET/table/TABLE_ID and
 * arn:PARTITION:s3tables:REGION:ACCOUNT:bucket/BUCKET, as the service
 * model's TableARN and TableBucketARN patterns allow, with the service
 * fixed to s3tables (the only service this plugin talks to). Pure.
 */
#ifndef ARN_H
#define ARN_H

#include <stdbool.h>
#include <stddef.h>

#define ARN_EXPECTED "arn:aws:s3tables:REGION:ACCOUNT_ID:bucket/BUCKET/table/TABLE_ID"
#define ARN_BUCKET_EXPECTED "arn:aws:s3tables:REGION:ACCOUNT_ID:bucket/BUCKET"

struct table_arn {
    char partition[64];
    char region[64]; /* may be empty: the model allows it */
    char account[13];
    char bucket[64];
    char table[256]; /* "" for a table bucket ARN */
};

/* Returns 0 on success, -1 with a one-line reason in err. */
int arn_parse(const char *text, struct table_arn *out, char *err, size_t errlen);

/* The same for a table bucket ARN (out->table stays ""). */
int arn_parse_bucket(const char *text, struct table_arn *out, char *err, size_t errlen);

/* A namespace or table name as the model allows: 1-255 characters of
 * a-z, 0-9 and "_". false with "invalid <what> 'x': why" in err. */
bool arn_name_valid(const char *name, const char *what, char *err, size_t errlen);

#endif
