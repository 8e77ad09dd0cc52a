#include "config.h"

#include "container.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "credjson.h"
#include "env.h"
#include "http.h"

#define CONTAINER_ECS_HOST "169.254.170.2"
/* botocore's TIMEOUT_SECONDS; it also retries three times a second
 * apart, which a check bounded by -t cannot afford. */
#define CONTAINER_TIMEOUT_MS 2000
/* An EKS Pod Identity token is a JWT of a few KiB. */
#define CONTAINER_TOKEN_MAX (64 * 1024)

static bool
container_host_allowed(const char *host, bool bracketed)
{
    unsigned char a[16];
    if (bracketed) {
        static const unsigned char eks_v6[16] = {0xfd, 0x00, 0x0e, 0xc2, [15] = 0x23};
        static const unsigned char loopback_v6[16] = {[15] = 1};
        return inet_pton(AF_INET6, host, a) == 1 &&
               (memcmp(a, loopback_v6, 16) == 0 || memcmp(a, eks_v6, 16) == 0);
    }
    /* Literal names only, as botocore: resolving would let DNS or
     * /etc/hosts decide where the Authorization token goes. libcurl
     * answers "localhost" itself, with loopback addresses. */
    if (strcasecmp(host, "localhost") == 0)
        return true;
    /* inet_pton takes only the four-part dotted decimal form. */
    if (inet_pton(AF_INET, host, a) != 1)
        return false;
    return a[0] == 127 || strcmp(host, CONTAINER_ECS_HOST) == 0 ||
           strcmp(host, "169.254.170.23") == 0;
}

int
container_uri_allowed(const char *url, char *err, size_t errlen)
{
    for (const char *p = url; *p != '\0'; p++) {
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p)) {
            snprintf(err, errlen, "space or control character in the URL");
            return 0;
        }
    }
    bool https = strncasecmp(url, "https://", 8) == 0;
    if (!https && strncasecmp(url, "http://", 7) != 0) {
        snprintf(err, errlen, "not an http:// or https:// URL");
        return 0;
    }
    const char *authority = url + (https ? 8 : 7);
    size_t alen = strcspn(authority, "/?#");
    /* Whatever precedes the last '@' is userinfo, not the host. */
    for (size_t i = alen; i > 0; i--) {
        if (authority[i - 1] == '@') {
            authority += i;
            alen -= i;
            break;
        }
    }
    char host[256];
    const char *rest;
    bool bracketed = authority[0] == '[';
    if (bracketed) {
        const char *close = memchr(authority, ']', alen);
        if (close == NULL) {
            snprintf(err, errlen, "malformed IPv6 address in the URL");
            return 0;
        }
        snprintf(host, sizeof(host), "%.*s", (int)(close - authority - 1), authority + 1);
        rest = close + 1;
    } else {
        size_t hlen = strcspn(authority, ":/?#");
        /* A longer name is cut here, and then matches no allowed host. */
        snprintf(host, sizeof(host), "%.*s", (int)(hlen < sizeof(host) ? hlen : sizeof(host) - 1),
                 authority);
        rest = authority + hlen;
    }
    if (host[0] == '\0') {
        snprintf(err, errlen, "no host in the URL");
        return 0;
    }
    if (rest < authority + alen) {
        size_t digits = strspn(rest + 1, "0123456789");
        if (rest[0] != ':' || rest + 1 + digits != authority + alen || digits > 5 ||
            (digits > 0 && atol(rest + 1) > 65535)) {
            snprintf(err, errlen, "malformed port in the URL");
            return 0;
        }
    }
    if (https || container_host_allowed(host, bracketed))
        return 1;
    snprintf(err, errlen,
             "plain http only to a loopback address or to 169.254.170.2, 169.254.170.23 or "
             "[fd00:ec2::23], not to %s%.64s%s",
             bracketed ? "[" : "", host, bracketed ? "]" : "");
    return 0;
}

/* The URL without userinfo, query or fragment: what -vv may show. */
static void
container_url_for_display(const char *url, char *out, size_t outlen)
{
    const char *authority = strstr(url, "://");
    authority = authority != NULL ? authority + 3 : url;
    size_t alen = strcspn(authority, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (authority[i] == '@')
            at = authority + i;
    size_t end = strcspn(url, "?#");
    if (at == NULL)
        snprintf(out, outlen, "%.*s", (int)end, url);
    else
        snprintf(out, outlen, "%.*s%.*s", (int)(authority - url), url, (int)(url + end - at - 1),
                 at + 1);
}

/* Reads the whole token file into tok; 0, or -1 with err. */
static int
container_read_token_file(const char *path, struct buf *tok, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", path,
                 strerror(errno));
        return -1;
    }
    int rc = buf_read_stream(tok, f, CONTAINER_TOKEN_MAX);
    fclose(f);
    if (rc < 0) {
        snprintf(err, errlen, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s", path);
        return -1;
    }
    if (rc > 0) {
        snprintf(err, errlen, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s is larger than %d bytes",
                 path, CONTAINER_TOKEN_MAX);
        return -1;
    }
    return 0;
}

/* The Authorization value into tok (left empty when none is set); 0, or
 * -1 with err. The file is read at each call: EKS rotates it. */
static int
container_auth_token(struct buf *tok, char *err, size_t errlen)
{
    const char *file = env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *from = file != NULL ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                                    : "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    if (file != NULL) {
        if (container_read_token_file(file, tok, err, errlen) != 0)
            return -1; /* used as it is, even a final newline, as botocore does */
    } else {
        const char *value = env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (value != NULL)
            buf_puts(tok, value);
    }
    if (buf_failed(tok)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* A line break would let the value inject headers (botocore refuses
     * it too); a NUL would silently cut it. */
    if (tok->len > 0 &&
        (memchr(tok->data, '\r', tok->len) != NULL || memchr(tok->data, '\n', tok->len) != NULL ||
         strlen(tok->data) != tok->len)) {
        snprintf(err, errlen, "the token in %s contains a line break or NUL byte", from);
        return -1;
    }
    return 0;
}

/* The endpoint into url; 1, 0 when not configured, -1 with err. */
static int
container_endpoint(struct buf *url, char *err, size_t errlen)
{
    const char *relative = env_get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env_get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *name = relative != NULL ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                                        : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    if (relative != NULL) {
        /* Without the slash, "@host/..." would turn the ECS address into
         * userinfo and send the token elsewhere. */
        if (relative[0] != '/') {
            snprintf(err, errlen, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
            return -1;
        }
        buf_printf(url, "http://" CONTAINER_ECS_HOST "%s", relative);
    } else if (full != NULL) {
        buf_puts(url, full);
    } else {
        return 0;
    }
    if (buf_failed(url)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char why[256];
    if (!container_uri_allowed(buf_str(url), why, sizeof(why))) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    return 1;
}

static enum provider_result
container_fetch(struct http_client *http, const char *url, const char *token, long timeout_ms,
                time_t now, struct credentials *out, char *err, size_t errlen)
{
    int verbose = http_client_options(http)->verbose;
    char shown[sizeof(out->source) - 32];
    container_url_for_display(url, shown, sizeof(shown));
    struct http_header headers[2] = {
        {"Accept", "application/json", false},
        {"Authorization", token, true},
    };
    struct http_request req = {
        .url = url,
        .headers = headers,
        .n_headers = token[0] != '\0' ? 2 : 1,
        .allow_plain_http = true, /* the URL passed container_uri_allowed */
        .no_proxy = true,         /* as botocore: never through a proxy */
        .timeout_ms = timeout_ms,
    };
    if (verbose >= 2)
        fprintf(stderr, "container credentials: asking %s%s\n", shown,
                token[0] != '\0' ? " (with an Authorization token)" : "");
    struct http_response resp;
    char why[512];
    enum http_result hr = http_request(http, &req, &resp, why, sizeof(why));
    if (hr == HTTP_TIMED_OUT) {
        snprintf(err, errlen, "container credentials endpoint %s: no answer within %ld ms", shown,
                 timeout_ms);
        return PROVIDER_ERROR;
    }
    if (hr != HTTP_DONE) {
        snprintf(err, errlen, "container credentials endpoint %s: %s", shown, why);
        return PROVIDER_ERROR;
    }
    enum provider_result result = PROVIDER_ERROR;
    if (resp.status != 200) {
        snprintf(err, errlen, "container credentials endpoint answered HTTP %ld", resp.status);
    } else if (credjson_decode(CREDJSON_CONTAINER, buf_str(&resp.body), resp.body.len, now, out,
                               why, sizeof(why)) != 0) {
        snprintf(err, errlen, "container credentials: %s", why);
    } else {
        snprintf(out->source, sizeof(out->source), "container credentials (%s)", shown);
        result = PROVIDER_FOUND;
    }
    http_response_free(&resp);
    return result;
}

enum provider_result
container_credentials(struct http_client *http, long timeout_ms, time_t now,
                      struct credentials *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct buf url = BUF_INIT;
    int found = container_endpoint(&url, err, errlen);
    if (found <= 0) {
        buf_free(&url);
        return found == 0 ? PROVIDER_ABSENT : PROVIDER_ERROR;
    }
    struct buf token = BUF_INIT;
    enum provider_result result = PROVIDER_ERROR;
    if (container_auth_token(&token, err, errlen) == 0) {
        long ms = timeout_ms < CONTAINER_TIMEOUT_MS ? timeout_ms : CONTAINER_TIMEOUT_MS;
        result = container_fetch(http, buf_str(&url), buf_str(&token), ms > 0 ? ms : 1, now, out,
                                 err, errlen);
    }
    buf_free(&token);
    buf_free(&url);
    return result;
}
