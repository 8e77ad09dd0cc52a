/*
 * sigv4.h - AWS Signature Version 4, header form, computed with OpenSSL.
 *
 * Pure: no I/O, no clock. The caller passes every header that is to be
 * signed (including host, x-amz-date and, when present,
 * x-amz-security-token), the path and query exactly as they go on the
 * wire, and the hex SHA-256 of the payload. The signer canonicalises them
 * as the AWS SigV4 test suite and botocore do:
 *   - path: optionally normalised (".", "..", "//" removed; every service
 *     but S3), then each byte URI-encoded again except unreserved and "/"
 *     (so "%3A" on the wire becomes "%253A" in the canonical request);
 *   - query: split on "&", each name and value percent-decoded then
 *     RFC 3986-encoded (upper-case hex), sorted by name then value;
 *   - headers: names lower-cased, values trimmed with inner runs of
 *     whitespace (folded lines included) collapsed to one space,
 *     duplicates joined with ",", sorted by name.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct sigv4_header {
    const char *name;
    const char *value;
};

struct sigv4_request {
    const char *method;                 /* "GET" */
    const char *path;                   /* as on the wire, e.g. "/a%20b" */
    const char *query;                  /* without "?", NULL or "" if none */
    const struct sigv4_header *headers; /* all headers to sign */
    size_t n_headers;
    const char *payload_sha256_hex; /* NULL means the empty payload */
};

struct sigv4_key {
    const char *access_key_id;
    const char *secret_access_key;
};

struct sigv4_scope {
    const char *amz_date; /* "YYYYMMDDTHHMMSSZ" */
    const char *region;
    const char *service;
    bool normalize_path;
};

struct sigv4_signature {
    char *canonical_request; /* malloc'd */
    char *string_to_sign;    /* malloc'd */
    char signature[65];      /* lower-case hex */
    char *authorization;     /* malloc'd value of the Authorization header */
};

/* Returns 0 on success, -1 on a malformed request or allocation failure. */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_key *key,
               const struct sigv4_scope *scope, struct sigv4_signature *out);

/* The signing key derived for one date, region and service (four
 * HMACs), kept for the next request signed with the same secret: a run
 * that signs a thousand requests derives it once, and fetches SHA-256 and
 * HMAC from OpenSSL's providers once. The owner ties it to one secret and
 * frees and wipes it with sigv4_key_cache_clear. Zero-initialise it. */
struct evp_md_st;
struct evp_md_ctx_st;
struct evp_mac_ctx_st;
struct sigv4_key_cache {
    bool valid;
    char date[9];
    char region[64];
    char service[32];
    struct evp_mac_ctx_st *signer; /* HMAC-SHA256 keyed with the signing key */
    struct evp_md_st *sha256;
    struct evp_md_ctx_st *hasher; /* reused for each canonical request */
};

/* sigv4_sign, using and filling cache (NULL: none). */
int sigv4_sign_cached(const struct sigv4_request *req, const struct sigv4_key *key,
                      const struct sigv4_scope *scope, struct sigv4_key_cache *cache,
                      struct sigv4_signature *out);

void sigv4_key_cache_clear(struct sigv4_key_cache *cache);

/* Frees (and wipes) what sigv4_sign allocated. Safe on a zeroed struct. */
void sigv4_signature_free(struct sigv4_signature *sig);

/* Formats t as "YYYYMMDDTHHMMSSZ" (UTC) into out[17]. */
void sigv4_amz_date(time_t t, char out[17]);

/* Hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* RFC 3986 percent-encoding (upper-case hex) of everything but
 * A-Z a-z 0-9 - . _ ~ ; appended to a malloc'd string. NULL on ENOMEM. */
char *sigv4_uri_encode(const char *s, size_t len);

#endif
