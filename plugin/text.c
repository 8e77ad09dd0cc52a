#include "config.h"

#include "text.h"

#include <stdbool.h>
#include <string.h>

static bool
text_is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static void
text_copy(char *dst, size_t dstlen, const char *src, size_t srclen, char control)
{
    size_t n = srclen, dots = 0;

    if (dstlen == 0)
        return;
    if (srclen > dstlen - 1) {
        dots = dstlen > 3 ? 3 : 0;
        n = dstlen - 1 - dots;
        /* src[n] is the first byte left out: never leave out half a character. */
        while (n > 0 && text_is_continuation((unsigned char)src[n]))
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c < 0x20 || c == 0x7f ? control : c == '|' ? '/' : (char)c;
    }
    memcpy(dst + n, "...", dots);
    dst[n + dots] = '\0';
}

void
text_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    text_copy(dst, dstlen, src, srclen, ' ');
}

void
text_quote(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    text_copy(dst, dstlen, src, srclen, '?');
}
