/*
 * fuzz_iso8601.c - iso8601_parse and iso8601_format_utc.
 *
 * Input: the date-time text (NUL-terminated copy). Its first 8 bytes,
 * when there are 8, are also read as an int64 and formatted, into a full
 * buffer and into one of 1 + size % 32 bytes.
 * Checks: a parsed time has nanos in 0..999999999 and seconds within
 * years 1..9999 (give or take a day of offset); formatting it and parsing
 * that again gives the same seconds (and, for text already in the
 * "YYYY-MM-DDTHH:MM:SSZ" form, the same text). A rejected text gets a
 * one-line reason. Formatting never writes past the buffer.
 */
#include "config.h"

#include "fuzz.h"
#include "iso8601.h"

#define YEAR_1_SECONDS (-62135596800LL)    /* 0001-01-01T00:00:00Z */
#define YEAR_9999_SECONDS (253402300799LL) /* 9999-12-31T23:59:59Z */
#define DAY 86400

static bool
canonical_form(const char *text)
{
    /* digits, "-", "T", ":", "Z" where they belong, and no leap second */
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(text) != sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
            return false;
    }
    return strncmp(text + 17, "60", 2) != 0;
}

static void
check_round_trip(const char *text, const struct iso8601_time *t)
{
    char formatted[64], err[256];
    struct iso8601_time back;

    FUZZ_CHECK(t->nanos >= 0 && t->nanos <= 999999999);
    FUZZ_CHECK(t->seconds >= YEAR_1_SECONDS - DAY && t->seconds <= YEAR_9999_SECONDS + DAY);
    if (t->seconds < YEAR_1_SECONDS || t->seconds > YEAR_9999_SECONDS)
        return;
    fuzz_poison(formatted, sizeof formatted);
    iso8601_format_utc(t->seconds, formatted, sizeof formatted);
    FUZZ_CHECK(strnlen(formatted, sizeof formatted) == 20);
    fuzz_poison(err, sizeof err);
    FUZZ_CHECK(iso8601_parse(formatted, &back, err, sizeof err) == 0);
    FUZZ_CHECK(back.seconds == t->seconds);
    FUZZ_CHECK(back.nanos == 0);
    if (canonical_form(text))
        FUZZ_CHECK(strcmp(formatted, text) == 0);
}

static void
check_format(const uint8_t *data, size_t size)
{
    int64_t seconds;
    char full[64];

    if (size < 8)
        return;
    memcpy(&seconds, data, sizeof seconds);
    fuzz_poison(full, sizeof full);
    iso8601_format_utc(seconds, full, sizeof full);
    FUZZ_CHECK(strnlen(full, sizeof full) < sizeof full);

    size_t outlen = 1 + size % 32;
    char *out = malloc(outlen);
    if (out == NULL)
        abort();
    fuzz_poison(out, outlen);
    iso8601_format_utc(seconds, out, outlen);
    FUZZ_CHECK(strnlen(out, outlen) < outlen);
    FUZZ_CHECK(strncmp(out, full, strlen(out)) == 0);
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    struct iso8601_time t;
    char err[256];

    fuzz_poison(err, sizeof err);
    if (iso8601_parse(text, &t, err, sizeof err) == 0)
        check_round_trip(text, &t);
    else
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
    check_format(data, size);
    free(text);
    return 0;
}
