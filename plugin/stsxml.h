/*
 * stsxml.h - STS query-protocol answers (XML), decoded with expat. Pure.
 *
 * Success: <AssumeRoleResponse><AssumeRoleResult><Credentials>
 *   <AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/>
 * (or AssumeRoleWithWebIdentityResponse/...Result). Errors:
 * <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
 * No network access, no DTDs, no entity expansion.
 */
#ifndef STSXML_H
#define STSXML_H

#include <stddef.h>

#include "credentials.h"

struct sts_error {
    char code[128];    /* e.g. "AccessDenied"; "" when the answer names none */
    char message[512]; /* one line, sanitised; may be "" */
};

/* Fills out (not its source) from a success answer; result_element is
 * "AssumeRoleResult" or "AssumeRoleWithWebIdentityResult". Returns 0, or
 * -1 with a one-line reason in err. */
int stsxml_decode_credentials(const char *xml, size_t len, const char *result_element,
                              struct credentials *out, char *err, size_t errlen);

/* Decodes an ErrorResponse; returns -1 (and leaves "" fields) when the
 * body is not one. */
int stsxml_decode_error(const char *xml, size_t len, struct sts_error *out);

#endif
