#include "config.h"

#include "api.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "awserror.h"
#include "buf.h"
#include "http.h"
#include "deadline.h"
#include "retry.h"
#include "sigv4.h"

#define API_PATH "/table-record-expiration-job-status"

/* attempts > 1 is said in the message: "(HTTP 503, 3 attempts)". */
static enum api_result
api_decode(const struct http_response *resp, int attempts, struct job_status *job, char *err,
           size_t errlen)
{
    if (resp->status == 200) {
        char why[512];
        if (job_status_decode(resp->body.data, resp->body.len, job, why, sizeof(why)) == 0)
            return API_OK;
        snprintf(err, errlen, "invalid answer from %s: %s", API_OPERATION, why);
        return API_FAILED;
    }
    char tries[32] = "";
    if (attempts > 1)
        snprintf(tries, sizeof(tries), ", %d attempts", attempts);
    if (resp->status >= 300 && resp->status < 400) {
        char where[256];
        aws_text_sanitize(where, sizeof(where), resp->location, strlen(resp->location));
        snprintf(err, errlen, "%s answered with a redirect to '%s', not followed (HTTP %ld%s)",
                 API_OPERATION, where, resp->status, tries);
        return API_FAILED;
    }
    struct aws_error e;
    aws_error_decode(resp->error_type, resp->body.data, resp->body.len, &e);
    snprintf(err, errlen, "API error %s%s%s (HTTP %ld%s)", e.type, e.message[0] ? ": " : "",
             e.message, resp->status, tries);
    return API_FAILED;
}

/* The request, built once; each attempt signs it anew (X-Amz-Date moves). */
struct api_request {
    struct http_endpoint ep;
    struct buf path;
    struct buf query;
    struct buf url;
};

static int
api_request_build(const struct api_call *call, struct api_request *r, char *err, size_t errlen)
{
    if (http_endpoint_parse(call->endpoint_url, &r->ep, err, errlen) != 0)
        return -1;
    char *arn = sigv4_uri_encode(call->table_arn, strlen(call->table_arn));
    buf_printf(&r->path, "%s%s", r->ep.base_path, API_PATH);
    buf_printf(&r->query, "tableArn=%s", arn != NULL ? arn : "");
    buf_printf(&r->url, "%s://%s%s?%s", r->ep.scheme, r->ep.host_header, buf_str(&r->path),
               buf_str(&r->query));
    free(arn);
    if (arn == NULL || buf_failed(&r->path) || buf_failed(&r->query) || buf_failed(&r->url)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void
api_request_free(struct api_request *r)
{
    buf_free(&r->path);
    buf_free(&r->query);
    buf_free(&r->url);
}

/* One signed GET. HTTP_DONE means an answer arrived, whatever its status. */
static enum http_result
api_attempt(const struct api_call *call, const struct api_request *r,
            const struct credentials *creds, struct http_response *resp, char *err, size_t errlen)
{
    char amz_date[17];
    sigv4_amz_date(time(NULL), amz_date);
    const char *token = creds->session_token;
    struct sigv4_header signed_headers[3] = {
        {"Host", r->ep.host_header}, {"X-Amz-Date", amz_date}, {"X-Amz-Security-Token", token}};
    struct sigv4_request sreq = {"GET",          buf_str(&r->path),     buf_str(&r->query),
                                 signed_headers, token != NULL ? 3 : 2, NULL};
    struct sigv4_key key = {creds->access_key_id, creds->secret_access_key};
    struct sigv4_scope scope = {amz_date, call->region, API_SERVICE, true};
    struct sigv4_signature sig = {0};
    if (sigv4_sign(&sreq, &key, &scope, &sig) != 0) {
        memset(resp, 0, sizeof(*resp));
        snprintf(err, errlen, "cannot sign the request");
        return HTTP_FAILED;
    }
    struct http_header headers[4] = {
        {"Host", r->ep.host_header, false},
        {"X-Amz-Date", amz_date, false},
        {"Authorization", sig.authorization, true},
        {"X-Amz-Security-Token", token, true},
    };
    struct http_request hreq = {
        .url = buf_str(&r->url),
        .headers = headers,
        .n_headers = token != NULL ? 4 : 3,
        .ca_file = call->ca_file,
        .user_agent = PACKAGE_NAME "/" PACKAGE_VERSION,
        .allow_plain_http = r->ep.loopback,
        .proxy = call->proxy,
        .timeout_ms = deadline_remaining_ms(),
        .verbose = call->verbose,
    };
    enum http_result hr = http_request(&hreq, resp, err, errlen);
    sigv4_signature_free(&sig);
    return hr;
}

/* Whether this outcome is worth another attempt, and a reason for -v. */
static enum retry_kind
api_retry_kind(enum http_result hr, const struct http_response *resp, char *reason,
               size_t reasonlen, const char *why)
{
    if (hr == HTTP_TIMED_OUT)
        return RETRY_NONE; /* the deadline is spent */
    if (hr != HTTP_DONE) {
        snprintf(reason, reasonlen, "%s", why);
        return resp->transient ? RETRY_TRANSIENT : RETRY_NONE;
    }
    if (resp->status == 200)
        return RETRY_NONE;
    struct aws_error e;
    aws_error_decode(resp->error_type, resp->body.data, resp->body.len, &e);
    snprintf(reason, reasonlen, "HTTP %ld %s", resp->status, e.type);
    return retry_classify(resp->status, e.type);
}

enum api_result
api_get_job_status(const struct api_call *call, const struct credentials *creds,
                   struct job_status *job, double *seconds, char *err, size_t errlen)
{
    struct api_request r = {.path = BUF_INIT, .query = BUF_INIT, .url = BUF_INIT};
    if (api_request_build(call, &r, err, errlen) != 0) {
        api_request_free(&r);
        return API_FAILED;
    }
    struct http_response resp;
    enum http_result hr;
    char why[CURL_ERROR_SIZE + 64];
    int attempt = 1;
    for (;; attempt++) {
        hr = api_attempt(call, &r, creds, &resp, why, sizeof(why));
        char reason[CURL_ERROR_SIZE + 64];
        enum retry_kind kind = api_retry_kind(hr, &resp, reason, sizeof(reason), why);
        long delay;
        if (!retry_wait(attempt, kind, deadline_remaining_ms(), &delay))
            break;
        if (call->verbose >= 1)
            fprintf(stderr, "%s: attempt %d failed (%s), retried after %.2f s\n", API_OPERATION,
                    attempt, reason, (double)delay / 1000.0);
        http_response_free(&resp);
    }
    if (call->verbose >= 1)
        fprintf(stderr, "%s: %d attempt%s\n", API_OPERATION, attempt, attempt > 1 ? "s" : "");
    api_request_free(&r);

    enum api_result result = API_FAILED;
    if (hr == HTTP_TIMED_OUT) {
        err[0] = '\0';
        return API_TIMED_OUT;
    }
    if (hr != HTTP_DONE) {
        snprintf(err, errlen, "%s failed: %s", API_OPERATION, why);
        if (attempt > 1) {
            size_t used = strlen(err);
            snprintf(err + used, errlen - used, " (%d attempts)", attempt);
        }
    } else {
        *seconds = resp.seconds;
        result = api_decode(&resp, attempt, job, err, errlen);
        http_response_free(&resp);
    }
    return result;
}
