#include "config.h"

#include "credcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "env.h"
#include "iso8601.h"
#include "jsonstrict.h"
#include "sigv4.h"

#define CREDCACHE_VERSION 1
#define CREDCACHE_MARGIN 300         /* seconds before expiry an entry is no longer used */
#define CREDCACHE_FILE_MAX (64 * 1024) /* an entry is a few hundred bytes */
#define CREDCACHE_NAME "check_s3tables_expiration"

void
credcache_init(struct credcache *cc, const char *dir, bool off, int verbose)
{
    memset(cc, 0, sizeof(*cc));
    cc->verbose = verbose;
    cc->enabled = !off;
    if (off) {
        if (verbose >= 1)
            fprintf(stderr, "credential cache: off\n");
        return;
    }
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = env_home();
    if (dir != NULL)
        snprintf(cc->dir, sizeof(cc->dir), "%s", dir);
    else if (xdg != NULL && xdg[0] == '/') /* the XDG spec ignores a relative path */
        snprintf(cc->dir, sizeof(cc->dir), "%s/" CREDCACHE_NAME, xdg);
    else if (home != NULL && *home != '\0')
        snprintf(cc->dir, sizeof(cc->dir), "%s/.cache/" CREDCACHE_NAME, home);
    else
        cc->enabled = false; /* nowhere to keep it: said when first needed */
}

static void
credcache_off(struct credcache *cc, const char *why)
{
    cc->enabled = false;
    if (cc->verbose >= 1)
        fprintf(stderr, "credential cache: not used: %s\n", why);
}

/* Creates the directory (0700, with its missing parents) and checks that
 * it is this user's alone. */
static bool
credcache_dir_ready(struct credcache *cc)
{
    if (cc->checked)
        return cc->enabled;
    cc->checked = true;
    char why[1200];
    if (cc->dir[0] == '\0') {
        credcache_off(cc, "neither XDG_CACHE_HOME nor HOME is set");
        return false;
    }
    char path[sizeof(cc->dir)];
    snprintf(path, sizeof(path), "%s", cc->dir);
    for (char *p = path + 1; *p != '\0'; p++) { /* mkdir -p, each new level 0700 */
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(why, sizeof(why), "cannot create %s: %s", path, strerror(errno));
            credcache_off(cc, why);
            return false;
        }
        *p = '/';
    }
    if (mkdir(cc->dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, sizeof(why), "cannot create %s: %s", cc->dir, strerror(errno));
        credcache_off(cc, why);
        return false;
    }
    struct stat st;
    if (lstat(cc->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, sizeof(why), "%s is not a directory", cc->dir);
        credcache_off(cc, why);
        return false;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        snprintf(why, sizeof(why), "%s is not private to this user (uid %ld, mode %04o; want 0700)",
                 cc->dir, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
        credcache_off(cc, why);
        return false;
    }
    return true;
}

static void
credcache_ignoring(const struct credcache *cc, const char *path, const char *why)
{
    if (cc->verbose >= 1)
        fprintf(stderr, "credential cache: ignoring %s: %s\n", path, why);
}

/* Checks the entry's file and fills out; false (said at -v) when the
 * entry cannot be used. */
static bool
credcache_decode(const struct credcache *cc, const char *path, const char *text, size_t len,
                 const char *identity, int64_t now, struct credentials *out)
{
    char why[256];
    json_object *root = json_strict_object(text, len, "entry", why, sizeof(why));
    if (root == NULL) {
        credcache_ignoring(cc, path, why);
        return false;
    }
    json_object *v;
    const char *id = json_strict_string(root, "accessKeyId");
    const char *secret = json_strict_string(root, "secretAccessKey");
    const char *token = json_strict_string(root, "sessionToken");
    const char *stored = json_strict_string(root, "identity");
    const char *source = json_strict_string(root, "source");
    const char *expiration = json_strict_string(root, "expiration");
    struct iso8601_time exp;
    bool ok = false;
    if (!json_object_object_get_ex(root, "version", &v) ||
        json_object_get_int(v) != CREDCACHE_VERSION || id == NULL || secret == NULL ||
        stored == NULL || expiration == NULL || *id == '\0' || *secret == '\0' ||
        iso8601_parse(expiration, &exp, why, sizeof(why)) != 0)
        credcache_ignoring(cc, path, "not a credential cache entry of this version");
    else if (strcmp(stored, identity) != 0)
        credcache_ignoring(cc, path, "the entry is for another identity");
    else if (exp.seconds - now <= CREDCACHE_MARGIN)
        credcache_ignoring(cc, path, "expires within 5 minutes");
    else if (credentials_set(out, id, secret, token) != 0)
        credcache_ignoring(cc, path, "out of memory");
    else
        ok = true;
    if (ok) {
        char until[32];
        iso8601_format_utc(exp.seconds, until, sizeof(until));
        out->has_expiration = true;
        out->expiration = exp.seconds;
        snprintf(out->source, sizeof(out->source), "%.900s (cached until %s)",
                 source != NULL ? source : "cache", until);
    }
    json_object_put(root);
    return ok;
}

static bool
credcache_read(const struct credcache *cc, const char *path, const char *identity, int64_t now,
               struct credentials *out)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno != ENOENT)
            credcache_ignoring(cc, path, strerror(errno));
        return false;
    }
    struct stat st;
    char why[128];
    bool ok = false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        credcache_ignoring(cc, path, "not a regular file");
    } else if (st.st_uid != geteuid()) {
        snprintf(why, sizeof(why), "owned by uid %ld, not by this user", (long)st.st_uid);
        credcache_ignoring(cc, path, why);
    } else if ((st.st_mode & 07777) != 0600) {
        snprintf(why, sizeof(why), "mode %04o, not 0600", (unsigned)(st.st_mode & 07777));
        credcache_ignoring(cc, path, why);
    } else {
        struct buf b = BUF_INIT;
        if (buf_read_fd(&b, fd, CREDCACHE_FILE_MAX) != 0)
            credcache_ignoring(cc, path, "cannot be read, or too large");
        else
            ok = credcache_decode(cc, path, buf_str(&b), b.len, identity, now, out);
        secret_free(buf_detach(&b));
    }
    close(fd);
    return ok;
}

static void
credcache_store(const struct credcache *cc, const char *path, const char *identity,
                const struct credentials *creds)
{
    char until[32];
    iso8601_format_utc(creds->expiration, until, sizeof(until));
    json_object *root = json_object_new_object();
    json_object_object_add(root, "version", json_object_new_int(CREDCACHE_VERSION));
    json_object_object_add(root, "identity", json_object_new_string(identity));
    json_object_object_add(root, "source", json_object_new_string(creds->source));
    json_object_object_add(root, "accessKeyId", json_object_new_string(creds->access_key_id));
    json_object_object_add(root, "secretAccessKey",
                           json_object_new_string(creds->secret_access_key));
    if (creds->session_token != NULL)
        json_object_object_add(root, "sessionToken",
                               json_object_new_string(creds->session_token));
    json_object_object_add(root, "expiration", json_object_new_string(until));
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_NOSLASHESCAPE);

    bool ok = buf_write_file_atomic(path, text, strlen(text)) == 0;
    int saved = errno;
    json_object_put(root);
    if (cc->verbose >= 1) {
        if (ok)
            fprintf(stderr, "credential cache: stored %s\n", path);
        else
            fprintf(stderr, "credential cache: not used: cannot write %s: %s\n", path,
                    strerror(saved));
    }
}

/* Waits up to wait_ms for the entry's lock; -1 when it could not be had
 * (the caller then fetches without it). */
static int
credcache_lock(const char *path, long wait_ms)
{
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    for (long waited = 0;; waited += 20) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= wait_ms)
            break;
        nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
    }
    close(fd);
    return -1;
}

int
credcache_get(struct credcache *cc, const char *identity, int64_t now, long wait_ms,
              credcache_fetch fetch, void *ud, struct credentials *out)
{
    if (cc == NULL || !cc->enabled || !credcache_dir_ready(cc))
        return fetch(ud, out);
    char hash[65], path[sizeof(cc->dir) + 80], lock[sizeof(cc->dir) + 80];
    sigv4_sha256_hex(identity, strlen(identity), hash);
    snprintf(path, sizeof(path), "%s/%s.json", cc->dir, hash);
    snprintf(lock, sizeof(lock), "%s/%s.lock", cc->dir, hash);
    bool hit = credcache_read(cc, path, identity, now, out);
    int fd = -1;
    if (!hit) {
        fd = credcache_lock(lock, wait_ms);
        if (fd < 0 && cc->verbose >= 1)
            fprintf(stderr, "credential cache: no lock on %s: fetching without it\n", lock);
        /* Whoever held the lock may have fetched meanwhile (what was
         * wrong with the file was said already). */
        struct credcache quiet = *cc;
        quiet.verbose = 0;
        hit = fd >= 0 && credcache_read(&quiet, path, identity, now, out);
    }
    int rc = 0;
    if (hit) {
        if (cc->verbose >= 1)
            fprintf(stderr, "credential cache: using %s\n", path);
    } else {
        credentials_free(out);
        rc = fetch(ud, out);
        if (rc == 0 && out->has_expiration)
            credcache_store(cc, path, identity, out);
    }
    if (fd >= 0)
        close(fd); /* releases the lock */
    return rc;
}
