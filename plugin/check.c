#include "config.h"

#include "check.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "civil.h"
#include "arn.h"
#include "deadline.h"
#include "evaluate.h"
#include "output.h"
#include "summary.h"

/* The -t state and "timeout after N s while <step>", or UNKNOWN and err. */
static enum state
check_failed(const struct config *cfg, enum api_result rc, const char *err, struct buf *out)
{
    char text[2048];
    if (rc == API_TIMED_OUT)
        deadline_timeout_message(text, sizeof(text));
    else
        snprintf(text, sizeof(text), "%s", err);
    enum state s = rc == API_TIMED_OUT ? cfg->timeout_state : STATE_UNKNOWN;
    output_format_message(s, text, out);
    return s;
}

/* The seconds since t0, for time=. */
static double
check_elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The bucket's name, for messages. */
static const char *
check_bucket_name(const char *bucket_arn)
{
    const char *slash = strrchr(bucket_arn, '/');
    return slash != NULL ? slash + 1 : bucket_arn;
}

/* The single-table output of a job status that came back. */
static enum state
check_report(const struct config *cfg, const struct api_table *t, const char *label,
             struct buf *out)
{
    deadline_step(STEP_REPORTING);
    char err[512];
    struct evaluation eval;
    if (evaluate(&t->job, &cfg->eval, civil_now(), &eval, err, sizeof(err)) != 0)
        return check_failed(cfg, API_FAILED, err, out);
    struct report report = {
        .table_arn = t->table_arn,
        .job = &t->job,
        .cfg = &cfg->eval,
        .eval = &eval,
        .api_seconds = t->seconds,
        .table_label = label,
        .config = t->want_config && t->config_result == API_OK ? &t->config : NULL,
        .config_error = t->want_config && t->config_result != API_OK ? t->config_err : NULL,
    };
    output_format_report(&report, out);
    return eval.state;
}

enum state
check_table(const struct api_context *api, const struct config *cfg, struct buf *out)
{
    char err[2048], label[520] = "";
    char *resolved = NULL;
    const char *arn = cfg->table_arn;
    if (cfg->mode == MODE_TABLE_NAME) {
        deadline_step(STEP_LOOKING_UP_TABLE);
        snprintf(label, sizeof(label), "%s.%s", cfg->namespace_name, cfg->table_name);
        enum api_result rc = api_get_table_arn(api, cfg->bucket_arn, cfg->namespace_name,
                                               cfg->table_name, &resolved, err, sizeof(err));
        if (rc == API_NOT_FOUND)
            snprintf(err, sizeof(err), "table %s not found in bucket %s", label,
                     check_bucket_name(cfg->bucket_arn));
        if (rc != API_OK)
            return check_failed(cfg, rc, err, out);
        arn = resolved;
    }
    deadline_step(STEP_CALLING_API);
    struct api_table t = {.table_arn = arn, .want_config = cfg->show_configuration};
    api_fetch_tables(api, &t, 1, 2);
    enum state s = t.job_result != API_OK ? check_failed(cfg, t.job_result, t.job_err, out)
                                          : check_report(cfg, &t, label[0] ? label : NULL, out);
    api_table_free(&t);
    free(resolved);
    return s;
}

static bool
check_matches_any(const char *const *globs, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], label, 0) == 0)
            return true;
    return false;
}

/* ListTables, then --include and --exclude: what is left in list. */
static enum api_result
check_select(const struct api_context *api, const struct config *cfg, struct table_list *list,
             char *err, size_t errlen)
{
    deadline_step(STEP_LISTING_TABLES);
    enum api_result rc =
        api_list_tables(api, cfg->bucket_arn, cfg->namespace_name, list, err, errlen);
    if (rc == API_NOT_FOUND)
        snprintf(err, errlen, "table bucket %s not found (%s)", check_bucket_name(cfg->bucket_arn),
                 cfg->bucket_arn);
    if (rc != API_OK)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        struct table_entry *e = &list->items[i];
        char label[520];
        table_entry_label(e, label, sizeof(label));
        bool keep =
            (cfg->namespace_name == NULL || strcmp(e->namespace_name, cfg->namespace_name) == 0) &&
            (cfg->n_include == 0 || check_matches_any(cfg->include, cfg->n_include, label)) &&
            !check_matches_any(cfg->exclude, cfg->n_exclude, label);
        if (keep) {
            list->items[kept++] = *e;
        } else {
            free(e->namespace_name);
            free(e->name);
            free(e->arn);
        }
    }
    list->n = kept;
    return API_OK;
}

/* "no table in bucket B (namespace N, --include ...)": why nothing was checked. */
static void
check_none_matched(const struct config *cfg, char *err, size_t errlen)
{
    snprintf(err, errlen, "no table%s%s in bucket %s%s",
             cfg->namespace_name != NULL ? " in namespace " : "",
             cfg->namespace_name != NULL ? cfg->namespace_name : "",
             check_bucket_name(cfg->bucket_arn),
             cfg->n_include + cfg->n_exclude > 0 ? " matches --include/--exclude" : "");
}

/* One table's verdict, as a single check would give it. */
static void
check_judge(const struct config *cfg, struct api_table *t, struct evaluation *eval, int64_t now,
            struct table_result *r)
{
    r->report = (struct report){0};
    if (t->job_result != API_OK) {
        r->state = STATE_UNKNOWN;
        r->error = t->job_result == API_TIMED_OUT ? "no answer before the deadline" : t->job_err;
        return;
    }
    if (evaluate(&t->job, &cfg->eval, now, eval, t->job_err, sizeof(t->job_err)) != 0) {
        r->state = STATE_UNKNOWN;
        r->error = t->job_err;
        return;
    }
    r->state = eval->state;
    r->error = NULL;
    r->report = (struct report){
        .table_arn = t->table_arn,
        .job = &t->job,
        .cfg = &cfg->eval,
        .eval = eval,
        .api_seconds = t->seconds,
        .config = t->want_config && t->config_result == API_OK ? &t->config : NULL,
        .config_error = t->want_config && t->config_result != API_OK ? t->config_err : NULL,
    };
}

enum state
check_bucket(const struct api_context *api, const struct config *cfg, struct buf *out)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[2048];
    struct table_list list = {0};
    enum api_result rc = check_select(api, cfg, &list, err, sizeof(err));
    if (rc == API_OK && list.n == 0) {
        check_none_matched(cfg, err, sizeof(err));
        rc = API_FAILED;
    }
    if (rc != API_OK) {
        table_list_free(&list);
        return check_failed(cfg, rc, err, out);
    }
    size_t n = list.n;
    struct api_table *tables = calloc(n, sizeof(*tables));
    struct evaluation *evals = calloc(n, sizeof(*evals));
    struct table_result *results = calloc(n, sizeof(*results));
    char(*labels)[520] = calloc(n, sizeof(*labels));
    enum state s;
    if (tables == NULL || evals == NULL || results == NULL || labels == NULL) {
        s = check_failed(cfg, API_FAILED, "out of memory", out);
    } else {
        for (size_t i = 0; i < n; i++)
            tables[i] = (struct api_table){.table_arn = list.items[i].arn,
                                           .want_config = cfg->show_configuration};
        deadline_step(STEP_CHECKING_TABLES);
        api_fetch_tables(api, tables, n, cfg->parallel);
        deadline_step(STEP_REPORTING);
        int64_t now = civil_now();
        for (size_t i = 0; i < n; i++) {
            table_entry_label(&list.items[i], labels[i], sizeof(labels[i]));
            results[i].label = labels[i];
            check_judge(cfg, &tables[i], &evals[i], now, &results[i]);
        }
        struct bucket_report report = {&cfg->eval, results, n, cfg->verbose >= 1,
                                       check_elapsed(&t0)};
        summary_format(&report, out);
        s = summary_state(&report);
    }
    for (size_t i = 0; tables != NULL && i < n; i++)
        api_table_free(&tables[i]);
    free(labels);
    free(results);
    free(evals);
    free(tables);
    table_list_free(&list);
    return s;
}

enum state
check_list(const struct api_context *api, const struct config *cfg, struct buf *out)
{
    char err[2048];
    struct table_list list = {0};
    enum api_result rc = check_select(api, cfg, &list, err, sizeof(err));
    if (rc != API_OK) {
        table_list_free(&list);
        return check_failed(cfg, rc, err, out);
    }
    for (size_t i = 0; i < list.n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "namespace",
                               json_object_new_string(list.items[i].namespace_name));
        json_object_object_add(o, "name", json_object_new_string(list.items[i].name));
        json_object_object_add(o, "tableARN", json_object_new_string(list.items[i].arn));
        buf_printf(out, "%s\n",
                   json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    }
    table_list_free(&list);
    return STATE_OK;
}
