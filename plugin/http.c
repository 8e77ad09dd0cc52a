#include "config.h"

#include "http.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/x509.h>

/* Easy handles kept for reuse: a batch of requests makes one per slot in
 * flight instead of one per request. */
#define HTTP_IDLE_HANDLES 64

/* One transfer: the easy handle, what it collects, and where it stands. */
struct http_transfer {
    struct http_client *client;
    CURL *curl;
    struct curl_slist *headers;
    struct http_response resp;
    const char *method;
    int verbose;
    bool too_big;
    size_t header_bytes;
    bool headers_too_big;
    CURLcode rc;
    char curl_err[CURL_ERROR_SIZE];
    void *tag;
    struct http_transfer *next_done;
};

/* The client drives libcurl by events (curl_multi_socket_action): it
 * polls the sockets libcurl asks it to watch and tells libcurl which one
 * is ready, so that libcurl does not check every transfer's socket each
 * time any of them has data, as curl_multi_perform does. */
struct http_client {
    CURLM *multi;
    CURLSH *share; /* TLS sessions, so new connections to a host resume */
    const struct http_options *opts;
    int in_flight;
    struct http_transfer *done_head, *done_tail;
    struct pollfd *watch; /* the sockets libcurl waits on, and for what */
    size_t n_watch, cap_watch;
    long timer_at;    /* when libcurl wants its timeouts run (ms, monotonic); -1: never */
    char *ca_dir;     /* the system's hashed certificate directory, when no CA is configured */
    bool polled_last; /* whether the last wait polled (a due timer may skip one) */
    CURL *idle[HTTP_IDLE_HANDLES]; /* easy handles of ended transfers, reset for the next */
    size_t n_idle;
};

static size_t
http_on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http_transfer *t = ud;
    size_t n = size * nmemb;
    if (t->resp.body.len + n > HTTP_BODY_MAX) {
        t->too_big = true;
        return 0; /* aborts the transfer */
    }
    buf_append(&t->resp.body, data, n);
    return buf_failed(&t->resp.body) ? 0 : n;
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
    http_header_value(data, n, "x-amzn-errortype", t->resp.error_type, sizeof(t->resp.error_type));
    http_header_value(data, n, "x-amzn-requestid", t->resp.request_id, sizeof(t->resp.request_id));
    http_header_value(data, n, "location", t->resp.location, sizeof(t->resp.location));
    return n;
}

static struct curl_slist *
http_header_list(const struct http_request *req, int verbose, bool *failed)
{
    struct curl_slist *list = NULL;
    *failed = false;
    for (size_t i = 0; i < req->n_headers; i++) {
        struct buf line = BUF_INIT;
        buf_puts(&line, req->headers[i].name);
        buf_puts(&line, ": ");
        buf_puts(&line, req->headers[i].value);
        struct curl_slist *grown = buf_failed(&line) ? NULL : curl_slist_append(list, line.data);
        buf_free(&line);
        if (grown == NULL) {
            *failed = true;
            return list;
        }
        list = grown;
        if (verbose >= 3)
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

/*
 * The URL as the origin plus the request target, sent as is. libcurl
 * formats a URL's path and query a character at a time, three times per
 * request; a request target is copied once, and is exactly the path and
 * query that were signed. Only for https: through a proxy it is tunnelled
 * (CONNECT), whereas a plain-http request to a proxy needs the whole URL.
 */
static void
http_set_url(CURL *curl, const char *url)
{
    char origin[512];
    const char *host = strncasecmp(url, "https://", 8) == 0 ? url + 8 : NULL;
    const char *slash = host != NULL ? strchr(host, '/') : NULL;
    if (slash == NULL || (size_t)(slash - url) >= sizeof(origin)) {
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_REQUEST_TARGET, NULL);
        return;
    }
    memcpy(origin, url, (size_t)(slash - url));
    origin[slash - url] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, origin);
    curl_easy_setopt(curl, CURLOPT_REQUEST_TARGET, slash);
}

static void
http_configure(CURL *curl, const struct http_request *req, const struct http_options *opts,
               const char *ca_dir,
               struct http_transfer *t)
{
    const char *method = req->method != NULL ? req->method : "GET";
    http_set_url(curl, req->url);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        /* POSTFIELDS with an explicit size sends the body as is, for PUT too. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, HTTP_USER_AGENT);
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
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->curl_err);
    curl_easy_setopt(curl, CURLOPT_PRIVATE, t);
    /* HTTP/2 where the endpoint offers it (ALPN); a transfer waits for a
     * connection being set up rather than open another, so that many
     * requests to one host share one connection and one handshake. */
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(curl, CURLOPT_PIPEWAIT, 1L);
    if (opts->ca_file != NULL) {
        /* Only the configured CAs, as the AWS CLI trusts only its bundle:
         * not libcurl's built-in CA directory as well (Debian's is
         * /etc/ssl/certs). With no directory, libcurl also loads the
         * file once per run instead of once per connection. */
        curl_easy_setopt(curl, CURLOPT_CAINFO, opts->ca_file);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    } else if (ca_dir != NULL) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, NULL); /* not the whole bundle as well */
        curl_easy_setopt(curl, CURLOPT_CAPATH, ca_dir);
    }
    if (req->no_proxy)
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    else if (opts->proxy != NULL)
        curl_easy_setopt(curl, CURLOPT_PROXY, opts->proxy);
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

static long
http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CURLMOPT_SOCKETFUNCTION: start, change or stop watching a socket. */
static int
http_on_socket(CURL *easy, curl_socket_t fd, int what, void *ud, void *socket_ud)
{
    (void)easy;
    (void)socket_ud;
    struct http_client *c = ud;
    size_t i = 0;
    while (i < c->n_watch && c->watch[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < c->n_watch)
            c->watch[i] = c->watch[--c->n_watch];
        return 0;
    }
    if (i == c->n_watch) {
        if (c->n_watch == c->cap_watch) {
            size_t cap = c->cap_watch ? 2 * c->cap_watch : 16;
            struct pollfd *grown = realloc(c->watch, cap * sizeof(*grown));
            if (grown == NULL)
                return -1; /* libcurl fails the transfer */
            c->watch = grown;
            c->cap_watch = cap;
        }
        c->watch[c->n_watch++].fd = fd;
    }
    c->watch[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
                                 ((what & CURL_POLL_OUT) ? POLLOUT : 0));
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: when libcurl next wants to run its timeouts. */
static int
http_on_timer(CURLM *multi, long timeout_ms, void *ud)
{
    (void)multi;
    struct http_client *c = ud;
    c->timer_at = timeout_ms < 0 ? -1 : http_now_ms() + timeout_ms;
    return 0;
}

/* Does the directory hold OpenSSL's subject-hash links ("5ad8a5d6.0")? */
static bool
http_is_hashed_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return false;
    bool hashed = false;
    struct dirent *e;
    while (!hashed && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        hashed = strlen(n) >= 10 && strspn(n, "0123456789abcdef") == 8 && n[8] == '.' &&
                 strspn(n + 9, "0123456789") == strlen(n + 9);
    }
    closedir(d);
    return hashed;
}

/*
 * The trust store when none is configured. Loading the whole CA bundle
 * (about 145 certificates) is most of what a check costs; OpenSSL's hashed
 * directory gives the one root a chain needs. The directory is OpenSSL's
 * own choice: SSL_CERT_DIR, else its built-in default. Where it has no
 * hashes, libcurl's default bundle is used as before. The system's roots
 * are the same either way (update-ca-certificates makes both).
 */
static char *
http_system_ca_dir(void)
{
    const char *dir = getenv(X509_get_default_cert_dir_env());
    if (dir == NULL || *dir == '\0')
        dir = X509_get_default_cert_dir();
    /* OpenSSL takes a list ("a:b"); it is used when its first entry is hashed. */
    char first[1024];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(dir, ":"), dir);
    return http_is_hashed_dir(first) ? strdup(dir) : NULL;
}

struct http_client *
http_client_new(const struct http_options *opts)
{
    struct http_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->opts = opts;
    c->timer_at = -1;
    if (opts->ca_file == NULL) {
        c->ca_dir = http_system_ca_dir();
        if (opts->verbose >= 3)
            fprintf(stderr, "trust store: %s\n",
                    c->ca_dir != NULL ? c->ca_dir : "libcurl's default CA bundle");
    }
    c->multi = curl_multi_init();
    c->share = curl_share_init();
    if (c->multi == NULL || c->share == NULL ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
        curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, http_on_socket) != CURLM_OK ||
        curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK ||
        curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, http_on_timer) != CURLM_OK ||
        curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK) {
        http_client_free(c);
        return NULL;
    }
    return c;
}

void
http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    while (c->done_head != NULL) {
        void *tag;
        char err[8];
        struct http_response resp;
        if (http_finish(c->done_head, &resp, &tag, err, sizeof(err)) == HTTP_DONE)
            http_response_free(&resp);
    }
    while (c->n_idle > 0)
        curl_easy_cleanup(c->idle[--c->n_idle]);
    curl_multi_cleanup(c->multi);
    curl_share_cleanup(c->share);
    free(c->watch);
    free(c->ca_dir);
    free(c);
}

const struct http_options *
http_client_options(const struct http_client *c)
{
    return c->opts;
}

static void
http_transfer_free(struct http_transfer *t)
{
    struct http_client *c = t->client;
    if (c->n_idle < HTTP_IDLE_HANDLES) {
        curl_easy_reset(t->curl); /* no option, header list or buffer of ours stays set */
        c->idle[c->n_idle++] = t->curl;
    } else {
        curl_easy_cleanup(t->curl);
    }
    curl_slist_free_all(t->headers);
    http_response_free(&t->resp);
    free(t);
}

struct http_transfer *
http_start(struct http_client *c, const struct http_request *req, void *tag, char *err,
           size_t errlen)
{
    struct http_transfer *t = calloc(1, sizeof(*t));
    if (t != NULL)
        t->curl = c->n_idle > 0 ? c->idle[--c->n_idle] : curl_easy_init();
    if (t == NULL || t->curl == NULL) {
        free(t);
        snprintf(err, errlen, "cannot initialise libcurl");
        return NULL;
    }
    t->client = c;
    t->verbose = c->opts->verbose;
    t->method = req->method != NULL ? req->method : "GET";
    t->tag = tag;
    bool failed;
    t->headers = http_header_list(req, t->verbose, &failed);
    if (failed) {
        http_transfer_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    http_configure(t->curl, req, c->opts, c->ca_dir, t);
    curl_easy_setopt(t->curl, CURLOPT_SHARE, c->share);
    if (t->verbose >= 2)
        fprintf(stderr, "%s %s\n", t->method, req->url);
    if (curl_multi_add_handle(c->multi, t->curl) != CURLM_OK) {
        http_transfer_free(t);
        snprintf(err, errlen, "cannot start the request");
        return NULL;
    }
    c->in_flight++;
    return t;
}

/* Moves the transfers libcurl has finished to the done list. */
static void
http_collect(struct http_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct http_transfer *t = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        t->rc = msg->data.result;
        curl_multi_remove_handle(c->multi, t->curl);
        c->in_flight--;
        if (c->done_tail != NULL)
            c->done_tail->next_done = t;
        else
            c->done_head = t;
        c->done_tail = t;
    }
}

/* Waits up to wait_ms for a watched socket to be ready or libcurl's
 * timer to fall due, and lets libcurl act on what happened. */
static void
http_wait(struct http_client *c, long wait_ms)
{
    long now = http_now_ms();
    if (c->timer_at >= 0 && c->timer_at - now < wait_ms)
        wait_ms = c->timer_at > now ? c->timer_at - now : 0;
    /* A timer already due (libcurl's "run now" for a new transfer) goes
     * first, without a poll; the next wait polls the sockets again. */
    bool skip_poll = wait_ms == 0 && c->timer_at >= 0 && c->polled_last;
    c->polled_last = !skip_poll;
    int ready =
        skip_poll ? 0
                  : poll(c->watch, (nfds_t)c->n_watch, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms);
    int running;
    if (ready > 0) {
        /* libcurl changes the watch list as it acts: act on a copy. */
        struct {
            curl_socket_t fd;
            int mask;
        } act[64];
        size_t n = 0;
        for (size_t i = 0; i < c->n_watch && n < sizeof(act) / sizeof(act[0]); i++) {
            short r = c->watch[i].revents;
            if (r == 0)
                continue;
            act[n].fd = c->watch[i].fd;
            act[n++].mask = ((r & POLLIN) ? CURL_CSELECT_IN : 0) |
                            ((r & POLLOUT) ? CURL_CSELECT_OUT : 0) |
                            ((r & (POLLERR | POLLHUP | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
        }
        for (size_t i = 0; i < n; i++)
            curl_multi_socket_action(c->multi, act[i].fd, act[i].mask, &running);
    } else if (ready < 0 && errno != EINTR) {
        c->timer_at = http_now_ms(); /* let libcurl look at its transfers */
    }
    if (c->timer_at >= 0 && http_now_ms() >= c->timer_at) {
        c->timer_at = -1;
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}

struct http_transfer *
http_next(struct http_client *c, long wait_ms)
{
    long until = http_now_ms() + (wait_ms > 0 ? wait_ms : 0);
    bool waited = false;
    for (;;) {
        http_collect(c);
        if (c->done_head != NULL) {
            struct http_transfer *t = c->done_head;
            c->done_head = t->next_done;
            if (c->done_head == NULL)
                c->done_tail = NULL;
            t->next_done = NULL;
            return t;
        }
        long left = until - http_now_ms();
        if (c->in_flight == 0 || (waited && left <= 0))
            return NULL;
        http_wait(c, left > 0 ? left : 0);
        waited = true;
    }
}

enum http_result
http_finish(struct http_transfer *t, struct http_response *resp, void **tag, char *err,
            size_t errlen)
{
    *tag = t->tag;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->resp.status);
    curl_easy_getinfo(t->curl, CURLINFO_TOTAL_TIME, &t->resp.seconds);
    CURLcode rc = t->rc;
    const char *why = t->curl_err[0] ? t->curl_err : curl_easy_strerror(rc);
    enum http_result result = HTTP_DONE;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        result = HTTP_TIMED_OUT;
        snprintf(err, errlen, "%s", why);
    } else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        result = HTTP_FAILED;
        snprintf(err, errlen, "answer larger than %d bytes", HTTP_BODY_MAX);
    } else if (t->headers_too_big) {
        result = HTTP_FAILED;
        snprintf(err, errlen, "answer headers larger than %d bytes", HTTP_HEADERS_MAX);
    } else if (rc != CURLE_OK) {
        result = HTTP_FAILED;
        snprintf(err, errlen, "%s", why);
    }
    *resp = t->resp;
    resp->transient = result == HTTP_FAILED && http_transient(rc);
    memset(&t->resp, 0, sizeof(t->resp));
    if (t->verbose >= 2 && result == HTTP_DONE)
        fprintf(stderr, "HTTP %ld, %zu bytes in %.3f s%s%s\n", resp->status, resp->body.len,
                resp->seconds, resp->request_id[0] ? ", request id " : "", resp->request_id);
    if (result != HTTP_DONE)
        buf_free(&resp->body);
    http_transfer_free(t);
    return result;
}

enum http_result
http_request(struct http_client *c, const struct http_request *req, struct http_response *resp,
             char *err, size_t errlen)
{
    memset(resp, 0, sizeof(*resp));
    struct http_transfer *t = http_start(c, req, NULL, err, errlen);
    if (t == NULL)
        return HTTP_FAILED;
    /* Other transfers may be in flight: set aside those that end first,
     * and hand them back to http_next afterwards. */
    struct http_transfer *done, *aside = NULL, *aside_tail = NULL;
    while ((done = http_next(c, 1000)) != t) {
        if (done == NULL)
            continue;
        if (aside_tail != NULL)
            aside_tail->next_done = done;
        else
            aside = done;
        aside_tail = done;
    }
    if (aside != NULL) {
        aside_tail->next_done = c->done_head;
        if (c->done_head == NULL)
            c->done_tail = aside_tail;
        c->done_head = aside;
    }
    void *tag;
    return http_finish(t, resp, &tag, err, errlen);
}

void
http_response_free(struct http_response *resp)
{
    buf_free(&resp->body);
}
