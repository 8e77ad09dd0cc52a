#include "config.h"

#include "credjson.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "iso8601.h"
#include "jsonstrict.h"
#include "text.h"

/* What the text is called in messages: a process prints, a service answers. */
static const char *
credjson_noun(enum credjson_kind kind)
{
    return kind == CREDJSON_PROCESS ? "output" : "answer";
}

static const char *
credjson_token_field(enum credjson_kind kind)
{
    return kind == CREDJSON_PROCESS ? "SessionToken" : "Token";
}

/* "an integer", "null"...: what a value is, for "X is <label>, not Y". */

/*
 * A string member: 0 with *s set, 1 when absent (or null, for an optional
 * member, as the SDKs read it), -1 with err. Never quotes the value.
 */
static int
credjson_string(json_object *root, const char *name, bool required, const char *noun,
                const char **s, char *err, size_t errlen)
{
    json_object *v = NULL;
    bool present = json_object_object_get_ex(root, name, &v);
    *s = NULL;
    if (!present || (v == NULL && !required)) {
        if (!required)
            return 1;
        snprintf(err, errlen, "no \"%s\" in the %s", name, noun);
        return -1;
    }
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"%s\" is %s, not a string", name, json_strict_type(v));
        return -1;
    }
    *s = json_object_get_string(v);
    return 0;
}

static int
credjson_check_version(json_object *root, char *err, size_t errlen)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(root, "Version", &v)) {
        snprintf(err, errlen, "no \"Version\" in the output (supported: 1)");
        return -1;
    }
    if (!json_object_is_type(v, json_type_int)) {
        snprintf(err, errlen, "\"Version\" is %s, not an integer", json_strict_type(v));
        return -1;
    }
    int64_t version = json_object_get_int64(v);
    if (version != 1) {
        /* json-c keeps values past INT64_MAX as unsigned. */
        if (version < 0)
            snprintf(err, errlen, "unsupported \"Version\" %lld (supported: 1)",
                     (long long)version);
        else
            snprintf(err, errlen, "unsupported \"Version\" %llu (supported: 1)",
                     (unsigned long long)json_object_get_uint64(v));
        return -1;
    }
    return 0;
}

/* IMDS answers errors with 200 and a Code other than "Success". */
static int
credjson_check_code(json_object *root, char *err, size_t errlen)
{
    const char *code, *message;
    if (credjson_string(root, "Code", true, "answer", &code, err, errlen) != 0)
        return -1;
    if (strcmp(code, "Success") == 0)
        return 0;
    char code_clean[64], message_clean[256];
    text_sanitize(code_clean, sizeof code_clean, code, strlen(code));
    json_object *m = NULL;
    if (json_object_object_get_ex(root, "Message", &m) && json_object_is_type(m, json_type_string))
        message = json_object_get_string(m);
    else
        message = "";
    text_sanitize(message_clean, sizeof message_clean, message, strlen(message));
    snprintf(err, errlen, "instance metadata says %s%s%s", code_clean,
             *message_clean != '\0' ? ": " : "", message_clean);
    return -1;
}

static int
credjson_expiration(json_object *root, int64_t now, struct credentials *out, char *err,
                    size_t errlen)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(root, "Expiration", &v) || v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"Expiration\" is %s, not an ISO-8601 string", json_strict_type(v));
        return -1;
    }
    struct iso8601_time t;
    char why[256];
    if (iso8601_parse(json_object_get_string(v), &t, why, sizeof why) != 0) {
        snprintf(err, errlen, "bad \"Expiration\": %s", why);
        return -1;
    }
    if (t.seconds <= now) {
        char when[32];
        iso8601_format_utc(t.seconds, when, sizeof when);
        snprintf(err, errlen, "credentials expired at %s", when);
        return -1;
    }
    out->has_expiration = true;
    out->expiration = t.seconds;
    return 0;
}

static int
credjson_fields(enum credjson_kind kind, json_object *root, int64_t now, struct credentials *out,
                char *err, size_t errlen)
{
    const char *noun = credjson_noun(kind);
    const char *token_field = credjson_token_field(kind);
    const char *key_id, *secret, *token;

    if (kind == CREDJSON_PROCESS && credjson_check_version(root, err, errlen) != 0)
        return -1;
    if (kind == CREDJSON_IMDS && credjson_check_code(root, err, errlen) != 0)
        return -1;
    if (credjson_string(root, "AccessKeyId", true, noun, &key_id, err, errlen) != 0 ||
        credjson_string(root, "SecretAccessKey", true, noun, &secret, err, errlen) != 0 ||
        credjson_string(root, token_field, false, noun, &token, err, errlen) < 0)
        return -1;
    if (*key_id == '\0' || *secret == '\0') {
        snprintf(err, errlen, "\"%s\" is empty",
                 *key_id == '\0' ? "AccessKeyId" : "SecretAccessKey");
        return -1;
    }
    if (credjson_expiration(root, now, out, err, errlen) != 0)
        return -1;
    if (credentials_set(out, key_id, secret, token) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* json-c frees its strings without wiping them: wipe the secret ones first. */
static void
credjson_wipe(json_object *root, enum credjson_kind kind)
{
    const char *names[] = {"AccessKeyId", "SecretAccessKey", credjson_token_field(kind)};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_object *v = NULL;
        if (json_object_object_get_ex(root, names[i], &v) &&
            json_object_is_type(v, json_type_string))
            OPENSSL_cleanse((char *)json_object_get_string(v),
                            (size_t)json_object_get_string_len(v));
    }
}

int
credjson_decode(enum credjson_kind kind, const char *body, size_t len, int64_t now,
                struct credentials *out, char *err, size_t errlen)
{
    out->access_key_id = NULL;
    out->secret_access_key = NULL;
    out->session_token = NULL;
    out->has_expiration = false;
    out->expiration = 0;

    json_object *root = json_strict_object(body, len, credjson_noun(kind), err, errlen);
    if (root == NULL)
        return -1;
    int rc = credjson_fields(kind, root, now, out, err, errlen);
    credjson_wipe(root, kind);
    json_object_put(root);
    if (rc != 0) {
        credentials_free(out);
        out->has_expiration = false;
        out->expiration = 0;
    }
    return rc;
}
