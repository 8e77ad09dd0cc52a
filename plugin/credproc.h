/*
 * credproc.h - the profile setting credential_process: runs a command
 * (never through a shell) and reads credentials from its stdout.
 *
 * The command line is split into words exactly as botocore does it, with
 * Python's shlex.split in POSIX mode (single and double quotes, backslash
 * escapes; no expansion of any kind). stdin is /dev/null, stderr is discarded, stdout is captured
 * (capped) and never echoed. The process is killed when the deadline
 * passes.
 */
#ifndef CREDPROC_H
#define CREDPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "credentials.h"

/* Splits cmd into a NULL-terminated malloc'd argv (free with
 * credproc_free_argv). Returns the argc, or -1 with err (unbalanced
 * quote, empty command). Pure. */
int credproc_split(const char *cmd, char ***argv_out, char *err, size_t errlen);
void credproc_free_argv(char **argv);

/* Runs the command, bounded by timeout_ms. Fills out (not its source).
 * 0, or -1 with err; timed_out set when it was killed for taking too long. */
int credproc_run(const char *cmd, long timeout_ms, time_t now, struct credentials *out,
                 bool *timed_out, char *err, size_t errlen);

#endif
