/*
 * http.h - one HTTP(S) request with libcurl, nothing more.
 *
 * Certificates are always verified (TLS 1.2 or later), redirects are not
 * followed, the answer body is capped at HTTP_BODY_MAX, and libcurl's own
 * verbose trace is never enabled (it would print the Authorization
 * header). Proxies come from the usual environment variables.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_HEADERS_MAX (64 * 1024)

struct http_header {
    const char *name;
    const char *value;
    bool secret; /* never logged */
};

struct http_request {
    const char *method; /* NULL means GET; also PUT and POST */
    const char *url;
    const char *body; /* sent with PUT/POST; may be NULL */
    size_t body_len;
    const struct http_header *headers;
    size_t n_headers;
    const char *ca_file; /* NULL: the system store */
    const char *user_agent;
    bool allow_plain_http; /* only for a loopback endpoint */
    bool no_proxy;         /* link-local metadata services: never via a proxy */
    const char *proxy;     /* --proxy; NULL: the usual environment variables */
    long timeout_ms;
    int verbose; /* >= 3 logs headers (never secret ones) to stderr */
};

struct http_response {
    long status;
    struct buf body;
    char error_type[256]; /* X-Amzn-ErrorType */
    char request_id[128]; /* X-Amzn-RequestId */
    char location[512];   /* Location, of a redirect (never followed) */
    double seconds;       /* total time of the transfer */
    bool transient;       /* failed in a way worth retrying (reset, refused...) */
};

/* An endpoint URL, split into what a request line and a SigV4 signature
 * need. */
struct http_endpoint {
    char scheme[8];        /* "https", or "http" (loopback only) */
    char host_header[300]; /* host, with the port when not the default */
    char base_path[512];   /* without a trailing "/" */
    bool loopback;
};

/* Accepts https://host[:port][/base], or http:// to a loopback host only;
 * no query or user part. 0, or -1 with "invalid endpoint URL ..." in err. */
int http_endpoint_parse(const char *url, struct http_endpoint *ep, char *err, size_t errlen);

enum http_result { HTTP_DONE = 0, HTTP_FAILED = -1, HTTP_TIMED_OUT = -2 };

/* HTTP_DONE when an answer (any status) arrived; otherwise err says why. */
enum http_result http_request(const struct http_request *req, struct http_response *resp, char *err,
                              size_t errlen);

void http_response_free(struct http_response *resp);

#endif
