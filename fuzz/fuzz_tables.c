/*
 * fuzz_tables.c - the GetTable, ListTables and expiration-configuration
 * decoders on any body, as the API could send.
 *
 * Input: the HTTP body (not NUL-terminated), given to all three.
 * Checks: success gives complete entries (namespace, name, ARN), a
 * continuation token only with content, a known configuration state and
 * positive days; failure gives a one-line reason and leaves nothing to
 * free.
 */
#include "config.h"

#include "fuzz.h"
#include "tables.h"

static void
fuzz_list(const char *body, size_t size)
{
    struct table_list list = {0};
    char *token = NULL, err[512];
    fuzz_poison(err, sizeof err);
    if (tables_decode_list(body, size, &list, &token, err, sizeof err) == 0) {
        for (size_t i = 0; i < list.n; i++)
            FUZZ_CHECK(list.items[i].namespace_name != NULL && list.items[i].name != NULL &&
                       list.items[i].arn != NULL);
        FUZZ_CHECK(token == NULL || token[0] != '\0');
    } else {
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
        FUZZ_CHECK(token == NULL);
    }
    free(token);
    table_list_free(&list);
    FUZZ_CHECK(list.items == NULL && list.n == 0);
}

static void
fuzz_get(const char *body, size_t size)
{
    char *arn = NULL, err[512];
    fuzz_poison(err, sizeof err);
    if (tables_decode_get(body, size, &arn, err, sizeof err) == 0)
        FUZZ_CHECK(arn != NULL);
    else
        FUZZ_CHECK(arn == NULL && fuzz_reason(err, sizeof err));
    free(arn);
}

static void
fuzz_config(const char *body, size_t size)
{
    struct expiration_config c;
    char err[512];
    fuzz_poison(err, sizeof err);
    if (tables_decode_config(body, size, &c, err, sizeof err) == 0) {
        FUZZ_CHECK(c.state == EXPIRATION_NONE || c.state == EXPIRATION_ENABLED ||
                   c.state == EXPIRATION_DISABLED);
        FUZZ_CHECK(!c.has_days || c.days >= 1);
    } else {
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_bytes(data, size);
    fuzz_list(body, size);
    fuzz_get(body, size);
    fuzz_config(body, size);
    free(body);
    return 0;
}
