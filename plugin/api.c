#include "config.h"

#include "api.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "awserror.h"
#include "buf.h"
#include "http.h"
#include "sigv4.h"

#define API_PATH "/table-record-expiration-job-status"

/* The endpoint, split into what the request line and the signature need. */
struct api_endpoint {
    char scheme[8];
    char host_header[300]; /* host, with the port when not the default */
    char base_path[512];   /* without a trailing "/" */
    bool loopback;
};

static bool
api_is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "[::1]") == 0 || strncmp(host, "127.", 4) == 0;
}

static int
api_endpoint_parse(const char *url, struct api_endpoint *ep, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
    int rc = -1;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, errlen, "invalid endpoint URL '%.200s'", url);
        goto done;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    if (query != NULL || user != NULL) {
        snprintf(err, errlen, "invalid endpoint URL '%.200s': no query or user part allowed", url);
        goto done;
    }
    ep->loopback = api_is_loopback(host);
    if (strcasecmp(scheme, "https") != 0 && !(strcasecmp(scheme, "http") == 0 && ep->loopback)) {
        snprintf(err, errlen,
                 "invalid endpoint URL '%.200s': use https (plain http only to loopback)", url);
        goto done;
    }
    snprintf(ep->scheme, sizeof(ep->scheme), "%s", strcasecmp(scheme, "https") ? "http" : "https");
    bool default_port = port == NULL || (strcmp(port, "443") == 0 && ep->scheme[4] == 's') ||
                        (strcmp(port, "80") == 0 && ep->scheme[4] == '\0');
    snprintf(ep->host_header, sizeof(ep->host_header), "%s%s%s", host, default_port ? "" : ":",
             default_port ? "" : port);
    size_t plen = path != NULL ? strlen(path) : 0;
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    if (plen >= sizeof(ep->base_path)) {
        snprintf(err, errlen, "invalid endpoint URL: path too long");
        goto done;
    }
    snprintf(ep->base_path, sizeof(ep->base_path), "%.*s", (int)plen, plen ? path : "");
    rc = 0;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

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
    struct api_endpoint ep;
    if (api_endpoint_parse(call->endpoint_url, &ep, err, errlen) != 0)
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
        snprintf(err, errlen, "timeout after %u s while calling %s", call->timeout_seconds,
                 API_OPERATION);
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
