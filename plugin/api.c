#include "config.h"

#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsreq.h"
#include "buf.h"

#define OP_CONFIG "GetTableRecordExpirationConfiguration"
#define OP_GET_TABLE "GetTable"
#define OP_LIST_TABLES "ListTables"

static struct awsreq
api_request(const struct api_context *ctx, const char *operation, const char *path,
            const char *query)
{
    return (struct awsreq){
        .operation = operation,
        .service = API_SERVICE,
        .protocol = AWSREQ_REST_JSON,
        .endpoint_url = ctx->endpoint_url,
        .region = ctx->region,
        .path = path,
        .query = query,
        .creds = ctx->creds,
    };
}

/* The outcome of a call that did not answer 2xx, worded for the user. */
static enum api_result
api_failure(const char *operation, const struct awsreq_result *res, char *err, size_t errlen)
{
    switch (res->outcome) {
    case AWSREQ_TIMED_OUT:
        err[0] = '\0';
        return API_TIMED_OUT;
    case AWSREQ_UNSENT:
        snprintf(err, errlen, "%s", res->error);
        return API_FAILED;
    case AWSREQ_FAILED:
        snprintf(err, errlen, "%s failed: %s", operation, res->error);
        return API_FAILED;
    case AWSREQ_ERROR:
        if (strcmp(res->error_type, "Redirect") == 0)
            snprintf(err, errlen, "%s %s", operation, res->error);
        else
            snprintf(err, errlen, "API error %s", res->error);
        return strcmp(res->error_type, "NotFoundException") == 0 ? API_NOT_FOUND : API_FAILED;
    case AWSREQ_OK:
        break;
    }
    return API_OK;
}

static void
api_decode_job(struct api_table *t, const struct awsreq_result *res)
{
    t->job_result = api_failure(API_OPERATION, res, t->job_err, sizeof(t->job_err));
    if (t->job_result != API_OK)
        return;
    char why[512];
    t->seconds = res->seconds;
    if (job_status_decode(res->body.data, res->body.len, &t->job, why, sizeof(why)) != 0) {
        snprintf(t->job_err, sizeof(t->job_err), "invalid answer from %s: %s", API_OPERATION, why);
        t->job_result = API_FAILED;
    }
}

static void
api_decode_config(struct api_table *t, const struct awsreq_result *res)
{
    t->config_result = api_failure(OP_CONFIG, res, t->config_err, sizeof(t->config_err));
    if (t->config_result == API_NOT_FOUND) {
        /* The table exists (its job status came back): no configuration. */
        t->config = (struct expiration_config){.state = EXPIRATION_NONE};
        t->config_result = API_OK;
        return;
    }
    if (t->config_result == API_TIMED_OUT)
        snprintf(t->config_err, sizeof(t->config_err), "%s: no answer in time", OP_CONFIG);
    if (t->config_result != API_OK)
        return;
    char why[400];
    if (tables_decode_config(res->body.data, res->body.len, &t->config, why, sizeof(why)) != 0) {
        snprintf(t->config_err, sizeof(t->config_err), "invalid answer from %s: %s", OP_CONFIG,
                 why);
        t->config_result = API_FAILED;
    }
}

void
api_fetch_tables(const struct api_context *ctx, struct api_table *tables, size_t n, int parallel)
{
    size_t n_req = 0;
    for (size_t i = 0; i < n; i++)
        n_req += tables[i].want_config ? 2 : 1;
    struct awsreq *reqs = calloc(n_req ? n_req : 1, sizeof(*reqs));
    struct awsreq_result *res = calloc(n_req ? n_req : 1, sizeof(*res));
    struct buf *queries = calloc(n ? n : 1, sizeof(*queries));
    bool failed = reqs == NULL || res == NULL || queries == NULL;
    size_t r = 0;
    for (size_t i = 0; i < n && !failed; i++) {
        failed = !awsreq_param(&queries[i], "tableArn", tables[i].table_arn);
        reqs[r++] = api_request(ctx, API_OPERATION, "/table-record-expiration-job-status",
                                buf_str(&queries[i]));
        if (tables[i].want_config)
            reqs[r++] =
                api_request(ctx, OP_CONFIG, "/table-record-expiration", buf_str(&queries[i]));
    }
    if (!failed)
        awsreq_send_many(ctx->http, reqs, res, n_req, parallel);
    r = 0;
    for (size_t i = 0; i < n; i++) {
        if (failed) {
            tables[i].job_result = tables[i].config_result = API_FAILED;
            snprintf(tables[i].job_err, sizeof(tables[i].job_err), "out of memory");
            continue;
        }
        api_decode_job(&tables[i], &res[r]);
        awsreq_result_free(&res[r++]);
        if (tables[i].want_config) {
            api_decode_config(&tables[i], &res[r]);
            awsreq_result_free(&res[r++]);
        }
    }
    for (size_t i = 0; queries != NULL && i < n; i++)
        buf_free(&queries[i]);
    free(queries);
    free(res);
    free(reqs);
}

void
api_table_free(struct api_table *t)
{
    job_status_free(&t->job);
}

enum api_result
api_get_table_arn(const struct api_context *ctx, const char *bucket_arn, const char *namespace_name,
                  const char *name, char **arn, char *err, size_t errlen)
{
    *arn = NULL;
    struct buf query = BUF_INIT;
    if (!awsreq_param(&query, "tableBucketARN", bucket_arn) ||
        !awsreq_param(&query, "namespace", namespace_name) || !awsreq_param(&query, "name", name)) {
        buf_free(&query);
        snprintf(err, errlen, "out of memory");
        return API_FAILED;
    }
    struct awsreq req = api_request(ctx, OP_GET_TABLE, "/get-table", buf_str(&query));
    struct awsreq_result res;
    awsreq_send(ctx->http, &req, &res);
    enum api_result rc = api_failure(OP_GET_TABLE, &res, err, errlen);
    char why[400];
    if (rc == API_OK &&
        tables_decode_get(res.body.data, res.body.len, arn, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "invalid answer from %s: %s", OP_GET_TABLE, why);
        rc = API_FAILED;
    }
    awsreq_result_free(&res);
    buf_free(&query);
    return rc;
}

/* One page of ListTables; *token is the next page's, or NULL. */
static enum api_result
api_list_page(const struct api_context *ctx, const char *path, const char *namespace_name,
              const char *token_in, struct table_list *list, char **token, char *err, size_t errlen)
{
    struct buf query = BUF_INIT;
    bool ok = (token_in == NULL || awsreq_param(&query, "continuationToken", token_in)) &&
              (namespace_name == NULL || awsreq_param(&query, "namespace", namespace_name));
    if (!ok) {
        buf_free(&query);
        snprintf(err, errlen, "out of memory");
        return API_FAILED;
    }
    struct awsreq req = api_request(ctx, OP_LIST_TABLES, path, buf_str(&query));
    struct awsreq_result res;
    awsreq_send(ctx->http, &req, &res);
    enum api_result rc = api_failure(OP_LIST_TABLES, &res, err, errlen);
    char why[400];
    if (rc == API_OK &&
        tables_decode_list(res.body.data, res.body.len, list, token, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "invalid answer from %s: %s", OP_LIST_TABLES, why);
        rc = API_FAILED;
    }
    awsreq_result_free(&res);
    buf_free(&query);
    return rc;
}

enum api_result
api_list_tables(const struct api_context *ctx, const char *bucket_arn, const char *namespace_name,
                struct table_list *list, char *err, size_t errlen)
{
    char *label = awsreq_label(bucket_arn);
    struct buf path = BUF_INIT;
    buf_printf(&path, "/tables/%s", label != NULL ? label : "");
    free(label);
    if (label == NULL || buf_failed(&path)) {
        buf_free(&path);
        snprintf(err, errlen, "out of memory");
        return API_FAILED;
    }
    char *token = NULL;
    enum api_result rc;
    int pages = 0;
    do {
        char *next = NULL;
        rc = api_list_page(ctx, buf_str(&path), namespace_name, token, list, &next, err, errlen);
        if (rc == API_OK && next != NULL && token != NULL && strcmp(next, token) == 0) {
            snprintf(err, errlen, "%s answered the same continuation token twice", OP_LIST_TABLES);
            rc = API_FAILED;
        }
        free(token);
        token = next;
        pages++;
    } while (rc == API_OK && token != NULL);
    free(token);
    if (http_client_options(ctx->http)->verbose >= 1 && rc == API_OK)
        fprintf(stderr, "%s: %zu tables in %d page%s\n", OP_LIST_TABLES, list->n, pages,
                pages > 1 ? "s" : "");
    buf_free(&path);
    return rc;
}
