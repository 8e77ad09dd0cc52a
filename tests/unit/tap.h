/*
 * tap.h - a few lines of Test Anything Protocol for the unit tests.
 *
 * Each check prints one "ok N - name" or "not ok N - name" line; the
 * automake TAP driver counts them. tap_done() prints the plan and returns
 * the exit status for main().
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tap_ok(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_int(intmax_t got, intmax_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "1..0 # SKIP reason" and returns 0: the whole file is skipped. */
int tap_skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *tap_slurp(const char *path, size_t *len);

/* Directory of ../shared beside the project (S3TABLES_SHARED_DIR overrides). */
const char *tap_shared_dir(void);

#endif
