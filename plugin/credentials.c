#include "config.h"

#include "credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "buf.h"
#include "iso8601.h"

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

/* The pair, or a message naming the half that is missing. */
static enum provider_result
credentials_pair(struct credentials *out, const char *id, const char *secret, const char *token,
                 const char *id_name, const char *secret_name, const char *where, char *err,
                 size_t errlen)
{
    bool has_id = id != NULL && *id != '\0';
    bool has_secret = secret != NULL && *secret != '\0';
    if (!has_id && !has_secret)
        return PROVIDER_ABSENT;
    if (!has_id || !has_secret) {
        snprintf(err, errlen, "%s%s is set but %s is not", where, has_id ? id_name : secret_name,
                 has_id ? secret_name : id_name);
        return PROVIDER_ERROR;
    }
    if (credentials_set(out, id, secret, token) != 0) {
        snprintf(err, errlen, "out of memory");
        return PROVIDER_ERROR;
    }
    return PROVIDER_FOUND;
}

/* botocore reads the older name first. */
static const char *
credentials_env_token(void)
{
    const char *t = getenv("AWS_SECURITY_TOKEN");
    return t != NULL && *t != '\0' ? t : getenv("AWS_SESSION_TOKEN");
}

enum provider_result
credentials_from_env(struct credentials *out, char *err, size_t errlen)
{
    enum provider_result r = credentials_pair(
        out, getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), credentials_env_token(),
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "", err, errlen);
    const char *expiration = getenv("AWS_CREDENTIAL_EXPIRATION");
    if (r == PROVIDER_FOUND && expiration != NULL && *expiration != '\0') {
        struct iso8601_time t;
        char why[128];
        if (iso8601_parse(expiration, &t, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "AWS_CREDENTIAL_EXPIRATION is not a time: %s", why);
            r = PROVIDER_ERROR;
        } else if (t.seconds <= civil_now()) {
            snprintf(err, errlen,
                     "the environment's credentials have expired (AWS_CREDENTIAL_EXPIRATION %.64s)",
                     expiration);
            r = PROVIDER_ERROR;
        } else {
            out->has_expiration = true;
            out->expiration = t.seconds;
        }
        if (r == PROVIDER_ERROR)
            credentials_free(out);
    }
    if (r == PROVIDER_FOUND)
        snprintf(out->source, sizeof(out->source), "environment");
    return r;
}

bool
credentials_profile_has_keys(const struct profile *p)
{
    return profile_get(p, "aws_access_key_id") != NULL ||
           profile_get(p, "aws_secret_access_key") != NULL;
}

enum provider_result
credentials_from_profile_file(const struct profile *p, const char *name, enum profile_file file,
                              const char *path, struct credentials *out, char *err, size_t errlen)
{
    const char *id = profile_get_in(p, file, "aws_access_key_id");
    if (id == NULL)
        return PROVIDER_ABSENT; /* as botocore: the key id is what makes keys present */
    const char *secret = profile_get_in(p, file, "aws_secret_access_key");
    if (secret == NULL) {
        snprintf(err, errlen,
                 "profile '%.256s': aws_access_key_id is set in %.400s but aws_secret_access_key "
                 "is not (keys are never taken from two files)",
                 name, path);
        return PROVIDER_ERROR;
    }
    const char *token = profile_get_in(p, file, "aws_security_token");
    if (token == NULL)
        token = profile_get_in(p, file, "aws_session_token");
    if (credentials_set(out, id, secret, token) != 0) {
        snprintf(err, errlen, "out of memory");
        return PROVIDER_ERROR;
    }
    snprintf(out->source, sizeof(out->source), "profile %.256s (static keys%s)", name,
             file == PROFILE_CONFIG_FILE ? " in the config file" : "");
    return PROVIDER_FOUND;
}

static void
credentials_wipe(char **s)
{
    secret_free(*s);
    *s = NULL;
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
