/*
 * api.h - the GetTableRecordExpirationJobStatus call.
 *
 * Builds GET {endpoint}/table-record-expiration-job-status?tableArn=...,
 * signs it (SigV4, service s3tables), sends it, and decodes the answer:
 * a job status on HTTP 200, an "API error Type: message (HTTP nnn)"
 * otherwise (" after N attempts" when it was retried).
 */
#ifndef API_H
#define API_H

#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "jobstatus.h"

#define API_OPERATION "GetTableRecordExpirationJobStatus"
#define API_SERVICE "s3tables"

struct api_call {
    const char *endpoint_url; /* https://host[:port][/base] */
    const char *region;       /* signing region */
    const char *table_arn;
    const char *ca_file; /* NULL: the system store */
    const char *proxy;   /* --proxy, or NULL */
    int verbose;
};

/* On API_TIMED_OUT err is empty: the caller words the timeout. */
enum api_result { API_OK = 0, API_FAILED = -1, API_TIMED_OUT = -2 };

/* On API_OK fills job (free with job_status_free) and *seconds, the time
 * of the successful attempt. Retries per retry.h within the deadline. */
enum api_result api_get_job_status(const struct api_call *call, const struct credentials *creds,
                                   struct job_status *job, double *seconds, char *err,
                                   size_t errlen);

#endif
