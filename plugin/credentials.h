/*
 * credentials.h - finds the AWS credentials to sign with.
 *
 * Order, as in the AWS SDKs: a profile named by --profile or AWS_PROFILE
 * is used alone; otherwise the environment's keys, then the default
 * profile of the shared files. Secrets are wiped when freed and never
 * printed: "source" says where they came from, for -vv.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "sharedfiles.h"

struct credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none */
    bool has_expiration;
    int64_t expiration; /* Unix seconds, when has_expiration */
    char source[256];   /* where they came from, for -vv; never a secret */
};

/* What a credential source found: the chain moves on past ABSENT and
 * stops at FOUND or ERROR (a source that is configured but broken must
 * not be skipped silently). */
enum provider_result { PROVIDER_FOUND = 1, PROVIDER_ABSENT = 0, PROVIDER_ERROR = -1 };

/* Copies the three strings (token may be NULL or ""). 0, or -1 on ENOMEM
 * (out is then freed). */
int credentials_set(struct credentials *out, const char *key_id, const char *secret,
                    const char *token);

struct credentials_request {
    const char *profile_name;   /* the profile in use */
    bool profile_explicit;      /* named by --profile or AWS_PROFILE */
    const struct profile *profile;
    const struct shared_files *files;
};

/* Returns 0, or -1 with a one-line reason in err. */
int credentials_resolve(const struct credentials_request *req, struct credentials *out,
                        char *err, size_t errlen);

void credentials_free(struct credentials *c);

/* "AKIA...XYZ1": enough of a key id to recognise it, for -v output. */
void credentials_redact_key_id(const char *key_id, char *out, size_t outlen);

#endif
