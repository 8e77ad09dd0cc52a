/*
 * credjson.h - temporary credentials in the JSON the AWS credential
 * sources answer with. Pure.
 *
 *   CREDJSON_PROCESS    credential_process output: {"Version": 1,
 *                       "AccessKeyId", "SecretAccessKey", optional
 *                       "SessionToken", optional "Expiration"}
 *   CREDJSON_CONTAINER  ECS/EKS container endpoint: {"AccessKeyId",
 *                       "SecretAccessKey", "Token", "Expiration"}
 *   CREDJSON_IMDS       EC2 instance metadata: {"Code": "Success",
 *                       "AccessKeyId", "SecretAccessKey", "Token",
 *                       "Expiration"}
 * Expiration is ISO-8601; credentials already expired at "now" are an
 * error. Error messages never quote a secret.
 */
#ifndef CREDJSON_H
#define CREDJSON_H

#include <stddef.h>
#include <stdint.h>

#include "credentials.h"

enum credjson_kind { CREDJSON_PROCESS, CREDJSON_CONTAINER, CREDJSON_IMDS };

/* Fills out (not its source). Returns 0, or -1 with a one-line reason. */
int credjson_decode(enum credjson_kind kind, const char *body, size_t len, int64_t now,
                    struct credentials *out, char *err, size_t errlen);

#endif
