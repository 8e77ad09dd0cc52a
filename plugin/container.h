/*
 * container.h - credentials from the ECS task / EKS Pod Identity
 * endpoint.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: http://169.254.170.2<uri>.
 * AWS_CONTAINER_CREDENTIALS_FULL_URI: any https URL, or http only to a
 * loopback address or the ECS/EKS link-local hosts (169.254.170.2,
 * 169.254.170.23, fd00:ec2::23). The Authorization header comes from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each call) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN.
 */
#ifndef CONTAINER_H
#define CONTAINER_H

#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "http.h"

/* PROVIDER_ABSENT when neither variable is set. */
enum provider_result container_credentials(struct http_client *http, long timeout_ms, time_t now,
                                           struct credentials *out, char *err, size_t errlen);

/* Whether a FULL_URI is allowed (pure; for tests). */
int container_uri_allowed(const char *url, char *err, size_t errlen);

#endif
