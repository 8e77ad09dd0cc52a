/*
 * test_arn.c - S3 Tables table ARNs against the service model's TableARN:
 * arn:aws[-a-z0-9]*:[a-z0-9]+:[-a-z0-9]*:[0-9]{12}:bucket/[a-z0-9_-]{3,63}/
 * table/[a-zA-Z0-9-_]{1,255}, at most 2048 characters, service s3tables.
 */
#include "config.h"

#include "arn.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define PREFIX "arn:aws:s3tables:us-east-1:123456789012:"
#define EXPECTED ", expected " ARN_EXPECTED

static void
check_valid(const char *what, const char *text, const char *partition, const char *region,
            const char *account, const char *bucket, const char *table)
{
    struct table_arn a;
    char err[512] = "";

    if (!tap_is_int(arn_parse(text, &a, err, sizeof err), 0, "arn: %s is valid", what)) {
        tap_diag("reason: %s", err);
        return;
    }
    tap_is_str(a.partition, partition, "arn: %s: partition is %s", what, partition);
    tap_is_str(a.region, region, "arn: %s: region is '%s'", what, region);
    tap_is_str(a.account, account, "arn: %s: account is %s", what, account);
    tap_is_str(a.bucket, bucket, "arn: %s: bucket is %s", what, bucket);
    tap_is_str(a.table, table, "arn: %s: table id is %.40s%s", what, table,
               strlen(table) > 40 ? "..." : "");
}

static void
check_invalid(const char *what, const char *text, const char *why)
{
    struct table_arn a;
    char err[1024] = "", want[1024];

    /* Up to 203 characters are quoted whole; longer ones are cut to 200 + "...". */
    if (strlen(text) <= 203)
        snprintf(want, sizeof want, "invalid table ARN '%s': %s" EXPECTED, text, why);
    else
        snprintf(want, sizeof want, "invalid table ARN '%.200s...': %s" EXPECTED, text, why);
    tap_is_int(arn_parse(text, &a, err, sizeof err), -1, "arn: %s is rejected", what);
    tap_is_str(err, want, "arn: %s says \"%s\"", what, why);
}

static void
test_one_line(void)
{
    struct table_arn a;
    char err[1024] = "";
    arn_parse("arn:aws:s3tables:us-east-1:111122223333:bucket/a\nb/table/x", &a, err, sizeof err);
    tap_ok(strchr(err, '\n') == NULL && strstr(err, "bucket/a b/table") != NULL,
           "arn: a newline in the ARN does not break the one-line message");
}

static void
test_valid(void)
{
    check_valid("a plain aws ARN", PREFIX "bucket/my-bucket/table/my_table", "aws", "us-east-1",
                "123456789012", "my-bucket", "my_table");
    check_valid("an aws-cn ARN",
                "arn:aws-cn:s3tables:cn-north-1:123456789012:bucket/cnbucket/table/t1", "aws-cn",
                "cn-north-1", "123456789012", "cnbucket", "t1");
    check_valid("an aws-us-gov ARN",
                "arn:aws-us-gov:s3tables:us-gov-west-1:000000000000:bucket/gov/table/T",
                "aws-us-gov", "us-gov-west-1", "000000000000", "gov", "T");
    check_valid("an empty region", "arn:aws:s3tables::123456789012:bucket/abc/table/x", "aws", "",
                "123456789012", "abc", "x");
    check_valid("a bucket with '_' and '-'", PREFIX "bucket/a_b-c_0/table/t", "aws", "us-east-1",
                "123456789012", "a_b-c_0", "t");
    check_valid("a 3-character bucket", PREFIX "bucket/abc/table/t", "aws", "us-east-1",
                "123456789012", "abc", "t");
    check_valid("a table id with upper case, digits, '-' and '_'",
                PREFIX "bucket/b12/table/My-Table_01", "aws", "us-east-1", "123456789012", "b12",
                "My-Table_01");
    check_valid("a UUID table id",
                PREFIX "bucket/analytics/table/3f2b1c4e-9a7d-4e21-8b6f-0c5d2e1a7b90", "aws",
                "us-east-1", "123456789012", "analytics", "3f2b1c4e-9a7d-4e21-8b6f-0c5d2e1a7b90");

    char bucket63[64], text[2600], table255[256];
    memset(bucket63, 'b', 63);
    bucket63[63] = '\0';
    snprintf(text, sizeof text, PREFIX "bucket/%s/table/t", bucket63);
    check_valid("a 63-character bucket", text, "aws", "us-east-1", "123456789012", bucket63, "t");

    memset(table255, 'T', 255);
    table255[255] = '\0';
    snprintf(text, sizeof text, PREFIX "bucket/abc/table/%s", table255);
    check_valid("a 255-character table id", text, "aws", "us-east-1", "123456789012", "abc",
                table255);
}

static void
test_invalid(void)
{
    check_invalid("an empty string", "", "empty");
    check_invalid("a text that is not an ARN", "my-table", "does not start with 'arn:'");
    check_invalid("an ARN in upper case",
                  "ARN:aws:s3tables:us-east-1:123456789012:bucket/b12/"
                  "table/t",
                  "does not start with 'arn:'");
    check_invalid("a bucket name alone", "my-bucket/table/t", "does not start with 'arn:'");
    check_invalid("a partition that is not aws*",
                  "arn:azure:s3tables:us-east-1:123456789012:bucket/b12/table/t", "bad partition");
    check_invalid("an upper-case partition",
                  "arn:AWS:s3tables:us-east-1:123456789012:bucket/b12/table/t", "bad partition");
    check_invalid("an s3 ARN", "arn:aws:s3:::my-bucket/key", "service is not s3tables");
    check_invalid("an s3 service with a table path",
                  "arn:aws:s3:us-east-1:123456789012:bucket/b12/table/t",
                  "service is not s3tables");
    check_invalid("an upper-case region",
                  "arn:aws:s3tables:US-EAST-1:123456789012:bucket/b12/table/t", "bad region");
    check_invalid("an 11-digit account",
                  "arn:aws:s3tables:us-east-1:12345678901:bucket/b12/table/t",
                  "account is not 12 digits");
    check_invalid("a 13-digit account",
                  "arn:aws:s3tables:us-east-1:1234567890123:bucket/b12/table/t",
                  "account is not 12 digits");
    check_invalid("an account with a letter",
                  "arn:aws:s3tables:us-east-1:12345678901a:bucket/b12/table/t",
                  "account is not 12 digits");
    check_invalid("an empty account", "arn:aws:s3tables:us-east-1::bucket/b12/table/t",
                  "account is not 12 digits");
    check_invalid("a namespace instead of a bucket", PREFIX "namespace/b12/table/t",
                  "resource is not bucket/.../table/...");
    check_invalid("a 2-character bucket", PREFIX "bucket/ab/table/t", "bad bucket name");
    check_invalid("an upper-case bucket", PREFIX "bucket/MyBucket/table/t", "bad bucket name");
    check_invalid("a bucket with a dot", PREFIX "bucket/my.bucket/table/t", "bad bucket name");
    check_invalid("an empty bucket", PREFIX "bucket//table/t", "bad bucket name");

    char bucket64[65], text[2600];
    memset(bucket64, 'b', 64);
    bucket64[64] = '\0';
    snprintf(text, sizeof text, PREFIX "bucket/%s/table/t", bucket64);
    check_invalid("a 64-character bucket", text, "bad bucket name");

    check_invalid("a bucket ARN without /table/", PREFIX "bucket/my-bucket",
                  "resource is not bucket/.../table/...");
    check_invalid("a bucket ARN with a trailing slash", PREFIX "bucket/my-bucket/",
                  "resource is not bucket/.../table/...");
    check_invalid("'table' without a slash", PREFIX "bucket/my-bucket/table",
                  "resource is not bucket/.../table/...");
    check_invalid("'tables' instead of 'table'", PREFIX "bucket/my-bucket/tables/t",
                  "resource is not bucket/.../table/...");
    check_invalid("an empty table id", PREFIX "bucket/my-bucket/table/", "bad table id");
    check_invalid("a trailing slash after the table id", PREFIX "bucket/my-bucket/table/t1/",
                  "bad table id");
    check_invalid("a table id with a dot", PREFIX "bucket/my-bucket/table/a.b", "bad table id");
    check_invalid("a table id with a space", PREFIX "bucket/my-bucket/table/a b", "bad table id");
    check_invalid("a table id with a colon", PREFIX "bucket/my-bucket/table/a:b", "bad table id");

    char table256[257];
    memset(table256, 'T', 256);
    table256[256] = '\0';
    snprintf(text, sizeof text, PREFIX "bucket/abc/table/%s", table256);
    check_invalid("a 256-character table id", text, "bad table id");

    /* 2048 characters is allowed by length (and then fails on the table id),
     * 2049 is refused for its length alone. */
    size_t head = strlen(PREFIX "bucket/abc/table/");
    snprintf(text, sizeof text, PREFIX "bucket/abc/table/");
    memset(text + head, 'T', 2048 - head);
    text[2048] = '\0';
    check_invalid("a 2048-character ARN", text, "bad table id");
    text[2048] = 'T';
    text[2049] = '\0';
    check_invalid("a 2049-character ARN", text, "longer than 2048 characters");
}

static void
test_error_buffer(void)
{
    struct table_arn a;
    char small[16];
    tap_is_int(arn_parse("nope", &a, small, sizeof small), -1,
               "arn: a small error buffer still reports failure");
    tap_is_str(small, "invalid table A", "arn: the reason is cut to the error buffer");
}

static void
check_bucket(const char *text, const char *why, const char *name)
{
    struct table_arn a;
    char err[1024] = "", want[1024];
    int rc = arn_parse_bucket(text, &a, err, sizeof err);
    if (why == NULL) {
        tap_is_int(rc, 0, "bucket arn: %s is valid", name);
        return;
    }
    snprintf(want, sizeof want, "invalid table bucket ARN '%s': %s, expected %s", text, why,
             ARN_BUCKET_EXPECTED);
    tap_is_int(rc, -1, "bucket arn: %s is refused", name);
    tap_is_str(err, want, "bucket arn: %s: the reason", name);
}

static void
test_bucket(void)
{
    struct table_arn a;
    char err[512] = "";
    tap_is_int(arn_parse_bucket(PREFIX "bucket/amzn-s3-demo-bucket", &a, err, sizeof err), 0,
               "bucket arn: a plain bucket ARN parses");
    tap_is_str(a.bucket, "amzn-s3-demo-bucket", "bucket arn: the bucket name");
    tap_is_str(a.region, "us-east-1", "bucket arn: the region");
    tap_is_str(a.table, "", "bucket arn: no table id");
    check_bucket("arn:aws-cn:s3tables:cn-north-1:123456789012:bucket/b_1", NULL, "aws-cn");
    check_bucket(PREFIX "bucket/ab", "bad bucket name", "a two-character bucket");
    check_bucket(PREFIX "bucket/Upper", "bad bucket name", "an upper-case bucket");
    check_bucket(PREFIX "bucket/b1/table/t1", "a table bucket ARN ends with the bucket name",
                 "a table ARN");
    check_bucket(PREFIX "table/b1", "resource is not bucket/...", "no bucket/");
    check_bucket("arn:aws:s3:us-east-1:123456789012:bucket/b1", "service is not s3tables",
                 "an S3 ARN");
    check_bucket("", "empty", "the empty string");
}

static void
test_names(void)
{
    char err[512] = "";
    tap_ok(arn_name_valid("sales_2026", "namespace", err, sizeof err), "name: a-z 0-9 _ is valid");
    tap_ok(!arn_name_valid("a.b", "namespace", err, sizeof err), "name: a dot is refused");
    tap_is_str(err, "invalid namespace 'a.b': may hold only a-z, 0-9 and _", "name: why");
    tap_ok(!arn_name_valid("t\n", "table name", err, sizeof err), "name: a newline is refused");
    tap_is_str(err, "invalid table name 't ': may hold only a-z, 0-9 and _",
               "name: the message stays on one line");
}

int
main(void)
{
    test_one_line();
    test_valid();
    test_invalid();
    test_error_buffer();
    test_bucket();
    test_names();
    return tap_done();
}
