#include "config.h"

#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

static bool
buf_reserve(struct buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (data == NULL) {
        b->failed = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
    if (!buf_reserve(b, len))
        return;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
    if (b->len + 2 <= b->cap && !b->failed) { /* the common case, without a call */
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    buf_append(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    /* Most formats fit in the room left: format once, straight in. */
    if (!buf_reserve(b, 127))
        return;
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        b->data[b->len] = '\0'; /* undo a cut-off attempt */
        if (n < 0) {
            b->failed = true;
            return;
        }
    } else {
        b->len += (size_t)n;
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *
buf_str(const struct buf *b)
{
    return b->data != NULL ? b->data : "";
}

bool
buf_failed(const struct buf *b)
{
    return b->failed;
}

char *
buf_detach(struct buf *b)
{
    char *s = NULL;
    if (!b->failed)
        s = b->data != NULL ? b->data : strdup("");
    else
        buf_free(b);
    *b = (struct buf)BUF_INIT;
    return s;
}

void
buf_free(struct buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
    }
    *b = (struct buf)BUF_INIT;
}

int
buf_write_file_atomic(const char *path, const char *data, size_t len)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.XXXXXX", path);
    if (buf_failed(&tmp)) {
        errno = ENOMEM;
        return -1;
    }
    int fd = mkstemp(tmp.data); /* 0600 */
    bool ok = fd >= 0;
    while (ok && len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok) {
            data += w;
            len -= (size_t)w;
        }
    }
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp.data, path) != 0)
        ok = false;
    int saved = errno;
    if (!ok && fd >= 0)
        unlink(tmp.data);
    buf_free(&tmp);
    errno = saved;
    return ok ? 0 : -1;
}

void
secret_free(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

int
buf_read_fd(struct buf *b, int fd, size_t max)
{
    char chunk[4096];
    ssize_t n = 0;
    while (b->len <= max && !buf_failed(b) && (n = read(fd, chunk, sizeof(chunk))) > 0)
        buf_append(b, chunk, (size_t)n);
    int saved = errno;
    OPENSSL_cleanse(chunk, sizeof(chunk));
    errno = saved;
    if (n < 0 || buf_failed(b))
        return -1;
    return b->len > max ? 1 : 0;
}

int
buf_read_stream(struct buf *b, FILE *f, size_t max)
{
    return buf_read_fd(b, fileno(f), max);
}
