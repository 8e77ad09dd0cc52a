/*
 * fuzz.h - what every harness shares: the input as a C string, and
 * invariant checks that abort(), so that libFuzzer keeps the input that
 * broke one (an ASan/UBSan report or a leak does the same by itself).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_violated(#cond, __FILE__, __LINE__);                                              \
    } while (0)

static inline void
fuzz_violated(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    abort();
}

/* A malloc'd NUL-terminated copy of data[0..size); an embedded NUL ends
 * the string early, as it would for any C caller. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A malloc'd copy of exactly size bytes (at least 1 allocated), so ASan
 * sees any read past the end of a length-delimited input. */
static inline char *
fuzz_bytes(const uint8_t *data, size_t size)
{
    char *s = malloc(size > 0 ? size : 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    return s;
}

/* Fills an error buffer with a non-NUL pattern, so that a message the
 * function forgot to terminate (or to write) shows. */
static inline void
fuzz_poison(char *buf, size_t len)
{
    memset(buf, 'Z', len);
}

/* NUL-terminated within cap and free of line breaks. */
static inline bool
fuzz_one_line(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    return n < cap && memchr(s, '\n', n) == NULL && memchr(s, '\r', n) == NULL;
}

/* A failure's reason: one line, and not empty. */
static inline bool
fuzz_reason(const char *s, size_t cap)
{
    return fuzz_one_line(s, cap) && s[0] != '\0';
}

/* One line with no control character and no "|" (it would split perfdata). */
static inline bool
fuzz_printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '|')
            return false;
    }
    return true;
}

#endif
