#include "config.h"

#include "extraopts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ini.h"

#define EXTRA_OPTS "--extra-opts"
#define EXTRA_FILE_MAX (1024 * 1024)

static const char *const default_files[] = {
    "/etc/nagios/plugins.ini",           "/usr/local/nagios/etc/plugins.ini",
    "/usr/local/etc/nagios/plugins.ini", "/etc/opt/nagios/plugins.ini",
    "/etc/nagios-plugins.ini",           "/usr/local/etc/nagios-plugins.ini",
    "/etc/opt/nagios-plugins.ini",       "/etc/monitoring-plugins/monitoring-plugins.ini",
};

struct extra_collect {
    struct extra_opts *x;
    const char *section;
    char **args;
    int n_args;
    bool found_section;
    bool failed;
};

static char *
extra_own(struct extra_opts *x, char *s)
{
    char **grown = s != NULL ? realloc(x->owned, (x->n_owned + 1) * sizeof(*grown)) : NULL;
    if (grown == NULL) {
        free(s);
        return NULL;
    }
    x->owned = grown;
    x->owned[x->n_owned++] = s;
    return s;
}

static int
extra_on_setting(void *ud, const char *section, const char *key, const char *value)
{
    struct extra_collect *c = ud;
    if (strcmp(section, c->section) != 0)
        return 0;
    c->found_section = true;
    if (key == NULL)
        return 0;
    struct buf arg = BUF_INIT;
    buf_printf(&arg, "--%s%s%s", key, *value ? "=" : "", value);
    char *s = extra_own(c->x, buf_detach(&arg));
    char **grown = s != NULL ? realloc(c->args, (size_t)(c->n_args + 1) * sizeof(*grown)) : NULL;
    if (grown == NULL) {
        c->failed = true;
        return -2;
    }
    c->args = grown;
    c->args[c->n_args++] = s;
    return 0;
}

static char *
extra_read(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "--extra-opts: cannot read %s", path);
        return NULL;
    }
    struct buf b = BUF_INIT;
    int rc = buf_read_stream(&b, f, EXTRA_FILE_MAX);
    fclose(f);
    if (rc != 0) {
        snprintf(err, errlen, "--extra-opts: cannot read %s", path);
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* The file to read when --extra-opts names none. */
static const char *
extra_default_file(char *scratch, size_t len)
{
    const char *dirs = getenv("NAGIOS_CONFIG_PATH");
    while (dirs != NULL && *dirs != '\0') {
        size_t n = strcspn(dirs, ":");
        snprintf(scratch, len, "%.*s/plugins.ini", (int)n, dirs);
        if (access(scratch, R_OK) == 0)
            return scratch;
        dirs += n + (dirs[n] == ':');
    }
    for (size_t i = 0; i < sizeof(default_files) / sizeof(default_files[0]); i++)
        if (access(default_files[i], R_OK) == 0)
            return default_files[i];
    return NULL;
}

/* Reads one --extra-opts spec into c->args. */
static int
extra_load(const char *spec, struct extra_collect *c, char *err, size_t errlen)
{
    char section[256], scratch[1024];
    const char *at = strchr(spec, '@');
    size_t slen = at != NULL ? (size_t)(at - spec) : strlen(spec);
    if (slen >= sizeof(section)) {
        snprintf(err, errlen, "--extra-opts: section name too long");
        return -1;
    }
    if (slen > 0) {
        memcpy(section, spec, slen);
        section[slen] = '\0';
        c->section = section;
    }
    const char *path = at != NULL ? at + 1 : extra_default_file(scratch, sizeof(scratch));
    if (path == NULL) {
        snprintf(err, errlen, "--extra-opts: no plugins.ini found");
        return -1;
    }
    char *text = extra_read(path, err, errlen);
    if (text == NULL)
        return -1;
    char why[256];
    c->found_section = false;
    int rc = ini_parse(text, extra_on_setting, c, why, sizeof(why));
    free(text);
    if (c->failed)
        snprintf(err, errlen, "--extra-opts: out of memory");
    else if (rc != 0)
        snprintf(err, errlen, "--extra-opts: %s: %s", path, why);
    else if (!c->found_section)
        snprintf(err, errlen, "--extra-opts: no section [%s] in %s", c->section, path);
    return rc != 0 || c->failed || !c->found_section ? -1 : 0;
}

static bool
extra_is_opt(const char *arg)
{
    return strcmp(arg, EXTRA_OPTS) == 0 || strncmp(arg, EXTRA_OPTS "=", sizeof(EXTRA_OPTS)) == 0;
}

int
extra_opts_expand(int argc, char **argv, const char *plugin_name, struct extra_opts *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct extra_collect c = {.x = out};
    int n_specs = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!extra_is_opt(argv[i]))
            continue;
        n_specs++;
        c.section = plugin_name;
        const char *spec =
            argv[i][sizeof(EXTRA_OPTS) - 1] == '=' ? argv[i] + sizeof(EXTRA_OPTS) : "";
        if (extra_load(spec, &c, err, errlen) != 0) {
            free(c.args);
            extra_opts_free(out);
            return -1;
        }
    }
    if (n_specs == 0) {
        out->argv = argv;
        out->argc = argc;
        return 0;
    }
    char **v = malloc((size_t)(argc + c.n_args + 1) * sizeof(*v));
    if (v == NULL) {
        free(c.args);
        extra_opts_free(out);
        snprintf(err, errlen, "--extra-opts: out of memory");
        return -1;
    }
    int n = 0;
    bool options_end = false;
    v[n++] = argv[0];
    for (int i = 0; i < c.n_args; i++)
        v[n++] = c.args[i];
    for (int i = 1; i < argc; i++) {
        options_end = options_end || strcmp(argv[i], "--") == 0;
        if (options_end || !extra_is_opt(argv[i]))
            v[n++] = argv[i];
    }
    v[n] = NULL;
    free(c.args);
    out->argv = out->expanded = v;
    out->argc = n;
    return 0;
}

void
extra_opts_free(struct extra_opts *x)
{
    for (size_t i = 0; i < x->n_owned; i++)
        free(x->owned[i]);
    free(x->owned);
    free(x->expanded);
    memset(x, 0, sizeof(*x));
}
