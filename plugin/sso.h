/*
 * sso.h - credentials from IAM Identity Center (SSO), as the AWS CLI gets
 * them for a profile with sso_account_id and sso_role_name.
 *
 * The access token is the one `aws sso login` cached in
 * ~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL for
 * the legacy form>.json. When it has expired or expires within 5 minutes
 * and the file holds a refresh token and the client's registration (the
 * sso-session form), it is refreshed with SSO-OIDC CreateToken and the
 * file is rewritten atomically, as the CLI does. Then the SSO portal's
 * GetRoleCredentials gives the role's keys. Both calls are unsigned. The
 * bearer token, the refresh token and the client secret are never printed.
 */
#ifndef SSO_H
#define SSO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "http.h"

struct sso_config {
    const char *profile_name; /* for "run 'aws sso login --profile NAME'" */
    const char *session_name; /* NULL: the legacy form (start URL in the profile) */
    const char *start_url;
    const char *region; /* sso_region */
    const char *account_id;
    const char *role_name;
    const char *portal_endpoint; /* configured (AWS_ENDPOINT_URL_SSO...), or NULL */
    const char *oidc_endpoint;   /* configured (AWS_ENDPOINT_URL_SSO_OIDC...), or NULL */
};

/* 0, or -1 with a one-line reason in err; *timed_out when the run's
 * deadline passed during a call. */
int sso_credentials(struct http_client *http, const struct sso_config *cfg, time_t now,
                    struct credentials *out, bool *timed_out, char *err, size_t errlen);

/* The token cache file of a session name or start URL (pure; for tests). */
void sso_token_path(const char *home, const char *key, char *out, size_t outlen);

#endif
