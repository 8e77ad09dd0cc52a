#include "config.h"

#include "evaluate.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "iso8601.h"

enum state
threshold_check(const struct threshold *t, double value)
{
    if (t->has_critical && range_alerts(&t->critical, value))
        return STATE_CRITICAL;
    if (t->has_warning && range_alerts(&t->warning, value))
        return STATE_WARNING;
    return STATE_OK;
}

static enum state
metric_check(const struct threshold *t, const struct job_metric *m)
{
    return m->present ? threshold_check(t, (double)m->value) : STATE_OK;
}

int
evaluate(const struct job_status *job, const struct eval_config *cfg, int64_t now,
         struct evaluation *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (job->has_last_run) {
        int64_t age = now - job->last_run;
        if (age < -EVAL_MAX_FUTURE_SECONDS) {
            char when[32], ahead[32];
            iso8601_format_utc(job->last_run, when, sizeof(when));
            human_duration(-age, ahead, sizeof(ahead));
            snprintf(err, errlen, "last run %s is %s in the future: check this host's clock", when,
                     ahead);
            return -1;
        }
        out->has_age = true;
        out->age = age < 0 ? 0 : age;
        out->check_state[CHECK_AGE] = threshold_check(&cfg->age, (double)out->age);
    }
    out->check_state[CHECK_STATUS] = cfg->status_state[job->status];
    out->check_state[CHECK_RECORDS] = metric_check(&cfg->records, &job->deleted_records);
    out->check_state[CHECK_FILES] = metric_check(&cfg->files, &job->deleted_files);
    out->check_state[CHECK_BYTES] = metric_check(&cfg->bytes, &job->removed_bytes);

    out->state = STATE_OK;
    for (int i = 0; i < CHECK_COUNT; i++)
        out->state = state_worst(out->state, out->check_state[i]);
    return 0;
}
