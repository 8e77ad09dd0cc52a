/*
 * fuzz_sigv4.c - sigv4_sign with fuzzed method, path, query and headers;
 * sigv4_uri_encode and sigv4_amz_date on the raw input.
 *
 * Input: one flags byte (bit 0: normalise the path; bit 1: sign the
 * input's own SHA-256 as payload hash instead of the empty one), then
 * NUL-separated fields: METHOD, PATH, QUERY, then up to 16 header NAME,
 * VALUE pairs. Missing fields default to "GET", "/" and no query.
 * Checks: signing succeeds exactly when the method and every trimmed
 * header name are tokens and the path starts with "/" (or is empty); the
 * canonical request has the documented shape (encoded path and query,
 * query sorted, lower-case sorted header names once each, values trimmed
 * and collapsed), the string to sign hashes it, the Authorization value
 * names the signed headers and signature; reversing the query's
 * parameters changes nothing. A refused request leaves nothing set.
 */
#include "config.h"

#include "fuzz.h"
#include "sigv4.h"

#define MAX_HEADERS 16
#define AMZ_DATE "20150830T123600Z"
#define SCOPE "20150830/us-east-1/s3tables/aws4_request"
#define ALGORITHM "AWS4-HMAC-SHA256"

struct fuzz_request {
    const char *method, *path, *query;
    struct sigv4_header headers[MAX_HEADERS];
    size_t n_headers;
    bool normalize;
    const char *payload;
};

static bool
is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static bool
is_ws(char c)
{
    return c != '\0' && strchr(" \t\r\n\v\f", c) != NULL;
}

/* RFC 9110 token, as sigv4.h requires of methods and header names. */
static bool
is_token(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_unreserved((unsigned char)s[i]) && strchr("!#$%&'*+^`|", s[i]) == NULL)
            return false;
    return len > 0 && memchr(s, '\0', len) == NULL;
}

/* The header name trimmed and lower-cased, malloc'd; NULL if not a token. */
static char *
canonical_name(const char *name)
{
    while (is_ws(*name))
        name++;
    size_t len = strlen(name);
    while (len > 0 && is_ws(name[len - 1]))
        len--;
    if (!is_token(name, len))
        return NULL;
    char *out = strndup(name, len);
    if (out == NULL)
        abort();
    for (size_t i = 0; i < len; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    return out;
}

/* Only unreserved characters, extra ones, and "%" with two upper-case hex digits. */
static bool
is_encoded(const char *s, size_t len, const char *extra)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (c != '\0' && strchr(extra, c) != NULL))
            continue;
        if (c != '%' || i + 2 >= len || s[i + 1] == '\0' || s[i + 2] == '\0' ||
            strchr(hex, s[i + 1]) == NULL || strchr(hex, s[i + 2]) == NULL)
            return false;
        i += 2;
    }
    return true;
}

/* A malloc'd copy of s cut at every sep, and a malloc'd array of the
 * pieces (*n of them); free both. */
static char **
split(const char *s, char sep, char **copy, size_t *n)
{
    size_t max = 1;
    for (const char *p = s; *p != '\0'; p++)
        max += *p == sep;
    char **pieces = malloc(max * sizeof *pieces);
    *copy = strdup(s);
    if (pieces == NULL || *copy == NULL)
        abort();
    *n = 0;
    for (char *p = *copy;;) {
        pieces[(*n)++] = p;
        char *next = strchr(p, sep);
        if (next == NULL)
            break;
        *next = '\0';
        p = next + 1;
    }
    return pieces;
}

static void
check_path(const char *path, bool normalized)
{
    FUZZ_CHECK(path[0] == '/');
    FUZZ_CHECK(is_encoded(path, strlen(path), "/"));
    if (!normalized)
        return;
    FUZZ_CHECK(strstr(path, "//") == NULL);
    char *copy;
    size_t n;
    char **segments = split(path + 1, '/', &copy, &n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(strcmp(segments[i], ".") != 0 && strcmp(segments[i], "..") != 0);
    free(segments);
    free(copy);
}

static void
check_query(const char *query)
{
    if (query[0] == '\0')
        return;
    char *copy;
    size_t n;
    char **params = split(query, '&', &copy, &n);
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(params[i], '=');
        FUZZ_CHECK(eq != NULL && strchr(eq + 1, '=') == NULL);
        FUZZ_CHECK(is_encoded(params[i], strlen(params[i]), "="));
        if (i > 0) {
            /* sorted by name, then value: compare "name" parts first */
            char *prev_eq = strchr(params[i - 1], '=');
            *prev_eq = '\0';
            *eq = '\0';
            int c = strcmp(params[i - 1], params[i]);
            FUZZ_CHECK(c < 0 || (c == 0 && strcmp(prev_eq + 1, eq + 1) <= 0));
            *prev_eq = '=';
            *eq = '=';
        }
    }
    free(params);
    free(copy);
}

static void
check_header_value(const char *v)
{
    size_t n = strlen(v);
    FUZZ_CHECK(n == 0 || (v[0] != ' ' && v[n - 1] != ' '));
    FUZZ_CHECK(strstr(v, "  ") == NULL);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(v[i] == ' ' || !is_ws(v[i]));
}

/* The canonical request, line by line, against the request it came from. */
static void
check_canonical(const struct fuzz_request *r, const struct sigv4_signature *sig,
                const char *signed_list)
{
    char *names[MAX_HEADERS];
    size_t distinct = 0;
    for (size_t i = 0; i < r->n_headers; i++) {
        char *name = canonical_name(r->headers[i].name);
        FUZZ_CHECK(name != NULL);
        size_t j = 0;
        while (j < distinct && strcmp(names[j], name) != 0)
            j++;
        if (j == distinct)
            names[distinct++] = name;
        else
            free(name);
    }

    char *copy;
    size_t n;
    char **lines = split(sig->canonical_request, '\n', &copy, &n);
    FUZZ_CHECK(n == 6 + distinct);
    FUZZ_CHECK(strcmp(lines[0], r->method) == 0);
    check_path(lines[1], r->normalize);
    check_query(lines[2]);
    for (size_t i = 0; i < distinct; i++) {
        char *colon = strchr(lines[3 + i], ':');
        FUZZ_CHECK(colon != NULL);
        *colon = '\0';
        FUZZ_CHECK(is_token(lines[3 + i], strlen(lines[3 + i])));
        FUZZ_CHECK(i == 0 || strcmp(lines[2 + i], lines[3 + i]) < 0);
        bool known = false;
        for (size_t j = 0; j < distinct; j++)
            known = known || strcmp(names[j], lines[3 + i]) == 0;
        FUZZ_CHECK(known);
        check_header_value(colon + 1);
    }
    FUZZ_CHECK(lines[3 + distinct][0] == '\0');
    FUZZ_CHECK(strcmp(lines[4 + distinct], signed_list) == 0);
    const char *payload = r->payload != NULL
                              ? r->payload
                              : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    FUZZ_CHECK(strcmp(lines[5 + distinct], payload) == 0);

    /* The signed list is those names, in the same order. */
    char *list;
    size_t m;
    char **entries = split(signed_list, ';', &list, &m);
    FUZZ_CHECK(distinct > 0 ? m == distinct : signed_list[0] == '\0');
    for (size_t i = 0; i < distinct; i++)
        FUZZ_CHECK(strcmp(entries[i], lines[3 + i]) == 0);
    free(entries);
    free(list);
    free(lines);
    free(copy);
    for (size_t i = 0; i < distinct; i++)
        free(names[i]);
}

static void
check_signed(const struct fuzz_request *r, const struct sigv4_signature *sig)
{
    FUZZ_CHECK(strlen(sig->signature) == 64);
    FUZZ_CHECK(strspn(sig->signature, "0123456789abcdef") == 64);
    FUZZ_CHECK(sig->canonical_request != NULL && sig->string_to_sign != NULL);
    FUZZ_CHECK(sig->authorization != NULL);

    char hash[65], expected[256];
    sigv4_sha256_hex(sig->canonical_request, strlen(sig->canonical_request), hash);
    snprintf(expected, sizeof expected, ALGORITHM "\n" AMZ_DATE "\n" SCOPE "\n%s", hash);
    FUZZ_CHECK(strcmp(sig->string_to_sign, expected) == 0);

    static const char head[] = ALGORITHM " Credential=AKIDEXAMPLE/" SCOPE ", SignedHeaders=";
    const char *authz = sig->authorization;
    FUZZ_CHECK(strncmp(authz, head, sizeof head - 1) == 0);
    const char *list = authz + sizeof head - 1;
    const char *tail = strstr(list, ", Signature=");
    FUZZ_CHECK(tail != NULL && strcmp(tail + 12, sig->signature) == 0);
    char *signed_list = strndup(list, (size_t)(tail - list));
    if (signed_list == NULL)
        abort();
    check_canonical(r, sig, signed_list);
    free(signed_list);
}

static int
sign(const struct fuzz_request *r, struct sigv4_signature *sig)
{
    const struct sigv4_request req = {r->method,  r->path,      r->query,
                                      r->headers, r->n_headers, r->payload};
    const struct sigv4_key key = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
    const struct sigv4_scope scope = {AMZ_DATE, "us-east-1", "s3tables", r->normalize};
    return sigv4_sign(&req, &key, &scope, sig);
}

/* The same parameters in reverse order sign the same. */
static void
check_query_order(const struct fuzz_request *r, const struct sigv4_signature *sig)
{
    if (r->query == NULL || strchr(r->query, '&') == NULL)
        return;
    char *copy, *reversed = malloc(strlen(r->query) + 1);
    size_t n;
    char **params = split(r->query, '&', &copy, &n);
    if (reversed == NULL)
        abort();
    reversed[0] = '\0';
    for (size_t i = n; i-- > 0;) {
        strcat(reversed, params[i]);
        if (i > 0)
            strcat(reversed, "&");
    }
    struct fuzz_request other = *r;
    struct sigv4_signature again;
    other.query = reversed;
    FUZZ_CHECK(sign(&other, &again) == 0);
    FUZZ_CHECK(strcmp(again.canonical_request, sig->canonical_request) == 0);
    FUZZ_CHECK(strcmp(again.signature, sig->signature) == 0);
    sigv4_signature_free(&again);
    free(params);
    free(reversed);
    free(copy);
}

static bool
expect_success(const struct fuzz_request *r)
{
    if (!is_token(r->method, strlen(r->method)) || (r->path[0] != '/' && r->path[0] != '\0'))
        return false;
    for (size_t i = 0; i < r->n_headers; i++) {
        char *name = canonical_name(r->headers[i].name);
        if (name == NULL)
            return false;
        free(name);
    }
    return true;
}

static void
check_uri_encode(const uint8_t *data, size_t size)
{
    char *enc = sigv4_uri_encode((const char *)data, size);
    FUZZ_CHECK(enc != NULL);
    size_t len = strlen(enc), want = 0;
    for (size_t i = 0; i < size; i++)
        want += is_unreserved(data[i]) ? 1 : 3;
    FUZZ_CHECK(len == want);
    FUZZ_CHECK(is_encoded(enc, len, ""));
    for (size_t i = 0, j = 0; i < size; i++) {
        if (is_unreserved(data[i])) {
            FUZZ_CHECK(enc[j++] == (char)data[i]);
        } else {
            char hex[3] = {enc[j + 1], enc[j + 2], '\0'};
            FUZZ_CHECK(enc[j] == '%' && strtoul(hex, NULL, 16) == data[i]);
            j += 3;
        }
    }
    free(enc);
}

static void
check_amz_date(const uint8_t *data, size_t size)
{
    int64_t t;
    char out[17];
    if (size < sizeof t)
        return;
    memcpy(&t, data, sizeof t);
    fuzz_poison(out, sizeof out);
    sigv4_amz_date((time_t)t, out);
    FUZZ_CHECK(strnlen(out, sizeof out) == 16 && out[8] == 'T' && out[15] == 'Z');
    FUZZ_CHECK(strspn(out, "0123456789") == 8 && strspn(out + 9, "0123456789") == 6);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *fields = fuzz_string(data + 1, size - 1), *f[3 + 2 * MAX_HEADERS];
    size_t n = 0;
    for (char *p = fields; p <= fields + (size - 1) && n < 3 + 2 * MAX_HEADERS; p += strlen(p) + 1)
        f[n++] = p;

    struct fuzz_request r = {
        .method = n > 0 ? f[0] : "GET", .path = n > 1 ? f[1] : "/", .query = n > 2 ? f[2] : NULL};
    for (size_t i = 3; i < n; i += 2)
        r.headers[r.n_headers++] = (struct sigv4_header){f[i], i + 1 < n ? f[i + 1] : ""};
    r.normalize = data[0] & 1;
    char payload[65];
    if (data[0] & 2) {
        sigv4_sha256_hex(data, size, payload);
        r.payload = payload;
    }

    struct sigv4_signature sig;
    memset(&sig, 0x5a, sizeof sig);
    int rc = sign(&r, &sig);
    FUZZ_CHECK(rc == (expect_success(&r) ? 0 : -1));
    if (rc == 0) {
        check_signed(&r, &sig);
        check_query_order(&r, &sig);
    } else {
        FUZZ_CHECK(sig.canonical_request == NULL && sig.string_to_sign == NULL);
        FUZZ_CHECK(sig.authorization == NULL && sig.signature[0] == '\0');
    }
    sigv4_signature_free(&sig);

    check_uri_encode(data, size);
    check_amz_date(data, size);
    free(fields);
    return 0;
}
