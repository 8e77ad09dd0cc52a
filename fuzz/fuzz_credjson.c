/*
 * fuzz_credjson.c - credjson_decode for credential_process output, the
 * container endpoint's answer and the instance metadata answer.
 *
 * Input: the JSON text, passed with its length to all three kinds, with
 * "now" fixed at 2023-11-14T22:13:20Z.
 * Checks: decoded credentials have a non-empty key id and secret, a token
 * that is NULL or non-empty and an expiration after now; a failure leaves
 * no pointer set and gives a one-line reason that never quotes a secret
 * (tested with a canary: the example secret key's prefix).
 */
#include "config.h"

#include <json-c/json.h>

#include "credjson.h"
#include "fuzz.h"

#define NOW 1700000000
#define CANARY "wJalrXUtnFEMI"

/* Does a member that error messages may quote (anything but the secrets)
 * carry the canary? Then finding it in a message proves nothing. */
static bool
canary_outside_secrets(const char *body, size_t len)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        abort();
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    json_tokener_free(tok);
    bool found = false;
    if (root != NULL && json_object_is_type(root, json_type_object)) {
        json_object_object_foreach(root, key, value)
        {
            if (strcmp(key, "SecretAccessKey") == 0 || strcmp(key, "SessionToken") == 0 ||
                strcmp(key, "Token") == 0 || strcmp(key, "AccessKeyId") == 0)
                continue;
            if (json_object_is_type(value, json_type_string) &&
                strstr(json_object_get_string(value), CANARY) != NULL)
                found = true;
        }
    }
    json_object_put(root);
    return found;
}

static void
check_kind(enum credjson_kind kind, const char *body, size_t len)
{
    struct credentials c;
    char err[512];

    memset(&c, 0, sizeof c);
    fuzz_poison(err, sizeof err);
    if (credjson_decode(kind, body, len, NOW, &c, err, sizeof err) == 0) {
        FUZZ_CHECK(c.access_key_id != NULL && c.access_key_id[0] != '\0');
        FUZZ_CHECK(c.secret_access_key != NULL && c.secret_access_key[0] != '\0');
        FUZZ_CHECK(c.session_token == NULL || c.session_token[0] != '\0');
        FUZZ_CHECK(c.has_expiration || c.expiration == 0);
        FUZZ_CHECK(!c.has_expiration || c.expiration > NOW);
    } else {
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
        FUZZ_CHECK(c.access_key_id == NULL && c.secret_access_key == NULL);
        FUZZ_CHECK(c.session_token == NULL && !c.has_expiration);
        if (strstr(err, CANARY) != NULL)
            FUZZ_CHECK(canary_outside_secrets(body, len));
    }
    credentials_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_bytes(data, size);

    check_kind(CREDJSON_PROCESS, body, size);
    check_kind(CREDJSON_CONTAINER, body, size);
    check_kind(CREDJSON_IMDS, body, size);
    free(body);
    return 0;
}
