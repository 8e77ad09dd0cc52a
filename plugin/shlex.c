#include "config.h"

#include "shlex.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Word separators, as botocore's shlex.split has them. */
static bool
shlex_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
shlex_push(char ***argv, int *argc, const char *word, size_t len)
{
    char **bigger = realloc(*argv, ((size_t)*argc + 2) * sizeof(char *));
    if (bigger == NULL)
        return -1;
    *argv = bigger;
    bigger[*argc] = strndup(word, len);
    if (bigger[*argc] == NULL)
        return -1;
    bigger[++*argc] = NULL;
    return 0;
}

/*
 * One word from *pp into word (room for strlen(*pp) bytes): 1 with *len
 * set, 0 at the end of the command, -1 with err. The rules are those of
 * Python's shlex.split in POSIX mode, which botocore uses: a word exists
 * as soon as a quote opens, so '' is an empty argument; outside quotes a
 * backslash takes the next character literally (a newline too); inside
 * double quotes it escapes only '"' and '\\' and is otherwise kept.
 */
static int
shlex_next_word(const char **pp, char *word, size_t *len, char *err, size_t errlen)
{
    const char *p = *pp;
    size_t n = 0;
    bool started = false;

    for (;;) {
        while (!started && shlex_is_space(*p))
            p++;
        if (*p == '\0' || (started && shlex_is_space(*p)))
            break;
        started = true;
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (end == NULL) {
                snprintf(err, errlen, "unterminated single quote");
                return -1;
            }
            memcpy(word + n, p + 1, (size_t)(end - p - 1));
            n += (size_t)(end - p - 1);
            p = end + 1;
        } else if (*p == '"') {
            for (p++; *p != '"'; p++) {
                if (*p == '\0' || (*p == '\\' && p[1] == '\0')) {
                    snprintf(err, errlen, "unterminated double quote");
                    return -1;
                }
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                word[n++] = *p;
            }
            p++;
        } else if (*p == '\\') {
            if (p[1] == '\0') {
                snprintf(err, errlen, "backslash at the end of the command");
                return -1;
            }
            word[n++] = p[1];
            p += 2;
        } else {
            word[n++] = *p++;
        }
    }
    *pp = p;
    *len = n;
    return started ? 1 : 0;
}

int
shlex_split(const char *s, char ***argv_out, char *err, size_t errlen)
{
    char **argv = calloc(1, sizeof(char *));
    int argc = 0;
    char *word = malloc(strlen(s) + 1);
    const char *p = s;
    size_t len;
    int more;

    *argv_out = NULL;
    if (word == NULL || argv == NULL) {
        free(word);
        free(argv);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    while ((more = shlex_next_word(&p, word, &len, err, errlen)) > 0) {
        if (shlex_push(&argv, &argc, word, len) != 0) {
            snprintf(err, errlen, "out of memory");
            more = -1;
            break;
        }
    }
    free(word);
    if (more < 0) {
        shlex_free(argv);
        return -1;
    }
    *argv_out = argv;
    return argc;
}

void
shlex_free(char **argv)
{
    if (argv == NULL)
        return;
    for (char **a = argv; *a != NULL; a++)
        free(*a);
    free(argv);
}
