/*
 * buf.h - a growable NUL-terminated byte buffer.
 *
 * Appends never fail loudly: on allocation failure the buffer is marked
 * failed, further appends are ignored, and buf_failed() tells the owner.
 * Data is always NUL-terminated once anything was appended.
 */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);
bool buf_failed(const struct buf *b);
/* Hands the malloc'd string to the caller (NULL if failed) and resets b. */
char *buf_detach(struct buf *b);
/* Wipes the contents with OPENSSL_cleanse-grade zeroing, then frees. */
void buf_free(struct buf *b);

/* Appends what is left to read of fd, up to a little past max bytes.
 * Returns 0, 1 when fd holds more than max, -1 on a read error (errno
 * set, buf_failed() false) or ENOMEM (buf_failed() true). The copy
 * buffer is wiped: files read this way may hold secrets. */
int buf_read_fd(struct buf *b, int fd, size_t max);

/* buf_read_fd on fileno(f), for a stream fresh from fopen(): whatever
 * stdio already buffered would be skipped. */
int buf_read_stream(struct buf *b, FILE *f, size_t max);

/* Replaces path with len bytes of data, atomically: a temporary file
 * beside it (mode 0600), then rename. 0, or -1 with errno set; no
 * temporary file is left behind either way. */
int buf_write_file_atomic(const char *path, const char *data, size_t len);

/* Wipes a malloc'd string that may hold a secret, then frees it (NULL is fine). */
void secret_free(char *s);

#endif
