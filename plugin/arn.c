#include "config.h"

#include "arn.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

#define ARN_MAX_LEN 2048 /* TableARN "max" in the service model */

/* Copies the field that ends at delim into out; returns the rest or NULL. */
static const char *
arn_field(const char *s, char delim, char *out, size_t outlen)
{
    const char *end = strchr(s, delim);
    if (end == NULL || (size_t)(end - s) >= outlen)
        return NULL;
    memcpy(out, s, (size_t)(end - s));
    out[end - s] = '\0';
    return end + 1;
}

static bool
arn_chars_ok(const char *s, const char *extra, bool upper_ok)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(islower(c) || isdigit(c) || (upper_ok && isupper(c)) || strchr(extra, c)))
            return false;
    }
    return true;
}

static int
arn_fail(char *err, size_t errlen, const char *text, bool bucket, const char *why)
{
    char shown[204]; /* one line, whatever the argument held */
    text_sanitize(shown, sizeof(shown), text, strlen(text));
    snprintf(err, errlen, "invalid %s ARN '%s': %s, expected %s", bucket ? "table bucket" : "table",
             shown, why, bucket ? ARN_BUCKET_EXPECTED : ARN_EXPECTED);
    return -1;
}

/* Both kinds: arn:PARTITION:s3tables:REGION:ACCOUNT:bucket/BUCKET then,
 * for a table, /table/TABLE_ID. */
static int
arn_parse_kind(const char *text, bool bucket, struct table_arn *out, char *err, size_t errlen)
{
    char prefix[8], service[16], kind[8], kind2[8];
    const char *p = text;

    memset(out, 0, sizeof(*out));
    if (*text == '\0')
        return arn_fail(err, errlen, text, bucket, "empty");
    if (strlen(text) > ARN_MAX_LEN)
        return arn_fail(err, errlen, text, bucket, "longer than 2048 characters");
    if ((p = arn_field(p, ':', prefix, sizeof(prefix))) == NULL || strcmp(prefix, "arn") != 0)
        return arn_fail(err, errlen, text, bucket, "does not start with 'arn:'");
    if ((p = arn_field(p, ':', out->partition, sizeof(out->partition))) == NULL ||
        strncmp(out->partition, "aws", 3) != 0 || !arn_chars_ok(out->partition, "-", false))
        return arn_fail(err, errlen, text, bucket, "bad partition");
    if ((p = arn_field(p, ':', service, sizeof(service))) == NULL ||
        strcmp(service, "s3tables") != 0)
        return arn_fail(err, errlen, text, bucket, "service is not s3tables");
    if ((p = arn_field(p, ':', out->region, sizeof(out->region))) == NULL ||
        !arn_chars_ok(out->region, "-", false))
        return arn_fail(err, errlen, text, bucket, "bad region");
    if ((p = arn_field(p, ':', out->account, sizeof(out->account))) == NULL ||
        strlen(out->account) != 12 || strspn(out->account, "0123456789") != 12)
        return arn_fail(err, errlen, text, bucket, "account is not 12 digits");
    const char *shape =
        bucket ? "resource is not bucket/..." : "resource is not bucket/.../table/...";
    if ((p = arn_field(p, '/', kind, sizeof(kind))) == NULL || strcmp(kind, "bucket") != 0)
        return arn_fail(err, errlen, text, bucket, shape);
    if (bucket) {
        size_t n = strlen(p);
        if (n < 3 || n >= sizeof(out->bucket) || !arn_chars_ok(p, "_-", false))
            return arn_fail(err, errlen, text, bucket,
                            strchr(p, '/') != NULL ? "a table bucket ARN ends with the bucket name"
                                                   : "bad bucket name");
        strcpy(out->bucket, p);
        return 0;
    }
    if (strchr(p, '/') == NULL)
        return arn_fail(err, errlen, text, bucket, shape);
    if ((p = arn_field(p, '/', out->bucket, sizeof(out->bucket))) == NULL ||
        strlen(out->bucket) < 3 || !arn_chars_ok(out->bucket, "_-", false))
        return arn_fail(err, errlen, text, bucket, "bad bucket name");
    if ((p = arn_field(p, '/', kind2, sizeof(kind2))) == NULL || strcmp(kind2, "table") != 0)
        return arn_fail(err, errlen, text, bucket, shape);
    if (*p == '\0' || strlen(p) >= sizeof(out->table) || !arn_chars_ok(p, "_-", true))
        return arn_fail(err, errlen, text, bucket, "bad table id");
    strcpy(out->table, p);
    return 0;
}

int
arn_parse(const char *text, struct table_arn *out, char *err, size_t errlen)
{
    return arn_parse_kind(text, false, out, err, errlen);
}

int
arn_parse_bucket(const char *text, struct table_arn *out, char *err, size_t errlen)
{
    return arn_parse_kind(text, true, out, err, errlen);
}

bool
arn_name_valid(const char *name, const char *what, char *err, size_t errlen)
{
    size_t n = strlen(name);
    const char *why = n == 0    ? "is empty"
                      : n > 255 ? "is longer than 255 characters"
                      : strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n
                          ? "may hold only a-z, 0-9 and _"
                          : NULL;
    if (why == NULL)
        return true;
    char shown[68];
    text_sanitize(shown, sizeof(shown), name, n);
    snprintf(err, errlen, "invalid %s '%s': %s", what, shown, why);
    return false;
}
