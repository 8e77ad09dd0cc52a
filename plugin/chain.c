#include "config.h"

#include "chain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "container.h"
#include "credcache.h"
#include "credproc.h"
#include "deadline.h"
#include "env.h"
#include "imds.h"
#include "profile.h"
#include "sigv4.h"
#include "sso.h"

#define CHAIN_MAX_DEPTH 8    /* source_profile hops, as a sanity bound */
#define TOKEN_FILE_MAX 65536 /* web identity tokens are a few KiB */

/* One walk of the chain: what every step needs, and what it learnt. */
struct chain {
    const struct chain_request *req;
    time_t now;
    bool *timed_out;
    char *err;
    size_t errlen;
};

static enum provider_result chain_fail(struct chain *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum provider_result
chain_fail(struct chain *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return PROVIDER_ERROR;
}

/* Prefixes what went wrong with where it happened. */
static enum provider_result
chain_context(struct chain *c, enum provider_result r, const char *what)
{
    if (r == PROVIDER_ERROR) {
        char inner[1024];
        snprintf(inner, sizeof(inner), "%s", c->err);
        snprintf(c->err, c->errlen, "%s: %s", what, inner);
    }
    return r;
}

static char *
chain_read_token(struct chain *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        chain_fail(c, "cannot read web identity token file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT;
    int rc = buf_read_stream(&b, f, TOKEN_FILE_MAX);
    fclose(f);
    while (rc == 0 && b.len > 0 &&
           (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' || b.data[b.len - 1] == ' '))
        b.data[--b.len] = '\0';
    if (rc != 0 || b.len == 0) {
        chain_fail(c, "web identity token file %s %s", path,
                   rc < 0   ? "cannot be read"
                   : rc > 0 ? "is too large"
                            : "is empty");
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* The identity a cache entry stands for: every input that changes the
 * credentials an operation returns. */
static char *
chain_identity(const char *kind, const char *const *pairs)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, kind);
    for (const char *const *p = pairs; p[0] != NULL; p += 2)
        buf_printf(&b, "\n%s=%s", p[0], p[1] != NULL ? p[1] : "");
    return buf_detach(&b);
}

/* fetch through the run's credential cache, under identity. */
static enum provider_result
chain_cached(struct chain *c, char *identity, credcache_fetch fetch, void *ud,
             struct credentials *out)
{
    if (identity == NULL)
        return chain_fail(c, "out of memory");
    int rc = credcache_get(c->req->cache, identity, (int64_t)c->now, deadline_remaining_ms() / 2,
                           fetch, ud, out);
    free(identity);
    return rc == 0 ? PROVIDER_FOUND : rc > 0 ? PROVIDER_ABSENT : PROVIDER_ERROR;
}

struct chain_assume_job {
    struct chain *c;
    const struct credentials *src;
    const struct sts_assume_role *role;
};

static int
chain_assume_fetch(void *ud, struct credentials *out)
{
    struct chain_assume_job *j = ud;
    return sts_assume_role(&j->c->req->sts, j->src, j->role, j->c->now, out, j->c->timed_out,
                           j->c->err, j->c->errlen);
}

static enum provider_result
chain_assume(struct chain *c, const struct credentials *src, const struct sts_assume_role *role,
             struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_ASSUMING_ROLE);
    const struct sts_context *sts = &c->req->sts;
    char duration[16], token_hash[65] = "";
    snprintf(duration, sizeof(duration), "%d", role->duration_seconds);
    if (role->web_identity_token != NULL)
        sigv4_sha256_hex(role->web_identity_token, strlen(role->web_identity_token), token_hash);
    const char *pairs[] = {"role_arn", role->role_arn,
                           "source_key_id", src != NULL ? src->access_key_id : NULL,
                           "web_identity_token_sha256", token_hash,
                           "external_id", role->external_id,
                           "session_name", role->session_name,
                           "duration_seconds", duration,
                           "region", sts->region,
                           "endpoint", sts->endpoint_url,
                           "fips", sts->use_fips ? "true" : "false",
                           "dualstack", sts->use_dualstack ? "true" : "false",
                           NULL, NULL};
    struct chain_assume_job job = {c, src, role};
    enum provider_result r =
        chain_cached(c, chain_identity("sts", pairs), chain_assume_fetch, &job, out);
    deadline_step(previous);
    return r;
}

static enum provider_result
chain_web_identity(struct chain *c, const char *token_file, const char *role_arn,
                   const char *session_name, struct credentials *out)
{
    char *token = chain_read_token(c, token_file);
    if (token == NULL)
        return PROVIDER_ERROR;
    struct sts_assume_role role = {
        .role_arn = role_arn, .session_name = session_name, .web_identity_token = token};
    enum provider_result r = chain_assume(c, NULL, &role, out);
    secret_free(token);
    if (r == PROVIDER_FOUND)
        snprintf(out->source, sizeof(out->source), "web identity %.200s -> assume role %.200s",
                 token_file, role_arn);
    return r;
}

static int
chain_container_fetch(void *ud, struct credentials *out)
{
    struct chain *c = ud;
    enum provider_result r = container_credentials(c->req->sts.http, deadline_remaining_ms(),
                                                   c->now, out, c->err, c->errlen);
    return r == PROVIDER_FOUND ? 0 : r == PROVIDER_ABSENT ? 1 : -1;
}

/* ABSENT when no container endpoint is configured (nothing is cached). */
static enum provider_result
chain_container(struct chain *c, struct credentials *out)
{
    const char *full = env_get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *relative = env_get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (full == NULL && relative == NULL)
        return container_credentials(c->req->sts.http, deadline_remaining_ms(), c->now, out,
                                     c->err, c->errlen);
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_CONTAINER_CREDENTIALS);
    const char *pairs[] = {"full_uri", full,
                           "relative_uri", relative,
                           "authorization_token_file",
                           env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                           NULL, NULL};
    enum provider_result r =
        chain_cached(c, chain_identity("container", pairs), chain_container_fetch, c, out);
    deadline_step(previous);
    return r;
}

static int
chain_imds_fetch(void *ud, struct credentials *out)
{
    struct chain *c = ud;
    enum provider_result r =
        imds_credentials(c->req->sts.http, deadline_remaining_ms(), c->now, out, c->err, c->errlen);
    return r == PROVIDER_FOUND ? 0 : r == PROVIDER_ABSENT ? 1 : -1;
}

/* The instance metadata service is the chain's last resort: when it is
 * disabled or absent the chain has found nothing (ABSENT). */
static enum provider_result
chain_imds(struct chain *c, struct credentials *out)
{
    if (env_true("AWS_EC2_METADATA_DISABLED"))
        return imds_credentials(c->req->sts.http, deadline_remaining_ms(), c->now, out, c->err,
                                c->errlen);
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_INSTANCE_METADATA);
    const char *pairs[] = {"endpoint", env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
                           "endpoint_mode", env_get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"),
                           NULL, NULL};
    enum provider_result r =
        chain_cached(c, chain_identity("imds", pairs), chain_imds_fetch, c, out);
    deadline_step(previous);
    return r;
}

/* The profiles a role chain went through, as botocore's visited list:
 * the profile itself, then each source_profile followed. */
struct hops {
    const char *names[CHAIN_MAX_DEPTH + 2];
    int n;
};

static enum provider_result chain_assume_profile(struct chain *c, const char *name,
                                                 struct hops *hops, struct credentials *out);

static enum provider_result
chain_load(struct chain *c, const char *name, struct profile *p)
{
    return shared_files_profile(c->req->files, name, p, c->err, c->errlen) == 0 ? PROVIDER_FOUND
                                                                               : PROVIDER_ERROR;
}

static bool
chain_profile_exists(const struct profile *p)
{
    return p->in_credentials_file || p->in_config_file;
}

/* botocore's AssumeRoleProvider takes a profile with role_arn, unless it
 * also has web_identity_token_file (web identity's, then). */
static bool
chain_is_role(const struct profile *p)
{
    return profile_get(p, "role_arn") != NULL && profile_get(p, "web_identity_token_file") == NULL;
}

/* credential_source = Environment | Ec2InstanceMetadata | EcsContainer */
static enum provider_result
chain_credential_source(struct chain *c, const char *name, const char *source,
                        struct credentials *out)
{
    enum provider_result r;
    if (strcmp(source, "Environment") == 0)
        r = credentials_from_env(out, c->err, c->errlen);
    else if (strcmp(source, "Ec2InstanceMetadata") == 0)
        r = chain_imds(c, out);
    else if (strcmp(source, "EcsContainer") == 0)
        r = chain_container(c, out);
    else
        return chain_fail(c,
                          "profile '%s': unknown credential_source '%s' (use Environment, "
                          "Ec2InstanceMetadata or EcsContainer)",
                          name, source);
    if (r == PROVIDER_ABSENT)
        return chain_fail(c, "profile '%s': credential_source %s has no credentials", name, source);
    return r;
}

/* botocore passes an integer on and ignores anything else. */
static int
chain_duration(const char *text)
{
    if (text == NULL)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    return end != text && *end == '\0' && errno == 0 && v > 0 && v <= 86400 * 365 ? (int)v : 0;
}

static enum provider_result
chain_cycle(struct chain *c, const char *name, const struct hops *hops)
{
    struct buf walk = BUF_INIT;
    for (int i = 0; i < hops->n; i++)
        buf_printf(&walk, "%s -> ", hops->names[i]);
    buf_puts(&walk, name);
    chain_fail(c, "source_profile %s: %s", hops->n > CHAIN_MAX_DEPTH ? "chain too long" : "cycle",
               buf_str(&walk));
    buf_free(&walk);
    return PROVIDER_ERROR;
}

static enum provider_result chain_profile_sources(struct chain *c, const char *name,
                                                  const struct profile *p, bool env_allowed,
                                                  struct credentials *out);

/* The credentials of a source profile: its own (web identity, SSO, keys,
 * credential_process; never the environment's) when it has keys or no
 * role, else its role assumed in turn. */
static enum provider_result
chain_source_profile(struct chain *c, const char *parent, const char *name, struct hops *hops,
                     struct credentials *out)
{
    struct profile p;
    if (chain_load(c, name, &p) != PROVIDER_FOUND)
        return PROVIDER_ERROR;
    enum provider_result r;
    bool has_keys = credentials_profile_has_keys(&p);
    bool visited = false;
    for (int i = 0; i < hops->n; i++)
        visited = visited || strcmp(hops->names[i], name) == 0;
    if (!chain_profile_exists(&p)) {
        r = chain_fail(c, "profile '%s' not found in %s or %s", name,
                       c->req->files->credentials_path, c->req->files->config_path);
    } else if (hops->n > CHAIN_MAX_DEPTH ||
               (visited && (strcmp(name, parent) != 0 || !has_keys))) {
        r = chain_cycle(c, name, hops);
    } else {
        hops->names[hops->n++] = name;
        if (has_keys || !chain_is_role(&p)) {
            r = chain_profile_sources(c, name, &p, false, out);
            if (r == PROVIDER_ABSENT)
                r = chain_fail(c, "source profile '%s' of profile '%s' has no credentials", name,
                               parent);
        } else {
            r = chain_assume_profile(c, name, hops, out);
        }
    }
    profile_free(&p);
    return r;
}

/* A profile's role_arn, assumed with the credentials of its
 * source_profile or credential_source (botocore's AssumeRoleProvider). */
static enum provider_result
chain_assume_profile(struct chain *c, const char *name, struct hops *hops,
                     struct credentials *out)
{
    struct profile p;
    if (chain_load(c, name, &p) != PROVIDER_FOUND)
        return PROVIDER_ERROR;
    const char *role_arn = profile_get(&p, "role_arn");
    const char *source_profile = profile_get(&p, "source_profile");
    const char *credential_source = profile_get(&p, "credential_source");
    struct credentials src = {0};
    enum provider_result r;
    if (source_profile != NULL && credential_source != NULL)
        r = chain_fail(c, "profile '%s' has both source_profile and credential_source", name);
    else if (credential_source != NULL)
        r = chain_credential_source(c, name, credential_source, &src);
    else if (source_profile != NULL)
        r = chain_source_profile(c, name, source_profile, hops, &src);
    else
        r = chain_fail(c,
                       "profile '%s' has role_arn but no source_profile, credential_source or "
                       "web_identity_token_file",
                       name);
    if (r == PROVIDER_FOUND) {
        struct sts_assume_role role = {
            .role_arn = role_arn,
            .session_name = profile_get(&p, "role_session_name"),
            .external_id = profile_get(&p, "external_id"),
            .duration_seconds = chain_duration(profile_get(&p, "duration_seconds"))};
        r = chain_assume(c, &src, &role, out);
        if (r == PROVIDER_FOUND)
            snprintf(out->source, sizeof(out->source),
                     "profile %.64s -> assume role %.200s (%.600s)", name, role_arn, src.source);
    }
    credentials_free(&src);
    profile_free(&p);
    return r;
}

/* botocore's web identity provider: each of the token file, role ARN and
 * session name from the environment when allowed, else from the profile. */
static enum provider_result
chain_web_identity_source(struct chain *c, const struct profile *p, bool env_allowed,
                          struct credentials *out)
{
    const char *token_file = env_allowed ? env_get("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
    const char *role_arn = env_allowed ? env_get("AWS_ROLE_ARN") : NULL;
    const char *session = env_allowed ? env_get("AWS_ROLE_SESSION_NAME") : NULL;
    if (token_file == NULL)
        token_file = profile_get(p, "web_identity_token_file");
    if (token_file == NULL)
        return PROVIDER_ABSENT;
    if (role_arn == NULL)
        role_arn = profile_get(p, "role_arn");
    if (session == NULL)
        session = profile_get(p, "role_session_name");
    if (role_arn == NULL)
        return chain_fail(c, "web identity token file %s is set but no role ARN (AWS_ROLE_ARN or "
                             "the profile's role_arn)",
                          token_file);
    return chain_web_identity(c, token_file, role_arn, session, out);
}

struct chain_sso_job {
    struct chain *c;
    const struct sso_config *cfg;
};

static int
chain_sso_fetch(void *ud, struct credentials *out)
{
    struct chain_sso_job *j = ud;
    return sso_credentials(j->c->req->sts.http, j->cfg, j->c->now, out, j->c->timed_out,
                           j->c->err, j->c->errlen);
}

/* The [sso-session] a profile names, which must exist and name a start
 * URL and a region: the AWS CLI refuses to run at all otherwise. */
static enum provider_result
chain_sso_session(struct chain *c, const char *name, const char *session_name,
                  struct profile *session)
{
    const struct shared_files *f = c->req->files;
    if (profile_load_sso_session(session, session_name, f->config_text, f->config_path, c->err,
                                 c->errlen) != 0)
        return PROVIDER_ERROR;
    enum provider_result r = PROVIDER_FOUND;
    if (!session->in_config_file)
        r = chain_fail(c, "profile '%s': sso_session '%s' has no [sso-session %s] in %s", name,
                       session_name, session_name, f->config_path);
    else if (profile_get(session, "sso_start_url") == NULL ||
             profile_get(session, "sso_region") == NULL)
        r = chain_fail(c, "profile '%s': [sso-session %s] lacks %s", name, session_name,
                       profile_get(session, "sso_start_url") == NULL ? "sso_start_url"
                                                                     : "sso_region");
    if (r != PROVIDER_FOUND)
        profile_free(session);
    return r;
}

/* The settings of an SSO profile, its [sso-session] merged in. */
static enum provider_result
chain_sso(struct chain *c, const char *name, const struct profile *p, struct credentials *out)
{
    const char *session_name = profile_get(p, "sso_session");
    struct profile session = {0};
    if (session_name != NULL && chain_sso_session(c, name, session_name, &session) != PROVIDER_FOUND)
        return PROVIDER_ERROR;
    static const char *const required[] = {"sso_start_url", "sso_region", "sso_account_id",
                                           "sso_role_name"};
    const char *value[4];
    char missing[128] = "";
    enum provider_result r = PROVIDER_FOUND;
    for (size_t i = 0; i < 4; i++) {
        const char *mine = profile_get(p, required[i]);
        const char *theirs = session_name != NULL ? profile_get(&session, required[i]) : NULL;
        if (mine != NULL && theirs != NULL && strcmp(mine, theirs) != 0)
            r = chain_fail(c, "profile '%s': %s differs between the profile and [sso-session %s]",
                           name, required[i], session_name);
        value[i] = theirs != NULL ? theirs : mine;
        if (value[i] == NULL)
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                     missing[0] ? ", " : "", required[i]);
    }
    if (r == PROVIDER_FOUND && missing[0] != '\0')
        r = chain_fail(c, "profile '%s' is set up for IAM Identity Center (SSO) but lacks %s", name,
                       missing);
    if (r == PROVIDER_FOUND) {
        struct sso_config cfg = {.profile_name = name,
                                 .session_name = session_name,
                                 .start_url = value[0],
                                 .region = value[1],
                                 .account_id = value[2],
                                 .role_name = value[3],
                                 .portal_endpoint = c->req->sso_endpoint_url,
                                 .oidc_endpoint = c->req->sso_oidc_endpoint_url};
        enum deadline_step previous = deadline_current_step();
        deadline_step(STEP_SSO);
        const char *pairs[] = {"start_url", cfg.start_url,   "session", cfg.session_name,
                               "region", cfg.region,         "account_id", cfg.account_id,
                               "role_name", cfg.role_name,   "portal", cfg.portal_endpoint,
                               "oidc", cfg.oidc_endpoint,    NULL, NULL};
        struct chain_sso_job job = {c, &cfg};
        r = chain_cached(c, chain_identity("sso", pairs), chain_sso_fetch, &job, out);
        deadline_step(previous);
    }
    profile_free(&session);
    return r;
}

struct chain_process_job {
    struct chain *c;
    const char *name, *command;
};

/* Only output with an Expiration is kept in the cache. */
static int
chain_process_fetch(void *ud, struct credentials *out)
{
    struct chain_process_job *j = ud;
    struct chain *c = j->c;
    if (credproc_run(j->command, deadline_remaining_ms(), c->now, out, c->timed_out, c->err,
                     c->errlen) != 0) {
        chain_context(c, PROVIDER_ERROR, "profile credential_process");
        return -1;
    }
    snprintf(out->source, sizeof(out->source), "profile %s (credential_process)", j->name);
    return 0;
}

static enum provider_result
chain_process(struct chain *c, const char *name, const char *command, struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_CREDENTIAL_PROCESS);
    const char *pairs[] = {"profile", name, "command", command, NULL, NULL};
    struct chain_process_job job = {c, name, command};
    enum provider_result r =
        chain_cached(c, chain_identity("process", pairs), chain_process_fetch, &job, out);
    deadline_step(previous);
    return r;
}

/* botocore's profile providers, in its order: web identity, SSO (which
 * never falls through), the credentials file's keys, credential_process,
 * the config file's keys. */
static enum provider_result
chain_profile_sources(struct chain *c, const char *name, const struct profile *p,
                      bool env_allowed, struct credentials *out)
{
    const struct shared_files *f = c->req->files;
    enum provider_result r = chain_web_identity_source(c, p, env_allowed, out);
    if (r != PROVIDER_ABSENT)
        return r;
    if (profile_get(p, "sso_account_id") != NULL || profile_get(p, "sso_role_name") != NULL)
        return chain_sso(c, name, p, out);
    r = credentials_from_profile_file(p, name, PROFILE_CREDENTIALS_FILE, f->credentials_path, out,
                                      c->err, c->errlen);
    if (r != PROVIDER_ABSENT)
        return r;
    const char *command = profile_get(p, "credential_process");
    if (command != NULL)
        return chain_process(c, name, command, out);
    return credentials_from_profile_file(p, name, PROFILE_CONFIG_FILE, f->config_path, out,
                                         c->err, c->errlen);
}

/* The SDKs' chain for the profile in use. */
static enum provider_result
chain_walk(struct chain *c, struct credentials *out)
{
    const struct chain_request *req = c->req;
    const char *name = req->profile_name;
    struct profile p;
    if (chain_load(c, name, &p) != PROVIDER_FOUND)
        return PROVIDER_ERROR;
    enum provider_result r = PROVIDER_ABSENT;
    const char *session_name = profile_get(&p, "sso_session");
    if (req->profile_named && !chain_profile_exists(&p)) {
        r = chain_fail(c, "profile '%s' not found in %s or %s", name, req->files->credentials_path,
                       req->files->config_path);
    } else if (session_name != NULL) {
        struct profile session;
        if (chain_sso_session(c, name, session_name, &session) != PROVIDER_FOUND)
            r = PROVIDER_ERROR;
        else
            profile_free(&session);
    }
    /* --profile, like the CLI's, leaves the environment's keys out. */
    if (r == PROVIDER_ABSENT && !req->profile_from_cli)
        r = credentials_from_env(out, c->err, c->errlen);
    if (r == PROVIDER_ABSENT && chain_is_role(&p)) {
        struct hops hops = {.names = {name}, .n = 1};
        r = chain_assume_profile(c, name, &hops, out);
    }
    if (r == PROVIDER_ABSENT)
        r = chain_profile_sources(c, name, &p, !req->profile_from_cli, out);
    profile_free(&p);
    if (r == PROVIDER_ABSENT)
        r = chain_container(c, out);
    if (r == PROVIDER_ABSENT)
        r = chain_imds(c, out);
    return r;
}

int
chain_resolve(const struct chain_request *req, time_t now, struct credentials *out, bool *timed_out,
              char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    *timed_out = false;
    struct chain c = {req, now, timed_out, err, errlen};
    enum provider_result r = chain_walk(&c, out);
    if (r == PROVIDER_ABSENT)
        snprintf(err, errlen,
                 "no AWS credentials found (looked in: environment, web identity, %s [%s], "
                 "%s [%s], container credentials, EC2 instance metadata)",
                 req->files->credentials_path, req->profile_name, req->files->config_path,
                 req->profile_name);
    if (r != PROVIDER_FOUND || req->role_arn == NULL)
        return r == PROVIDER_FOUND ? 0 : -1;

    struct credentials found = *out;
    memset(out, 0, sizeof(*out));
    struct sts_assume_role role = {.role_arn = req->role_arn,
                                   .session_name = req->role_session_name,
                                   .external_id = req->external_id};
    r = chain_assume(&c, &found, &role, out);
    if (r == PROVIDER_FOUND)
        snprintf(out->source, sizeof(out->source), "%.700s -> assume role %.200s (--role-arn)",
                 found.source, req->role_arn);
    credentials_free(&found);
    return r == PROVIDER_FOUND ? 0 : -1;
}
