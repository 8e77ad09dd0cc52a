#include "config.h"

#include "credproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credjson.h"
#include "deadline.h"
#include "shlex.h"
#include "text.h"

#if defined(HAVE_CLOSE_RANGE) ||                                                                   \
    (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)))
#define CREDPROC_CLOSE_RANGE 1
#endif

/* More than any credentials document; the SDKs have no limit, we must. */
#define CREDPROC_MAX_OUTPUT (64 * 1024)

/* The child's copy of the exec-status pipe, once stdio is in place. */
#define CREDPROC_STATUS_FD 3

int
credproc_split(const char *cmd, char ***argv_out, char *err, size_t errlen)
{
    int argc = shlex_split(cmd, argv_out, err, errlen);
    if (argc == 0) {
        shlex_free(*argv_out);
        *argv_out = NULL;
        snprintf(err, errlen, "empty command");
        return -1;
    }
    return argc;
}

void
credproc_free_argv(char **argv)
{
    shlex_free(argv);
}

static int64_t
credproc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is readable: 1, 0 when the deadline passed, -1 on error. */
static int
credproc_wait_readable(int fd, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - credproc_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

static ssize_t
credproc_read(int fd, void *data, size_t len)
{
    ssize_t got;
    do
        got = read(fd, data, len);
    while (got < 0 && errno == EINTR);
    return got;
}

static void
credproc_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Keeps fd off 0-2, so that the child's dup2 onto stdio cannot clobber it. */
static int
credproc_above_stdio(int *fd)
{
    if (*fd > STDERR_FILENO)
        return 0;
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, CREDPROC_STATUS_FD + 1);
    if (moved < 0)
        return -1;
    close(*fd);
    *fd = moved;
    return 0;
}

static int
credproc_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    if (credproc_above_stdio(&fds[0]) != 0 || credproc_above_stdio(&fds[1]) != 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

/* Async-signal-safe from here to exec: the parent may have threads (libcurl). */
static _Noreturn void
credproc_child_fail(int status_fd)
{
    int e = errno;
    ssize_t n;
    do
        n = write(status_fd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    _exit(127);
}

static void
credproc_close_from(int lowfd, int maxfd)
{
#ifdef CREDPROC_CLOSE_RANGE
    if (close_range((unsigned)lowfd, ~0U, 0) == 0)
        return;
#endif
    for (int fd = lowfd; fd < maxfd; fd++)
        close(fd);
}

static _Noreturn void
credproc_child(char **argv, int devnull, int out_w, int status_w, int maxfd)
{
    sigset_t none;
    struct sigaction dfl;

    /* What the plugin blocked or ignored is not the helper's business. */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);

    /* Its own group, so that a timeout kills whatever it started too. */
    setpgid(0, 0);
    if (dup2(devnull, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0 ||
        dup2(devnull, STDERR_FILENO) < 0)
        credproc_child_fail(status_w);
    if (status_w != CREDPROC_STATUS_FD && dup2(status_w, CREDPROC_STATUS_FD) < 0)
        credproc_child_fail(status_w);
    if (fcntl(CREDPROC_STATUS_FD, F_SETFD, FD_CLOEXEC) != 0)
        credproc_child_fail(CREDPROC_STATUS_FD);
    credproc_close_from(CREDPROC_STATUS_FD + 1, maxfd);
    execvp(argv[0], argv);
    credproc_child_fail(CREDPROC_STATUS_FD);
}

/* The child's pid and the read end of its stdout; 0, or -1 with err. */
static int
credproc_spawn(char **argv, int64_t deadline, pid_t *pid_out, int *out_fd, char *err, size_t errlen)
{
    int devnull = -1, out[2] = {-1, -1}, status[2] = {-1, -1};
    const char *failed = NULL;
    /* For the fallback close loop: fds past it are left to their FD_CLOEXEC. */
    struct rlimit rl;
    int maxfd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)maxfd)
        maxfd = (int)rl.rlim_cur;

    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0 || credproc_above_stdio(&devnull) != 0)
        failed = "cannot open /dev/null";
    else if (credproc_pipe(out) != 0 || credproc_pipe(status) != 0)
        failed = "cannot create a pipe";

    pid_t pid = -1;
    if (failed == NULL && (pid = fork()) < 0)
        failed = "cannot fork";
    if (pid == 0)
        credproc_child(argv, devnull, out[1], status[1], maxfd);
    if (failed != NULL) {
        snprintf(err, errlen, "credential_process: %s: %s", failed, strerror(errno));
        credproc_close(&devnull);
        credproc_close(&out[0]);
        credproc_close(&out[1]);
        credproc_close(&status[0]);
        credproc_close(&status[1]);
        return -1;
    }
    /* Also here, so that the group exists whichever of us runs first. */
    setpgid(pid, pid);
    credproc_close(&devnull);
    credproc_close(&out[1]);
    credproc_close(&status[1]);

    /* The status pipe closes on exec, or brings the errno of what failed. */
    int child_errno = 0;
    ssize_t got = 0;
    if (credproc_wait_readable(status[0], deadline) > 0)
        got = credproc_read(status[0], &child_errno, sizeof child_errno);
    credproc_close(&status[0]);
    if (got > 0) {
        char name[128];
        text_sanitize(name, sizeof name, argv[0], strlen(argv[0]));
        snprintf(err, errlen, "credential_process: cannot run %s: %s", name,
                 got == (ssize_t)sizeof child_errno ? strerror(child_errno) : "unknown error");
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        credproc_close(&out[0]);
        return -1;
    }
    *pid_out = pid;
    *out_fd = out[0];
    return 0;
}

enum credproc_end { CREDPROC_EOF, CREDPROC_TIMEOUT, CREDPROC_TOO_LARGE, CREDPROC_READ_ERROR };

/* Reads stdout until EOF into data (room for CREDPROC_MAX_OUTPUT + 1). */
static enum credproc_end
credproc_collect(int fd, int64_t deadline, char *data, size_t *len)
{
    *len = 0;
    for (;;) {
        int ready = credproc_wait_readable(fd, deadline);
        if (ready == 0)
            return CREDPROC_TIMEOUT;
        if (ready < 0)
            return CREDPROC_READ_ERROR;
        ssize_t got = credproc_read(fd, data + *len, CREDPROC_MAX_OUTPUT + 1 - *len);
        if (got < 0)
            return CREDPROC_READ_ERROR;
        if (got == 0)
            return CREDPROC_EOF;
        *len += (size_t)got;
        if (*len > CREDPROC_MAX_OUTPUT)
            return CREDPROC_TOO_LARGE;
    }
}

/* Waits for the exit after EOF (stdout may close early): 1, 0 at the deadline, -1. */
static int
credproc_wait_exit(pid_t pid, int64_t deadline, int *status)
{
    int pause_ms = 1;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        int64_t left = deadline - credproc_now_ms();
        if (left <= 0)
            return 0;
        poll(NULL, 0, left < pause_ms ? (int)left : pause_ms);
        if (pause_ms < 50)
            pause_ms *= 2;
    }
}

static void
credproc_kill(pid_t pid)
{
    if (kill(-pid, SIGKILL) != 0)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Runs argv and leaves its stdout in data; 0, or -1 with err. */
static int
credproc_execute(char **argv, long timeout_ms, char *data, size_t *len, bool *timed_out, char *err,
                 size_t errlen)
{
    int64_t deadline = credproc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    pid_t pid;
    int fd, status = 0;

    if (credproc_spawn(argv, deadline, &pid, &fd, err, errlen) != 0)
        return -1;
    deadline_watch_child(pid); /* killed with us, should the run's deadline strike first */
    enum credproc_end end = credproc_collect(fd, deadline, data, len);
    int read_errno = errno;
    close(fd);
    int exited = 0, wait_errno = 0;
    if (end == CREDPROC_EOF) {
        exited = credproc_wait_exit(pid, deadline, &status);
        wait_errno = errno;
    }
    /* Not after a failed waitpid: the pid may no longer be ours to kill. */
    if (end != CREDPROC_EOF || exited == 0)
        credproc_kill(pid);
    deadline_watch_child(0);

    if (end == CREDPROC_TIMEOUT || (end == CREDPROC_EOF && exited == 0)) {
        *timed_out = true;
        snprintf(err, errlen, "credential_process timed out");
    } else if (end == CREDPROC_TOO_LARGE) {
        snprintf(err, errlen, "credential_process output too large");
    } else if (end == CREDPROC_READ_ERROR) {
        snprintf(err, errlen, "credential_process: cannot read its output: %s",
                 strerror(read_errno));
    } else if (exited < 0) {
        snprintf(err, errlen, "credential_process: cannot wait for it: %s", strerror(wait_errno));
    } else if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "credential_process killed by signal %d", WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "credential_process exited with status %d", WEXITSTATUS(status));
    } else {
        return 0;
    }
    return -1;
}

int
credproc_run(const char *cmd, long timeout_ms, time_t now, struct credentials *out, bool *timed_out,
             char *err, size_t errlen)
{
    char **argv;
    char why[256];

    out->access_key_id = NULL;
    out->secret_access_key = NULL;
    out->session_token = NULL;
    out->has_expiration = false;
    *timed_out = false;
    if (credproc_split(cmd, &argv, why, sizeof why) < 0) {
        snprintf(err, errlen, "credential_process: %s", why);
        return -1;
    }
    char *data = malloc(CREDPROC_MAX_OUTPUT + 1);
    if (data == NULL) {
        credproc_free_argv(argv);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t len = 0;
    int rc = credproc_execute(argv, timeout_ms, data, &len, timed_out, err, errlen);
    credproc_free_argv(argv);
    if (rc == 0) {
        rc = credjson_decode(CREDJSON_PROCESS, data, len, (int64_t)now, out, why, sizeof why);
        if (rc != 0)
            snprintf(err, errlen, "credential_process: %s", why);
        else
            snprintf(out->source, sizeof out->source, "credential_process");
    }
    OPENSSL_cleanse(data, len);
    free(data);
    return rc;
}
