/*
 * test_tables.c - decoding the GetTable, ListTables and
 * GetTableRecordExpirationConfiguration answers (tables.h): what the
 * model requires must be there, with its type; null is absent; unknown
 * members are ignored; an empty continuation token ends the listing.
 */
#include "config.h"

#include "tables.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define ARN1 "arn:aws:s3tables:us-east-1:111122223333:bucket/b1/table/0b2c-1"
#define ARN2 "arn:aws:s3tables:us-east-1:111122223333:bucket/b1/table/0b2c-2"

static void
test_get(void)
{
    char *arn = NULL, err[256] = "";
    const char *ok = "{\"name\":\"orders\",\"tableARN\":\"" ARN1 "\",\"namespace\":[\"sales\"],"
                     "\"format\":\"ICEBERG\",\"unknown\":{\"x\":1}}";
    tap_is_int(tables_decode_get(ok, strlen(ok), &arn, err, sizeof err), 0, "GetTable: decoded");
    tap_is_str(arn, ARN1, "GetTable: the tableARN");
    free(arn);

    const char *none = "{\"name\":\"orders\"}";
    tap_is_int(tables_decode_get(none, strlen(none), &arn, err, sizeof err), -1,
               "GetTable without tableARN: refused");
    tap_is_str(err, "no \"tableARN\" member", "GetTable without tableARN: says so");
    tap_ok(arn == NULL, "GetTable without tableARN: nothing allocated");

    const char *number = "{\"tableARN\":7}";
    tables_decode_get(number, strlen(number), &arn, err, sizeof err);
    tap_is_str(err, "\"tableARN\" is an integer, not a string", "GetTable: a wrong type is named");
    tables_decode_get("[]", 2, &arn, err, sizeof err);
    tap_is_str(err, "answer is an array, not an object", "GetTable: an array is refused");
}

static void
test_list(void)
{
    struct table_list list = {0};
    char *token = NULL, err[256] = "";
    const char *page1 = "{\"tables\":[{\"namespace\":[\"sales\"],\"name\":\"orders\",\"type\":"
                        "\"customer\",\"tableARN\":\"" ARN1 "\",\"createdAt\":\"2026-01-01T00:"
                        "00:00Z\",\"modifiedAt\":\"2026-01-01T00:00:00Z\"}],"
                        "\"continuationToken\":\"t2\"}";
    const char *page2 =
        "{\"tables\":[{\"namespace\":[\"hr\"],\"name\":\"staff\",\"tableARN\":\"" ARN2
        "\"}],\"continuationToken\":null}";
    tap_is_int(tables_decode_list(page1, strlen(page1), &list, &token, err, sizeof err), 0,
               "ListTables page 1: decoded");
    tap_is_str(token, "t2", "ListTables page 1: its continuation token");
    free(token);
    tap_is_int(tables_decode_list(page2, strlen(page2), &list, &token, err, sizeof err), 0,
               "ListTables page 2: decoded");
    tap_ok(token == NULL, "ListTables page 2: a null token ends the listing");
    tap_is_int((intmax_t)list.n, 2, "ListTables: two pages append two tables");
    char label[128];
    table_entry_label(&list.items[0], label, sizeof label);
    tap_is_str(label, "sales.orders", "ListTables: the first is sales.orders");
    table_entry_label(&list.items[1], label, sizeof label);
    tap_is_str(label, "hr.staff", "ListTables: the second is hr.staff");
    tap_is_str(list.items[1].arn, ARN2, "ListTables: the second's ARN");
    table_list_free(&list);
    tap_ok(list.items == NULL && list.n == 0, "table_list_free: empties the list");

    const char *empty_token = "{\"tables\":[],\"continuationToken\":\"\"}";
    tap_is_int(tables_decode_list(empty_token, strlen(empty_token), &list, &token, err, sizeof err),
               0, "ListTables: an empty page with an empty token decodes");
    tap_ok(token == NULL, "ListTables: an empty token ends the listing");

    static const struct {
        const char *body, *why, *name;
    } bad[] = {
        {"{}", "no \"tables\" member", "no tables member"},
        {"{\"tables\":{}}", "\"tables\" is an object, not a list", "tables an object"},
        {"{\"tables\":[1]}", "tables[0] is an integer, not an object", "an entry not an object"},
        {"{\"tables\":[{\"namespace\":\"sales\",\"name\":\"a\",\"tableARN\":\"x\"}]}",
         "\"namespace\" of tables[0] is not a list of names", "namespace a string"},
        {"{\"tables\":[{\"namespace\":[],\"name\":\"a\",\"tableARN\":\"x\"}]}",
         "\"namespace\" of tables[0] is not a list of names", "namespace an empty list"},
        {"{\"tables\":[{\"namespace\":[\"s\"],\"tableARN\":\"x\"}]}",
         "no \"name\" member of tables[0]", "no name"},
        {"{\"tables\":[{\"namespace\":[\"s\"],\"name\":\"a\",\"tableARN\":false}]}",
         "\"tableARN\" of tables[0] is a boolean, not a string", "ARN a boolean"},
        {"{\"tables\":[],\"continuationToken\":5}",
         "\"continuationToken\" is an integer, not a string", "token a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc =
            tables_decode_list(bad[i].body, strlen(bad[i].body), &list, &token, err, sizeof err);
        tap_is_int(rc, -1, "ListTables, %s: refused", bad[i].name);
        tap_is_str(err, bad[i].why, "ListTables, %s: the reason", bad[i].name);
        tap_ok(token == NULL, "ListTables, %s: no token", bad[i].name);
        table_list_free(&list);
    }
}

static void
check_config(const char *body, int rc_want, enum expiration_state state, bool has_days,
             int64_t days, const char *why, const char *name)
{
    struct expiration_config c;
    char err[256] = "";
    int rc = tables_decode_config(body, strlen(body), &c, err, sizeof err);
    tap_is_int(rc, rc_want, "configuration, %s: %s", name, rc_want == 0 ? "decoded" : "refused");
    if (rc_want == 0 && rc == 0) {
        tap_is_int(c.state, state, "configuration, %s: state", name);
        tap_is_int(c.has_days, has_days, "configuration, %s: has days", name);
        tap_is_int(c.days, days, "configuration, %s: days", name);
    } else if (rc_want != 0) {
        tap_is_str(err, why, "configuration, %s: the reason", name);
    }
}

static void
test_config(void)
{
    check_config("{\"configuration\":{\"status\":\"enabled\",\"settings\":{\"days\":30}}}", 0,
                 EXPIRATION_ENABLED, true, 30, NULL, "enabled, 30 days");
    check_config("{\"configuration\":{\"status\":\"enabled\"}}", 0, EXPIRATION_ENABLED, false, 0,
                 NULL, "enabled without settings");
    check_config("{\"configuration\":{\"status\":\"disabled\",\"settings\":{\"days\":null}}}", 0,
                 EXPIRATION_DISABLED, false, 0, NULL, "disabled, null days");
    check_config("{\"configuration\":{}}", 0, EXPIRATION_NONE, false, 0, NULL, "no status");
    check_config("{}", -1, 0, false, 0, "no \"configuration\" member", "no configuration");
    check_config("{\"configuration\":[]}", -1, 0, false, 0,
                 "\"configuration\" is an array, not an object", "configuration a list");
    check_config("{\"configuration\":{\"status\":1}}", -1, 0, false, 0,
                 "\"configuration.status\" is an integer, not a string", "status a number");
    check_config("{\"configuration\":{\"status\":\"paused\"}}", -1, 0, false, 0,
                 "unknown \"configuration.status\"", "unknown status");
    check_config("{\"configuration\":{\"status\":\"enabled\",\"settings\":{\"days\":0}}}", -1, 0,
                 false, 0, "\"configuration.settings.days\" is not a positive integer", "0 days");
    check_config("{\"configuration\":{\"status\":\"enabled\",\"settings\":{\"days\":\"30\"}}}", -1,
                 0, false, 0, "\"configuration.settings.days\" is not a positive integer",
                 "days a string");
    check_config("{\"configuration\":{\"status\":\"enabled\",\"settings\":[]}}", -1, 0, false, 0,
                 "\"configuration.settings\" is an array, not an object", "settings a list");
}

int
main(void)
{
    test_get();
    test_list();
    test_config();
    return tap_done();
}
