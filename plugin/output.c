#include "config.h"

#include "output.h"

#include <stdio.h>
#include <string.h>

#include "human.h"
#include "iso8601.h"
#include "text.h"

#define SUMMARY_FAILURE_MAX 48 /* the first line stays under about 100 characters */
#define LONG_FAILURE_MAX 1024

static const char *const check_labels[CHECK_COUNT] = {"status", "age", "deleted records",
                                                      "deleted files", "removed bytes"};

static void
output_summary_metrics(const struct job_status *job, struct buf *out)
{
    const char *sep = ", ";
    if (job->deleted_records.present) {
        buf_printf(out, "%s%lld records", sep, (long long)job->deleted_records.value);
        sep = " / ";
    }
    if (job->deleted_files.present) {
        buf_printf(out, "%s%lld files", sep, (long long)job->deleted_files.value);
        sep = " / ";
    }
    if (job->removed_bytes.present) {
        char size[32];
        human_bytes(job->removed_bytes.value, size, sizeof(size));
        buf_printf(out, "%s%s", sep, size);
        sep = " / ";
    }
    if (sep[0] == ' ')
        buf_puts(out, " removed");
}

static void
output_summary(const struct report *r, struct buf *out)
{
    const struct job_status *job = r->job;
    buf_printf(out, "%s %s - job %s", OUTPUT_PREFIX, state_name(r->eval->state),
               job_status_name(job->status));
    if (r->eval->has_age) {
        char age[32];
        human_duration(r->eval->age, age, sizeof(age));
        buf_printf(out, " %s ago", age);
    }
    output_summary_metrics(job, out);
    if (job->failure_message != NULL && job->failure_message[0] != '\0') {
        char msg[SUMMARY_FAILURE_MAX];
        text_sanitize(msg, sizeof(msg), job->failure_message, strlen(job->failure_message));
        buf_printf(out, ": %s", msg);
    }
}

void
output_perf_range(const struct threshold *t, struct buf *out)
{
    char text[128]; /* range_format writes at most about 60 characters */
    buf_putc(out, ';');
    if (t->has_warning) {
        range_format(&t->warning, text, sizeof(text));
        buf_puts(out, text);
    }
    buf_putc(out, ';');
    if (t->has_critical) {
        range_format(&t->critical, text, sizeof(text));
        buf_puts(out, text);
    }
    buf_puts(out, ";0");
}

static void
output_perf_metric(const char *label, const struct job_metric *m, const char *uom,
                   const struct threshold *t, struct buf *out)
{
    if (!m->present)
        return;
    buf_printf(out, " %s=%lld%s", label, (long long)m->value, uom);
    output_perf_range(t, out);
}

static void
output_perfdata(const struct report *r, struct buf *out)
{
    size_t start = out->len;
    buf_puts(out, " |");
    size_t empty = out->len;
    if (r->eval->has_age) {
        buf_printf(out, " age=%llds", (long long)r->eval->age);
        output_perf_range(&r->cfg->age, out);
    }
    output_perf_metric("deleted_records", &r->job->deleted_records, "", &r->cfg->records, out);
    output_perf_metric("deleted_files", &r->job->deleted_files, "", &r->cfg->files, out);
    output_perf_metric("removed_bytes", &r->job->removed_bytes, "B", &r->cfg->bytes, out);
    if (r->config != NULL && r->config->state == EXPIRATION_ENABLED && r->config->has_days)
        buf_printf(out, " retention_days=%lld;;;0", (long long)r->config->days);
    if (r->api_seconds >= 0)
        buf_printf(out, " time=%.3fs;;;0", r->api_seconds);
    if (out->len == empty && !buf_failed(out)) {
        out->len = start; /* nothing to report: no bare "|" */
        out->data[start] = '\0';
    }
}

static const struct threshold *
output_threshold_of(const struct eval_config *cfg, enum eval_check c)
{
    switch (c) {
    case CHECK_AGE:
        return &cfg->age;
    case CHECK_RECORDS:
        return &cfg->records;
    case CHECK_FILES:
        return &cfg->files;
    case CHECK_BYTES:
        return &cfg->bytes;
    default:
        return NULL;
    }
}

static void
output_check_value(const struct report *r, enum eval_check c, char *text, size_t len)
{
    switch (c) {
    case CHECK_AGE:
        human_duration(r->eval->age, text, len);
        break;
    case CHECK_RECORDS:
        snprintf(text, len, "%lld", (long long)r->job->deleted_records.value);
        break;
    case CHECK_FILES:
        snprintf(text, len, "%lld", (long long)r->job->deleted_files.value);
        break;
    default:
        snprintf(text, len, "%lld", (long long)r->job->removed_bytes.value);
        break;
    }
}

void
output_reason(const struct report *r, enum eval_check c, char *text, size_t len)
{
    enum state s = r->eval->check_state[c];
    if (c == CHECK_STATUS) {
        snprintf(text, len, "job status %s", job_status_name(r->job->status));
        return;
    }
    const struct threshold *t = output_threshold_of(r->cfg, c);
    char value[32];
    output_check_value(r, c, value, sizeof(value));
    snprintf(text, len, "%s %s is outside the %s range %s", check_labels[c], value,
             s == STATE_CRITICAL ? "critical" : "warning",
             s == STATE_CRITICAL ? t->critical_text : t->warning_text);
}

/* One line per check that is not OK, saying why. */
static void
output_reasons(const struct report *r, struct buf *out)
{
    for (int c = 0; c < CHECK_COUNT; c++) {
        enum state s = r->eval->check_state[c];
        if (s == STATE_OK)
            continue;
        char reason[256];
        output_reason(r, (enum eval_check)c, reason, sizeof(reason));
        buf_printf(out, "%s: %s\n", state_name(s), reason);
    }
}

void
output_config_text(const struct expiration_config *config, const char *error, char *text,
                   size_t len)
{
    if (config == NULL) {
        char why[400];
        text_sanitize(why, sizeof(why), error != NULL ? error : "",
                      error != NULL ? strlen(error) : 0);
        snprintf(text, len, "unknown (%s)", why);
    } else if (config->state == EXPIRATION_NONE) {
        snprintf(text, len, "none");
    } else if (config->state == EXPIRATION_DISABLED) {
        snprintf(text, len, "disabled");
    } else if (config->has_days) {
        snprintf(text, len, "enabled, records expire after %lld day%s", (long long)config->days,
                 config->days == 1 ? "" : "s");
    } else {
        snprintf(text, len, "enabled");
    }
}

static void
output_details(const struct report *r, struct buf *out)
{
    const struct job_status *job = r->job;
    if (r->table_label != NULL)
        buf_printf(out, "table: %s (%s)\n", r->table_label, r->table_arn);
    else
        buf_printf(out, "table: %s\n", r->table_arn);
    buf_printf(out, "status: %s\n", job_status_name(job->status));
    if (job->has_last_run) {
        char when[32], age[32];
        iso8601_format_utc(job->last_run, when, sizeof(when));
        human_duration(r->eval->age, age, sizeof(age));
        buf_printf(out, "last run: %s (%s ago)\n", when, age);
    } else {
        buf_puts(out, "last run: never\n");
    }
    if (job->deleted_records.present)
        buf_printf(out, "deleted records: %lld\n", (long long)job->deleted_records.value);
    if (job->deleted_files.present)
        buf_printf(out, "deleted files: %lld\n", (long long)job->deleted_files.value);
    if (job->removed_bytes.present) {
        char size[32];
        human_bytes(job->removed_bytes.value, size, sizeof(size));
        buf_printf(out, "removed bytes: %lld (%s)\n", (long long)job->removed_bytes.value, size);
    }
    if (job->failure_message != NULL) {
        char msg[LONG_FAILURE_MAX];
        text_sanitize(msg, sizeof(msg), job->failure_message, strlen(job->failure_message));
        buf_printf(out, "failure message: %s\n", msg);
    }
    if (r->config != NULL || r->config_error != NULL) {
        char text[512];
        output_config_text(r->config, r->config_error, text, sizeof(text));
        buf_printf(out, "configuration: %s\n", text);
    }
}

void
output_cap(struct buf *out)
{
    if (buf_failed(out) || out->len <= OUTPUT_MAX)
        return;
    size_t first_end = strcspn(out->data, "\n") + 1;
    size_t cut = OUTPUT_MAX;
    while (cut > first_end && out->data[cut - 1] != '\n')
        cut--;
    out->len = cut > first_end ? cut : first_end;
    out->data[out->len] = '\0';
}

void
output_format_report(const struct report *r, struct buf *out)
{
    output_summary(r, out);
    output_perfdata(r, out);
    buf_putc(out, '\n');
    output_reasons(r, out);
    output_details(r, out);
    output_cap(out);
}

void
output_format_message(enum state s, const char *message, struct buf *out)
{
    char line[OUTPUT_MAX - 64];
    text_sanitize(line, sizeof(line), message, strlen(message));
    buf_printf(out, "%s %s - %s\n", OUTPUT_PREFIX, state_name(s), line);
}
