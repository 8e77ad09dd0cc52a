/*
 * chain.h - the AWS credential chain, exactly in botocore's order; the
 * first source that is configured wins (a configured source that fails is
 * an error, not a reason to try the next):
 *
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SECURITY_TOKEN or
 *      AWS_SESSION_TOKEN), unless --profile was given
 *   2. the profile's role_arn (without web_identity_token_file), assumed
 *      with its source_profile's or credential_source's credentials
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN (unless
 *      --profile) or the profile's web_identity_token_file / role_arn
 *   4. IAM Identity Center (SSO), when the profile has sso_* settings
 *   5. the profile's keys in the credentials file
 *   6. the profile's credential_process
 *   7. the profile's keys in the config file
 *   8. ECS/EKS container credentials
 *   9. EC2 instance metadata
 *
 * A source profile gives its own credentials (3-7, never the
 * environment's) when it has keys or no role; otherwise its role is
 * assumed in turn. Then --role-arn, if given, is assumed with what was
 * found. The credentials' "source" tells the way taken, for -vv.
 */
#ifndef CHAIN_H
#define CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credcache.h"
#include "credentials.h"
#include "sharedfiles.h"
#include "sts.h"

struct chain_request {
    const char *profile_name; /* the profile in use ("default" unless named) */
    bool profile_named;       /* by --profile or AWS_PROFILE: it must exist */
    bool profile_from_cli;    /* by --profile: the environment's keys are not used */
    const struct shared_files *files;
    const char *role_arn; /* --role-arn, or NULL */
    const char *external_id;
    const char *role_session_name;
    struct sts_context sts; /* the run's HTTP client, region, FIPS... for AssumeRole */
    struct credcache *cache;           /* expiring credentials between runs; NULL: none */
    const char *sso_endpoint_url;      /* configured SSO portal endpoint, or NULL */
    const char *sso_oidc_endpoint_url; /* configured SSO-OIDC endpoint, or NULL */
};

/* Returns 0, or -1 with a one-line reason in err; *timed_out when the
 * run's deadline passed during a step. */
int chain_resolve(const struct chain_request *req, time_t now, struct credentials *out,
                  bool *timed_out, char *err, size_t errlen);

#endif
