#include "config.h"

#include "awsreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "awserror.h"
#include "text.h"
#include "deadline.h"
#include "retry.h"
#include "sigv4.h"
#include "stsxml.h"

/* One request on its way: what it is, where it stands, what it got. */
struct awsreq_slot {
    const struct awsreq *req;
    struct awsreq_result *res;
    struct http_endpoint ep;
    struct buf path, url;
    long ready_at_ms; /* when the next attempt may start (after a backoff) */
    bool in_flight, done;
    /* What the transfer in flight points to, kept until it ends. */
    char amz_date[17];
    struct sigv4_signature sig;
    struct http_header headers[8];
    struct http_request http;
    struct sigv4_key_cache *keys; /* the batch's, for requests signed with its first secret */
};

static long
awsreq_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
awsreq_param(struct buf *b, const char *name, const char *value)
{
    char *encoded = sigv4_uri_encode(value, strlen(value));
    if (encoded == NULL)
        return false;
    if (b->len > 0)
        buf_putc(b, '&');
    buf_puts(b, name);
    buf_putc(b, '=');
    buf_puts(b, encoded);
    secret_free(encoded);
    return !buf_failed(b);
}

char *
awsreq_label(const char *value)
{
    return sigv4_uri_encode(value, strlen(value));
}

/* ", 3 attempts" inside the parentheses of an answer, or " (3 attempts)". */
static void
awsreq_attempts(const struct awsreq_result *res, bool inside, char *out, size_t outlen)
{
    out[0] = '\0';
    if (res->attempts > 1)
        snprintf(out, outlen, inside ? ", %d attempts" : " (%d attempts)", res->attempts);
}

/* The AWS error of a non-2xx answer: its type, for retries and callers. */
static void
awsreq_decode_error(const struct awsreq *req, const struct http_response *resp, char *type,
                    size_t typelen, char *message, size_t messagelen)
{
    if (req->protocol == AWSREQ_QUERY_XML) {
        struct sts_error e;
        if (stsxml_decode_error(resp->body.data, resp->body.len, &e) == 0 && e.code[0] != '\0') {
            snprintf(type, typelen, "%s", e.code);
            snprintf(message, messagelen, "%s", e.message);
        } else {
            snprintf(type, typelen, "UnknownError");
            snprintf(message, messagelen, "%s",
                     resp->body.len > 0 ? "the error body is not XML" : "");
        }
        return;
    }
    struct aws_error e;
    aws_error_decode(resp->error_type, resp->body.data, resp->body.len, &e);
    snprintf(type, typelen, "%s", e.type);
    snprintf(message, messagelen, "%s", e.message);
}

/* Fills the outcome of the last attempt into res. */
static void
awsreq_conclude(const struct awsreq *req, struct awsreq_result *res, enum http_result hr,
                struct http_response *resp, const char *why)
{
    char tries[32];
    if (hr == HTTP_TIMED_OUT) {
        res->outcome = AWSREQ_TIMED_OUT;
        return;
    }
    if (hr != HTTP_DONE) {
        awsreq_attempts(res, false, tries, sizeof(tries));
        res->outcome = AWSREQ_FAILED;
        snprintf(res->error, sizeof(res->error), "%s%s", why, tries);
        return;
    }
    res->status = resp->status;
    res->seconds = resp->seconds;
    if (res->status >= 200 && res->status < 300) {
        res->outcome = AWSREQ_OK;
        res->body = resp->body;
        resp->body = (struct buf)BUF_INIT;
        return;
    }
    res->outcome = AWSREQ_ERROR;
    awsreq_attempts(res, true, tries, sizeof(tries));
    if (res->status >= 300 && res->status < 400) {
        char where[256];
        text_sanitize(where, sizeof(where), resp->location, strlen(resp->location));
        snprintf(res->error_type, sizeof(res->error_type), "Redirect");
        snprintf(res->error, sizeof(res->error),
                 "answered with a redirect to '%s', not followed (HTTP %ld%s)", where, res->status,
                 tries);
        return;
    }
    char message[512];
    awsreq_decode_error(req, resp, res->error_type, sizeof(res->error_type), message,
                        sizeof(message));
    snprintf(res->error, sizeof(res->error), "%s%s%s (HTTP %ld%s)", res->error_type,
             message[0] ? ": " : "", message, res->status, tries);
}

/* Whether an attempt's outcome is worth another, and a reason for -v. */
static enum retry_kind
awsreq_retry_kind(const struct awsreq *req, enum http_result hr, const struct http_response *resp,
                  const char *why, char *reason, size_t reasonlen)
{
    if (hr == HTTP_TIMED_OUT)
        return RETRY_NONE; /* the deadline is spent */
    if (hr != HTTP_DONE) {
        snprintf(reason, reasonlen, "%s", why);
        return resp->transient ? RETRY_TRANSIENT : RETRY_NONE;
    }
    if (resp->status >= 200 && resp->status < 300)
        return RETRY_NONE;
    char type[128], message[512];
    awsreq_decode_error(req, resp, type, sizeof(type), message, sizeof(message));
    snprintf(reason, reasonlen, "HTTP %ld %s", resp->status, type);
    return retry_classify(resp->status, type);
}

/* Builds the URL once; every attempt signs anew (X-Amz-Date moves). A
 * batch's requests mostly share one endpoint: prev, the slot before, has
 * parsed it already. */
static int
awsreq_prepare(struct awsreq_slot *s, const struct awsreq_slot *prev, char *err, size_t errlen)
{
    const struct awsreq *req = s->req;
    if (prev != NULL && !prev->done && strcmp(prev->req->endpoint_url, req->endpoint_url) == 0)
        s->ep = prev->ep;
    else if (http_endpoint_parse(req->endpoint_url, &s->ep, err, errlen) != 0)
        return -1;
    buf_puts(&s->path, s->ep.base_path);
    buf_puts(&s->path, req->path);
    buf_puts(&s->url, s->ep.scheme);
    buf_puts(&s->url, "://");
    buf_puts(&s->url, s->ep.host_header);
    buf_append(&s->url, buf_str(&s->path), s->path.len);
    if (req->query != NULL && *req->query != '\0') {
        buf_putc(&s->url, '?');
        buf_puts(&s->url, req->query);
    }
    if (buf_failed(&s->path) || buf_failed(&s->url)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Signs the next attempt and fills s->http. */
static int
awsreq_sign(struct awsreq_slot *s, char *err, size_t errlen)
{
    const struct awsreq *req = s->req;
    const struct credentials *creds = req->creds;
    const char *token = creds != NULL ? creds->session_token : NULL;
    const char *body = req->body != NULL ? req->body : "";
    sigv4_amz_date((time_t)civil_now(), s->amz_date);
    sigv4_signature_free(&s->sig);

    struct sigv4_header sh[4];
    size_t n = 0;
    sh[n++] = (struct sigv4_header){"Host", s->ep.host_header};
    if (req->content_type != NULL)
        sh[n++] = (struct sigv4_header){"Content-Type", req->content_type};
    sh[n++] = (struct sigv4_header){"X-Amz-Date", s->amz_date};
    if (token != NULL)
        sh[n++] = (struct sigv4_header){"X-Amz-Security-Token", token};
    size_t nh = 0;
    for (size_t i = 0; i < n; i++)
        s->headers[nh++] =
            (struct http_header){sh[i].name, sh[i].value, sh[i].value == token && token != NULL};

    if (creds != NULL) {
        char payload[65];
        sigv4_sha256_hex(body, strlen(body), payload);
        struct sigv4_request sreq = {req->method != NULL ? req->method : "GET",
                                     buf_str(&s->path),
                                     req->query,
                                     sh,
                                     n,
                                     payload};
        struct sigv4_key key = {creds->access_key_id, creds->secret_access_key};
        struct sigv4_scope scope = {s->amz_date, req->region, req->service, true};
        if (sigv4_sign_cached(&sreq, &key, &scope, s->keys, &s->sig) != 0) {
            snprintf(err, errlen, "cannot sign the request");
            return -1;
        }
        s->headers[nh++] = (struct http_header){"Authorization", s->sig.authorization, true};
    }
    for (size_t i = 0; i < req->n_headers && i < 2; i++)
        s->headers[nh++] = req->headers[i];
    s->http = (struct http_request){
        .method = req->method,
        .url = buf_str(&s->url),
        .body = req->body,
        .body_len = req->body != NULL ? strlen(req->body) : 0,
        .headers = s->headers,
        .n_headers = nh,
        .allow_plain_http = s->ep.loopback,
        .timeout_ms = deadline_remaining_ms(),
    };
    return 0;
}

static void
awsreq_slot_free(struct awsreq_slot *s)
{
    sigv4_signature_free(&s->sig);
    buf_free(&s->path);
    buf_free(&s->url);
}

/* Starts the slot's next attempt; on failure the slot is done. */
static void
awsreq_start(struct http_client *client, struct awsreq_slot *s)
{
    char why[512];
    s->res->attempts++;
    if (awsreq_sign(s, why, sizeof(why)) == 0 &&
        http_start(client, &s->http, s, why, sizeof(why)) != NULL) {
        s->in_flight = true;
        return;
    }
    s->res->outcome = AWSREQ_FAILED;
    snprintf(s->res->error, sizeof(s->res->error), "%s", why);
    s->done = true;
}

/* An attempt ended: retry it later, or record the outcome. */
static void
awsreq_ended(struct awsreq_slot *s, enum http_result hr, struct http_response *resp,
             const char *why, int verbose)
{
    char reason[600];
    enum retry_kind kind = awsreq_retry_kind(s->req, hr, resp, why, reason, sizeof(reason));
    long delay;
    s->in_flight = false;
    if (retry_plan(s->res->attempts, kind, deadline_remaining_ms(), &delay)) {
        if (verbose >= 1)
            fprintf(stderr, "%s: attempt %d failed (%s), retried after %.2f s\n", s->req->operation,
                    s->res->attempts, reason, (double)delay / 1000.0);
        s->ready_at_ms = awsreq_now_ms() + delay;
        return;
    }
    awsreq_conclude(s->req, s->res, hr, resp, why);
    s->done = true;
}

/* Starts what may start; returns how long until a backoff ends (or -1).
 * The slots before *first are all done, so a batch of n is not scanned
 * from its start n times. */
static long
awsreq_start_ready(struct http_client *client, struct awsreq_slot *slots, size_t n, int parallel,
                   int *in_flight, size_t *left, size_t *first)
{
    long now = awsreq_now_ms(), soonest = -1;
    while (*first < n && slots[*first].done)
        (*first)++;
    for (size_t i = *first; i < n && *in_flight < parallel; i++) {
        struct awsreq_slot *s = &slots[i];
        if (s->done || s->in_flight)
            continue;
        if (s->ready_at_ms > now) {
            if (soonest < 0 || s->ready_at_ms - now < soonest)
                soonest = s->ready_at_ms - now;
            continue;
        }
        awsreq_start(client, s);
        if (s->in_flight)
            (*in_flight)++;
        else
            (*left)--; /* could not even start: done */
    }
    return soonest;
}

static void
awsreq_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void
awsreq_log_attempts(const struct awsreq *reqs, const struct awsreq_result *res, size_t n)
{
    if (n == 1) {
        fprintf(stderr, "%s: %d attempt%s\n", reqs[0].operation, res[0].attempts,
                res[0].attempts > 1 ? "s" : "");
        return;
    }
    long attempts = 0;
    const char *other = NULL;
    for (size_t i = 0; i < n; i++) {
        attempts += res[i].attempts;
        if (other == NULL && strcmp(reqs[i].operation, reqs[0].operation) != 0)
            other = reqs[i].operation;
    }
    fprintf(stderr, "%s%s%s: %zu requests, %ld attempts\n", reqs[0].operation,
            other != NULL ? " and " : "", other != NULL ? other : "", n, attempts);
}

void
awsreq_send_many(struct http_client *client, const struct awsreq *reqs, struct awsreq_result *res,
                 size_t n, int parallel)
{
    int verbose = http_client_options(client)->verbose;
    struct sigv4_key_cache keys = {0};
    struct awsreq_slot *slots = calloc(n > 0 ? n : 1, sizeof(*slots));
    size_t left = n;
    for (size_t i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof(res[i]));
        if (slots == NULL) {
            res[i].outcome = AWSREQ_UNSENT;
            snprintf(res[i].error, sizeof(res[i].error), "out of memory");
            continue;
        }
        slots[i] = (struct awsreq_slot){.req = &reqs[i], .res = &res[i]};
        if (reqs[i].creds != NULL && reqs[i].creds == reqs[0].creds)
            slots[i].keys = &keys;
        slots[i].path = slots[i].url = (struct buf)BUF_INIT;
        if (awsreq_prepare(&slots[i], i > 0 ? &slots[i - 1] : NULL, res[i].error,
                           sizeof(res[i].error)) != 0) {
            res[i].outcome = AWSREQ_UNSENT;
            slots[i].done = true;
            left--;
        }
    }
    if (slots == NULL)
        return;
    int in_flight = 0;
    size_t first = 0;
    while (left > 0) {
        long backoff = awsreq_start_ready(client, slots, n, parallel, &in_flight, &left, &first);
        if (left == 0)
            break;
        if (in_flight == 0) {
            awsreq_sleep_ms(backoff > 0 ? backoff : 1);
            continue;
        }
        struct http_transfer *t = http_next(client, backoff >= 0 ? backoff : 1000);
        if (t == NULL)
            continue;
        struct http_response resp;
        char why[600];
        void *tag;
        enum http_result hr = http_finish(t, &resp, &tag, why, sizeof(why));
        in_flight--;
        struct awsreq_slot *slot = tag;
        awsreq_ended(slot, hr, &resp, why, verbose);
        left -= slot->done;
        if (hr == HTTP_DONE)
            http_response_free(&resp);
    }
    if (verbose >= 1 && n > 0)
        awsreq_log_attempts(reqs, res, n);
    for (size_t i = 0; i < n; i++)
        awsreq_slot_free(&slots[i]);
    free(slots);
    sigv4_key_cache_clear(&keys);
}

void
awsreq_send(struct http_client *client, const struct awsreq *req, struct awsreq_result *res)
{
    awsreq_send_many(client, req, res, 1, 1);
}

void
awsreq_result_free(struct awsreq_result *res)
{
    buf_free(&res->body);
}
