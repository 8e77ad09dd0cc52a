/*
 * api.h - the S3 Tables operations this plugin calls, each "build the
 * request, decode the answer" on the request layer (awsreq.h):
 *
 *   GetTableRecordExpirationJobStatus  GET /table-record-expiration-job-status?tableArn=
 *   GetTableRecordExpirationConfiguration  GET /table-record-expiration?tableArn=
 *   GetTable    GET /get-table?tableBucketARN=&namespace=&name=
 *   ListTables  GET /tables/{tableBucketARN}?namespace=&continuationToken=
 *
 * Errors read "API error Type: message (HTTP nnn)", with ", N attempts"
 * when retried; on API_TIMED_OUT err is empty (the caller words it).
 */
#ifndef API_H
#define API_H

#include <stdbool.h>
#include <stddef.h>

#include "credentials.h"
#include "http.h"
#include "jobstatus.h"
#include "tables.h"

#define API_OPERATION "GetTableRecordExpirationJobStatus"
#define API_SERVICE "s3tables"

/* Where and as whom: the same for every call of a run. */
struct api_context {
    struct http_client *http;
    const char *endpoint_url; /* https://host[:port][/base] */
    const char *region;       /* signing region */
    const struct credentials *creds;
};

enum api_result {
    API_OK = 0,
    API_FAILED = -1,
    API_TIMED_OUT = -2,
    API_NOT_FOUND = -3 /* NotFoundException; err is filled as for API_FAILED */
};

/* One table's job status and, when asked, its expiration configuration,
 * fetched together. */
struct api_table {
    const char *table_arn; /* in */
    bool want_config;      /* in */
    enum api_result job_result;
    struct job_status job;
    double seconds; /* duration of the job status call */
    char job_err[1024];
    enum api_result config_result;
    struct expiration_config config; /* EXPIRATION_NONE also when the API has none */
    char config_err[512];
};

/* Fetches every table's answers, at most parallel requests in flight. */
void api_fetch_tables(const struct api_context *ctx, struct api_table *tables, size_t n,
                      int parallel);
void api_table_free(struct api_table *t);

/* GetTable: the ARN of NAMESPACE.NAME in the bucket (malloc'd). */
enum api_result api_get_table_arn(const struct api_context *ctx, const char *bucket_arn,
                                  const char *namespace_name, const char *name, char **arn,
                                  char *err, size_t errlen);

/* ListTables, every page: appends the bucket's tables (of one namespace
 * when namespace_name is not NULL) to list. */
enum api_result api_list_tables(const struct api_context *ctx, const char *bucket_arn,
                                const char *namespace_name, struct table_list *list, char *err,
                                size_t errlen);

#endif
