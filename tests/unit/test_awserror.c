/*
 * test_awserror.c - rest-json error answers and text_sanitize.
 *
 * The type-name cases follow the Smithy restJson1 protocol tests
 * (RestJsonFooErrorUsingXAmznErrorType..., RestJsonFooErrorWithDunderType...):
 * take what is before the first ":", then what is after the first "#".
 */
#include "config.h"

#include "awserror.h"
#include "tap.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* Decodes with out filled with junk first, so stale content would show. */
static void
decode(const char *header, const char *body, struct aws_error *e)
{
    memset(e, 'Z', sizeof(*e));
    aws_error_decode(header, body, body != NULL ? strlen(body) : 0, e);
}

static void
check_type(const char *what, const char *header, const char *body, const char *want)
{
    struct aws_error e;
    decode(header, body, &e);
    tap_is_str(e.type, want, "awserror: %s gives type %s", what, want);
}

static void
test_type_from_header(void)
{
    check_type("header NotFoundException", "NotFoundException", "", "NotFoundException");
    check_type("header with a coral URI",
               "NotFoundException:http://internal.amazon.com/coral/com.amazon.coral.service/", "",
               "NotFoundException");
    check_type("header with namespace and URI",
               "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/"
               "com.amazon.coral.validate/",
               "{}", "FooError");
    check_type("header with a namespace", "com.amazonaws.s3tables#ForbiddenException", "{}",
               "ForbiddenException");
    check_type("header with surrounding blanks", "  TooManyRequestsException\t", "",
               "TooManyRequestsException");
    /* Smithy: cut at the first ":" first; a "#" in the URI is not a namespace. */
    check_type("header whose URI holds a '#'",
               "NotFoundException:http://internal.amazon.com/coral/#frag", "", "NotFoundException");
    check_type("header wins over body __type", "ForbiddenException",
               "{\"__type\":\"com.amazonaws.s3tables#NotFoundException\"}", "ForbiddenException");
    check_type("header wins over body code", "ForbiddenException", "{\"code\":\"NoSuchTable\"}",
               "ForbiddenException");
    check_type("an empty header falls back to the body", "", "{\"__type\":\"BadRequestException\"}",
               "BadRequestException");
    check_type("a NULL header falls back to the body", NULL, "{\"__type\":\"BadRequestException\"}",
               "BadRequestException");
}

static void
test_type_from_body(void)
{
    check_type("body __type with a namespace", NULL,
               "{\"__type\":\"com.amazonaws.s3tables#NotFoundException\",\"message\":\"x\"}",
               "NotFoundException");
    check_type("body __type plain", NULL, "{\"__type\":\"FooError\"}", "FooError");
    check_type("body __type with namespace and URI", NULL,
               "{\"__type\":\"aws.protocoltests.restjson#FooError:http://internal.amazon.com/"
               "coral/com.amazon.coral.validate/\"}",
               "FooError");
    check_type("body code", NULL, "{\"code\":\"NoSuchTable\",\"message\":\"y\"}", "NoSuchTable");
    check_type("body code with a namespace", NULL,
               "{\"code\":\"aws.protocoltests.restjson#FooError\"}", "FooError");
    check_type("body code with namespace and URI", NULL,
               "{\"code\":\"aws.protocoltests.restjson#FooError:http://internal.amazon.com/"
               "coral/com.amazon.coral.validate/\"}",
               "FooError");
    check_type("body with both __type and code", NULL,
               "{\"code\":\"FromCode\",\"__type\":\"FromDunderType\"}", "FromDunderType");
    check_type("body __type that is not a string", NULL, "{\"__type\":42,\"code\":\"FromCode\"}",
               "FromCode");
    check_type("body without a type", NULL, "{\"message\":\"m\"}", "UnknownError");
    check_type("body with a null __type", NULL, "{\"__type\":null}", "UnknownError");
    check_type("no header and an empty body", NULL, "", "UnknownError");
    check_type("no header and an HTML body", NULL, "<html><body>502</body></html>", "UnknownError");
    check_type("a header that is only a URI", ":http://internal.amazon.com/", "{}", "UnknownError");

    /* type[] holds 127 bytes: a long name is cut to 124 + "...". */
    char name[201], body[400], want[128];
    memset(name, 'A', 200);
    name[200] = '\0';
    snprintf(body, sizeof body, "{\"__type\":\"%s\"}", name);
    memset(want, 'A', 124);
    strcpy(want + 124, "...");
    check_type("a 200-character __type", NULL, body, want);
}

static void
check_message(const char *what, const char *header, const char *body, const char *want)
{
    struct aws_error e;
    decode(header, body, &e);
    tap_is_str(e.message, want, "awserror: %s gives message \"%s\"", what, want);
}

static void
test_message(void)
{
    check_message("body message", "NotFoundException", "{\"message\":\"The table does not exist\"}",
                  "The table does not exist");
    check_message("body Message", NULL, "{\"Message\":\"Rate exceeded\"}", "Rate exceeded");
    check_message("body with message and Message", NULL,
                  "{\"Message\":\"capital\",\"message\":\"lower\"}", "lower");
    check_message("body message that is not a string", NULL,
                  "{\"message\":{\"text\":\"x\"},\"__type\":\"FooError\"}", "");
    check_message("body without a message", NULL, "{\"__type\":\"FooError\"}", "");
    check_message("an empty body", "NotFoundException", "", "");
    check_message("an HTML body", NULL, "<html><body>502 Bad Gateway</body></html>",
                  "the error body is not JSON");
    check_message("plain text", "ServiceUnavailableException", "Service Unavailable",
                  "the error body is not JSON");
    check_message("truncated JSON", NULL, "{\"message\":\"cut sh", "the error body is not JSON");
    check_message("a message with newlines and '|'", NULL,
                  "{\"message\":\"line one\\nline two | three\\r\\tend\"}",
                  "line one line two / three  end");

    struct aws_error e;
    memset(&e, 'Z', sizeof e);
    aws_error_decode("FooError", "{\"message\":\"a\"}\0{}", 18, &e);
    tap_is_str(e.message, "the error body is not JSON",
               "awserror: a body with a NUL byte is not JSON");
    tap_is_str(e.type, "FooError", "awserror: a body with a NUL byte keeps the header type");

    memset(&e, 'Z', sizeof e);
    aws_error_decode(NULL, "{\"message\":\"ignored\"}", 0, &e);
    tap_is_str(e.message, "", "awserror: len 0 means an empty body whatever the pointer");
    tap_is_str(e.type, "UnknownError", "awserror: len 0 and no header is UnknownError");

    char body[600], want[256];
    char text[400];
    memset(text, 'm', 300);
    text[300] = '\0';
    snprintf(body, sizeof body, "{\"message\":\"%s\"}", text);
    memset(want, 'm', 252);
    strcpy(want + 252, "...");
    check_message("a 300-character message", NULL, body, want);

    decode("NotFoundException", "{\"__type\":\"x#NotFoundException\",\"message\":\"gone\"}", &e);
    tap_ok(strcmp(e.type, "NotFoundException") == 0 && strcmp(e.message, "gone") == 0,
           "awserror: a typical NotFoundException answer decodes type and message together");
}

static void
check_sanitize(const char *what, size_t dstlen, const char *src, size_t srclen, const char *want)
{
    char dst[64];
    memset(dst, 'Z', sizeof dst);
    text_sanitize(dst, dstlen, src, srclen);
    tap_is_str(dst, want, "sanitize: %s", what);
    tap_ok(strlen(dst) < dstlen, "sanitize: %s fits in %zu bytes", what, dstlen);
}

#define SANITIZE(what, dstlen, src, want) check_sanitize(what, dstlen, src, sizeof(src) - 1, want)

static void
test_sanitize(void)
{
    SANITIZE("plain text is copied", 32, "hello world", "hello world");
    SANITIZE("an empty source gives an empty string", 8, "", "");
    SANITIZE("control characters become spaces", 32, "a\tb\nc\rd\x01g\x1fh\x7fi", "a b c d g h i");
    SANITIZE("a NUL inside the source becomes a space", 16, "ab\0cd", "ab cd");
    SANITIZE("'|' becomes '/'", 32, "a|b||c", "a/b//c");
    SANITIZE("bytes >= 0x80 are kept", 32, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
             "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    check_sanitize("only srclen bytes are read", 16, "abcdefgh", 3, "abc");

    /* dstlen 8 holds 7 bytes: 7 fit exactly, 8 are cut to 4 + "...". */
    SANITIZE("7 bytes into 8 fit exactly", 8, "abcdefg", "abcdefg");
    SANITIZE("8 bytes into 8 are cut with ...", 8, "abcdefgh", "abcd...");
    SANITIZE("a long text is cut with ...", 8, "abcdefghijklmnopqrstuvwxyz", "abcd...");
    SANITIZE("a text of dstlen - 2 bytes is not cut", 8, "abcdef", "abcdef");
    SANITIZE("multi-byte text that fits exactly is not cut", 8, "abcde\xc3\xa9", "abcde\xc3\xa9");
    SANITIZE("a 4-byte character that fits exactly is not cut", 8, "abc\xf0\x9f\x98\x80",
             "abc\xf0\x9f\x98\x80");
    SANITIZE("a 2-byte character across the cut is dropped whole", 8, "abc\xc3\xa9ghij", "abc...");
    SANITIZE("a 2-byte character ending at the cut is kept", 8, "ab\xc3\xa9ghijk", "ab\xc3\xa9...");
    SANITIZE("a 3-byte character across the cut is dropped whole", 8, "ab\xe2\x82\xacghij",
             "ab...");
    SANITIZE("a 3-byte character starting at the cut is dropped", 8, "abcd\xe2\x82\xacxyz",
             "abcd...");
    SANITIZE("a 4-byte character across the cut is dropped whole", 8, "a\xf0\x9f\x98\x80ghij",
             "a...");
    SANITIZE("control characters in a cut text become spaces", 8, "a\nb|cdefgh", "a b/...");
    SANITIZE("the smallest buffer keeps one byte and ...", 5, "abcdef", "a...");
    SANITIZE("the smallest buffer with an exact fit", 5, "abcd", "abcd");
}

int
main(void)
{
    test_type_from_header();
    test_type_from_body();
    test_message();
    test_sanitize();
    return tap_done();
}
