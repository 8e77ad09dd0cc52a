#include "config.h"

#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "text.h"

#define SUMMARY_WORST_NAMED 3   /* tables named on the first line */
#define SUMMARY_ERROR_SHORT 48  /* an error's excerpt on the first line */
#define SUMMARY_LINE_MAX 600    /* one table's long-output line */
#define SUMMARY_MORE_RESERVE 40 /* room for "... and N more" */

/* How bad a state is, for sorting: CRITICAL > WARNING > UNKNOWN > OK. */
static int
summary_rank(enum state s)
{
    return s == STATE_CRITICAL ? 3 : s == STATE_WARNING ? 2 : s == STATE_UNKNOWN ? 1 : 0;
}

static int64_t
summary_age(const struct table_result *t)
{
    return t->error == NULL && t->report.eval->has_age ? t->report.eval->age : -1;
}

/* Worst first; then the oldest run; then by name, for a stable order. */
static int
summary_compare(const void *a, const void *b)
{
    const struct table_result *x = *(const struct table_result *const *)a;
    const struct table_result *y = *(const struct table_result *const *)b;
    int d = summary_rank(y->state) - summary_rank(x->state);
    if (d != 0)
        return d;
    int64_t ax = summary_age(x), ay = summary_age(y);
    if (ax != ay)
        return ax < ay ? 1 : -1;
    return strcmp(x->label, y->label);
}

enum state
summary_state(const struct bucket_report *r)
{
    enum state worst = STATE_OK;
    for (size_t i = 0; i < r->n; i++)
        worst = state_worst(worst, r->tables[i].state);
    return worst;
}

/* "Failed 2h 0m ago", "NotYetRun", or a short error: for the first line. */
static void
summary_brief(const struct table_result *t, char *text, size_t len)
{
    if (t->error != NULL) {
        char why[SUMMARY_ERROR_SHORT];
        text_sanitize(why, sizeof(why), t->error, strlen(t->error));
        snprintf(text, len, "%s: %s", t->label, why);
        return;
    }
    const struct report *r = &t->report;
    char age[32] = "";
    if (r->eval->has_age)
        human_duration(r->eval->age, age, sizeof(age));
    snprintf(text, len, "%s %s%s%s%s", t->label, job_status_name(r->job->status), age[0] ? " " : "",
             age, age[0] ? " ago" : "");
}

/* "STATE ns.name: why" for the long output, without the newline. */
static void
summary_table_line(const struct table_result *t, struct buf *line)
{
    buf_printf(line, "%s %s: ", state_name(t->state), t->label);
    if (t->error != NULL) {
        char why[SUMMARY_LINE_MAX];
        text_sanitize(why, sizeof(why), t->error, strlen(t->error));
        buf_puts(line, why);
        return;
    }
    const struct report *r = &t->report;
    const char *sep = "";
    for (int c = 0; c < CHECK_COUNT; c++) {
        if (r->eval->check_state[c] == STATE_OK)
            continue;
        char reason[256];
        output_reason(r, (enum eval_check)c, reason, sizeof(reason));
        buf_printf(line, "%s%s", sep, reason);
        sep = "; ";
        if (c == CHECK_STATUS && r->job->failure_message != NULL) {
            char msg[200];
            text_sanitize(msg, sizeof(msg), r->job->failure_message,
                          strlen(r->job->failure_message));
            buf_printf(line, ": %s", msg);
        }
    }
    if (sep[0] == '\0') {
        char brief[300];
        summary_brief(t, brief, sizeof(brief));
        buf_printf(line, "job %s", brief + strlen(t->label) + 1);
    }
    if (r->config != NULL || r->config_error != NULL) {
        char text[512];
        output_config_text(r->config, r->config_error, text, sizeof(text));
        buf_printf(line, "; configuration: %s", text);
    }
}

static void
summary_first_line(const struct bucket_report *r, const struct table_result **sorted,
                   const size_t count[4], struct buf *out)
{
    buf_printf(out, "%s %s - %zu table%s:", OUTPUT_PREFIX, state_name(summary_state(r)), r->n,
               r->n == 1 ? "" : "s");
    static const enum state order[4] = {STATE_CRITICAL, STATE_WARNING, STATE_UNKNOWN, STATE_OK};
    const char *sep = " ";
    for (int i = 0; i < 4; i++) {
        if (count[order[i]] == 0)
            continue;
        buf_printf(out, "%s%zu %s", sep, count[order[i]],
                   order[i] == STATE_CRITICAL  ? "critical"
                   : order[i] == STATE_WARNING ? "warning"
                   : order[i] == STATE_UNKNOWN ? "unknown"
                                               : "ok");
        sep = ", ";
    }
    size_t bad = r->n - count[STATE_OK];
    for (size_t i = 0; i < bad && i < SUMMARY_WORST_NAMED; i++) {
        char brief[128];
        summary_brief(sorted[i], brief, sizeof(brief));
        buf_printf(out, "%s%s", i == 0 ? "; " : ", ", brief);
    }
    if (bad > SUMMARY_WORST_NAMED)
        buf_puts(out, ", ...");
}

static void
summary_perfdata(const struct bucket_report *r, const size_t count[4], struct buf *out)
{
    buf_printf(out,
               " | tables=%zu;;;0 tables_ok=%zu;;;0 tables_warning=%zu;;;0 "
               "tables_critical=%zu;;;0 tables_unknown=%zu;;;0",
               r->n, count[STATE_OK], count[STATE_WARNING], count[STATE_CRITICAL],
               count[STATE_UNKNOWN]);
    int64_t oldest = -1, records = 0, files = 0, bytes = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct table_result *t = &r->tables[i];
        if (t->error != NULL)
            continue;
        const struct job_status *job = t->report.job;
        if (summary_age(t) > oldest)
            oldest = summary_age(t);
        records += job->deleted_records.present ? job->deleted_records.value : 0;
        files += job->deleted_files.present ? job->deleted_files.value : 0;
        bytes += job->removed_bytes.present ? job->removed_bytes.value : 0;
    }
    if (oldest >= 0) {
        buf_printf(out, " oldest_age=%llds", (long long)oldest);
        output_perf_range(&r->cfg->age, out);
    }
    buf_printf(out, " deleted_records=%lld;;;0 deleted_files=%lld;;;0 removed_bytes=%lldB;;;0",
               (long long)records, (long long)files, (long long)bytes);
    if (r->seconds >= 0)
        buf_printf(out, " time=%.3fs;;;0", r->seconds);
}

/* The table lines, worst first, while they fit under OUTPUT_MAX. */
static void
summary_long_output(const struct table_result **sorted, size_t shown, struct buf *out)
{
    for (size_t i = 0; i < shown; i++) {
        struct buf line = BUF_INIT;
        summary_table_line(sorted[i], &line);
        if (buf_failed(&line) || out->len + line.len + 1 > OUTPUT_MAX - SUMMARY_MORE_RESERVE) {
            buf_free(&line);
            buf_printf(out, "... and %zu more\n", shown - i);
            return;
        }
        buf_printf(out, "%s\n", buf_str(&line));
        buf_free(&line);
    }
}

void
summary_format(const struct bucket_report *r, struct buf *out)
{
    size_t count[4] = {0, 0, 0, 0};
    const struct table_result **sorted = calloc(r->n ? r->n : 1, sizeof(*sorted));
    if (sorted == NULL) {
        buf_printf(out, "%s UNKNOWN - out of memory\n", OUTPUT_PREFIX);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        sorted[i] = &r->tables[i];
        count[r->tables[i].state]++;
    }
    qsort(sorted, r->n, sizeof(*sorted), summary_compare);
    summary_first_line(r, sorted, count, out);
    summary_perfdata(r, count, out);
    buf_putc(out, '\n');
    summary_long_output(sorted, r->show_ok ? r->n : r->n - count[STATE_OK], out);
    output_cap(out);
    free(sorted);
}
