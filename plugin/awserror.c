#include "config.h"

#include "awserror.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonstrict.h"
#include "text.h"

/* "ns#Name:uri" -> "Name": cut at the first ":", then keep what follows "#". */
static void
aws_error_type_clean(char *dst, size_t dstlen, const char *raw)
{
    size_t len = strcspn(raw, ":");
    const char *hash = memchr(raw, '#', len);
    const char *start = hash != NULL ? hash + 1 : raw;
    len -= (size_t)(start - raw);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
        len--;
    while (len > 0 && (*start == ' ' || *start == '\t')) {
        start++;
        len--;
    }
    text_sanitize(dst, dstlen, start, len);
}

static const char *
aws_error_body_string(json_object *root, const char *a, const char *b)
{
    const char *s = json_strict_string(root, a);
    return s != NULL ? s : json_strict_string(root, b);
}

void
aws_error_decode(const char *error_type_header, const char *body, size_t len, struct aws_error *out)
{
    out->type[0] = '\0';
    out->message[0] = '\0';
    if (error_type_header != NULL && *error_type_header != '\0')
        aws_error_type_clean(out->type, sizeof(out->type), error_type_header);

    json_object *root = NULL;
    if (len > 0 && len < (1u << 30) && memchr(body, '\0', len) == NULL) {
        json_tokener *tok = json_tokener_new();
        if (tok != NULL) {
            root = json_tokener_parse_ex(tok, body, (int)len);
            json_tokener_free(tok);
        }
    }
    if (root != NULL && json_object_is_type(root, json_type_object)) {
        const char *type = aws_error_body_string(root, "__type", "code");
        const char *msg = aws_error_body_string(root, "message", "Message");
        if (out->type[0] == '\0' && type != NULL)
            aws_error_type_clean(out->type, sizeof(out->type), type);
        if (msg != NULL)
            text_sanitize(out->message, sizeof(out->message), msg, strlen(msg));
    } else if (len > 0) {
        snprintf(out->message, sizeof(out->message), "the error body is not JSON");
    }
    json_object_put(root);
    if (out->type[0] == '\0')
        snprintf(out->type, sizeof(out->type), "UnknownError");
}
