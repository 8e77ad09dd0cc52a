/*
 * test_sigv4.c - the SigV4 signer against every header-form case of the
 * AWS test suites and of the project's botocore-generated s3tables cases,
 * read in place from $S3TABLES_SHARED_DIR/testdata/sigv4 (see SOURCE.md
 * there), plus a few direct checks of the helpers.
 */
#include "config.h"

#include "buf.h"
#include "sigv4.h"
#include "tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

/* The suite's constants (SOURCE.md, "Constants shared by folders 1 and 2"). */
#define SUITE_AKID "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION "us-east-1"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Classic cases signed with a session-token credential whose .req does
 * not carry the header: aws-c-auth adds it from the credential, as the
 * plugin will. */
static const struct {
    const char *label;
    const char *token;
} classic_tokens[] = {
    {"aws-sig-v4-test-suite/get-vanilla-with-session-token",
     "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"},
};

struct names {
    char **v;
    size_t n;
};

/* A raw HTTP request, cut in place into the signer's inputs. */
struct http_req {
    char *text;
    const char *method, *path, *query;
    struct sigv4_header *headers;
    size_t n_headers, cap_headers;
    const char *body;
    size_t body_len;
};

struct case_inputs {
    const char *akid, *secret, *region, *service, *amz_date;
    bool normalize;
};

static char *
path_join(const char *dir, const char *name, const char *suffix)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s/%s%s", dir, name, suffix != NULL ? suffix : "");
    return buf_detach(&b);
}

static char *
file_name(const char *name, const char *suffix)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s%s", name, suffix);
    return buf_detach(&b);
}

static bool
is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(struct names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->v[i]);
    free(names->v);
    names->v = NULL;
    names->n = 0;
}

/* Entries of dir but the hidden ones, sorted so the output is stable. */
static bool
list_dir(const char *dir, struct names *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    *out = (struct names){NULL, 0};
    if (d == NULL)
        return false;
    bool ok = true;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(e->d_name) + 1;
        char **v = realloc(out->v, (out->n + 1) * sizeof(*v));
        ok = v != NULL;
        if (ok) {
            out->v = v;
            v[out->n] = malloc(len);
            ok = v[out->n] != NULL;
        }
        if (ok)
            memcpy(v[out->n++], e->d_name, len);
    }
    if (!ok) {
        closedir(d);
        names_free(out);
        return false;
    }
    closedir(d);
    qsort(out->v, out->n, sizeof(*out->v), name_cmp);
    return true;
}

/* Cuts the request line; the URI may hold spaces ("/example space/"). */
static bool
http_parse_request_line(struct http_req *r, char *line)
{
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    char *sp1 = strchr(line, ' ');
    char *sp2 = strrchr(line, ' ');
    if (sp1 == NULL || sp1 == sp2)
        return false;
    *sp1 = *sp2 = '\0';
    r->method = line;
    r->path = sp1 + 1;
    char *q = strchr(sp1 + 1, '?');
    if (q != NULL)
        *q = '\0';
    r->query = q != NULL ? q + 1 : NULL;
    return true;
}

/* Headers are "Name:value" lines; a line starting with whitespace
 * continues the previous value, which keeps the raw folded text (the
 * signer collapses it). The body follows the first blank line. */
static bool
http_parse_headers(struct http_req *r, char *p, char *end)
{
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if (p == eol || (eol - p == 1 && *p == '\r')) {
            p[-1] = '\0';
            r->body = eol < end ? eol + 1 : end;
            r->body_len = (size_t)(end - r->body);
            return true;
        }
        if (*p == ' ' || *p == '\t') {
            if (r->n_headers == 0)
                return false;
        } else {
            char *colon = memchr(p, ':', (size_t)(eol - p));
            if (colon == NULL)
                return false;
            if (r->n_headers > 0)
                p[-1] = '\0';
            *colon = '\0';
            r->headers[r->n_headers].name = p;
            r->headers[r->n_headers++].value = colon + 1;
        }
        p = eol < end ? eol + 1 : end;
    }
    if (p > r->text && p[-1] == '\n')
        p[-1] = '\0';
    r->body = end;
    r->body_len = 0;
    return true;
}

/* Takes text (len bytes, NUL-terminated); room for `extra` added headers. */
static bool
http_parse(char *text, size_t len, size_t extra, struct http_req *r)
{
    *r = (struct http_req){.text = text};
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    r->cap_headers = lines + extra;
    r->headers = calloc(r->cap_headers, sizeof(*r->headers));
    char *eol = strchr(text, '\n');
    char *end = text + len;
    if (r->headers == NULL || eol == NULL)
        return false;
    *eol = '\0';
    return http_parse_request_line(r, text) && http_parse_headers(r, eol + 1, end);
}

static void
http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (r->n_headers < r->cap_headers)
        r->headers[r->n_headers++] = (struct sigv4_header){name, value};
}

/* ASCII case-insensitive equality, as header names compare. */
static bool
same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static const char *
http_header(const struct http_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (same_name(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

static void
http_free(struct http_req *r)
{
    free(r->headers);
    free(r->text);
}

static int
sign_http(const struct http_req *r, const char *payload_hex, const struct case_inputs *in,
          struct sigv4_signature *sig)
{
    struct sigv4_request req = {r->method,  r->path,      r->query,
                                r->headers, r->n_headers, payload_hex};
    struct sigv4_key key = {in->akid, in->secret};
    struct sigv4_scope scope = {in->amz_date, in->region, in->service, in->normalize};
    return sigv4_sign(&req, &key, &scope, sig);
}

/* One TAP line: got against the bytes of dir/file. */
static void
check_file(const char *got, const char *dir, const char *file, const char *label,
           const char *artifact)
{
    char *path = path_join(dir, file, NULL);
    char *want = path != NULL ? tap_slurp(path, NULL) : NULL;
    if (want == NULL)
        tap_ok(false, "%s: %s (cannot read %s)", label, artifact, file);
    else
        tap_is_str(got, want, "%s: %s", label, artifact);
    free(want);
    free(path);
}

/* Whether the suite's own .sts hashes its .creq. */
static bool
suite_consistent(const char *dir, const char *name)
{
    char *creq_path = path_join(dir, name, ".creq");
    char *sts_path = path_join(dir, name, ".sts");
    size_t creq_len = 0;
    char *creq = creq_path != NULL ? tap_slurp(creq_path, &creq_len) : NULL;
    char *sts = sts_path != NULL ? tap_slurp(sts_path, NULL) : NULL;
    char hex[65];
    bool ok = true;
    if (creq != NULL && sts != NULL) {
        const char *last = strrchr(sts, '\n');
        sigv4_sha256_hex(creq, creq_len, hex);
        ok = last != NULL && strcmp(last + 1, hex) == 0;
    }
    free(creq);
    free(sts);
    free(creq_path);
    free(sts_path);
    return ok;
}

static const char *
classic_token(const char *label)
{
    for (size_t i = 0; i < sizeof(classic_tokens) / sizeof(classic_tokens[0]); i++)
        if (strcmp(classic_tokens[i].label, label) == 0)
            return classic_tokens[i].token;
    return NULL;
}

static void
compare_classic_files(const struct sigv4_signature *sig, const char *dir, const char *name,
                      const char *label, const char *creq, const char *sts, const char *authz)
{
    check_file(sig->canonical_request, dir, creq, label, "canonical request");
    if (suite_consistent(dir, name)) {
        check_file(sig->string_to_sign, dir, sts, label, "string to sign");
        check_file(sig->authorization, dir, authz, label, "authorization");
    } else {
        tap_skip("%s: string to sign (suite data: %s does not hash %s)", label, sts, creq);
        tap_skip("%s: authorization (suite data: %s does not hash %s)", label, sts, creq);
    }
}

static void
compare_classic(const struct sigv4_signature *sig, const char *dir, const char *name,
                const char *label)
{
    char *creq = file_name(name, ".creq");
    char *sts = file_name(name, ".sts");
    char *authz = file_name(name, ".authz");
    if (creq == NULL || sts == NULL || authz == NULL) {
        tap_ok(false, "%s: out of memory", label);
    } else {
        compare_classic_files(sig, dir, name, label, creq, sts, authz);
    }
    free(creq);
    free(sts);
    free(authz);
}

/* NAME/NAME.req with X-Amz-Date (and any signed token) already in it. */
static void
run_classic_case(const char *dir, const char *name, const char *label, const char *service)
{
    char *req_path = path_join(dir, name, ".req");
    size_t len = 0;
    char *text = req_path != NULL ? tap_slurp(req_path, &len) : NULL;
    struct http_req r;
    struct sigv4_signature sig = {0};
    char payload[65];
    const char *token = classic_token(label);

    if (text == NULL || !http_parse(text, len, 1, &r)) {
        tap_ok(false, "%s: parse %s.req", label, name);
        if (text != NULL)
            http_free(&r);
        free(req_path);
        return;
    }
    if (token != NULL)
        http_add_header(&r, "X-Amz-Security-Token", token);
    sigv4_sha256_hex(r.body, r.body_len, payload);
    struct case_inputs in = {
        SUITE_AKID, SUITE_SECRET, SUITE_REGION, service, http_header(&r, "X-Amz-Date"), true};
    if (in.amz_date == NULL || sign_http(&r, r.body_len > 0 ? payload : NULL, &in, &sig) != 0)
        tap_ok(false, "%s: sign", label);
    else
        compare_classic(&sig, dir, name, label);
    sigv4_signature_free(&sig);
    http_free(&r);
    free(req_path);
}

/* A case directory holds NAME.req; any other directory holds cases. */
static size_t
walk_classic(const char *dir, const char *label, const char *service)
{
    struct names names;
    size_t count = 0;
    if (!list_dir(dir, &names)) {
        tap_ok(false, "%s: list directory", label);
        return 0;
    }
    for (size_t i = 0; i < names.n; i++) {
        char *sub = path_join(dir, names.v[i], NULL);
        char *sub_label = path_join(label, names.v[i], NULL);
        char *req = sub != NULL ? path_join(sub, names.v[i], ".req") : NULL;
        if (sub != NULL && sub_label != NULL && req != NULL && is_dir(sub)) {
            if (is_file(req)) {
                run_classic_case(sub, names.v[i], sub_label, service);
                count++;
            } else {
                count += walk_classic(sub, sub_label, service);
            }
        }
        free(req);
        free(sub_label);
        free(sub);
    }
    names_free(&names);
    return count;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ", the only form context.json uses. */
static bool
parse_timestamp(const char *s, char amz_date[17])
{
    int y, mo, d, h, mi, sec;
    char z = 0;
    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 ||
        z != 'Z')
        return false;
    long long t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    sigv4_amz_date((time_t)t, amz_date);
    return true;
}

static const char *
json_str(struct json_object *obj, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : NULL;
}

static bool
json_flag(struct json_object *obj, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v);
}

/* The Authorization value from header-signed-request.txt. */
static char *
signed_request_authz(const char *dir)
{
    char *path = path_join(dir, "header-signed-request.txt", NULL);
    char *text = path != NULL ? tap_slurp(path, NULL) : NULL;
    char *line = text != NULL ? strstr(text, "\nAuthorization:") : NULL;
    struct buf b = BUF_INIT;
    if (line != NULL) {
        line += strlen("\nAuthorization:");
        buf_append(&b, line, strcspn(line, "\r\n"));
    }
    free(text);
    free(path);
    return line != NULL ? buf_detach(&b) : NULL;
}

static void
compare_v4(const struct sigv4_signature *sig, const char *dir, const char *label)
{
    check_file(sig->canonical_request, dir, "header-canonical-request.txt", label,
               "canonical request");
    check_file(sig->string_to_sign, dir, "header-string-to-sign.txt", label, "string to sign");
    check_file(sig->signature, dir, "header-signature.txt", label, "signature");
    char *authz = signed_request_authz(dir);
    tap_is_str(sig->authorization, authz, "%s: authorization", label);
    free(authz);
}

/* request.txt lacks X-Amz-Date; context.json says what else to add. */
static void
sign_v4_case(struct json_object *ctx, struct http_req *r, const char *dir, const char *label)
{
    struct json_object *creds = NULL;
    char amz_date[17], payload[65];
    struct sigv4_signature sig = {0};
    json_object_object_get_ex(ctx, "credentials", &creds);
    const char *token = json_str(creds, "token");
    struct case_inputs in = {json_str(creds, "access_key_id"),
                             json_str(creds, "secret_access_key"),
                             json_str(ctx, "region"),
                             json_str(ctx, "service"),
                             amz_date,
                             json_flag(ctx, "normalize")};

    if (!parse_timestamp(json_str(ctx, "timestamp"), amz_date)) {
        tap_ok(false, "%s: timestamp in context.json", label);
        return;
    }
    sigv4_sha256_hex(r->body, r->body_len, payload);
    http_add_header(r, "X-Amz-Date", amz_date);
    if (token != NULL && !json_flag(ctx, "omit_session_token"))
        http_add_header(r, "X-Amz-Security-Token", token);
    if (json_flag(ctx, "sign_body"))
        http_add_header(r, "x-amz-content-sha256", payload);
    if (sign_http(r, r->body_len > 0 ? payload : NULL, &in, &sig) != 0)
        tap_ok(false, "%s: sign", label);
    else
        compare_v4(&sig, dir, label);
    sigv4_signature_free(&sig);
}

static void
run_v4_case(const char *dir, const char *label)
{
    char *ctx_path = path_join(dir, "context.json", NULL);
    char *req_path = path_join(dir, "request.txt", NULL);
    struct json_object *ctx = ctx_path != NULL ? json_object_from_file(ctx_path) : NULL;
    size_t len = 0;
    char *text = req_path != NULL ? tap_slurp(req_path, &len) : NULL;
    struct http_req r;

    if (ctx == NULL || text == NULL || !http_parse(text, len, 3, &r))
        tap_ok(false, "%s: read context.json and request.txt", label);
    else
        sign_v4_case(ctx, &r, dir, label);
    if (text != NULL)
        http_free(&r);
    json_object_put(ctx);
    free(req_path);
    free(ctx_path);
}

static size_t
walk_v4(const char *dir, const char *label)
{
    struct names names;
    size_t count = 0;
    if (!list_dir(dir, &names)) {
        tap_ok(false, "%s: list directory", label);
        return 0;
    }
    for (size_t i = 0; i < names.n; i++) {
        char *sub = path_join(dir, names.v[i], NULL);
        char *sub_label = path_join(label, names.v[i], NULL);
        char *ctx = sub != NULL ? path_join(sub, "context.json", NULL) : NULL;
        if (sub_label != NULL && ctx != NULL && is_file(ctx)) {
            run_v4_case(sub, sub_label);
            count++;
        }
        free(ctx);
        free(sub_label);
        free(sub);
    }
    names_free(&names);
    return count;
}

static void
test_helpers(void)
{
    char out[65];
    char *enc = sigv4_uri_encode("a b/~-._\xc3\xa9%", strlen("a b/~-._\xc3\xa9%"));
    tap_is_str(enc, "a%20b%2F~-._%C3%A9%25", "uri_encode: reserved, UTF-8 and '%%' encoded");
    free(enc);
    enc = sigv4_uri_encode("abc", 2);
    tap_is_str(enc, "ab", "uri_encode: stops at len");
    free(enc);

    sigv4_amz_date(1440938160, out);
    tap_is_str(out, "20150830T123600Z", "amz_date: the suite's date");
    sigv4_amz_date(0, out);
    tap_is_str(out, "19700101T000000Z", "amz_date: the epoch");
    sigv4_amz_date(951782400, out);
    tap_is_str(out, "20000229T000000Z", "amz_date: a leap day");
    sigv4_amz_date(-1, out);
    tap_is_str(out, "19691231T235959Z", "amz_date: before the epoch");

    sigv4_sha256_hex("", 0, out);
    tap_is_str(out, EMPTY_SHA256, "sha256_hex: empty input");
    sigv4_sha256_hex("abc", 3, out);
    tap_is_str(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
               "sha256_hex: \"abc\"");
}

/* The query line of the canonical request for a GET / with `query`. */
static char *
canonical_query_of(const char *query)
{
    struct sigv4_header host = {"Host", "example.amazonaws.com"};
    struct sigv4_request req = {"GET", "/", query, &host, 1, NULL};
    struct sigv4_key key = {SUITE_AKID, SUITE_SECRET};
    struct sigv4_scope scope = {"20150830T123600Z", SUITE_REGION, "service", true};
    struct sigv4_signature sig = {0};
    struct buf b = BUF_INIT;
    if (sigv4_sign(&req, &key, &scope, &sig) == 0) {
        const char *line = strchr(strchr(sig.canonical_request, '\n') + 1, '\n') + 1;
        buf_append(&b, line, strcspn(line, "\n"));
    }
    sigv4_signature_free(&sig);
    return buf_detach(&b);
}

static void
test_sign_edges(void)
{
    struct sigv4_header host = {"Host", "example.amazonaws.com"};
    struct sigv4_request req = {"GET", "/", NULL, &host, 1, NULL};
    struct sigv4_key key = {SUITE_AKID, SUITE_SECRET};
    struct sigv4_scope scope = {"20150830T123600Z", SUITE_REGION, "service", true};
    struct sigv4_signature sig;

    req.method = NULL;
    tap_ok(sigv4_sign(&req, &key, &scope, &sig) == -1 && sig.canonical_request == NULL,
           "sign: NULL method is refused");
    req.method = "GET";
    scope.amz_date = "20150830T1236Z";
    tap_ok(sigv4_sign(&req, &key, &scope, &sig) == -1, "sign: short amz_date is refused");
    scope.amz_date = "2015-08-30T12:3Z";
    tap_ok(sigv4_sign(&req, &key, &scope, &sig) == -1, "sign: 16 chars not a date are refused");
    scope.amz_date = "20150830T123600Z";
    req.method = "GET /x";
    tap_ok(sigv4_sign(&req, &key, &scope, &sig) == -1, "sign: a method with a space is refused");
    req.method = "GET";
    host.name = "Host:";
    tap_ok(sigv4_sign(&req, &key, &scope, &sig) == -1, "sign: a header name with ':' is refused");
    sigv4_signature_free(&sig);

    char *q = canonical_query_of("b=%zz&a=%4&c=%3a+");
    tap_is_str(q, "a=%254&b=%25zz&c=%3A%2B", "sign: bad escapes stay literal, '+' is a plus");
    free(q);
    q = canonical_query_of("flag&&x=");
    tap_is_str(q, "flag=&x=", "sign: a bare key gets an empty value, empty pairs drop");
    free(q);
}

/* A cached signing key gives the signatures a fresh one gives, for its
 * scope only: another date, region or service derives anew. */
static void
test_key_cache(void)
{
    struct sigv4_header headers[2] = {{"Host", "example.amazonaws.com"},
                                      {"X-Amz-Date", "20150830T123600Z"}};
    struct sigv4_request req = {"GET", "/a", "x=1", headers, 2, NULL};
    struct sigv4_key key = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
    struct sigv4_key_cache cache = {0};
    const char *regions[] = {"us-east-1", "us-east-1", "eu-west-1", "us-east-1"};
    for (int i = 0; i < 4; i++) {
        struct sigv4_scope scope = {"20150830T123600Z", regions[i], i == 3 ? "sts" : "service",
                                    true};
        struct sigv4_signature fresh, cached;
        int a = sigv4_sign(&req, &key, &scope, &fresh);
        int b = sigv4_sign_cached(&req, &key, &scope, &cache, &cached);
        tap_ok(a == 0 && b == 0 && strcmp(fresh.authorization, cached.authorization) == 0,
               "key cache: signature %d (%s/%s) is the uncached one", i, regions[i], scope.service);
        sigv4_signature_free(&fresh);
        sigv4_signature_free(&cached);
    }
    sigv4_key_cache_clear(&cache);
    tap_ok(!cache.valid, "key cache: cleared");
}

int
main(void)
{
    char *root = path_join(tap_shared_dir(), "testdata/sigv4", NULL);
    if (root == NULL || !is_dir(root)) {
        free(root);
        return tap_skip_all("../shared/testdata/sigv4 not found (set S3TABLES_SHARED_DIR)");
    }
    test_helpers();
    test_sign_edges();
    test_key_cache();

    char *classic = path_join(root, "aws-sig-v4-test-suite", NULL);
    char *v4 = path_join(root, "aws-signing-test-suite-v4", NULL);
    char *s3tables = path_join(root, "s3tables-botocore", NULL);
    size_t n_classic = walk_classic(classic, "aws-sig-v4-test-suite", "service");
    size_t n_v4 = walk_v4(v4, "aws-signing-test-suite-v4");
    size_t n_s3tables = walk_classic(s3tables, "s3tables-botocore", "s3tables");
    tap_diag("cases run: aws-sig-v4-test-suite %zu, aws-signing-test-suite-v4 %zu, "
             "s3tables-botocore %zu",
             n_classic, n_v4, n_s3tables);
    free(s3tables);
    free(v4);
    free(classic);
    free(root);
    return tap_done();
}
