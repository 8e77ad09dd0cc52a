#include "config.h"

#include "sso.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "awsreq.h"
#include "env.h"
#include "buf.h"
#include "iso8601.h"
#include "jsonstrict.h"
#include "sharedfiles.h"

#define SSO_REFRESH_WINDOW 300 /* seconds: refresh a token expiring sooner */
#define SSO_CONTENT_TYPE "application/json"

/* The cached token, as `aws sso login` wrote it. */
struct sso_token {
    json_object *root; /* the whole file, to write it back with every field */
    const char *access_token;
    int64_t expires_at;
    const char *refresh_token, *client_id, *client_secret; /* NULL: cannot refresh */
    bool registration_expired;
};

void
sso_token_path(const char *home, const char *key, char *out, size_t outlen)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
    if (EVP_Digest(key, strlen(key), md, &md_len, EVP_sha1(), NULL) == 1)
        for (unsigned int i = 0; i < md_len; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
    snprintf(out, outlen, "%s/.aws/sso/cache/%s.json", home, hex);
}

/* A non-empty string member, or NULL. */
static const char *
sso_string(json_object *root, const char *name)
{
    const char *s = json_strict_string(root, name);
    return s != NULL && *s != '\0' ? s : NULL;
}

/* "2026-12-01T13:00:00Z"; the CLI v1 wrote "...UTC" instead of "Z". */
static int
sso_time(const char *text, int64_t *out)
{
    char fixed[64];
    size_t n = strlen(text);
    if (n >= 3 && n < sizeof(fixed) && strcmp(text + n - 3, "UTC") == 0) {
        snprintf(fixed, sizeof(fixed), "%.*sZ", (int)(n - 3), text);
        text = fixed;
    }
    struct iso8601_time t;
    char why[128];
    if (iso8601_parse(text, &t, why, sizeof(why)) != 0)
        return -1;
    *out = t.seconds;
    return 0;
}

static int sso_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
sso_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int
sso_expired(const struct sso_config *cfg, char *err, size_t errlen)
{
    return sso_fail(err, errlen, "SSO session expired: run 'aws sso login --profile %s'",
                    cfg->profile_name);
}

static int
sso_read_token(const char *path, const struct sso_config *cfg, int64_t now, struct sso_token *tok,
               char *err, size_t errlen)
{
    memset(tok, 0, sizeof(*tok));
    char *text = NULL;
    if (shared_file_read(path, &text, err, errlen) != 0)
        return -1;
    if (text == NULL)
        return sso_fail(err, errlen, "no SSO token cached in %s: run 'aws sso login --profile %s'",
                        path, cfg->profile_name);
    char why[256];
    tok->root = json_strict_object(text, strlen(text), "SSO token cache file", why, sizeof(why));
    secret_free(text);
    if (tok->root == NULL)
        return sso_fail(err, errlen, "%s: %s", path, why);
    tok->access_token = sso_string(tok->root, "accessToken");
    const char *expires = sso_string(tok->root, "expiresAt");
    if (tok->access_token == NULL || expires == NULL || sso_time(expires, &tok->expires_at) != 0)
        return sso_fail(err, errlen, "%s: no valid accessToken and expiresAt", path);
    tok->refresh_token = sso_string(tok->root, "refreshToken");
    tok->client_id = sso_string(tok->root, "clientId");
    tok->client_secret = sso_string(tok->root, "clientSecret");
    const char *registration = sso_string(tok->root, "registrationExpiresAt");
    int64_t reg_at;
    tok->registration_expired =
        registration != NULL && (sso_time(registration, &reg_at) != 0 || reg_at <= now);
    return 0;
}

/* Rewrites the cache file atomically, 0600, as the CLI does. */
static int
sso_write_token(const char *path, json_object *root, char *err, size_t errlen)
{
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_NOSLASHESCAPE);
    if (buf_write_file_atomic(path, text, strlen(text)) != 0)
        return sso_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

static const char *
sso_endpoint(const char *configured, const char *host, const char *region, char *out, size_t outlen)
{
    if (configured != NULL)
        return configured;
    snprintf(out, outlen, "https://%s.%s.amazonaws.com", host, region);
    return out;
}

/* SSO-OIDC CreateToken with the refresh token; updates tok->root. */
static int
sso_refresh(struct http_client *http, const struct sso_config *cfg, int64_t now,
            struct sso_token *tok, bool *timed_out, char *err, size_t errlen)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "grantType", json_object_new_string("refresh_token"));
    json_object_object_add(req, "clientId", json_object_new_string(tok->client_id));
    json_object_object_add(req, "clientSecret", json_object_new_string(tok->client_secret));
    json_object_object_add(req, "refreshToken", json_object_new_string(tok->refresh_token));
    char url[512];
    struct awsreq areq = {
        .operation = "CreateToken",
        .service = "sso-oauth",
        .protocol = AWSREQ_REST_JSON,
        .endpoint_url = sso_endpoint(cfg->oidc_endpoint, "oidc", cfg->region, url, sizeof(url)),
        .region = cfg->region,
        .method = "POST",
        .path = "/token",
        .body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
        .content_type = SSO_CONTENT_TYPE,
    };
    struct awsreq_result res;
    awsreq_send(http, &areq, &res);
    json_object_put(req);
    int rc = -1;
    char why[256];
    json_object *answer = NULL;
    if (res.outcome == AWSREQ_TIMED_OUT) {
        *timed_out = true;
        sso_fail(err, errlen, "SSO-OIDC CreateToken: timed out");
    } else if (res.outcome != AWSREQ_OK) {
        sso_fail(err, errlen, "SSO-OIDC CreateToken: %s", res.error);
    } else if ((answer = json_strict_object(res.body.data, res.body.len, "CreateToken answer", why,
                                            sizeof(why))) == NULL) {
        sso_fail(err, errlen, "SSO-OIDC CreateToken: %s", why);
    } else {
        json_object *v;
        const char *access = sso_string(answer, "accessToken");
        int64_t expires_in = json_object_object_get_ex(answer, "expiresIn", &v) &&
                                     json_object_is_type(v, json_type_int)
                                 ? json_object_get_int64(v)
                                 : 0;
        if (access == NULL || expires_in <= 0) {
            sso_fail(err, errlen, "SSO-OIDC CreateToken: no accessToken and expiresIn in the answer");
        } else {
            char at[32];
            iso8601_format_utc(now + expires_in, at, sizeof(at));
            json_object_object_add(tok->root, "accessToken", json_object_new_string(access));
            json_object_object_add(tok->root, "expiresAt", json_object_new_string(at));
            const char *refresh = sso_string(answer, "refreshToken");
            if (refresh != NULL)
                json_object_object_add(tok->root, "refreshToken", json_object_new_string(refresh));
            tok->access_token = sso_string(tok->root, "accessToken");
            tok->expires_at = now + expires_in;
            rc = 0;
        }
    }
    json_object_put(answer);
    awsreq_result_free(&res);
    return rc;
}

/* The token to use: the cached one, refreshed when it (nearly) expired. */
static int
sso_token(struct http_client *http, const struct sso_config *cfg, int64_t now,
          struct sso_token *tok, bool *timed_out, char *err, size_t errlen)
{
    const char *home = env_home();
    char path[1024];
    sso_token_path(home != NULL ? home : "", cfg->session_name != NULL ? cfg->session_name
                                                                      : cfg->start_url,
                   path, sizeof(path));
    if (sso_read_token(path, cfg, now, tok, err, errlen) != 0)
        return -1;
    if (tok->expires_at - now > SSO_REFRESH_WINDOW)
        return 0;
    bool can_refresh = cfg->session_name != NULL && tok->refresh_token != NULL &&
                       tok->client_id != NULL && tok->client_secret != NULL &&
                       !tok->registration_expired;
    char why[1024] = "";
    if (can_refresh && sso_refresh(http, cfg, now, tok, timed_out, why, sizeof(why)) == 0) {
        if (http_client_options(http)->verbose >= 1)
            fprintf(stderr, "SSO token refreshed, %s rewritten\n", path);
        return sso_write_token(path, tok->root, err, errlen);
    }
    if (*timed_out)
        return sso_fail(err, errlen, "%s", why);
    if (tok->expires_at > now) /* still valid for a few minutes */
        return 0;
    if (why[0] != '\0' && http_client_options(http)->verbose >= 1)
        fprintf(stderr, "SSO token not refreshed: %s\n", why);
    return sso_expired(cfg, err, errlen);
}

/* {"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}} */
static int
sso_decode_role(const struct buf *body, struct credentials *out, char *err, size_t errlen)
{
    char why[256];
    json_object *root =
        json_strict_object(body->data, body->len, "GetRoleCredentials answer", why, sizeof(why));
    if (root == NULL)
        return sso_fail(err, errlen, "SSO GetRoleCredentials: %s", why);
    json_object *rc, *exp;
    int result = -1;
    if (!json_object_object_get_ex(root, "roleCredentials", &rc) ||
        !json_object_is_type(rc, json_type_object)) {
        sso_fail(err, errlen, "SSO GetRoleCredentials: no roleCredentials in the answer");
    } else {
        const char *id = sso_string(rc, "accessKeyId");
        const char *secret = sso_string(rc, "secretAccessKey");
        const char *token = sso_string(rc, "sessionToken");
        if (id == NULL || secret == NULL) {
            sso_fail(err, errlen, "SSO GetRoleCredentials: no accessKeyId and secretAccessKey");
        } else if (credentials_set(out, id, secret, token) != 0) {
            sso_fail(err, errlen, "out of memory");
        } else {
            if (json_object_object_get_ex(rc, "expiration", &exp) &&
                json_object_is_type(exp, json_type_int)) {
                out->has_expiration = true;
                out->expiration = json_object_get_int64(exp) / 1000;
            }
            result = 0;
        }
    }
    json_object_put(root);
    return result;
}

int
sso_credentials(struct http_client *http, const struct sso_config *cfg, time_t now,
                struct credentials *out, bool *timed_out, char *err, size_t errlen)
{
    *timed_out = false;
    struct sso_token tok;
    if (sso_token(http, cfg, (int64_t)now, &tok, timed_out, err, errlen) != 0) {
        json_object_put(tok.root);
        return -1;
    }
    struct buf query = BUF_INIT;
    char url[512];
    struct http_header bearer = {"x-amz-sso_bearer_token", tok.access_token, true};
    bool ok = awsreq_param(&query, "account_id", cfg->account_id) &&
              awsreq_param(&query, "role_name", cfg->role_name);
    struct awsreq areq = {
        .operation = "GetRoleCredentials",
        .service = "awsssoportal",
        .protocol = AWSREQ_REST_JSON,
        .endpoint_url =
            sso_endpoint(cfg->portal_endpoint, "portal.sso", cfg->region, url, sizeof(url)),
        .region = cfg->region,
        .path = "/federation/credentials",
        .query = buf_str(&query),
        .headers = &bearer,
        .n_headers = 1,
    };
    struct awsreq_result res = {0};
    if (ok)
        awsreq_send(http, &areq, &res);
    int rc = -1;
    *timed_out = ok && res.outcome == AWSREQ_TIMED_OUT;
    if (!ok)
        sso_fail(err, errlen, "out of memory");
    else if (res.outcome == AWSREQ_TIMED_OUT)
        sso_fail(err, errlen, "SSO GetRoleCredentials: timed out");
    else if (res.outcome == AWSREQ_ERROR && res.status == 401)
        sso_expired(cfg, err, errlen);
    else if (res.outcome != AWSREQ_OK)
        sso_fail(err, errlen, "SSO GetRoleCredentials failed: %s", res.error);
    else
        rc = sso_decode_role(&res.body, out, err, errlen);
    if (rc == 0)
        snprintf(out->source, sizeof(out->source),
                 "profile %.200s (IAM Identity Center: account %.20s, role %.200s)",
                 cfg->profile_name, cfg->account_id, cfg->role_name);
    awsreq_result_free(&res);
    buf_free(&query);
    json_object_put(tok.root);
    return rc;
}
