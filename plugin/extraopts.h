/*
 * extraopts.h - Monitoring Plugins' --extra-opts[=SECTION][@FILE].
 *
 * Reads "option = value" lines of an ini section (default: the plugin's
 * name) and turns them into "--option=value" arguments placed before the
 * rest of the command line, so the command line still wins. "option ="
 * with no value becomes "--option". Without @FILE the usual plugins.ini
 * locations are searched (NAGIOS_CONFIG_PATH first). This keeps common
 * settings out of the process list.
 */
#ifndef EXTRAOPTS_H
#define EXTRAOPTS_H

#include <stddef.h>

struct extra_opts {
    char **argv; /* the expanded argument vector, NULL-terminated */
    int argc;
    char **owned; /* strings this struct allocated */
    size_t n_owned;
    char **expanded; /* argv when it was allocated here */
};

/* Fills out->argv/argc: argv itself when no --extra-opts is given.
 * Returns 0, or -1 with a one-line reason in err. */
int extra_opts_expand(int argc, char **argv, const char *plugin_name, struct extra_opts *out,
                      char *err, size_t errlen);

void extra_opts_free(struct extra_opts *x);

#endif
