#include "config.h"

#include "jsonstrict.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *
json_strict_type(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
        return "a decimal number";
    case json_type_int:
        return "an integer";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    }
    return "something else";
}

const char *
json_strict_string(json_object *obj, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

json_object *
json_strict_object(const char *text, size_t len, const char *noun, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "empty %s", noun);
        return NULL;
    }
    if (len > (size_t)INT32_MAX) {
        snprintf(err, errlen, "%s too large", noun);
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "%s is not JSON (contains NUL bytes)", noun);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        /* A bare number or literal only ends at the end of input: say so. */
        root = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
    }
    json_tokener_free(tok);
    /* Strict mode has already refused anything but whitespace after the value. */
    if (root == NULL && jerr == json_tokener_success) {
        snprintf(err, errlen, "%s is null, not an object", noun);
        return NULL;
    }
    if (root == NULL || jerr != json_tokener_success) {
        snprintf(err, errlen, "%s is not valid JSON: %s", noun,
                 jerr == json_tokener_continue ? "unexpected end of data"
                                               : json_tokener_error_desc(jerr));
        json_object_put(root);
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)) {
        snprintf(err, errlen, "%s is %s, not an object", noun, json_strict_type(root));
        json_object_put(root);
        return NULL;
    }
    return root;
}
