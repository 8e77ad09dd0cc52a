#include "config.h"

#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstrict.h"

/* A member, NULL when absent or null. */
static json_object *
tables_member(json_object *obj, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

/* A required string member, malloc'd into *out. */
static int
tables_string(json_object *obj, const char *where, const char *name, char **out, char *err,
              size_t errlen)
{
    json_object *v = tables_member(obj, name);
    if (v == NULL) {
        snprintf(err, errlen, "no \"%s\" member%s", name, where);
        return -1;
    }
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"%s\"%s is %s, not a string", name, where, json_strict_type(v));
        return -1;
    }
    *out = strdup(json_object_get_string(v));
    if (*out == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int
tables_decode_get(const char *body, size_t len, char **arn, char *err, size_t errlen)
{
    *arn = NULL;
    json_object *root = json_strict_object(body, len, "answer", err, errlen);
    if (root == NULL)
        return -1;
    int rc = tables_string(root, "", "tableARN", arn, err, errlen);
    json_object_put(root);
    return rc;
}

/* The namespace of a TableSummary: a list of one name. */
static int
tables_namespace(json_object *item, const char *where, char **out, char *err, size_t errlen)
{
    json_object *v = tables_member(item, "namespace");
    if (v == NULL || !json_object_is_type(v, json_type_array) || json_object_array_length(v) < 1 ||
        !json_object_is_type(json_object_array_get_idx(v, 0), json_type_string)) {
        snprintf(err, errlen, "\"namespace\"%s is not a list of names", where);
        return -1;
    }
    *out = strdup(json_object_get_string(json_object_array_get_idx(v, 0)));
    if (*out == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int
tables_list_item(json_object *item, size_t index, struct table_list *list, char *err, size_t errlen)
{
    char where[48];
    snprintf(where, sizeof(where), " of tables[%zu]", index);
    if (!json_object_is_type(item, json_type_object)) {
        snprintf(err, errlen, "tables[%zu] is %s, not an object", index, json_strict_type(item));
        return -1;
    }
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        struct table_entry *grown = realloc(list->items, cap * sizeof(*grown));
        if (grown == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        list->items = grown;
        list->cap = cap;
    }
    struct table_entry e = {0};
    if (tables_namespace(item, where, &e.namespace_name, err, errlen) != 0 ||
        tables_string(item, where, "name", &e.name, err, errlen) != 0 ||
        tables_string(item, where, "tableARN", &e.arn, err, errlen) != 0) {
        free(e.namespace_name);
        free(e.name);
        free(e.arn);
        return -1;
    }
    list->items[list->n++] = e;
    return 0;
}

int
tables_decode_list(const char *body, size_t len, struct table_list *list, char **token, char *err,
                   size_t errlen)
{
    *token = NULL;
    json_object *root = json_strict_object(body, len, "answer", err, errlen);
    if (root == NULL)
        return -1;
    int rc = -1;
    json_object *tables = tables_member(root, "tables");
    if (tables == NULL) {
        snprintf(err, errlen, "no \"tables\" member");
    } else if (!json_object_is_type(tables, json_type_array)) {
        snprintf(err, errlen, "\"tables\" is %s, not a list", json_strict_type(tables));
    } else {
        rc = 0;
        size_t n = json_object_array_length(tables);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = tables_list_item(json_object_array_get_idx(tables, i), i, list, err, errlen);
        if (rc == 0 && tables_member(root, "continuationToken") != NULL)
            rc = tables_string(root, "", "continuationToken", token, err, errlen);
        if (rc == 0 && *token != NULL && (*token)[0] == '\0') {
            free(*token); /* an empty token ends the listing, as in the SDKs */
            *token = NULL;
        }
    }
    json_object_put(root);
    return rc;
}

int
tables_decode_config(const char *body, size_t len, struct expiration_config *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof(*out));
    json_object *root = json_strict_object(body, len, "answer", err, errlen);
    if (root == NULL)
        return -1;
    int rc = -1;
    json_object *conf = tables_member(root, "configuration");
    json_object *status = conf != NULL ? tables_member(conf, "status") : NULL;
    json_object *settings = conf != NULL ? tables_member(conf, "settings") : NULL;
    json_object *days = settings != NULL ? tables_member(settings, "days") : NULL;
    const char *s = status != NULL && json_object_is_type(status, json_type_string)
                        ? json_object_get_string(status)
                        : NULL;
    if (conf == NULL) {
        snprintf(err, errlen, "no \"configuration\" member");
    } else if (!json_object_is_type(conf, json_type_object)) {
        snprintf(err, errlen, "\"configuration\" is %s, not an object", json_strict_type(conf));
    } else if (status != NULL && s == NULL) {
        snprintf(err, errlen, "\"configuration.status\" is %s, not a string",
                 json_strict_type(status));
    } else if (s != NULL && strcmp(s, "enabled") != 0 && strcmp(s, "disabled") != 0) {
        snprintf(err, errlen, "unknown \"configuration.status\"");
    } else if (settings != NULL && !json_object_is_type(settings, json_type_object)) {
        snprintf(err, errlen, "\"configuration.settings\" is %s, not an object",
                 json_strict_type(settings));
    } else if (days != NULL &&
               (!json_object_is_type(days, json_type_int) || json_object_get_int64(days) < 1 ||
                json_object_get_int64(days) > 2147483647)) {
        snprintf(err, errlen, "\"configuration.settings.days\" is not a positive integer");
    } else {
        out->state = s == NULL                   ? EXPIRATION_NONE
                     : strcmp(s, "enabled") == 0 ? EXPIRATION_ENABLED
                                                 : EXPIRATION_DISABLED;
        out->has_days = days != NULL;
        out->days = days != NULL ? json_object_get_int64(days) : 0;
        rc = 0;
    }
    json_object_put(root);
    return rc;
}

void
table_entry_label(const struct table_entry *e, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s.%s", e->namespace_name, e->name);
}

void
table_list_free(struct table_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].namespace_name);
        free(list->items[i].name);
        free(list->items[i].arn);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}
