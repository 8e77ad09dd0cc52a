#include "config.h"

#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static bool
tap_vreport(bool pass, const char *fmt, va_list ap)
{
    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    putchar('\n');
    if (!pass)
        tap_failed++;
    fflush(stdout);
    return pass;
}

bool
tap_ok(bool pass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    return pass;
}

bool
tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
    bool pass =
        (got == NULL && want == NULL) || (got != NULL && want != NULL && strcmp(got, want) == 0);
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    return pass;
}

bool
tap_is_int(intmax_t got, intmax_t want, const char *fmt, ...)
{
    bool pass = got == want;
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#   got:  %jd\n#   want: %jd\n", got, want);
    return pass;
}

void
tap_skip(const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    printf("ok %d # SKIP ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void
tap_diag(const char *fmt, ...)
{
    va_list ap;
    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int
tap_skip_all(const char *fmt, ...)
{
    va_list ap;
    fputs("1..0 # SKIP ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    return 0;
}

int
tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

char *
tap_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return NULL;
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

const char *
tap_shared_dir(void)
{
    const char *dir = getenv("S3TABLES_SHARED_DIR");
    return dir != NULL && *dir != '\0' ? dir : SHARED_DIR;
}
