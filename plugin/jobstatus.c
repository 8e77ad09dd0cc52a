#include "config.h"

#include "jobstatus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "iso8601.h"
#include "jsonstrict.h"
#include "text.h"

static const char *const job_status_names[] = {"NotYetRun", "Successful", "Failed", "Disabled"};

const char *
job_status_name(enum job_status_value v)
{
    return (unsigned)v < 4 ? job_status_names[v] : "?";
}

/* A member, or NULL when absent or null. */
static json_object *
member(json_object *obj, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, name, &v))
        return NULL;
    return v;
}

static int
decode_status(json_object *root, struct job_status *out, char *err, size_t errlen)
{
    json_object *v = member(root, "status");
    if (v == NULL) {
        snprintf(err, errlen, "no \"status\" in the answer");
        return -1;
    }
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"status\" is %s, not a string", json_strict_type(v));
        return -1;
    }
    const char *s = json_object_get_string(v);
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, job_status_names[i]) == 0) {
            out->status = (enum job_status_value)i;
            return 0;
        }
    }
    char shown[68]; /* one line, whatever the answer held */
    text_sanitize(shown, sizeof(shown), s, strlen(s));
    snprintf(err, errlen, "unknown status \"%s\"", shown);
    return -1;
}

static int
decode_last_run(json_object *root, struct job_status *out, char *err, size_t errlen)
{
    json_object *v = member(root, "lastRunTimestamp");
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"lastRunTimestamp\" is %s, not an ISO-8601 string",
                 json_strict_type(v));
        return -1;
    }
    struct iso8601_time t;
    char why[256];
    if (iso8601_parse(json_object_get_string(v), &t, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "bad \"lastRunTimestamp\": %s", why);
        return -1;
    }
    out->has_last_run = true;
    out->last_run = t.seconds;
    return 0;
}

static int
decode_failure(json_object *root, struct job_status *out, char *err, size_t errlen)
{
    json_object *v = member(root, "failureMessage");
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"failureMessage\" is %s, not a string", json_strict_type(v));
        return -1;
    }
    out->failure_message = strdup(json_object_get_string(v));
    if (out->failure_message == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int
decode_metric(json_object *metrics, const char *name, struct job_metric *m, char *err,
              size_t errlen)
{
    json_object *v = member(metrics, name);
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_int)) {
        snprintf(err, errlen, "\"metrics.%s\" is %s, not an integer", name, json_strict_type(v));
        return -1;
    }
    int64_t n = json_object_get_int64(v);
    /* json-c keeps values past INT64_MAX as unsigned and saturates here. */
    if (n == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX) {
        snprintf(err, errlen, "\"metrics.%s\" is out of range", name);
        return -1;
    }
    if (n < 0) {
        snprintf(err, errlen, "\"metrics.%s\" is negative (%lld)", name, (long long)n);
        return -1;
    }
    m->present = true;
    m->value = n;
    return 0;
}

static int
decode_metrics(json_object *root, struct job_status *out, char *err, size_t errlen)
{
    json_object *v = member(root, "metrics");
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_object)) {
        snprintf(err, errlen, "\"metrics\" is %s, not an object", json_strict_type(v));
        return -1;
    }
    if (decode_metric(v, "deletedRecords", &out->deleted_records, err, errlen) != 0 ||
        decode_metric(v, "deletedDataFiles", &out->deleted_files, err, errlen) != 0 ||
        decode_metric(v, "removedFilesSize", &out->removed_bytes, err, errlen) != 0)
        return -1;
    return 0;
}

int
job_status_decode(const char *body, size_t len, struct job_status *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    json_object *root = json_strict_object(body, len, "answer", err, errlen);
    if (root == NULL)
        return -1;
    int rc = -1;
    if (decode_status(root, out, err, errlen) == 0 &&
        decode_last_run(root, out, err, errlen) == 0 &&
        decode_failure(root, out, err, errlen) == 0 && decode_metrics(root, out, err, errlen) == 0)
        rc = 0;
    json_object_put(root);
    if (rc != 0)
        job_status_free(out);
    return rc;
}

void
job_status_free(struct job_status *js)
{
    free(js->failure_message);
    memset(js, 0, sizeof(*js));
}
