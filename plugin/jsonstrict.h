/*
 * jsonstrict.h - one JSON object out of an answer, strictly (json-c's
 * strict mode, UTF-8 checked, nothing after the value), with messages
 * that name the problem but never quote the text (it may hold secrets).
 * Pure.
 */
#ifndef JSONSTRICT_H
#define JSONSTRICT_H

#include <stddef.h>

#include <json-c/json.h>

/* The parsed object (json_object_put it), or NULL with a one-line reason
 * in err such as "answer is an array, not an object"; noun names the
 * text ("answer", "output"). */
json_object *json_strict_object(const char *text, size_t len, const char *noun, char *err,
                                size_t errlen);

/* The string member name of obj, or NULL when it is missing or not a string. */
const char *json_strict_string(json_object *obj, const char *name);

/* "an integer", "a string", "null"...: for "\"x\" is an integer, not a string". */
const char *json_strict_type(json_object *v);

#endif
