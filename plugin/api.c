#include "config.h"

#include "api.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "awserror.h"
#include "buf.h"
#include "http.h"
#include "sigv4.h"

#define API_PATH "/table-record-expiration-job-status"

static enum api_result
api_decode(const struct http_response *resp, struct job_status *job, char *err, size_t errlen)
{
    if (resp->status == 200) {
        char why[512];
        if (job_status_decode(resp->body.data, resp->body.len, job, why, sizeof(why)) == 0)
            return API_OK;
        snprintf(err, errlen, "invalid answer from %s: %s", API_OPERATION, why);
        return API_FAILED;
    }
    struct aws_error e;
    aws_error_decode(resp->error_type, resp->body.data, resp->body.len, &e);
    if (e.message[0] != '\0')
        snprintf(err, errlen, "API error %s: %s (HTTP %ld)", e.type, e.message, resp->status);
    else
        snprintf(err, errlen, "API error %s (HTTP %ld)", e.type, resp->status);
    return API_FAILED;
}

enum api_result
api_get_job_status(const struct api_call *call, const struct credentials *creds, time_t now,
                   struct job_status *job, double *seconds, char *err, size_t errlen)
{
    struct http_endpoint ep;
    if (http_endpoint_parse(call->endpoint_url, &ep, err, errlen) != 0)
        return API_FAILED;

    char *arn = sigv4_uri_encode(call->table_arn, strlen(call->table_arn));
    struct buf path = BUF_INIT, query = BUF_INIT, url = BUF_INIT;
    buf_printf(&path, "%s%s", ep.base_path, API_PATH);
    buf_printf(&query, "tableArn=%s", arn != NULL ? arn : "");
    buf_printf(&url, "%s://%s%s?%s", ep.scheme, ep.host_header, buf_str(&path), buf_str(&query));
    free(arn);

    char amz_date[17];
    sigv4_amz_date(now, amz_date);
    struct sigv4_header signed_headers[3] = {
        {"Host", ep.host_header}, {"X-Amz-Date", amz_date}, {"X-Amz-Security-Token", NULL}};
    size_t n_signed = creds->session_token != NULL ? 3 : 2;
    signed_headers[2].value = creds->session_token;
    struct sigv4_request sreq = {"GET", buf_str(&path), buf_str(&query), signed_headers, n_signed,
                                 NULL};
    struct sigv4_key key = {creds->access_key_id, creds->secret_access_key};
    struct sigv4_scope scope = {amz_date, call->region, API_SERVICE, true};
    struct sigv4_signature sig = {0};

    enum api_result result = API_FAILED;
    if (arn == NULL || buf_failed(&path) || buf_failed(&query) || buf_failed(&url) ||
        sigv4_sign(&sreq, &key, &scope, &sig) != 0) {
        snprintf(err, errlen, "cannot sign the request");
        goto done;
    }
    struct http_header headers[4] = {
        {"Host", ep.host_header, false},
        {"X-Amz-Date", amz_date, false},
        {"Authorization", sig.authorization, true},
        {"X-Amz-Security-Token", creds->session_token, true},
    };
    struct http_request hreq = {
        .url = buf_str(&url),
        .headers = headers,
        .n_headers = creds->session_token != NULL ? 4 : 3,
        .ca_file = call->ca_file,
        .user_agent = PACKAGE_NAME "/" PACKAGE_VERSION,
        .allow_plain_http = ep.loopback,
        .timeout_ms = call->timeout_ms,
        .verbose = call->verbose,
    };
    struct http_response resp;
    char why[CURL_ERROR_SIZE + 64];
    enum http_result hr = http_request(&hreq, &resp, why, sizeof(why));
    if (hr == HTTP_TIMED_OUT) {
        err[0] = '\0';
        result = API_TIMED_OUT;
    } else if (hr != HTTP_DONE) {
        snprintf(err, errlen, "%s failed: %s", API_OPERATION, why);
    } else {
        *seconds = resp.seconds;
        result = api_decode(&resp, job, err, errlen);
        http_response_free(&resp);
    }
done:
    sigv4_signature_free(&sig);
    buf_free(&path);
    buf_free(&query);
    buf_free(&url);
    return result;
}
