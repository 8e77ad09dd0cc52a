#include "config.h"

#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "deadline.h"
#include "endpoint.h"
#include "http.h"
#include "retry.h"
#include "sigv4.h"
#include "stsxml.h"

#define STS_SERVICE "sts"
#define STS_VERSION "2011-06-15"
#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Appends "&name=value", the value RFC 3986-encoded. false on ENOMEM. */
static bool
sts_param(struct buf *b, const char *name, const char *value)
{
    char *encoded = sigv4_uri_encode(value, strlen(value));
    if (encoded == NULL)
        return false;
    buf_printf(b, "&%s=%s", name, encoded);
    secret_free(encoded); /* it may be a web identity token */
    return true;
}

char *
sts_form_body(const struct sts_assume_role *req, time_t now)
{
    bool web = req->web_identity_token != NULL;
    char default_name[64];
    const char *session_name = req->session_name;
    if (session_name == NULL) {
        snprintf(default_name, sizeof(default_name), "%s-%lld", PACKAGE_NAME, (long long)now);
        session_name = default_name;
    }
    struct buf b = BUF_INIT;
    buf_printf(&b, "Action=%s&Version=%s", web ? "AssumeRoleWithWebIdentity" : "AssumeRole",
               STS_VERSION);
    bool ok =
        sts_param(&b, "RoleArn", req->role_arn) && sts_param(&b, "RoleSessionName", session_name);
    if (ok && !web && req->external_id != NULL)
        ok = sts_param(&b, "ExternalId", req->external_id);
    if (ok && req->duration_seconds > 0)
        buf_printf(&b, "&DurationSeconds=%d", req->duration_seconds);
    if (ok && web)
        ok = sts_param(&b, "WebIdentityToken", req->web_identity_token);
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static const char *
sts_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : NULL;
}

/* The endpoint and the region to sign for, per the STS endpoint rule set. */
static int
sts_endpoint(const struct sts_context *ctx, char *url, size_t urllen, const char **signing_region,
             char *err, size_t errlen)
{
    const char *region = ctx->region != NULL && *ctx->region != '\0' ? ctx->region : NULL;
    const char *ignore = sts_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    const char *custom = ctx->endpoint_url;
    if (custom == NULL && (ignore == NULL || strcasecmp(ignore, "true") != 0)) {
        custom = sts_env("AWS_ENDPOINT_URL_STS");
        if (custom == NULL)
            custom = sts_env("AWS_ENDPOINT_URL");
    }
    *signing_region = region;
    if (region == NULL) {
        snprintf(err, errlen, "Invalid Configuration: Missing Region");
        return -1;
    }
    if (custom != NULL && (ctx->use_fips || ctx->use_dualstack)) {
        snprintf(err, errlen, "Invalid Configuration: %s and custom endpoint are not supported",
                 ctx->use_fips ? "FIPS" : "Dualstack");
        return -1;
    }
    const struct partition *part = endpoint_partition(region);
    if (custom != NULL) {
        snprintf(url, urllen, "%s", custom);
    } else if (strcmp(region, "aws-global") == 0 && !ctx->use_fips && !ctx->use_dualstack) {
        snprintf(url, urllen, "https://sts.amazonaws.com");
        *signing_region = "us-east-1";
    } else if ((ctx->use_fips && !part->supports_fips) ||
               (ctx->use_dualstack && !part->supports_dualstack)) {
        snprintf(err, errlen, "%s is enabled but this partition does not support it",
                 ctx->use_fips ? "FIPS" : "DualStack");
        return -1;
    } else if (ctx->use_fips && !ctx->use_dualstack && strcmp(part->id, "aws-us-gov") == 0) {
        snprintf(url, urllen, "https://sts.%s.amazonaws.com", region); /* FIPS already */
    } else {
        snprintf(url, urllen, "https://sts%s.%s.%s", ctx->use_fips ? "-fips" : "", region,
                 ctx->use_dualstack ? part->dualstack_dns_suffix : part->dns_suffix);
    }
    return 0;
}

/* "assume role ARN" or "assume role with web identity ARN", for messages. */
static void
sts_what(const struct sts_assume_role *req, char *out, size_t outlen)
{
    snprintf(out, outlen, "assume role%s %.300s",
             req->web_identity_token != NULL ? " with web identity" : "", req->role_arn);
}

static int
sts_decode(const struct sts_assume_role *req, const struct http_response *resp,
           struct credentials *out, const char *what, char *err, size_t errlen)
{
    bool web = req->web_identity_token != NULL;
    char why[512];
    if (resp->status == 200) {
        const char *result = web ? "AssumeRoleWithWebIdentityResult" : "AssumeRoleResult";
        if (stsxml_decode_credentials(resp->body.data, resp->body.len, result, out, why,
                                      sizeof(why)) == 0)
            return 0;
        snprintf(err, errlen, "%s: invalid answer from STS: %s", what, why);
        return -1;
    }
    struct sts_error e;
    if (stsxml_decode_error(resp->body.data, resp->body.len, &e) != 0)
        snprintf(err, errlen, "%s: HTTP %ld", what, resp->status);
    else if (e.message[0] != '\0')
        snprintf(err, errlen, "%s: %s: %s (HTTP %ld)", what, e.code, e.message, resp->status);
    else
        snprintf(err, errlen, "%s: %s (HTTP %ld)", what, e.code, resp->status);
    return -1;
}

/* Signs the POST of body to path (host, content-type, x-amz-date and
 * the source's token, when it has one). */
static int
sts_sign(const struct http_endpoint *ep, const char *path, const char *signing_region,
         const struct credentials *source, const char *body, const char *amz_date,
         struct sigv4_signature *sig)
{
    char body_sha256[65];
    sigv4_sha256_hex(body, strlen(body), body_sha256);
    struct sigv4_header headers[4] = {{"Host", ep->host_header},
                                      {"Content-Type", STS_CONTENT_TYPE},
                                      {"X-Amz-Date", amz_date},
                                      {"X-Amz-Security-Token", source->session_token}};
    struct sigv4_request req = {.method = "POST",
                                .path = path,
                                .headers = headers,
                                .n_headers = source->session_token != NULL ? 4 : 3,
                                .payload_sha256_hex = body_sha256};
    struct sigv4_key key = {source->access_key_id, source->secret_access_key};
    struct sigv4_scope scope = {amz_date, signing_region, STS_SERVICE, true};
    return sigv4_sign(&req, &key, &scope, sig);
}

/* Whether a send is worth repeating: throttling, 5xx, broken connections. */
static enum retry_kind
sts_retry_kind(int send_rc, const struct http_response *resp, bool timed_out)
{
    if (timed_out)
        return RETRY_NONE;
    if (send_rc != 0)
        return resp->transient ? RETRY_TRANSIENT : RETRY_NONE;
    if (resp->status == 200)
        return RETRY_NONE;
    struct sts_error e;
    stsxml_decode_error(resp->body.data, resp->body.len, &e);
    return retry_classify(resp->status, e.code);
}

/* Sends the form; signed with source unless it is NULL (web identity). */
static int
sts_send(const struct sts_context *ctx, const struct http_endpoint *ep, const char *signing_region,
         const struct credentials *source, const char *body, time_t now, struct http_response *resp,
         bool *timed_out, char *err, size_t errlen)
{
    struct buf path = BUF_INIT, url = BUF_INIT;
    buf_printf(&path, "%s/", ep->base_path);
    buf_printf(&url, "%s://%s%s", ep->scheme, ep->host_header, buf_str(&path));
    char amz_date[17];
    sigv4_amz_date(now, amz_date);
    struct sigv4_signature sig = {0};
    int rc = -1;
    if (buf_failed(&path) || buf_failed(&url) ||
        (source != NULL &&
         sts_sign(ep, buf_str(&path), signing_region, source, body, amz_date, &sig) != 0)) {
        snprintf(err, errlen, "cannot sign the request");
        goto done;
    }
    struct http_header headers[5] = {
        {"Host", ep->host_header, false},
        {"Content-Type", STS_CONTENT_TYPE, false},
        {"X-Amz-Date", amz_date, false},
    };
    size_t n_headers = 3;
    if (source != NULL && source->session_token != NULL)
        headers[n_headers++] =
            (struct http_header){"X-Amz-Security-Token", source->session_token, true};
    if (source != NULL)
        headers[n_headers++] = (struct http_header){"Authorization", sig.authorization, true};
    struct http_request hreq = {
        .method = "POST",
        .url = buf_str(&url),
        .body = body,
        .body_len = strlen(body),
        .headers = headers,
        .n_headers = n_headers,
        .ca_file = ctx->ca_file,
        .user_agent = PACKAGE_NAME "/" PACKAGE_VERSION,
        .allow_plain_http = ep->loopback,
        .proxy = ctx->proxy,
        .timeout_ms = deadline_remaining_ms(),
        .verbose = ctx->verbose,
    };
    char why[512];
    enum http_result hr = http_request(&hreq, resp, why, sizeof(why));
    if (hr == HTTP_TIMED_OUT) {
        *timed_out = true;
        snprintf(err, errlen, "timed out");
    } else if (hr != HTTP_DONE) {
        snprintf(err, errlen, "%s", why);
    } else {
        rc = 0;
    }
done:
    sigv4_signature_free(&sig);
    buf_free(&path);
    buf_free(&url);
    return rc;
}

int
sts_assume_role(const struct sts_context *ctx, const struct credentials *source,
                const struct sts_assume_role *req, time_t now, struct credentials *out,
                bool *timed_out, char *err, size_t errlen)
{
    bool web = req->web_identity_token != NULL;
    bool ignored_timeout;
    if (timed_out == NULL)
        timed_out = &ignored_timeout;
    *timed_out = false;
    out->access_key_id = out->secret_access_key = out->session_token = NULL;
    if (req->role_arn == NULL) {
        snprintf(err, errlen, "assume role: no role ARN");
        return -1;
    }

    char what[400], why[512], url[1024];
    sts_what(req, what, sizeof(what));
    const char *signing_region;
    struct http_endpoint ep;
    if (sts_endpoint(ctx, url, sizeof(url), &signing_region, why, sizeof(why)) != 0 ||
        http_endpoint_parse(url, &ep, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", what, why);
        return -1;
    }
    if (!web && source == NULL) {
        snprintf(err, errlen, "%s: no credentials to sign the request with", what);
        return -1;
    }
    if (ctx->verbose >= 2)
        fprintf(stderr, "STS %s for %s at %s://%s%s/\n",
                web ? "AssumeRoleWithWebIdentity" : "AssumeRole", req->role_arn, ep.scheme,
                ep.host_header, ep.base_path);

    char *body = sts_form_body(req, now);
    if (body == NULL) {
        snprintf(err, errlen, "%s: out of memory", what);
        return -1;
    }
    struct http_response resp;
    int rc, attempt = 1;
    for (;; attempt++) {
        rc = sts_send(ctx, &ep, signing_region, web ? NULL : source, body,
                      attempt == 1 ? now : time(NULL), &resp, timed_out, why, sizeof(why));
        long delay;
        if (!retry_wait(attempt, sts_retry_kind(rc, &resp, *timed_out), deadline_remaining_ms(),
                        &delay))
            break;
        if (ctx->verbose >= 1)
            fprintf(stderr, "STS: attempt %d failed, retried after %.2f s\n", attempt,
                    (double)delay / 1000.0);
        if (rc == 0)
            http_response_free(&resp);
    }
    secret_free(body);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", what, why);
        if (attempt > 1) {
            size_t used = strlen(err);
            snprintf(err + used, errlen - used, " (%d attempts)", attempt);
        }
        return -1;
    }
    rc = sts_decode(req, &resp, out, what, err, errlen);
    http_response_free(&resp);
    if (rc != 0 && attempt > 1) {
        size_t used = strlen(err);
        snprintf(err + used, errlen - used, " (%d attempts)", attempt);
    }
    return rc;
}
