/*
 * http.h - HTTP(S) with libcurl: one client per run, many requests.
 *
 * The client is a libcurl multi handle: every request of the run (STS,
 * S3 Tables, metadata services) shares its connection pool and its
 * cached CA store, and requests to one host are multiplexed over HTTP/2
 * when the endpoint offers it. Requests run one at a time
 * (http_request) or several at once (http_start + http_next).
 *
 * Certificates are always verified (TLS 1.2 or later), redirects are not
 * followed, the answer body is capped at HTTP_BODY_MAX and the headers
 * at HTTP_HEADERS_MAX, and libcurl's own verbose trace is never enabled
 * (it would print the Authorization header).
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_HEADERS_MAX (64 * 1024)
#define HTTP_USER_AGENT PACKAGE_NAME "/" PACKAGE_VERSION

/* The network settings of the run, chosen once in main. */
struct http_options {
    const char *ca_file; /* NULL: the system store */
    const char *proxy;   /* --proxy; NULL: the usual environment variables */
    int verbose;         /* >= 2 logs requests, >= 3 headers (never secret ones) */
};

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
    bool allow_plain_http; /* only for a loopback endpoint */
    bool no_proxy;         /* link-local metadata services: never via a proxy */
    long timeout_ms;
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

struct http_client;

/* NULL when libcurl cannot be set up. opts must outlive the client. */
struct http_client *http_client_new(const struct http_options *opts);
void http_client_free(struct http_client *client);
const struct http_options *http_client_options(const struct http_client *client);

/* One request, start to end. HTTP_DONE when an answer (any status)
 * arrived; otherwise err says why. */
enum http_result http_request(struct http_client *client, const struct http_request *req,
                              struct http_response *resp, char *err, size_t errlen);

/* One request among several in flight: started, then handed back by
 * http_next when it has ended. req (and what it points to) must live
 * until then. */
struct http_transfer;

/* NULL with err when it cannot even start; tag is the caller's. */
struct http_transfer *http_start(struct http_client *client, const struct http_request *req,
                                 void *tag, char *err, size_t errlen);

/* Drives the transfers in flight for up to wait_ms and returns one that
 * has ended (NULL when none did in that time or none is in flight). */
struct http_transfer *http_next(struct http_client *client, long wait_ms);

/* The outcome of an ended transfer, as http_request gives it; frees the
 * transfer and returns its tag in *tag. */
enum http_result http_finish(struct http_transfer *t, struct http_response *resp, void **tag,
                             char *err, size_t errlen);

void http_response_free(struct http_response *resp);

#endif
