/*
 * fuzz_arn.c - arn_parse on any text, as given to --table-arn.
 *
 * Input: the text (NUL-terminated copy).
 * Checks: a parsed ARN has fields within the service model's bounds and
 * rebuilds into exactly the text it came from; a rejected one gets a
 * one-line reason.
 */
#include "config.h"

#include "arn.h"
#include "fuzz.h"

static bool
all_of(const char *s, const char *set)
{
    return strspn(s, set) == strlen(s);
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static void
check_parsed(const char *text, const struct table_arn *a)
{
    size_t plen = strnlen(a->partition, sizeof a->partition);
    size_t rlen = strnlen(a->region, sizeof a->region);
    size_t alen = strnlen(a->account, sizeof a->account);
    size_t blen = strnlen(a->bucket, sizeof a->bucket);
    size_t tlen = strnlen(a->table, sizeof a->table);

    FUZZ_CHECK(plen >= 3 && plen < sizeof a->partition);
    FUZZ_CHECK(rlen < sizeof a->region);
    FUZZ_CHECK(alen == 12);
    FUZZ_CHECK(blen >= 3 && blen <= 63);
    FUZZ_CHECK(tlen >= 1 && tlen <= 255);
    FUZZ_CHECK(strncmp(a->partition, "aws", 3) == 0 && all_of(a->partition, LOWER_DIGITS "-"));
    FUZZ_CHECK(all_of(a->region, LOWER_DIGITS "-"));
    FUZZ_CHECK(all_of(a->account, "0123456789"));
    FUZZ_CHECK(all_of(a->bucket, LOWER_DIGITS "_-"));
    FUZZ_CHECK(all_of(a->table, LOWER_DIGITS UPPER "_-"));

    char rebuilt[2100];
    snprintf(rebuilt, sizeof rebuilt, "arn:%s:s3tables:%s:%s:bucket/%s/table/%s", a->partition,
             a->region, a->account, a->bucket, a->table);
    FUZZ_CHECK(strcmp(rebuilt, text) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    struct table_arn a;
    char err[512];

    fuzz_poison(err, sizeof err);
    if (arn_parse(text, &a, err, sizeof err) == 0)
        check_parsed(text, &a);
    else
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
    free(text);
    return 0;
}
