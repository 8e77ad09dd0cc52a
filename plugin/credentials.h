/*
 * credentials.h - AWS credentials and the two static sources: the
 * environment and a profile's keys. The full chain is in chain.h.
 *
 * Secrets are wiped when freed and never printed: "source" says where
 * they came from, for -vv.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none */
    bool has_expiration;
    int64_t expiration; /* Unix seconds, when has_expiration */
    char source[1024];  /* where they came from, for -vv; never a secret */
};

/* What a credential source found: the chain moves on past ABSENT and
 * stops at FOUND or ERROR (a source that is configured but broken must
 * not be skipped silently). */
enum provider_result { PROVIDER_FOUND = 1, PROVIDER_ABSENT = 0, PROVIDER_ERROR = -1 };

/* Copies the three strings (token may be NULL or ""). 0, or -1 on ENOMEM
 * (out is then freed). */
int credentials_set(struct credentials *out, const char *key_id, const char *secret,
                    const char *token);

/* AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SECURITY_TOKEN or else
 * AWS_SESSION_TOKEN (botocore's order). One of the pair without the other
 * is an error (botocore would skip a lone secret: we say why instead). */
enum provider_result credentials_from_env(struct credentials *out, char *err, size_t errlen);

/* Does the profile (either file) hold a key id or a secret key? botocore
 * then takes a source profile's keys rather than assume its role. */
bool credentials_profile_has_keys(const struct profile *p);

/* The keys of one file's section of the profile, as botocore's
 * SharedCredentialProvider and ConfigProvider take them: present when the
 * section has aws_access_key_id; the secret and the session token
 * (aws_security_token, else aws_session_token) from the same section. */
enum provider_result credentials_from_profile_file(const struct profile *p, const char *name,
                                                   enum profile_file file, const char *path,
                                                   struct credentials *out, char *err,
                                                   size_t errlen);

void credentials_free(struct credentials *c);

/* "AKIA...XYZ1": enough of a key id to recognise it, for -v output. */
void credentials_redact_key_id(const char *key_id, char *out, size_t outlen);

#endif
