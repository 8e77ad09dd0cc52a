#include "config.h"

#include "imds.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "credjson.h"
#include "env.h"
#include "http.h"

#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"
#define IMDS_TOKEN_TTL "21600" /* seconds, as the AWS SDKs ask */
#define IMDS_ROLE_MAX 128      /* IAM allows 64 */

struct imds_session {
    struct buf base; /* without a trailing '/' */
    char *token;     /* NULL: IMDSv1 */
    long timeout_ms;
    int verbose;
    struct http_client *http;
};

static int
imds_base_url(struct buf *base, char *err, size_t errlen)
{
    const char *endpoint = env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (endpoint != NULL) {
        if (strncasecmp(endpoint, "http://", 7) != 0 && strncasecmp(endpoint, "https://", 8) != 0) {
            snprintf(err, errlen,
                     "instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http:// or "
                     "https:// URL");
            return -1;
        }
        buf_puts(base, endpoint);
    } else if (mode == NULL || *mode == '\0' || strcasecmp(mode, "IPv4") == 0) {
        buf_puts(base, "http://169.254.169.254");
    } else if (strcasecmp(mode, "IPv6") == 0) {
        buf_puts(base, "http://[fd00:ec2::254]");
    } else {
        /* botocore refuses an unknown mode rather than guess. */
        snprintf(err, errlen,
                 "instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6");
        return -1;
    }
    while (base->len > 0 && base->data[base->len - 1] == '/')
        base->data[--base->len] = '\0';
    if (buf_failed(base)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* One request to the service, with the session token when there is one. */
static enum http_result
imds_send(const struct imds_session *s, const char *method, const char *path,
          struct http_response *resp, char *why, size_t whylen)
{
    struct buf url = BUF_INIT;
    buf_printf(&url, "%s%s", buf_str(&s->base), path);
    struct http_header header = {"X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL, false};
    if (strcmp(method, "GET") == 0)
        header = (struct http_header){"X-aws-ec2-metadata-token", s->token, true};
    struct http_request req = {
        .method = method,
        .url = buf_str(&url),
        .headers = &header,
        .n_headers = header.value != NULL ? 1 : 0,
        .allow_plain_http = true, /* the service speaks http only */
        .no_proxy = true,
        .timeout_ms = s->timeout_ms,
    };
    enum http_result hr = HTTP_FAILED;
    if (buf_failed(&url))
        snprintf(why, whylen, "out of memory");
    else
        hr = http_request(s->http, &req, resp, why, whylen);
    buf_free(&url);
    return hr;
}

/* A token is opaque text for one header line; anything else is refused. */
static bool
imds_token_valid(const char *token, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)token[i] < 0x20 || token[i] == 0x7f)
            return false;
    return len > 0;
}

/* IMDSv2 session token, as the SDKs do it: 200 is a token; 400 is a bad
 * request and final; any other answer (403 turned off, 404/405 no IMDSv2
 * on this endpoint, 5xx) falls back to IMDSv1 unless that is disabled.
 * No answer at all means no instance metadata here: the SDKs would still
 * try IMDSv1, but a host that is not on EC2 must pay one timeout only.
 * PROVIDER_FOUND means "go on" (with s->token, or NULL for IMDSv1). */
static enum provider_result
imds_fetch_token(struct imds_session *s, char *err, size_t errlen)
{
    struct http_response resp;
    char why[512];
    if (s->verbose >= 2)
        fprintf(stderr, "instance metadata: asking %s for a session token\n", buf_str(&s->base));
    enum http_result hr = imds_send(s, "PUT", IMDS_TOKEN_PATH, &resp, why, sizeof(why));
    if (hr != HTTP_DONE) {
        if (s->verbose >= 2)
            fprintf(stderr, "instance metadata: %s: %s; not on EC2\n",
                    hr == HTTP_TIMED_OUT ? "no answer" : "unreachable", why);
        return PROVIDER_ABSENT;
    }
    long status = resp.status;
    bool usable = status == 200 && imds_token_valid(resp.body.data, resp.body.len);
    if (usable)
        s->token = buf_detach(&resp.body);
    http_response_free(&resp);
    if (usable && s->token == NULL) {
        snprintf(err, errlen, "out of memory");
        return PROVIDER_ERROR;
    }
    if (usable) {
        if (s->verbose >= 2)
            fprintf(stderr, "instance metadata: got a session token (IMDSv2)\n");
        return PROVIDER_FOUND;
    }
    if (status == 400) {
        snprintf(err, errlen,
                 "instance metadata: the session token request was refused (HTTP 400)");
        return PROVIDER_ERROR;
    }
    if (env_true("AWS_EC2_METADATA_V1_DISABLED")) {
        snprintf(err, errlen, "instance metadata: IMDSv1 fallback disabled and no IMDSv2 token");
        return PROVIDER_ERROR;
    }
    if (s->verbose >= 2)
        fprintf(stderr, "instance metadata: no session token (HTTP %ld); falling back to IMDSv1\n",
                status);
    return PROVIDER_FOUND;
}

/* GET path: PROVIDER_FOUND with the status and body when the service
 * answered, ABSENT on 403 (the service is turned off for this instance,
 * in IMDSv1 and v2 alike), ERROR when it did not answer. what names the
 * resource in messages. */
static enum provider_result
imds_get(const struct imds_session *s, const char *path, const char *what, long *status,
         struct buf *body, char *err, size_t errlen)
{
    struct http_response resp;
    char why[512];
    enum http_result hr = imds_send(s, "GET", path, &resp, why, sizeof(why));
    if (hr == HTTP_TIMED_OUT) {
        snprintf(err, errlen, "instance metadata: no answer within %ld ms for %s", s->timeout_ms,
                 what);
        return PROVIDER_ERROR;
    }
    if (hr != HTTP_DONE) {
        snprintf(err, errlen, "instance metadata: %s: %s", what, why);
        return PROVIDER_ERROR;
    }
    *status = resp.status;
    *body = resp.body;
    resp.body = (struct buf)BUF_INIT;
    http_response_free(&resp);
    if (*status == 403) {
        if (s->verbose >= 2)
            fprintf(stderr, "instance metadata: HTTP 403 for %s: the service is turned off\n",
                    what);
        return PROVIDER_ABSENT;
    }
    if (*status != 200 && *status != 404) {
        snprintf(err, errlen, "instance metadata: HTTP %ld for %s", *status, what);
        return PROVIDER_ERROR;
    }
    return PROVIDER_FOUND;
}

static bool
imds_role_valid(const char *role, size_t len)
{
    if (len == 0 || len > IMDS_ROLE_MAX)
        return false;
    /* IAM role names: letters, digits and +=,.@_- (no '/': it is a path
     * segment here). */
    return strspn(role, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") ==
           len;
}

/* The first line of the role listing into role[IMDS_ROLE_MAX + 1]. */
static enum provider_result
imds_role_name(const struct imds_session *s, char *role, char *err, size_t errlen)
{
    struct buf body = BUF_INIT;
    long status = 0;
    enum provider_result r =
        imds_get(s, IMDS_ROLE_PATH, "the role listing", &status, &body, err, errlen);
    const char *list = buf_str(&body);
    size_t len = strcspn(list, "\r\n");
    while (len > 0 && (list[len - 1] == ' ' || list[len - 1] == '\t'))
        len--;
    if (r == PROVIDER_FOUND && (status == 404 || len == 0)) {
        snprintf(err, errlen, "instance metadata: no IAM role attached to this instance");
        r = PROVIDER_ERROR;
    } else if (r == PROVIDER_FOUND && !imds_role_valid(list, len)) {
        snprintf(err, errlen,
                 "instance metadata: the role listing does not start with a role name");
        r = PROVIDER_ERROR;
    } else if (r == PROVIDER_FOUND) {
        snprintf(role, IMDS_ROLE_MAX + 1, "%.*s", (int)len, list);
        if (s->verbose >= 2)
            fprintf(stderr, "instance metadata: role %s\n", role);
    }
    buf_free(&body);
    return r;
}

static enum provider_result
imds_role_credentials(const struct imds_session *s, const char *role, time_t now,
                      struct credentials *out, char *err, size_t errlen)
{
    char path[sizeof(IMDS_ROLE_PATH) + IMDS_ROLE_MAX];
    char what[IMDS_ROLE_MAX + 32];
    snprintf(path, sizeof(path), "%s%s", IMDS_ROLE_PATH, role);
    snprintf(what, sizeof(what), "the credentials of role %s", role);
    struct buf body = BUF_INIT;
    long status = 0;
    enum provider_result r = imds_get(s, path, what, &status, &body, err, errlen);
    if (r == PROVIDER_FOUND && status != 200) {
        snprintf(err, errlen, "instance metadata: HTTP %ld for %s", status, what);
        r = PROVIDER_ERROR;
    } else if (r == PROVIDER_FOUND) {
        char why[512];
        if (credjson_decode(CREDJSON_IMDS, buf_str(&body), body.len, now, out, why, sizeof(why)) !=
            0) {
            /* credjson names the service itself for a failed "Code". */
            bool named = strncmp(why, "instance metadata", 17) == 0;
            snprintf(err, errlen, "%s%s", named ? "" : "instance metadata: ", why);
            r = PROVIDER_ERROR;
        } else {
            snprintf(out->source, sizeof(out->source), "EC2 instance metadata (role %s)", role);
        }
    }
    buf_free(&body);
    return r;
}

enum provider_result
imds_credentials(struct http_client *http, long timeout_ms, time_t now, struct credentials *out,
                 char *err, size_t errlen)
{
    int verbose = http_client_options(http)->verbose;
    memset(out, 0, sizeof(*out));
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (env_true("AWS_EC2_METADATA_DISABLED")) {
        if (verbose >= 2)
            fprintf(stderr, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED\n");
        return PROVIDER_ABSENT;
    }
    long ms = timeout_ms < IMDS_TIMEOUT_MS ? timeout_ms : IMDS_TIMEOUT_MS;
    struct imds_session s = {
        .base = BUF_INIT, .timeout_ms = ms > 0 ? ms : 1, .verbose = verbose, .http = http};
    char role[IMDS_ROLE_MAX + 1];
    enum provider_result r = PROVIDER_ERROR;
    if (imds_base_url(&s.base, err, errlen) == 0)
        r = imds_fetch_token(&s, err, errlen);
    if (r == PROVIDER_FOUND)
        r = imds_role_name(&s, role, err, errlen);
    if (r == PROVIDER_FOUND)
        r = imds_role_credentials(&s, role, now, out, err, errlen);
    if (s.token != NULL) {
        OPENSSL_cleanse(s.token, strlen(s.token));
        free(s.token);
    }
    buf_free(&s.base);
    return r;
}
