/*
 * jobstatus.h - the GetTableRecordExpirationJobStatus answer, decoded.
 *
 * Decodes the JSON body exactly per the service model: "status" is
 * required and one of NotYetRun, Successful, Failed, Disabled;
 * "lastRunTimestamp" is an ISO-8601 string; "failureMessage" a string;
 * "metrics" an object of optional non-negative integers. null counts as
 * absent; unknown members are ignored. Pure.
 */
#ifndef JOBSTATUS_H
#define JOBSTATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum job_status_value { JOB_NOT_YET_RUN, JOB_SUCCESSFUL, JOB_FAILED, JOB_DISABLED };

struct job_metric {
    bool present;
    int64_t value;
};

struct job_status {
    enum job_status_value status;
    bool has_last_run;
    int64_t last_run;      /* Unix seconds */
    char *failure_message; /* malloc'd, NULL when absent */
    struct job_metric deleted_records;
    struct job_metric deleted_files;
    struct job_metric removed_bytes;
};

/* The model's name for a status, e.g. "NotYetRun". */
const char *job_status_name(enum job_status_value v);

/* Returns 0, or -1 with a one-line reason (e.g. `no "status" member`). */
int job_status_decode(const char *body, size_t len, struct job_status *out, char *err,
                      size_t errlen);

void job_status_free(struct job_status *js);

#endif
