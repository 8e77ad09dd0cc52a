/*
 * shlex.h - splits a string into words exactly as Python's shlex.split
 * does in POSIX mode, which is how botocore splits a credential_process
 * command line and a config file's "[profile NAME]" section name.
 *
 * Single quotes keep everything; double quotes keep everything but
 * \" and \\ (a backslash before anything else stays); outside quotes a
 * backslash takes the next character literally. Blanks (space, tab, CR,
 * LF) separate words; a quote opens a word, so '' is an empty word.
 * Nothing is expanded. Pure.
 */
#ifndef SHLEX_H
#define SHLEX_H

#include <stddef.h>

/* Sets *argv_out to a NULL-terminated array of malloc'd words (free it
 * with shlex_free) and returns their number, possibly 0; or returns -1
 * with the reason in err (an unbalanced quote, a trailing backslash). */
int shlex_split(const char *s, char ***argv_out, char *err, size_t errlen);

void shlex_free(char **argv);

#endif
