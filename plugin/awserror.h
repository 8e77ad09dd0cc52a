/*
 * awserror.h - AWS rest-json error answers, decoded.
 *
 * The error type comes from the X-Amzn-ErrorType header, else the body's
 * "__type" or "code"; whichever is used is cut at ":" and after "#"
 * ("aws.protocoltests#FooError:http://..." -> "FooError"). The message is
 * the body's "message" (or "Message"). Pure.
 */
#ifndef AWSERROR_H
#define AWSERROR_H

#include <stddef.h>

struct aws_error {
    char type[128];    /* "UnknownError" when nothing names it */
    char message[256]; /* one line, printable; "" when absent */
};

/* error_type_header may be NULL. Never fails. */
void aws_error_decode(const char *error_type_header, const char *body, size_t len,
                      struct aws_error *out);

#endif
