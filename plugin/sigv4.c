/*
 * sigv4.c - AWS Signature Version 4 (header form), as the AWS test suite
 * and botocore compute it. See sigv4.h for the canonicalisation rules.
 */
#include "config.h"

#include "sigv4.h"

#include "buf.h"
#include "civil.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SHA256_LEN 32

static const char empty_payload_sha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* One header as it goes into the canonical request. */
struct canon_header {
    char *name;
    char *value;
    size_t order; /* position in the request: duplicates keep it */
};

struct query_param {
    char *name;
    char *value;
};

static bool
is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Header whitespace; '\r' and '\n' too, so that folded lines collapse. */
static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* RFC 9110 tchar: what a method or a header name may be made of, so
 * neither can smuggle a ':' or a line break into the canonical request. */
static bool
is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_unreserved(c) && strchr("!#$%&'*+^`|", c) == NULL)
            return false;
    }
    return true;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void
hex_encode(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static void
append_encoded(struct buf *b, const char *s, size_t len, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && (is_unreserved((unsigned char)s[run]) || (keep_slash && s[run] == '/')))
            run++;
        buf_append(b, s + i, run - i); /* copied a run at a time */
        if (run == len)
            break;
        unsigned char c = (unsigned char)s[run];
        char esc[3] = {'%', digits[c >> 4], digits[c & 0x0f]};
        buf_append(b, esc, sizeof(esc));
        i = run + 1;
    }
}

char *
sigv4_uri_encode(const char *s, size_t len)
{
    struct buf b = BUF_INIT;
    append_encoded(&b, s, len, false);
    return buf_detach(&b);
}

/* An invalid escape stays literal, so its '%' is later encoded as %25,
 * which is what botocore signs for such a query. */
static void
append_decoded(struct buf *b, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *pct = memchr(s + i, '%', len - i);
        size_t run = pct != NULL ? (size_t)(pct - s) : len;
        buf_append(b, s + i, run - i);
        if (run == len)
            break;
        int hi = run + 2 < len ? hex_value(s[run + 1]) : -1;
        int lo = hi >= 0 ? hex_value(s[run + 2]) : -1;
        if (lo >= 0) {
            buf_putc(b, (char)(hi << 4 | lo));
            i = run + 3;
        } else {
            buf_putc(b, '%');
            i = run + 1;
        }
    }
}

/* Query names and values arrive in whatever encoding the caller used;
 * decoding first makes "%3a", "%3A" and ":" all sign as "%3A". A '+' is
 * kept as a literal plus: this is RFC 3986, not a form body. */
/* A hex digit as sigv4_uri_encode writes it (upper case), else -1. */
static int
upper_hex_value(char c)
{
    return c >= 'a' && c <= 'f' ? -1 : hex_value(c);
}

/* Whether decoding and encoding s again would give s: only unreserved
 * characters and upper-case escapes of reserved ones, as sigv4_uri_encode
 * writes them. */
static bool
is_canonical_encoding(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            if (!is_unreserved((unsigned char)s[i]))
                return false;
            continue;
        }
        int hi = i + 2 < len ? upper_hex_value(s[i + 1]) : -1;
        int lo = hi >= 0 ? upper_hex_value(s[i + 2]) : -1;
        if (lo < 0 || is_unreserved((unsigned char)(hi << 4 | lo)))
            return false;
        i += 2;
    }
    return true;
}

static char *
reencode(const char *s, size_t len)
{
    if (is_canonical_encoding(s, len)) { /* what this plugin's own requests hold */
        char *copy = malloc(len + 1);
        if (copy != NULL) {
            memcpy(copy, s, len);
            copy[len] = '\0';
        }
        return copy;
    }
    struct buf raw = BUF_INIT;
    struct buf enc = BUF_INIT;
    append_decoded(&raw, s, len);
    if (buf_failed(&raw)) {
        buf_free(&enc);
        return NULL;
    }
    append_encoded(&enc, buf_str(&raw), raw.len, false);
    buf_free(&raw);
    return buf_detach(&enc);
}

/* Drops the last "/segment" of a normalised path. */
static void
pop_segment(struct buf *b)
{
    while (b->len > 0 && b->data[b->len - 1] != '/')
        b->len--;
    if (b->len > 0)
        b->len--;
    if (b->data != NULL)
        b->data[b->len] = '\0';
}

/* botocore's remove_dot_segments: drop "", "." and (with its parent)
 * "..", and keep a trailing slash only if a segment survived. */
static void
normalize_path(struct buf *out, const char *path)
{
    const char *seg = path;
    while (*seg != '\0') {
        while (*seg == '/')
            seg++;
        size_t len = strcspn(seg, "/");
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            pop_segment(out);
        } else if (len > 0 && !(len == 1 && seg[0] == '.')) {
            buf_putc(out, '/');
            buf_append(out, seg, len);
        }
        seg += len;
    }
    if (out->len == 0)
        buf_putc(out, '/');
    else if (path[strlen(path) - 1] == '/')
        buf_putc(out, '/');
}

/* Every service but S3 encodes the path a second time, so the wire's
 * "%3A" signs as "%253A". */
static void
append_canonical_path(struct buf *b, const char *path, bool normalize)
{
    if (!normalize) {
        append_encoded(b, path, strlen(path), true);
        return;
    }
    struct buf norm = BUF_INIT;
    normalize_path(&norm, path);
    if (buf_failed(&norm))
        b->failed = true;
    else
        append_encoded(b, buf_str(&norm), norm.len, true);
    buf_free(&norm);
}

static int
query_param_cmp(const void *a, const void *b)
{
    const struct query_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

static size_t
split_query(const char *query, struct query_param *params)
{
    size_t n = 0;
    for (const char *p = query; *p != '\0';) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq != NULL ? (size_t)(eq - p) : len;
        if (len > 0) { /* "a&&b" carries no empty parameter */
            params[n].name = reencode(p, name_len);
            params[n].value = eq != NULL ? reencode(eq + 1, len - name_len - 1) : reencode("", 0);
            n++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return n;
}

/* Sorted by encoded name, then encoded value: sorting "name=value"
 * strings would put "Param-3" before "Param". */
static void
append_canonical_query(struct buf *b, const char *query)
{
    if (query == NULL || *query == '\0')
        return;
    size_t max = 1;
    for (const char *p = query; *p != '\0'; p++)
        max += *p == '&';
    struct query_param *params = calloc(max, sizeof(*params));
    size_t n = params != NULL ? split_query(query, params) : 0;
    bool ok = params != NULL;
    for (size_t i = 0; i < n; i++)
        ok = ok && params[i].name != NULL && params[i].value != NULL;
    if (ok) {
        qsort(params, n, sizeof(*params), query_param_cmp);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                buf_putc(b, '&');
            buf_puts(b, params[i].name);
            buf_putc(b, '=');
            buf_puts(b, params[i].value);
        }
    } else {
        b->failed = true;
    }
    for (size_t i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
}

/* Lower-cased name, or NULL if it is not a token once trimmed. */
static char *
canonical_name(const char *name)
{
    while (is_space(*name))
        name++;
    size_t len = strlen(name);
    while (len > 0 && is_space(name[len - 1]))
        len--;
    if (!is_token(name, len))
        return NULL;
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        buf_putc(&b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
    }
    return buf_detach(&b);
}

/* Trimmed, with every run of whitespace (a folded line included) as one
 * space, as botocore's ' '.join(value.split()). */
static char *
canonical_value(const char *value)
{
    struct buf b = BUF_INIT;
    bool gap = false;
    for (const char *p = value; *p != '\0'; p++) {
        if (is_space(*p)) {
            gap = true;
            continue;
        }
        if (gap && b.len > 0)
            buf_putc(&b, ' ');
        buf_putc(&b, *p);
        gap = false;
    }
    return buf_detach(&b);
}

/* Equal names keep the caller's order: their values join in that order. */
static int
canon_header_cmp(const void *a, const void *b)
{
    const struct canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void
emit_headers(struct buf *block, struct buf *signed_list, const struct canon_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
            buf_putc(block, ',');
            buf_puts(block, h[i].value);
            continue;
        }
        if (i > 0)
            buf_putc(block, '\n');
        buf_puts(block, h[i].name);
        buf_putc(block, ':');
        buf_puts(block, h[i].value);
        if (signed_list->len > 0)
            buf_putc(signed_list, ';');
        buf_puts(signed_list, h[i].name);
    }
    if (n > 0)
        buf_putc(block, '\n');
}

/* Fills block with "name:value\n" lines and signed_list with "a;b".
 * Returns -1 on a missing or malformed name or on allocation failure. */
static int
canonical_headers(const struct sigv4_request *req, struct buf *block, struct buf *signed_list)
{
    size_t n = req->n_headers;
    struct canon_header *h = calloc(n > 0 ? n : 1, sizeof(*h));
    int rc = h != NULL ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct sigv4_header *in = &req->headers[i];
        if (in->name == NULL || in->value == NULL) {
            rc = -1;
            break;
        }
        h[i].name = canonical_name(in->name);
        h[i].value = canonical_value(in->value);
        h[i].order = i;
        if (h[i].name == NULL || h[i].value == NULL)
            rc = -1;
    }
    if (rc == 0) {
        qsort(h, n, sizeof(*h), canon_header_cmp);
        emit_headers(block, signed_list, h, n);
    }
    for (size_t i = 0; h != NULL && i < n; i++) {
        free(h[i].name);
        secret_free(h[i].value); /* may be a session token */
    }
    free(h);
    return rc;
}

/* Without a cache, OpenSSL looks SHA-256 up in its providers and makes a
 * digest context on every call; a cache keeps both. */
static bool
sha256_with(struct sigv4_key_cache *cache, const void *data, size_t len,
            unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;
    if (cache == NULL || cache->sha256 == NULL)
        return EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) == 1 &&
               out_len == SHA256_LEN;
    if (cache->hasher == NULL && (cache->hasher = EVP_MD_CTX_new()) == NULL)
        return false;
    return EVP_DigestInit_ex2(cache->hasher, cache->sha256, NULL) == 1 &&
           EVP_DigestUpdate(cache->hasher, data, len) == 1 &&
           EVP_DigestFinal_ex(cache->hasher, out, &out_len) == 1 && out_len == SHA256_LEN;
}

void
sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_LEN];
    if (len == 0)
        memcpy(out, empty_payload_sha256, sizeof(empty_payload_sha256)); /* most requests */
    else if (sha256_with(NULL, data, len, md))
        hex_encode(md, sizeof(md), out);
    else
        out[0] = '\0';
}

static bool
hmac_sha256(const void *key, size_t key_len, const char *msg, unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;
    if (key_len > INT_MAX)
        return false;
    return HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out,
                &out_len) != NULL &&
           out_len == SHA256_LEN;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service),
 * "aws4_request"). Every intermediate key is wiped. */
static bool
derive_signing_key(const struct sigv4_key *key, const struct sigv4_scope *scope, const char *date,
                   unsigned char out[SHA256_LEN])
{
    struct buf secret = BUF_INIT;
    unsigned char k1[SHA256_LEN], k2[SHA256_LEN], k3[SHA256_LEN];
    buf_puts(&secret, "AWS4");
    buf_puts(&secret, key->secret_access_key);
    bool ok = !buf_failed(&secret) && hmac_sha256(secret.data, secret.len, date, k1) &&
              hmac_sha256(k1, sizeof(k1), scope->region, k2) &&
              hmac_sha256(k2, sizeof(k2), scope->service, k3) &&
              hmac_sha256(k3, sizeof(k3), "aws4_request", out);
    buf_free(&secret);
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    OPENSSL_cleanse(k3, sizeof(k3));
    return ok;
}

/* "YYYYMMDDTHHMMSSZ", digits where digits belong. */
static bool
amz_date_ok(const char *d)
{
    if (strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return false;
    return true;
}

static bool
inputs_ok(const struct sigv4_request *req, const struct sigv4_key *key,
          const struct sigv4_scope *scope)
{
    return req != NULL && key != NULL && scope != NULL && req->method != NULL &&
           is_token(req->method, strlen(req->method)) && req->path != NULL &&
           (req->path[0] == '/' || req->path[0] == '\0') &&
           (req->headers != NULL || req->n_headers == 0) && key->access_key_id != NULL &&
           key->secret_access_key != NULL && scope->amz_date != NULL && scope->region != NULL &&
           scope->service != NULL && amz_date_ok(scope->amz_date);
}

static char *
canonical_request(const struct sigv4_request *req, const struct sigv4_scope *scope,
                  struct buf *signed_list)
{
    struct buf creq = BUF_INIT;
    struct buf headers = BUF_INIT;
    const char *path = req->path[0] != '\0' ? req->path : "/";
    const char *payload =
        req->payload_sha256_hex != NULL ? req->payload_sha256_hex : empty_payload_sha256;

    if (canonical_headers(req, &headers, signed_list) != 0)
        headers.failed = true;
    buf_puts(&creq, req->method);
    buf_putc(&creq, '\n');
    append_canonical_path(&creq, path, scope->normalize_path);
    buf_putc(&creq, '\n');
    append_canonical_query(&creq, req->query);
    buf_putc(&creq, '\n');
    buf_append(&creq, buf_str(&headers), headers.len);
    buf_putc(&creq, '\n');
    buf_append(&creq, buf_str(signed_list), signed_list->len);
    buf_putc(&creq, '\n');
    buf_puts(&creq, payload);
    if (buf_failed(&headers) || buf_failed(signed_list))
        creq.failed = true;
    buf_free(&headers);
    return buf_detach(&creq);
}

static char *
string_to_sign(const char *creq, struct sigv4_key_cache *cache, const char *amz_date,
               const char *credential_scope)
{
    unsigned char md[SHA256_LEN];
    char hex[2 * SHA256_LEN + 1];
    if (!sha256_with(cache, creq, strlen(creq), md))
        return NULL;
    hex_encode(md, sizeof(md), hex);
    struct buf b = BUF_INIT;
    buf_puts(&b, SIGV4_ALGORITHM "\n");
    buf_puts(&b, amz_date);
    buf_putc(&b, '\n');
    buf_puts(&b, credential_scope);
    buf_putc(&b, '\n');
    buf_append(&b, hex, 2 * SHA256_LEN);
    return buf_detach(&b);
}

static bool
cache_holds(const struct sigv4_key_cache *cache, const struct sigv4_scope *scope, const char *date)
{
    return cache != NULL && cache->valid && strcmp(cache->date, date) == 0 &&
           strcmp(cache->region, scope->region) == 0 && strcmp(cache->service, scope->service) == 0;
}

/* Keys the cache's HMAC with a newly derived signing key. */
static void
cache_store(struct sigv4_key_cache *cache, const struct sigv4_scope *scope, const char *date,
            const unsigned char key[SHA256_LEN])
{
    cache->valid = false;
    if (strlen(scope->region) >= sizeof(cache->region) ||
        strlen(scope->service) >= sizeof(cache->service))
        return;
    if (cache->sha256 == NULL)
        cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (cache->signer == NULL) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        cache->signer = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac); /* the context holds its own reference */
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    if (cache->signer == NULL || EVP_MAC_init(cache->signer, key, SHA256_LEN, params) != 1)
        return;
    memcpy(cache->date, date, sizeof(cache->date));
    strcpy(cache->region, scope->region);
    strcpy(cache->service, scope->service);
    cache->valid = true;
}

/* HMAC of msg with the cache's key: re-initialising the keyed context
 * reuses the key without hashing it again. */
static bool
cache_hmac(struct sigv4_key_cache *cache, const char *msg, unsigned char out[SHA256_LEN])
{
    size_t out_len = 0;
    return EVP_MAC_init(cache->signer, NULL, 0, NULL) == 1 &&
           EVP_MAC_update(cache->signer, (const unsigned char *)msg, strlen(msg)) == 1 &&
           EVP_MAC_final(cache->signer, out, &out_len, SHA256_LEN) == 1 && out_len == SHA256_LEN;
}

static bool
compute_signature(const struct sigv4_key *key, const struct sigv4_scope *scope, const char *date,
                  struct sigv4_key_cache *cache, const char *sts, char signature[65])
{
    unsigned char mac[SHA256_LEN];
    bool ok;
    if (cache_holds(cache, scope, date)) {
        ok = cache_hmac(cache, sts, mac);
    } else {
        unsigned char k_signing[SHA256_LEN];
        ok = derive_signing_key(key, scope, date, k_signing) &&
             hmac_sha256(k_signing, sizeof(k_signing), sts, mac);
        if (ok && cache != NULL)
            cache_store(cache, scope, date, k_signing);
        OPENSSL_cleanse(k_signing, sizeof(k_signing));
    }
    if (ok)
        hex_encode(mac, sizeof(mac), signature);
    OPENSSL_cleanse(mac, sizeof(mac));
    return ok;
}

int
sigv4_sign(const struct sigv4_request *req, const struct sigv4_key *key,
           const struct sigv4_scope *scope, struct sigv4_signature *out)
{
    return sigv4_sign_cached(req, key, scope, NULL, out);
}

int
sigv4_sign_cached(const struct sigv4_request *req, const struct sigv4_key *key,
                  const struct sigv4_scope *scope, struct sigv4_key_cache *cache,
                  struct sigv4_signature *out)
{
    if (out == NULL)
        return -1;
    memset(out, 0, sizeof(*out));
    if (!inputs_ok(req, key, scope))
        return -1;

    char date[9];
    memcpy(date, scope->amz_date, 8);
    date[8] = '\0';
    struct buf cred_scope = BUF_INIT;
    struct buf signed_list = BUF_INIT;
    struct buf authz = BUF_INIT;
    buf_puts(&cred_scope, date);
    buf_putc(&cred_scope, '/');
    buf_puts(&cred_scope, scope->region);
    buf_putc(&cred_scope, '/');
    buf_puts(&cred_scope, scope->service);
    buf_puts(&cred_scope, "/aws4_request");

    out->canonical_request = canonical_request(req, scope, &signed_list);
    if (out->canonical_request != NULL && !buf_failed(&cred_scope))
        out->string_to_sign =
            string_to_sign(out->canonical_request, cache, scope->amz_date, buf_str(&cred_scope));
    bool ok = out->string_to_sign != NULL &&
              compute_signature(key, scope, date, cache, out->string_to_sign, out->signature);
    if (ok) {
        buf_puts(&authz, SIGV4_ALGORITHM " Credential=");
        buf_puts(&authz, key->access_key_id);
        buf_putc(&authz, '/');
        buf_append(&authz, buf_str(&cred_scope), cred_scope.len);
        buf_puts(&authz, ", SignedHeaders=");
        buf_append(&authz, buf_str(&signed_list), signed_list.len);
        buf_puts(&authz, ", Signature=");
        buf_puts(&authz, out->signature);
        out->authorization = buf_detach(&authz);
        ok = out->authorization != NULL;
    }
    buf_free(&cred_scope);
    buf_free(&signed_list);
    if (!ok)
        sigv4_signature_free(out);
    return ok ? 0 : -1;
}

void
sigv4_signature_free(struct sigv4_signature *sig)
{
    if (sig == NULL)
        return;
    secret_free(sig->canonical_request);
    secret_free(sig->string_to_sign);
    secret_free(sig->authorization);
    OPENSSL_cleanse(sig->signature, sizeof(sig->signature));
    memset(sig, 0, sizeof(*sig));
}

static void
put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* The date comes from civil.h's arithmetic, so no gmtime_r, no locale and
 * no time zone. Years outside 0000-9999 do not fit the format and are
 * written modulo 10000. */
void
sigv4_amz_date(time_t t, char out[17])
{
    int rem;
    struct civil_date d = civil_date_from_days(civil_days_from_seconds((int64_t)t, &rem));
    put_digits(out, (d.year % 10000 + 10000) % 10000, 4);
    put_digits(out + 4, d.month, 2);
    put_digits(out + 6, d.day, 2);
    out[8] = 'T';
    put_digits(out + 9, rem / 3600, 2);
    put_digits(out + 11, rem / 60 % 60, 2);
    put_digits(out + 13, rem % 60, 2);
    out[15] = 'Z';
    out[16] = '\0';
}

void
sigv4_key_cache_clear(struct sigv4_key_cache *cache)
{
    EVP_MAC_CTX_free(cache->signer); /* wipes the key */
    EVP_MD_free(cache->sha256);
    EVP_MD_CTX_free(cache->hasher);
    OPENSSL_cleanse(cache, sizeof(*cache));
}
