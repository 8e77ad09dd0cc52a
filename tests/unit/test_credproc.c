/*
 * test_credproc.c - credential_process: splitting its command line, and
 * running it with stdin from /dev/null, stderr discarded, stdout capped,
 * in its own process group, under a deadline.
 *
 * The commands under test are /bin/sh, printf, sleep and head; each
 * scenario checks that no child is left unreaped.
 */
#include "config.h"

#include "credproc.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JSON "{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"S\"}"
/* Prints JSON (its $1) after the given shell commands. */
#define SH_THEN_JSON(script) "/bin/sh -c '" script "; printf \"%s\" \"$1\"' sh '" JSON "'"

/* ---- splitting ---- */

static void
check_split(const char *what, const char *cmd, const char *const *want)
{
    char **argv = NULL;
    char err[256] = "";
    int n = 0;
    while (want[n] != NULL)
        n++;
    int argc = credproc_split(cmd, &argv, err, sizeof err);
    if (!tap_is_int(argc, n, "split: %s: %d word(s)", what, n)) {
        tap_diag("err: %s", err);
    } else {
        for (int i = 0; i < n; i++)
            tap_is_str(argv[i], want[i], "split: %s: word %d", what, i);
        tap_ok(argv[n] == NULL, "split: %s: argv ends with NULL", what);
    }
    credproc_free_argv(argv);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
check_split_error(const char *what, const char *cmd, const char *want)
{
    char **argv = (char **)&argv;
    char err[256] = "";
    int argc = credproc_split(cmd, &argv, err, sizeof err);
    tap_is_int(argc, -1, "split: %s is refused", what);
    tap_is_str(err, want, "split: %s gives the reason", what);
    tap_ok(argv == NULL, "split: %s leaves argv NULL", what);
}

static void
test_split(void)
{
    check_split("one word", "credential-helper", WORDS("credential-helper"));
    check_split("plain words", "/usr/local/bin/helper --profile prod",
                WORDS("/usr/local/bin/helper", "--profile", "prod"));
    check_split("runs of blanks around", "  helper   a  ", WORDS("helper", "a"));
    check_split("tabs, newlines and CR separate", "helper\ta\nb\r\nc",
                WORDS("helper", "a", "b", "c"));
    check_split("single quotes keep blanks", "helper 'a b'  c", WORDS("helper", "a b", "c"));
    check_split("single quotes keep everything", "helper '\\n \"$HOME\" `x` \\'",
                WORDS("helper", "\\n \"$HOME\" `x` \\"));
    check_split("double quotes keep blanks", "helper \"a  b\"", WORDS("helper", "a  b"));
    check_split("double-quote escapes: only \\\" and \\\\ (shlex keeps \\$ and \\`)",
                "helper \"\\\" \\\\ \\$HOME \\`\"", WORDS("helper", "\" \\ \\$HOME \\`"));
    check_split("other backslashes stay in double quotes", "helper \"\\n\\a\\'\"",
                WORDS("helper", "\\n\\a\\'"));
    check_split("single quote inside double quotes", "helper \"it's\"", WORDS("helper", "it's"));
    check_split("backslash outside quotes", "helper a\\ b \\\"c\\' \\\\",
                WORDS("helper", "a b", "\"c'", "\\"));
    check_split("the shell's quote dance", "helper 'it'\\''s'", WORDS("helper", "it's"));
    check_split("quoted parts join one word", "a\"b\"'c'd", WORDS("abcd"));
    check_split("a quoted empty argument", "helper '' x", WORDS("helper", "", "x"));
    check_split("an empty double-quoted argument at the end", "helper \"\"", WORDS("helper", ""));
    check_split("only an empty argument", "''", WORDS(""));
    check_split("no variables, globs or tilde", "helper $HOME ~ ~/x *.json ${X}",
                WORDS("helper", "$HOME", "~", "~/x", "*.json", "${X}"));
    check_split("no operators, pipes or comments", "helper a|b;c && d > e # f",
                WORDS("helper", "a|b;c", "&&", "d", ">", "e", "#", "f"));
    check_split("backslash-newline is an escaped newline (shlex)", "helper a\\\nb \\\n c",
                WORDS("helper", "a\nb", "\n", "c"));
    check_split("backslash-newline in double quotes stays (shlex)", "helper \"a\\\nb\"",
                WORDS("helper", "a\\\nb"));
    check_split("a newline inside quotes stays", "helper 'a\nb'", WORDS("helper", "a\nb"));
    check_split("UTF-8 passes through", "helper caf\xc3\xa9", WORDS("helper", "caf\xc3\xa9"));

    check_split_error("an empty command", "", "empty command");
    check_split_error("blanks only", " \t\n ", "empty command");
    check_split("an escaped newline only", "\\\n", WORDS("\n"));
    check_split_error("an unbalanced single quote", "helper 'abc", "unterminated single quote");
    check_split_error("an unbalanced double quote", "helper \"abc", "unterminated double quote");
    check_split_error("an escaped closing double quote", "helper \"abc\\\"",
                      "unterminated double quote");
    check_split_error("a single quote opened in double quotes", "helper \"a'b",
                      "unterminated double quote");
    check_split_error("a trailing backslash", "helper abc\\",
                      "backslash at the end of the command");
}

/* ---- running ---- */

struct run {
    int rc;
    bool timed_out;
    char err[512];
    struct credentials c;
    double seconds;
};

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
run(const char *cmd, long timeout_ms, struct run *r)
{
    memset(r, 0, sizeof *r);
    double start = now_seconds();
    r->rc = credproc_run(cmd, timeout_ms, time(NULL), &r->c, &r->timed_out, r->err, sizeof r->err);
    r->seconds = now_seconds() - start;
}

static void
check_reaped(const char *what)
{
    errno = 0;
    pid_t p = waitpid(-1, NULL, WNOHANG);
    tap_ok(p == -1 && errno == ECHILD, "run: %s leaves no child behind", what);
}

static void
check_nothing_allocated(const char *what, const struct run *r)
{
    tap_ok(r->c.access_key_id == NULL && r->c.secret_access_key == NULL &&
               r->c.session_token == NULL,
           "run: %s leaves no credentials", what);
}

/* Runs a command that must give the JSON document's credentials. */
static bool
check_runs(const char *what, const char *cmd, long timeout_ms, struct run *r)
{
    run(cmd, timeout_ms, r);
    bool pass = tap_is_int(r->rc, 0, "run: %s succeeds", what);
    if (!pass)
        tap_diag("err: %s", r->err);
    tap_ok(!r->timed_out, "run: %s is not a timeout", what);
    check_reaped(what);
    return pass;
}

static void
check_valid(const char *what, const char *cmd)
{
    struct run r;
    if (check_runs(what, cmd, 5000, &r)) {
        tap_is_str(r.c.access_key_id, "AKID", "run: %s: key id", what);
        tap_is_str(r.c.secret_access_key, "S", "run: %s: secret", what);
        tap_is_str(r.c.source, "credential_process", "run: %s: source", what);
    }
    credentials_free(&r.c);
}

static void
check_fails(const char *what, const char *cmd, const char *want)
{
    struct run r;
    run(cmd, 5000, &r);
    tap_is_int(r.rc, -1, "run: %s fails", what);
    tap_is_str(r.err, want, "run: %s gives the reason", what);
    tap_ok(!r.timed_out, "run: %s is not a timeout", what);
    tap_ok(strstr(r.err, "secret-text") == NULL, "run: %s: the reason quotes no output", what);
    check_nothing_allocated(what, &r);
    check_reaped(what);
}

static void
check_times_out(const char *what, const char *cmd)
{
    struct run r;
    run(cmd, 300, &r);
    tap_is_int(r.rc, -1, "run: %s fails", what);
    tap_ok(r.timed_out, "run: %s is a timeout", what);
    tap_is_str(r.err, "credential_process timed out", "run: %s gives the reason", what);
    tap_ok(r.seconds >= 0.25 && r.seconds < 3.0, "run: %s ends at the deadline (%.2f s)", what,
           r.seconds);
    check_nothing_allocated(what, &r);
    check_reaped(what);
}

static void
test_success(void)
{
    struct run r;

    check_valid("printf of a JSON document", "/bin/printf '" JSON "'");
    check_valid("a program found through PATH", "printf '" JSON "'");
    check_valid("a shell script", SH_THEN_JSON(":"));
    if (check_runs("the full document",
                   "/bin/printf '{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": "
                   "\"S\", \"SessionToken\": \"T\", \"Expiration\": \"2999-01-01T00:00:00Z\"}'",
                   5000, &r)) {
        tap_is_str(r.c.session_token, "T", "run: the full document: token");
        tap_ok(r.c.has_expiration, "run: the full document: has an expiration");
        tap_is_int(r.c.expiration, INT64_C(32472144000), "run: the full document: expiration");
    }
    credentials_free(&r.c);

    setenv("CREDPROC_TEST_KEY_ID", "AKIDFROMENV", 1);
    if (check_runs("a command reading the environment",
                   "/bin/sh -c 'printf \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"%s\\\", "
                   "\\\"SecretAccessKey\\\": \\\"S\\\"}\" \"$CREDPROC_TEST_KEY_ID\"'",
                   5000, &r))
        tap_is_str(r.c.access_key_id, "AKIDFROMENV", "run: the environment is inherited");
    credentials_free(&r.c);
    unsetenv("CREDPROC_TEST_KEY_ID");

    /* 64 KiB exactly: the document padded with blanks. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/bin/sh -c 'printf \"%%s\" \"$1\"; /usr/bin/head -c %zu /dev/zero | /usr/bin/tr "
             "\"\\0\" \" \"' sh '%s'",
             (size_t)65536 - strlen(JSON), JSON);
    check_valid("output of exactly 64 KiB", cmd);
}

static void
test_failures(void)
{
    char want[512];

    check_fails("exit 3", "/bin/sh -c 'exit 3'", "credential_process exited with status 3");
    check_fails("a failure explained on stderr", "/bin/sh -c 'echo secret-text >&2; exit 1'",
                "credential_process exited with status 1");
    check_fails("a failure printing on stdout", "/bin/sh -c 'printf secret-text; exit 1'",
                "credential_process exited with status 1");
    check_fails("a JSON document and a non-zero exit", SH_THEN_JSON("trap \"exit 2\" EXIT"),
                "credential_process exited with status 2");
    check_fails("a process killing itself", "/bin/sh -c 'kill -9 $$'",
                "credential_process killed by signal 9");
    check_fails("text instead of JSON", "/bin/printf 'secret-text'",
                "credential_process: output is not valid JSON: unexpected character");
    check_fails("no output", "/bin/true", "credential_process: empty output");
    check_fails(
        "Version 2",
        "/bin/printf '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'",
        "credential_process: unsupported \"Version\" 2 (supported: 1)");
    check_fails("expired credentials",
                "/bin/printf '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
                "\"secret-text\", \"Expiration\": \"2000-01-01T00:00:00Z\"}'",
                "credential_process: credentials expired at 2000-01-01T00:00:00Z");
    check_fails("an empty command", " ", "credential_process: empty command");
    check_fails("an unbalanced quote", "helper 'secret-text",
                "credential_process: unterminated single quote");

    snprintf(want, sizeof want, "credential_process: cannot run /nonexistent/helper: %s",
             strerror(ENOENT));
    check_fails("a program that does not exist", "/nonexistent/helper --secret-text", want);
    snprintf(want, sizeof want, "credential_process: cannot run no-such-credential-helper: %s",
             strerror(ENOENT));
    check_fails("a name not found in PATH", "no-such-credential-helper", want);
    snprintf(want, sizeof want, "credential_process: cannot run /dev/null: %s", strerror(EACCES));
    check_fails("a file that is not executable", "/dev/null", want);
    snprintf(want, sizeof want, "credential_process: cannot run : %s", strerror(ENOENT));
    check_fails("an empty program name", "''", want);

    check_fails("70000 bytes of output", "/usr/bin/head -c 70000 /dev/zero",
                "credential_process output too large");
    check_fails("endless output", "/usr/bin/yes secret-text",
                "credential_process output too large");
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/bin/sh -c 'printf \"%%s\" \"$1\"; /usr/bin/head -c %zu /dev/zero | /usr/bin/tr "
             "\"\\0\" \" \"' sh '%s'",
             (size_t)65537 - strlen(JSON), JSON);
    check_fails("64 KiB and one byte of output", cmd, "credential_process output too large");
}

/* Whether pid is gone (or a zombie waiting for init), within a second. */
static bool
process_gone(pid_t pid)
{
    for (int i = 0; i < 100; i++) {
        char path[64], stat[256] = "";
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return true;
        snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            size_t n = fread(stat, 1, sizeof stat - 1, f);
            fclose(f);
            stat[n] = '\0';
            const char *paren = strrchr(stat, ')');
            if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z')
                return true;
        }
        usleep(10000);
    }
    return false;
}

static void
test_timeouts(void)
{
    check_times_out("sleep 5", "/bin/sleep 5");
    check_times_out("a process closing stdout and going on", "/bin/sh -c 'exec >&-; sleep 5'");
    check_times_out("a process that answers, then lingers",
                    SH_THEN_JSON("trap \"exec >&-; sleep 5\" EXIT"));

    /* A background process holding stdout holds the output open, as in the
     * SDKs: at the deadline the whole group is killed, the helper too. */
    char pidfile[] = "/tmp/test_credproc.XXXXXX";
    int fd = mkstemp(pidfile);
    if (fd < 0) {
        tap_skip("run: no temporary file for the grandchild test");
        return;
    }
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/bin/sh -c 'sleep 5 & echo $! > \"$2\"; printf \"%%s\" \"$1\"' sh '%s' '%s'", JSON,
             pidfile);
    check_times_out("a grandchild keeping stdout open", cmd);
    FILE *f = fopen(pidfile, "r");
    long grandchild = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld", &grandchild) != 1)
            grandchild = 0;
        fclose(f);
    }
    unlink(pidfile);
    if (tap_ok(grandchild > 0, "run: the grandchild's pid was recorded"))
        tap_ok(process_gone((pid_t)grandchild), "run: the grandchild was killed with the group");

    /* Within the deadline, the output ends when the grandchild lets go. */
    struct run r;
    if (check_runs("a grandchild keeping stdout open for 1 s", SH_THEN_JSON("/bin/sleep 1 & :"),
                   5000, &r))
        tap_ok(r.seconds >= 0.9, "run: the output ended at the grandchild's exit (%.2f s)",
               r.seconds);
    credentials_free(&r.c);
}

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void
test_isolation(void)
{
    struct run r;

    /* stdin is /dev/null even when ours has something to read. */
    int saved_in = dup(STDIN_FILENO), p[2];
    if (saved_in >= 0 && pipe(p) == 0) {
        if (write(p[1], "line\n", 5) == 5 && dup2(p[0], STDIN_FILENO) == STDIN_FILENO)
            check_valid("a process reading stdin",
                        SH_THEN_JSON("if read -r line; then exit 5; fi"));
        dup2(saved_in, STDIN_FILENO);
        close(p[0]);
        close(p[1]);
        close(saved_in);
    }

    /* stderr goes nowhere: not to ours. */
    char errfile[] = "/tmp/test_credproc.XXXXXX";
    int efd = mkstemp(errfile);
    int saved_err = dup(STDERR_FILENO);
    if (efd >= 0 && saved_err >= 0 && dup2(efd, STDERR_FILENO) == STDERR_FILENO) {
        run(SH_THEN_JSON("echo secret-text >&2"), 5000, &r);
        dup2(saved_err, STDERR_FILENO);
        tap_is_int(r.rc, 0, "run: a process writing to stderr succeeds");
        credentials_free(&r.c);
        struct stat st;
        tap_ok(fstat(efd, &st) == 0 && st.st_size == 0, "run: its stderr is not ours");
        check_reaped("a process writing to stderr");
    }
    if (saved_err >= 0)
        close(saved_err);
    if (efd >= 0) {
        close(efd);
        unlink(errfile);
    }

    /* Descriptors without FD_CLOEXEC do not leak into the process. */
    int leak = open("/dev/null", O_RDONLY);
    if (leak >= 0 && dup2(leak, 9) == 9) {
        check_valid("a process looking for an inherited fd 9",
                    SH_THEN_JSON("if true 2>/dev/null >&9; then exit 4; fi"));
        close(9);
    }
    if (leak >= 0)
        close(leak);

    if (access("/proc/self/stat", R_OK) == 0)
        check_valid("a process in its own process group",
                    SH_THEN_JSON("read -r pid comm state ppid pgrp rest < /proc/$$/stat; "
                                 "[ \"$pgrp\" = \"$$\" ] || exit 6"));
    else
        tap_skip("run: no /proc to read the process group from");

    /* Signals arriving while it waits (EINTR) change nothing. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, &old);
    struct itimerval every_10ms = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every_10ms, NULL);
    check_valid("a 1 s process under a rain of signals", SH_THEN_JSON("/bin/sleep 1"));
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    tap_ok(alarms > 10, "run: the signals did arrive (%d)", (int)alarms);
}

int
main(void)
{
    test_split();
    test_success();
    test_failures();
    test_timeouts();
    test_isolation();
    return tap_done();
}
