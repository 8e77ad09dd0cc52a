/*
 * tables.h - the S3 Tables answers besides the job status, decoded:
 * GetTable (the table's ARN), ListTables (a page of tables and the
 * continuation token) and GetTableRecordExpirationConfiguration.
 *
 * Strict as jobstatus.h: the members the model requires must be there
 * with their types, null counts as absent, unknown members are ignored.
 * A namespace is the first (only) element of the model's NamespaceList.
 * Pure.
 */
#ifndef TABLES_H
#define TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct table_entry {
    char *namespace_name;
    char *name;
    char *arn;
};

struct table_list {
    struct table_entry *items;
    size_t n, cap;
};

enum expiration_state { EXPIRATION_NONE, EXPIRATION_ENABLED, EXPIRATION_DISABLED };

struct expiration_config {
    enum expiration_state state;
    bool has_days;
    int64_t days; /* settings.days, when has_days */
};

/* GetTable: the "tableARN" member, malloc'd into *arn. 0, or -1 with err. */
int tables_decode_get(const char *body, size_t len, char **arn, char *err, size_t errlen);

/* ListTables: appends the page's tables to list; *token is the
 * malloc'd continuationToken, NULL on the last page (also when it is
 * empty). 0, or -1 with err. */
int tables_decode_list(const char *body, size_t len, struct table_list *list, char **token,
                       char *err, size_t errlen);

/* GetTableRecordExpirationConfiguration. 0, or -1 with err. */
int tables_decode_config(const char *body, size_t len, struct expiration_config *out, char *err,
                         size_t errlen);

/* "namespace.name" of an entry into out. */
void table_entry_label(const struct table_entry *e, char *out, size_t outlen);

void table_list_free(struct table_list *list);

#endif
