#include "config.h"

#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsreq.h"
#include "buf.h"
#include "endpoint.h"
#include "stsxml.h"

#define STS_SERVICE "sts"
#define STS_VERSION "2011-06-15"
#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

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
    char duration[16];
    snprintf(duration, sizeof(duration), "%d", req->duration_seconds);
    bool ok = awsreq_param(&b, "Action", web ? "AssumeRoleWithWebIdentity" : "AssumeRole") &&
              awsreq_param(&b, "Version", STS_VERSION) &&
              awsreq_param(&b, "RoleArn", req->role_arn) &&
              awsreq_param(&b, "RoleSessionName", session_name);
    if (ok && !web && req->external_id != NULL)
        ok = awsreq_param(&b, "ExternalId", req->external_id);
    if (ok && req->duration_seconds > 0)
        ok = awsreq_param(&b, "DurationSeconds", duration);
    if (ok && web)
        ok = awsreq_param(&b, "WebIdentityToken", req->web_identity_token);
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* "assume role ARN" or "assume role with web identity ARN", for messages. */
static void
sts_what(const struct sts_assume_role *req, char *out, size_t outlen)
{
    snprintf(out, outlen, "assume role%s %.300s",
             req->web_identity_token != NULL ? " with web identity" : "", req->role_arn);
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
    struct endpoint_params ep = {.region = ctx->region,
                                 .endpoint = ctx->endpoint_url,
                                 .use_fips = ctx->use_fips,
                                 .use_dualstack = ctx->use_dualstack};
    if (endpoint_resolve_service(&endpoint_sts, &ep, url, sizeof(url), &signing_region, why,
                                 sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", what, why);
        return -1;
    }
    if (!web && source == NULL) {
        snprintf(err, errlen, "%s: no credentials to sign the request with", what);
        return -1;
    }
    const char *operation = web ? "AssumeRoleWithWebIdentity" : "AssumeRole";
    if (http_client_options(ctx->http)->verbose >= 2)
        fprintf(stderr, "STS %s for %s at %s\n", operation, req->role_arn, url);

    char *body = sts_form_body(req, now);
    if (body == NULL) {
        snprintf(err, errlen, "%s: out of memory", what);
        return -1;
    }
    struct awsreq areq = {
        .operation = operation,
        .service = STS_SERVICE,
        .protocol = AWSREQ_QUERY_XML,
        .endpoint_url = url,
        .region = signing_region,
        .method = "POST",
        .path = "/",
        .body = body,
        .content_type = STS_CONTENT_TYPE,
        .creds = web ? NULL : source,
    };
    struct awsreq_result res;
    awsreq_send(ctx->http, &areq, &res);
    secret_free(body);
    int rc = -1;
    if (res.outcome == AWSREQ_TIMED_OUT) {
        *timed_out = true;
        snprintf(err, errlen, "%s: timed out", what);
    } else if (res.outcome != AWSREQ_OK) {
        snprintf(err, errlen, "%s: %s", what, res.error);
    } else {
        const char *result = web ? "AssumeRoleWithWebIdentityResult" : "AssumeRoleResult";
        rc = stsxml_decode_credentials(res.body.data, res.body.len, result, out, why, sizeof(why));
        if (rc != 0)
            snprintf(err, errlen, "%s: invalid answer from STS: %s", what, why);
    }
    awsreq_result_free(&res);
    return rc;
}
