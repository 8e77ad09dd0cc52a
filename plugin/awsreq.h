/*
 * awsreq.h - the one way this plugin talks to AWS: a signed request.
 *
 * Takes a service, region, method, path, query, body and credentials;
 * signs (SigV4, anew at each attempt), sends on the run's HTTP client,
 * retries as the SDKs' standard mode does (retry.h) within the run's
 * deadline, and decodes AWS error answers: rest-json (S3 Tables) and
 * query XML (STS). Operations build a struct awsreq and decode the body
 * of a 2xx answer; nothing else.
 *
 * Several requests run at once with awsreq_send_many: at most `parallel`
 * in flight, on one connection pool (multiplexed over HTTP/2 when the
 * endpoint offers it), each retried on its own.
 */
#ifndef AWSREQ_H
#define AWSREQ_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "credentials.h"
#include "http.h"

enum awsreq_protocol { AWSREQ_REST_JSON, AWSREQ_QUERY_XML };

struct awsreq {
    const char *operation; /* "GetTable", for -v and messages */
    const char *service;   /* SigV4 signing name */
    enum awsreq_protocol protocol;
    const char *endpoint_url;        /* https://host[:port][/base] */
    const char *region;              /* signing region */
    const char *method;              /* NULL: GET */
    const char *path;                /* below the endpoint's base path; labels encoded */
    const char *query;               /* encoded (awsreq_param), without "?"; NULL: none */
    const char *body;                /* a form, for POST; may hold a secret */
    const char *content_type;        /* of the body */
    const struct credentials *creds; /* NULL: unsigned (web identity, SSO) */
    const struct http_header *headers; /* sent unsigned, after the others; at most 2 */
    size_t n_headers;
};

enum awsreq_outcome {
    AWSREQ_OK,       /* a 2xx answer: decode the body */
    AWSREQ_ERROR,    /* an AWS error (or a redirect): error_type and error say which */
    AWSREQ_UNSENT,   /* not even sent (invalid endpoint URL...): error says why */
    AWSREQ_FAILED,   /* no answer: error says why */
    AWSREQ_TIMED_OUT /* the run's deadline passed: the caller words it */
};

struct awsreq_result {
    enum awsreq_outcome outcome;
    long status;          /* HTTP status of the last attempt */
    struct buf body;      /* of a 2xx answer */
    double seconds;       /* time of the last attempt */
    int attempts;         /* 1 unless retried */
    char error_type[128]; /* "NotFoundException", "AccessDenied"...; AWSREQ_ERROR only */
    /* One line: "Type: message (HTTP 404)", "answered with a redirect to
     * 'URL', not followed (HTTP 301)", or the transport's reason; retries
     * are counted in it: "(HTTP 503, 3 attempts)", "... (3 attempts)". */
    char error[1024];
};

/* One request, with its retries. The outcome is in res (free it). */
void awsreq_send(struct http_client *client, const struct awsreq *req, struct awsreq_result *res);

/* n requests, at most parallel (>= 1) in flight; res[i] for reqs[i]. */
void awsreq_send_many(struct http_client *client, const struct awsreq *reqs,
                      struct awsreq_result *res, size_t n, int parallel);

void awsreq_result_free(struct awsreq_result *res);

/* Appends "name=value" to a query or form (with "&" when not the first),
 * the value RFC 3986-encoded; the encoded copy is wiped (it may be a
 * token). false on ENOMEM. */
bool awsreq_param(struct buf *b, const char *name, const char *value);

/* A URI path label: every reserved byte encoded, "/" too. NULL on ENOMEM. */
char *awsreq_label(const char *value);

#endif
