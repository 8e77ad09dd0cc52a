/*
 * imds.h - credentials of the EC2 instance role, from the instance
 * metadata service (IMDSv2: PUT a session token, then GET the role name
 * and its credentials; IMDSv1 fallback unless disabled).
 *
 * Environment: AWS_EC2_METADATA_DISABLED=true skips it;
 * AWS_EC2_METADATA_SERVICE_ENDPOINT overrides http://169.254.169.254
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6: http://[fd00:ec2::254]);
 * AWS_EC2_METADATA_V1_DISABLED=true refuses the v1 fallback. Each request
 * gets at most IMDS_TIMEOUT_MS, so a host that is not on EC2 pays about a
 * second, once.
 */
#ifndef IMDS_H
#define IMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "http.h"

#define IMDS_TIMEOUT_MS 1000

/* PROVIDER_ABSENT when disabled or unreachable (not on EC2);
 * PROVIDER_ERROR with err when the service answered but gave no usable
 * credentials (no role, expired, v1 refused...). */
enum provider_result imds_credentials(struct http_client *http, long timeout_ms, time_t now,
                                      struct credentials *out, char *err, size_t errlen);

#endif
