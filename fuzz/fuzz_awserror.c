/*
 * fuzz_awserror.c - aws_error_decode and text_sanitize.
 *
 * Input: "HEADER\0BODY" (the X-Amzn-ErrorType header, then the body), or
 * just BODY when there is no NUL (no header). The body is passed with its
 * length. text_sanitize also gets the whole input with a destination
 * size taken from the input's length.
 * Checks: type and message are printable single lines, the type is never
 * empty and has no ":"; sanitize copies byte for byte when it fits and
 * otherwise cuts with "..." at a UTF-8 character boundary.
 */
#include "config.h"

#include "awserror.h"
#include "text.h"
#include "fuzz.h"

static char
sanitized(unsigned char c)
{
    return c < 0x20 || c == 0x7f ? ' ' : c == '|' ? '/' : (char)c;
}

static void
check_sanitize(const uint8_t *data, size_t size)
{
    size_t dstlen = 5 + size % 60;
    char *dst = malloc(dstlen);
    if (dst == NULL)
        abort();
    fuzz_poison(dst, dstlen);
    text_sanitize(dst, dstlen, (const char *)data, size);
    FUZZ_CHECK(fuzz_printable(dst, dstlen));
    size_t n = strlen(dst);
    if (size < dstlen) {
        FUZZ_CHECK(n == size);
    } else {
        FUZZ_CHECK(n >= 3 && memcmp(dst + n - 3, "...", 3) == 0);
        n -= 3;
        /* the cut falls on a character boundary, not inside a sequence */
        FUZZ_CHECK(n == 0 || (data[n] & 0xC0) != 0x80);
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(dst[i] == sanitized(data[i]));
    free(dst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    char *header = nul != NULL ? fuzz_string(data, (size_t)(nul - data)) : NULL;
    const uint8_t *body_start = nul != NULL ? nul + 1 : data;
    size_t body_len = size - (size_t)(body_start - data);
    char *body = fuzz_bytes(body_start, body_len);
    struct aws_error e;

    fuzz_poison(e.type, sizeof e.type);
    fuzz_poison(e.message, sizeof e.message);
    aws_error_decode(header, body, body_len, &e);
    FUZZ_CHECK(fuzz_printable(e.type, sizeof e.type));
    FUZZ_CHECK(fuzz_printable(e.message, sizeof e.message));
    FUZZ_CHECK(e.type[0] != '\0');
    FUZZ_CHECK(strchr(e.type, ':') == NULL);

    check_sanitize(data, size);
    free(header);
    free(body);
    return 0;
}
