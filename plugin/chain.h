/*
 * chain.h - the AWS credential chain, in the SDKs' order; the first
 * source that is configured wins (a configured source that fails is an
 * error, not a reason to try the next):
 *
 *   1. --profile / AWS_PROFILE named: that profile alone
 *   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
 *   3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA)
 *   4. the default profile: role_arn (source_profile chains,
 *      credential_source, web_identity_token_file), static keys,
 *      credential_process
 *   5. ECS/EKS container credentials
 *   6. EC2 instance metadata
 *
 * Then --role-arn, if given, is assumed with what was found. The
 * credentials' "source" tells the way taken, for -vv.
 */
#ifndef CHAIN_H
#define CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "sharedfiles.h"
#include "sts.h"

struct chain_request {
    const char *profile_name; /* the profile in use ("default" unless named) */
    bool profile_explicit;    /* named by --profile or AWS_PROFILE */
    const struct shared_files *files;
    const char *role_arn; /* --role-arn, or NULL */
    const char *external_id;
    const char *role_session_name;
    struct sts_context sts; /* the run's HTTP client, region, FIPS... for AssumeRole */
};

/* Returns 0, or -1 with a one-line reason in err; *timed_out when the
 * run's deadline passed during a step. */
int chain_resolve(const struct chain_request *req, time_t now, struct credentials *out,
                  bool *timed_out, char *err, size_t errlen);

#endif
