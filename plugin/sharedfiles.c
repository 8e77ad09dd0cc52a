#include "config.h"

#include "sharedfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "env.h"

#define SHARED_FILE_MAX (1024 * 1024) /* a config file is never this big */

/* $NAME and ${NAME} replaced by the variable's value (an unset one is
 * left as written), as Python's os.path.expandvars does for botocore. */
static void
shared_expand_vars(const char *in, struct buf *out)
{
    for (const char *p = in; *p != '\0';) {
        const char *name = p + 1;
        bool braced = *name == '{';
        if (braced)
            name++;
        size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
        if (*p != '$' || n == 0 || (braced && name[n] != '}')) {
            buf_putc(out, *p++);
            continue;
        }
        char var[256];
        const char *value = NULL;
        if (n < sizeof(var)) {
            memcpy(var, name, n);
            var[n] = '\0';
            value = getenv(var);
        }
        const char *after = name + n + (braced ? 1 : 0);
        if (value != NULL)
            buf_puts(out, value);
        else
            buf_append(out, p, (size_t)(after - p));
        p = after;
    }
}

/* The path of a shared file: the variable's value with variables and a
 * leading "~" expanded, as botocore expands it; a variable set but empty
 * means no file (out is then ""). */
static void
shared_path(char *out, size_t outlen, const char *env_name, const char *default_rel)
{
    const char *home = env_home();
    const char *env = getenv(env_name);
    if (home == NULL)
        home = "";
    if (env == NULL) {
        snprintf(out, outlen, "%s/%s", home, default_rel);
        return;
    }
    struct buf b = BUF_INIT;
    shared_expand_vars(env, &b);
    const char *path = buf_str(&b);
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        snprintf(out, outlen, "%s%s", home, path + 1);
    else
        snprintf(out, outlen, "%s", path);
    buf_free(&b);
}

int
shared_file_read(const char *path, char **text, char *err, size_t errlen)
{
    *text = NULL;
    if (path[0] == '\0')
        return 0;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read %s: not a regular file", path);
        close(fd);
        return -1;
    }
    /* These files can name a command to run (credential_process): only
     * trust what this user or root owns and nobody else can change. */
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        snprintf(err, errlen, "refusing to read %s: owned by uid %ld, not by this user or root",
                 path, (long)st.st_uid);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IWOTH | S_IWGRP)) {
        snprintf(err, errlen, "refusing to read %s: %s can write to it (chmod go-w)", path,
                 st.st_mode & S_IWOTH ? "anyone" : "its group");
        close(fd);
        return -1;
    }
    struct buf b = BUF_INIT;
    int rc = buf_read_fd(&b, fd, SHARED_FILE_MAX);
    int saved = errno;
    close(fd);
    if (rc != 0) {
        snprintf(err, errlen, "cannot read %s: %s", path,
                 rc > 0           ? "larger than 1 MiB"
                 : buf_failed(&b) ? "out of memory"
                                  : strerror(saved));
        buf_free(&b);
        return -1;
    }
    *text = buf_detach(&b);
    return 0;
}

int
shared_files_load(struct shared_files *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    shared_path(f->credentials_path, sizeof(f->credentials_path), "AWS_SHARED_CREDENTIALS_FILE",
                ".aws/credentials");
    shared_path(f->config_path, sizeof(f->config_path), "AWS_CONFIG_FILE", ".aws/config");
    if (shared_file_read(f->credentials_path, &f->credentials_text, err, errlen) != 0 ||
        shared_file_read(f->config_path, &f->config_text, err, errlen) != 0) {
        shared_files_free(f);
        return -1;
    }
    return 0;
}

int
shared_files_profile(const struct shared_files *f, const char *name, struct profile *out, char *err,
                     size_t errlen)
{
    return profile_load(out, name, f->credentials_text, f->credentials_path, f->config_text,
                        f->config_path, err, errlen);
}

static void
shared_wipe(char **s)
{
    secret_free(*s);
    *s = NULL;
}

void
shared_files_free(struct shared_files *f)
{
    shared_wipe(&f->credentials_text);
    shared_wipe(&f->config_text);
}
