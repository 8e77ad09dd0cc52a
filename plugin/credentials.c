#include "config.h"

#include "credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int
credentials_set(struct credentials *out, const char *key_id, const char *secret, const char *token)
{
    out->access_key_id = strdup(key_id);
    out->secret_access_key = strdup(secret);
    out->session_token = token != NULL && *token != '\0' ? strdup(token) : NULL;
    if (out->access_key_id == NULL || out->secret_access_key == NULL ||
        (token != NULL && *token != '\0' && out->session_token == NULL)) {
        credentials_free(out);
        return -1;
    }
    return 0;
}

/* 1 when found, 0 when the environment has no keys, -1 on a half set. */
static int
credentials_from_env(struct credentials *out, char *err, size_t errlen)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    bool has_id = id != NULL && *id != '\0';
    bool has_secret = secret != NULL && *secret != '\0';
    if (!has_id && !has_secret)
        return 0;
    if (!has_id || !has_secret) {
        snprintf(err, errlen, "%s is set but %s is not", has_id ? "AWS_ACCESS_KEY_ID" :
                 "AWS_SECRET_ACCESS_KEY", has_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return -1;
    }
    if (credentials_set(out, id, secret, getenv("AWS_SESSION_TOKEN")) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(out->source, sizeof(out->source), "environment");
    return 1;
}

/* 1 when found, 0 when the profile has no static keys, -1 on a half set. */
static int
credentials_from_profile(const struct credentials_request *req, struct credentials *out,
                         char *err, size_t errlen)
{
    const struct profile *p = req->profile;
    const char *id = profile_get(p, "aws_access_key_id");
    const char *secret = profile_get(p, "aws_secret_access_key");
    if (id == NULL && secret == NULL)
        return 0;
    if (id == NULL || secret == NULL) {
        snprintf(err, errlen, "profile '%s' has %s but no %s", req->profile_name,
                 id != NULL ? "aws_access_key_id" : "aws_secret_access_key",
                 id != NULL ? "aws_secret_access_key" : "aws_access_key_id");
        return -1;
    }
    if (credentials_set(out, id, secret, profile_get(p, "aws_session_token")) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(out->source, sizeof(out->source), "profile %s (static keys)", req->profile_name);
    return 1;
}

int
credentials_resolve(const struct credentials_request *req, struct credentials *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if (!req->profile_explicit && (rc = credentials_from_env(out, err, errlen)) != 0)
        return rc > 0 ? 0 : -1;
    if ((rc = credentials_from_profile(req, out, err, errlen)) != 0)
        return rc > 0 ? 0 : -1;

    const struct profile *p = req->profile;
    if (req->profile_explicit && !p->in_credentials_file && !p->in_config_file)
        snprintf(err, errlen, "profile '%s' not found in %s or %s", req->profile_name,
                 req->files->credentials_path, req->files->config_path);
    else if (req->profile_explicit)
        snprintf(err, errlen, "profile '%s' has no credentials (looked in %s and %s)",
                 req->profile_name, req->files->credentials_path, req->files->config_path);
    else
        snprintf(err, errlen,
                 "no AWS credentials found (looked in: environment, %s [default], %s [default])",
                 req->files->credentials_path, req->files->config_path);
    return -1;
}

static void
credentials_wipe(char **s)
{
    if (*s != NULL) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void
credentials_free(struct credentials *c)
{
    credentials_wipe(&c->access_key_id);
    credentials_wipe(&c->secret_access_key);
    credentials_wipe(&c->session_token);
}

void
credentials_redact_key_id(const char *key_id, char *out, size_t outlen)
{
    size_t n = strlen(key_id);
    if (n <= 8)
        snprintf(out, outlen, "%.*s...", n > 4 ? 4 : (int)n, key_id);
    else
        snprintf(out, outlen, "%.4s...%s", key_id, key_id + n - 4);
}
