#include "config.h"

#include "deadline.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

static const char *const step_names[STEP_COUNT] = {
    "starting",
    "reading the AWS config files",
    "getting credentials",
    "running credential_process",
    "assuming a role with STS",
    "querying the EC2 instance metadata service",
    "querying the container credentials endpoint",
    "getting credentials from IAM Identity Center (SSO)",
    "calling GetTableRecordExpirationJobStatus",
    "looking up the table with GetTable",
    "listing the bucket's tables with ListTables",
    "calling GetTableRecordExpirationJobStatus for the bucket's tables",
    "reporting",
};

/*
 * The signal handlers can only use what was prepared before: one
 * finished output line per step, and the step index. This is the only
 * mutable state outside main's structs, and it is why.
 */
static char timeout_lines[STEP_COUNT][160];
static volatile sig_atomic_t current_step;
static volatile sig_atomic_t child_pgid;
static int expiry_state;
static unsigned timeout_seconds;
static struct timespec deadline_at;

static void
deadline_kill_child(void)
{
    if (child_pgid > 0)
        kill(-(pid_t)child_pgid, SIGKILL);
}

static void
deadline_on_alarm(int sig)
{
    (void)sig;
    deadline_kill_child();
    const char *line = timeout_lines[current_step];
    ssize_t ignored = write(STDOUT_FILENO, line, strlen(line));
    (void)ignored;
    _exit(expiry_state);
}

static void
deadline_on_interrupt(int sig)
{
    (void)sig;
    deadline_kill_child();
    static const char line[] = OUTPUT_PREFIX " UNKNOWN - interrupted\n";
    ssize_t ignored = write(STDOUT_FILENO, line, sizeof(line) - 1);
    (void)ignored;
    _exit(STATE_UNKNOWN);
}

void
deadline_start(unsigned seconds, enum state on_expiry)
{
    for (int i = 0; i < STEP_COUNT; i++)
        snprintf(timeout_lines[i], sizeof(timeout_lines[i]),
                 "%s %s - timeout after %u s while %s\n", OUTPUT_PREFIX, state_name(on_expiry),
                 seconds, step_names[i]);
    expiry_state = (int)on_expiry;
    timeout_seconds = seconds;
    clock_gettime(CLOCK_MONOTONIC, &deadline_at);
    deadline_at.tv_sec += seconds;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = deadline_on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = deadline_on_interrupt;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A closed pipe must give an error to handle, not a death by signal. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    alarm(seconds);
}

void
deadline_step(enum deadline_step step)
{
    current_step = step;
}

/* After this no timeout line can be printed: a SIGALRM already raised but
 * not yet handled (valgrind, for one, delivers signals late) stays
 * pending, blocked, until the process ends. */
void
deadline_stop(void)
{
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    alarm(0);
}

void
deadline_watch_child(int pgid)
{
    child_pgid = pgid;
}

enum deadline_step
deadline_current_step(void)
{
    return (enum deadline_step)current_step;
}

void
deadline_timeout_message(char *out, size_t outlen)
{
    snprintf(out, outlen, "timeout after %u s while %s", timeout_seconds, step_names[current_step]);
}

long
deadline_remaining_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(deadline_at.tv_sec - now.tv_sec) * 1000 +
                   (deadline_at.tv_nsec - now.tv_nsec) / 1000000;
    return ms < 1 ? 1 : (long)ms;
}
