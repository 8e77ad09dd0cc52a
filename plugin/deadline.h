/*
 * deadline.h - the one deadline of the run (-t).
 *
 * deadline_start arms a timer for the whole run. Each network step gets
 * only what is left (deadline_remaining_ms). Should a step overrun
 * anyway, the timer prints "S3TABLES_EXPIRATION <STATE> - timeout after
 * N s while <step>" and exits with the -t state, from the signal
 * handler. SIGTERM and SIGINT end the run as UNKNOWN "interrupted".
 */
#ifndef DEADLINE_H
#define DEADLINE_H

#include <stddef.h>

#include "state.h"

enum deadline_step {
    STEP_STARTING,
    STEP_READING_CONFIG,
    STEP_CREDENTIALS,
    STEP_CREDENTIAL_PROCESS,
    STEP_ASSUMING_ROLE,
    STEP_INSTANCE_METADATA,
    STEP_CONTAINER_CREDENTIALS,
    STEP_SSO,
    STEP_CALLING_API,
    STEP_LOOKING_UP_TABLE,
    STEP_LISTING_TABLES,
    STEP_CHECKING_TABLES,
    STEP_REPORTING,
    STEP_COUNT
};

void deadline_start(unsigned seconds, enum state on_expiry);

/* Names the step now running, for the timeout message. */
void deadline_step(enum deadline_step step);

/* The verdict is being written: no timeout line may follow it (nor
 * change the exit status) while the run prints and cleans up. */
void deadline_stop(void);
enum deadline_step deadline_current_step(void);

/* "timeout after N s while <step now running>" (no prefix, no newline). */
void deadline_timeout_message(char *out, size_t outlen);

/* A child process group (credential_process) to kill if the deadline
 * strikes while it runs; 0 when there is none. */
void deadline_watch_child(int pgid);

/* Milliseconds left, at least 1 (libcurl treats 0 as "no limit"). */
long deadline_remaining_ms(void);

#endif
