#include "config.h"

#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct http_transfer {
    struct http_response *resp;
    int verbose;
    bool too_big;
    size_t header_bytes;
    bool headers_too_big;
};

static size_t
http_on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http_transfer *t = ud;
    size_t n = size * nmemb;
    if (t->resp->body.len + n > HTTP_BODY_MAX) {
        t->too_big = true;
        return 0; /* aborts the transfer */
    }
    buf_append(&t->resp->body, data, n);
    return buf_failed(&t->resp->body) ? 0 : n;
}

/* Copies the value of "Name: value\r\n" into out if the name matches. */
static void
http_header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
        return;
    const char *v = line + nlen + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    snprintf(out, outlen, "%.*s", (int)(end - v), v);
}

static size_t
http_on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http_transfer *t = ud;
    size_t n = size * nmemb;
    t->header_bytes += n;
    if (t->header_bytes > HTTP_HEADERS_MAX) {
        t->headers_too_big = true;
        return 0; /* aborts the transfer */
    }
    if (t->verbose >= 3 && n > 2)
        fprintf(stderr, "< %.*s\n", (int)(n - 2), data);
    http_header_value(data, n, "x-amzn-errortype", t->resp->error_type,
                      sizeof(t->resp->error_type));
    http_header_value(data, n, "x-amzn-requestid", t->resp->request_id,
                      sizeof(t->resp->request_id));
    http_header_value(data, n, "location", t->resp->location, sizeof(t->resp->location));
    return n;
}

static struct curl_slist *
http_header_list(const struct http_request *req, bool *failed)
{
    struct curl_slist *list = NULL;
    *failed = false;
    for (size_t i = 0; i < req->n_headers; i++) {
        struct buf line = BUF_INIT;
        buf_printf(&line, "%s: %s", req->headers[i].name, req->headers[i].value);
        struct curl_slist *grown = buf_failed(&line) ? NULL : curl_slist_append(list, line.data);
        buf_free(&line);
        if (grown == NULL) {
            *failed = true;
            return list;
        }
        list = grown;
        if (req->verbose >= 3)
            fprintf(stderr, "> %s: %s\n", req->headers[i].name,
                    req->headers[i].secret ? "(hidden)" : req->headers[i].value);
    }
    /* libcurl would add "Accept: * / *" (AWS SDKs send none) and, for
     * bodies over 1 KiB, "Expect: 100-continue" (a needless round trip). */
    static const char *const suppressed[] = {"Accept:", "Expect:"};
    for (size_t i = 0; i < 2; i++) {
        struct curl_slist *grown = curl_slist_append(list, suppressed[i]);
        if (grown == NULL) {
            *failed = true;
            return list;
        }
        list = grown;
    }
    return list;
}

static void
http_configure(CURL *curl, const struct http_request *req, struct http_transfer *t,
               struct curl_slist *headers)
{
    const char *method = req->method != NULL ? req->method : "GET";
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        /* POSTFIELDS with an explicit size sends the body as is, for PUT too. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, req->user_agent);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, req->allow_plain_http ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE, (long)HTTP_BODY_MAX);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
    if (req->ca_file != NULL)
        curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
    if (req->no_proxy)
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    else if (req->proxy != NULL)
        curl_easy_setopt(curl, CURLOPT_PROXY, req->proxy);
}

static bool
http_is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "[::1]") == 0 || strncmp(host, "127.", 4) == 0;
}

int
http_endpoint_parse(const char *url, struct http_endpoint *ep, char *err, size_t errlen)
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
    ep->loopback = http_is_loopback(host);
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

/* Failures the SDKs retry: the connection, not the answer, went wrong. */
static bool
http_transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return true;
    default:
        return false;
    }
}

enum http_result
http_request(const struct http_request *req, struct http_response *resp, char *err, size_t errlen)
{
    memset(resp, 0, sizeof(*resp));
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return HTTP_FAILED;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    struct http_transfer t = {.resp = resp, .verbose = req->verbose};
    bool failed;
    struct curl_slist *headers = http_header_list(req, &failed);
    if (failed) {
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        snprintf(err, errlen, "out of memory");
        return HTTP_FAILED;
    }
    http_configure(curl, req, &t, headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    if (req->verbose >= 2)
        fprintf(stderr, "%s %s\n", req->method != NULL ? req->method : "GET", req->url);

    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &resp->seconds);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);

    enum http_result result = HTTP_DONE;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        result = HTTP_TIMED_OUT;
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    } else if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        result = HTTP_FAILED;
        snprintf(err, errlen, "answer larger than %d bytes", HTTP_BODY_MAX);
    } else if (t.headers_too_big) {
        result = HTTP_FAILED;
        snprintf(err, errlen, "answer headers larger than %d bytes", HTTP_HEADERS_MAX);
    } else if (rc != CURLE_OK) {
        result = HTTP_FAILED;
        resp->transient = http_transient(rc);
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    }
    if (req->verbose >= 2 && result == HTTP_DONE)
        fprintf(stderr, "HTTP %ld, %zu bytes in %.3f s%s%s\n", resp->status, resp->body.len,
                resp->seconds, resp->request_id[0] ? ", request id " : "", resp->request_id);
    if (result != HTTP_DONE)
        http_response_free(resp);
    return result;
}

void
http_response_free(struct http_response *resp)
{
    buf_free(&resp->body);
}
