/*
 * fuzz_jobstatus.c - job_status_decode on any body, as the API could send.
 *
 * Input: the HTTP body, passed with its length (not NUL-terminated).
 * Checks: success gives a known status and non-negative metrics; failure
 * gives a one-line reason and leaves nothing to free.
 */
#include "config.h"

#include "fuzz.h"
#include "jobstatus.h"

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, widened by a day for offsets. */
#define YEAR_1_SECONDS (-62135596800LL - 86400)
#define YEAR_9999_SECONDS (253402300799LL + 86400)

static void
check_metric(const struct job_metric *m)
{
    FUZZ_CHECK(m->present || m->value == 0);
    FUZZ_CHECK(m->value >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_bytes(data, size);
    struct job_status js;
    char err[512];

    fuzz_poison(err, sizeof err);
    int rc = job_status_decode(body, size, &js, err, sizeof err);
    if (rc == 0) {
        FUZZ_CHECK((unsigned)js.status <= JOB_DISABLED);
        FUZZ_CHECK(strcmp(job_status_name(js.status), "?") != 0);
        FUZZ_CHECK(js.has_last_run || js.last_run == 0);
        FUZZ_CHECK(!js.has_last_run ||
                   (js.last_run >= YEAR_1_SECONDS && js.last_run <= YEAR_9999_SECONDS));
        check_metric(&js.deleted_records);
        check_metric(&js.deleted_files);
        check_metric(&js.removed_bytes);
    } else {
        FUZZ_CHECK(rc == -1);
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
        FUZZ_CHECK(js.failure_message == NULL);
    }
    job_status_free(&js);
    FUZZ_CHECK(js.failure_message == NULL);
    free(body);
    return 0;
}
