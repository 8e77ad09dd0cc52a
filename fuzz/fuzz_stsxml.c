/*
 * fuzz_stsxml.c - STS XML answers: stsxml_decode_credentials (for both
 * AssumeRole and AssumeRoleWithWebIdentity) and stsxml_decode_error.
 *
 * Input: the HTTP body, passed with its length.
 * Checks: decoded credentials have a non-empty, trimmed key id, secret
 * and session token and an expiration; a failure leaves no pointer set
 * and gives a one-line reason. A decoded error has a printable one-line
 * code (never empty) and message; a body that is not one leaves both "".
 */
#include "config.h"

#include "fuzz.h"
#include "stsxml.h"

static bool
trimmed_nonempty(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && strchr(" \t\r\n", s[0]) == NULL && strchr(" \t\r\n", s[n - 1]) == NULL;
}

static void
check_credentials(const char *xml, size_t len, const char *result_element)
{
    struct credentials c;
    char err[512];

    memset(&c, 0, sizeof c);
    fuzz_poison(err, sizeof err);
    if (stsxml_decode_credentials(xml, len, result_element, &c, err, sizeof err) == 0) {
        FUZZ_CHECK(c.access_key_id != NULL && trimmed_nonempty(c.access_key_id));
        FUZZ_CHECK(c.secret_access_key != NULL && trimmed_nonempty(c.secret_access_key));
        FUZZ_CHECK(c.session_token != NULL && trimmed_nonempty(c.session_token));
        FUZZ_CHECK(c.has_expiration);
    } else {
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
        FUZZ_CHECK(c.access_key_id == NULL && c.secret_access_key == NULL);
        FUZZ_CHECK(c.session_token == NULL);
    }
    credentials_free(&c);
}

static void
check_error(const char *xml, size_t len)
{
    struct sts_error e;

    fuzz_poison(e.code, sizeof e.code);
    fuzz_poison(e.message, sizeof e.message);
    int rc = stsxml_decode_error(xml, len, &e);
    FUZZ_CHECK(fuzz_printable(e.code, sizeof e.code));
    FUZZ_CHECK(fuzz_printable(e.message, sizeof e.message));
    if (rc == 0)
        FUZZ_CHECK(e.code[0] != '\0');
    else
        FUZZ_CHECK(rc == -1 && e.code[0] == '\0' && e.message[0] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_bytes(data, size);

    check_credentials(xml, size, "AssumeRoleResult");
    check_credentials(xml, size, "AssumeRoleWithWebIdentityResult");
    check_error(xml, size);
    free(xml);
    return 0;
}
