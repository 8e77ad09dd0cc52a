/*
 * credcache.h - expiring credentials kept between runs, so that a check
 * run every few minutes makes one STS (SSO, container, instance metadata,
 * credential_process) call per credential lifetime, not one per run.
 *
 * One file per full source identity (the text the caller builds: role
 * ARN, source key id, external id, session name, duration, endpoint...),
 * named by its SHA-256, in a directory of this user's that nobody else
 * can enter: $XDG_CACHE_HOME/check_s3tables_expiration, else
 * ~/.cache/check_s3tables_expiration (--cache-dir DIR; --no-cache: off).
 * Files are 0600, written to a temporary file and renamed. A file with
 * another owner or mode, that does not parse, or that records another
 * identity is ignored, never trusted, and replaced. An entry is used
 * until 5 minutes before it expires. Runs that miss at the same time
 * take a lock (flock), so that one fetches and the others read its
 * result. -v says what the cache did. These files hold secrets; the
 * only other file the plugin writes is the AWS CLI's SSO token cache,
 * when it refreshes the token as the CLI would.
 */
#ifndef CREDCACHE_H
#define CREDCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "credentials.h"

struct credcache {
    char dir[1024];
    bool enabled; /* false: --no-cache, or the directory is unusable */
    bool checked; /* the directory was made and checked */
    int verbose;
};

/* dir: --cache-dir, or NULL for the default; off: --no-cache. */
void credcache_init(struct credcache *cc, const char *dir, bool off, int verbose);

/* Fetches credentials: 0, 1 when the source turns out to be absent, or
 * -1 (the fetch says why). */
typedef int (*credcache_fetch)(void *ud, struct credentials *out);

/* The credentials of identity: from the cache when a valid entry is
 * there, else from fetch (stored when they expire); returns what fetch
 * returned, or 0 for a cache hit. wait_ms bounds the wait for another
 * run's fetch. cc may be NULL (no cache). */
int credcache_get(struct credcache *cc, const char *identity, int64_t now, long wait_ms,
                  credcache_fetch fetch, void *ud, struct credentials *out);

#endif
