/*
 * test_text.c - untrusted text made into one bounded, printable line.
 */
#include "config.h"

#include "tap.h"
#include "text.h"

#include <string.h>

/* U+20AC EURO SIGN, three bytes in UTF-8. */
#define EURO "\xe2\x82\xac"

static void
check_sanitize(const char *what, size_t dstlen, const char *src, size_t srclen, const char *want)
{
    char dst[128];
    memset(dst, 'X', sizeof dst);
    text_sanitize(dst, dstlen, src, srclen);
    tap_is_str(dst, want, "sanitize: %s", what);
    tap_ok(strlen(dst) < dstlen, "sanitize: %s fits in %zu bytes", what, dstlen);
}

static void
check_quote(const char *what, size_t dstlen, const char *src, size_t srclen, const char *want)
{
    char dst[128];
    memset(dst, 'X', sizeof dst);
    text_quote(dst, dstlen, src, srclen);
    tap_is_str(dst, want, "quote: %s", what);
    tap_ok(strlen(dst) < dstlen, "quote: %s fits in %zu bytes", what, dstlen);
}

#define SANITIZE(what, dstlen, src, want) check_sanitize(what, dstlen, src, sizeof(src) - 1, want)
#define QUOTE(what, dstlen, src, want) check_quote(what, dstlen, src, sizeof(src) - 1, want)

static void
test_printable(void)
{
    SANITIZE("plain text is copied", 32, "AccessDenied", "AccessDenied");
    SANITIZE("empty input gives an empty line", 32, "", "");
    QUOTE("empty input gives an empty quote", 32, "", "");
    SANITIZE("control characters become spaces", 32,
             "a\nb\rc\td\x1b"
             "e\x7f"
             "f",
             "a b c d e f");
    QUOTE("control characters become question marks", 32,
          "a\nb\rc\td\x1b"
          "e\x7f"
          "f",
          "a?b?c?d?e?f");
    SANITIZE("a NUL inside the length is a control character", 32, "a\0b", "a b");
    SANITIZE("a pipe would start the perfdata", 32, "disk | full|x", "disk / full/x");
    QUOTE("a quoted pipe would start the perfdata too", 32, "1|2", "1/2");
    SANITIZE("UTF-8 is kept as it is", 32, "caf\xc3\xa9 " EURO, "caf\xc3\xa9 " EURO);
    check_sanitize("only srclen bytes are read", 32, "abcdefgh", 3, "abc");
}

static void
test_cut(void)
{
    /* dstlen 8 holds 7 bytes: 7 fit exactly, 8 are cut to 4 + "...". */
    SANITIZE("7 bytes fit into 8", 8, "abcdefg", "abcdefg");
    SANITIZE("8 bytes into 8 are cut with ...", 8, "abcdefgh", "abcd...");
    QUOTE("a quote is cut the same way", 8, "abcdefgh", "abcd...");
    SANITIZE("a 3-byte character ending at the cut is kept", 8, "a" EURO "efgh", "a" EURO "...");
    SANITIZE("a 3-byte character with 1 byte past the cut is dropped whole", 8, "ab" EURO "fgh",
             "ab...");
    SANITIZE("a 3-byte character with 2 bytes past the cut is dropped whole", 8, "abc" EURO "gh",
             "abc...");
    SANITIZE("control characters in a cut text are replaced", 8, "a\nb|cdefgh", "a b/...");

    char long_text[100];
    memset(long_text, '7', sizeof long_text);
    char want[68];
    memset(want, '7', 64);
    strcpy(want + 64, "...");
    check_quote("a long input quoted into 68 bytes keeps 64 and ...", 68, long_text,
                sizeof long_text, want);
}

static void
test_small_buffers(void)
{
    SANITIZE("the smallest buffer with ... keeps one byte", 5, "abcdef", "a...");
    SANITIZE("4 bytes hold only ...", 4, "abcdef", "...");
    SANITIZE("3 bytes are cut without ...", 3, "abcdef", "ab");
    SANITIZE("3 bytes do not split a character either", 3, "a" EURO, "a");
    SANITIZE("1 byte holds the empty string", 1, "abc", "");

    char untouched = 'X';
    text_sanitize(&untouched, 0, "abc", 3);
    tap_ok(untouched == 'X', "sanitize: a 0-byte buffer is left alone");
}

int
main(void)
{
    test_printable();
    test_cut();
    test_small_buffers();
    return tap_done();
}
