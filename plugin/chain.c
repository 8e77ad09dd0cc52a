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
#include "credproc.h"
#include "deadline.h"
#include "env.h"
#include "imds.h"
#include "profile.h"

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

static enum provider_result
chain_assume(struct chain *c, const struct credentials *src, const struct sts_assume_role *role,
             struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_ASSUMING_ROLE);
    int rc = sts_assume_role(&c->req->sts, src, role, c->now, out, c->timed_out, c->err, c->errlen);
    deadline_step(previous);
    return rc == 0 ? PROVIDER_FOUND : PROVIDER_ERROR;
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

static enum provider_result
chain_container(struct chain *c, struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_CONTAINER_CREDENTIALS);
    enum provider_result r = container_credentials(c->req->sts.http, deadline_remaining_ms(),
                                                   c->now, out, c->err, c->errlen);
    deadline_step(previous);
    return r;
}

static enum provider_result
chain_imds(struct chain *c, struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_INSTANCE_METADATA);
    enum provider_result r =
        imds_credentials(c->req->sts.http, deadline_remaining_ms(), c->now, out, c->err, c->errlen);
    deadline_step(previous);
    return r;
}

/* The profiles a source_profile walk went through, to catch a cycle. */
struct hops {
    const char *names[CHAIN_MAX_DEPTH + 1];
    int n;
};

static enum provider_result chain_profile(struct chain *c, const char *name, struct hops *hops,
                                          struct credentials *out);

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

static int
chain_duration(struct chain *c, const char *name, const char *text)
{
    if (text == NULL)
        return 0;
    char *end;
    long v = strtol(text, &end, 10);
    if (*end != '\0' || v < 900 || v > 43200) {
        chain_fail(c, "profile '%s': duration_seconds '%s' is not 900-43200", name, text);
        return -1;
    }
    return (int)v;
}

/* The credentials that sign the AssumeRole of profile `name`. */
static enum provider_result
chain_role_source(struct chain *c, const char *name, const struct profile *p, struct hops *hops,
                  struct credentials *src)
{
    const char *source_profile = profile_get(p, "source_profile");
    const char *credential_source = profile_get(p, "credential_source");
    if (source_profile != NULL && credential_source != NULL)
        return chain_fail(c, "profile '%s' has both source_profile and credential_source", name);
    if (credential_source != NULL)
        return chain_credential_source(c, name, credential_source, src);
    if (source_profile == NULL)
        return chain_fail(c,
                          "profile '%s' has role_arn but no source_profile, "
                          "credential_source or web_identity_token_file",
                          name);
    /* A profile may be its own source: then its static keys sign. */
    if (strcmp(source_profile, name) == 0) {
        enum provider_result r = credentials_from_profile_keys(p, name, src, c->err, c->errlen);
        return r == PROVIDER_ABSENT
                   ? chain_fail(c, "profile '%s' is its own source_profile but has no keys", name)
                   : r;
    }
    enum provider_result r = chain_profile(c, source_profile, hops, src);
    if (r == PROVIDER_ABSENT)
        return chain_fail(c, "source profile '%s' of profile '%s' has no credentials",
                          source_profile, name);
    return r;
}

static enum provider_result
chain_role(struct chain *c, const char *name, const struct profile *p, struct hops *hops,
           struct credentials *out)
{
    const char *role_arn = profile_get(p, "role_arn");
    const char *session = profile_get(p, "role_session_name");
    const char *token_file = profile_get(p, "web_identity_token_file");
    if (token_file != NULL && profile_get(p, "source_profile") == NULL &&
        profile_get(p, "credential_source") == NULL)
        return chain_web_identity(c, token_file, role_arn, session, out);

    int duration = chain_duration(c, name, profile_get(p, "duration_seconds"));
    if (duration < 0)
        return PROVIDER_ERROR;
    struct credentials src = {0};
    enum provider_result r = chain_role_source(c, name, p, hops, &src);
    if (r != PROVIDER_FOUND) {
        credentials_free(&src);
        return r;
    }
    struct sts_assume_role role = {.role_arn = role_arn,
                                   .session_name = session,
                                   .external_id = profile_get(p, "external_id"),
                                   .duration_seconds = duration};
    r = chain_assume(c, &src, &role, out);
    if (r == PROVIDER_FOUND)
        snprintf(out->source, sizeof(out->source), "profile %.64s -> assume role %.200s (%.600s)",
                 name, role_arn, src.source);
    credentials_free(&src);
    return r;
}

static enum provider_result
chain_process(struct chain *c, const char *name, const char *command, struct credentials *out)
{
    enum deadline_step previous = deadline_current_step();
    deadline_step(STEP_CREDENTIAL_PROCESS);
    int rc = credproc_run(command, deadline_remaining_ms(), c->now, out, c->timed_out, c->err,
                          c->errlen);
    deadline_step(previous);
    if (rc != 0)
        return chain_context(c, PROVIDER_ERROR, "profile credential_process");
    snprintf(out->source, sizeof(out->source), "profile %s (credential_process)", name);
    return PROVIDER_FOUND;
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

static enum provider_result
chain_profile(struct chain *c, const char *name, struct hops *hops, struct credentials *out)
{
    for (int i = 0; i < hops->n; i++)
        if (strcmp(hops->names[i], name) == 0)
            return chain_cycle(c, name, hops);
    if (hops->n > CHAIN_MAX_DEPTH)
        return chain_cycle(c, name, hops);

    struct profile p;
    if (shared_files_profile(c->req->files, name, &p, c->err, c->errlen) != 0)
        return PROVIDER_ERROR;
    hops->names[hops->n++] = name;
    enum provider_result r = PROVIDER_ABSENT;
    if (!p.in_credentials_file && !p.in_config_file) {
        if (hops->n > 1 || c->req->profile_explicit)
            r = chain_fail(c, "profile '%s' not found in %s or %s", name,
                           c->req->files->credentials_path, c->req->files->config_path);
    } else if (profile_get(&p, "role_arn") != NULL) {
        r = chain_role(c, name, &p, hops, out);
    } else if ((r = credentials_from_profile_keys(&p, name, out, c->err, c->errlen)) ==
               PROVIDER_ABSENT) {
        const char *command = profile_get(&p, "credential_process");
        if (command != NULL)
            r = chain_process(c, name, command, out);
    }
    hops->n--;
    profile_free(&p);
    return r;
}

/* Steps 2-6, when no profile was named. */
static enum provider_result
chain_default(struct chain *c, struct credentials *out)
{
    enum provider_result r = credentials_from_env(out, c->err, c->errlen);
    if (r != PROVIDER_ABSENT)
        return r;
    const char *token_file = env_get("AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *role_arn = env_get("AWS_ROLE_ARN");
    if (token_file != NULL && role_arn != NULL)
        return chain_web_identity(c, token_file, role_arn, env_get("AWS_ROLE_SESSION_NAME"), out);
    struct hops hops = {.n = 0};
    if ((r = chain_profile(c, c->req->profile_name, &hops, out)) != PROVIDER_ABSENT)
        return r;
    if ((r = chain_container(c, out)) != PROVIDER_ABSENT)
        return r;
    return chain_imds(c, out);
}

int
chain_resolve(const struct chain_request *req, time_t now, struct credentials *out, bool *timed_out,
              char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    *timed_out = false;
    struct chain c = {req, now, timed_out, err, errlen};
    struct hops hops = {.n = 0};
    enum provider_result r = req->profile_explicit
                                 ? chain_profile(&c, req->profile_name, &hops, out)
                                 : chain_default(&c, out);
    if (r == PROVIDER_ABSENT && req->profile_explicit)
        snprintf(err, errlen, "profile '%s' has no credentials (looked in %s and %s)",
                 req->profile_name, req->files->credentials_path, req->files->config_path);
    else if (r == PROVIDER_ABSENT)
        snprintf(err, errlen,
                 "no AWS credentials found (looked in: environment, web identity, %s [default], "
                 "%s [default], container credentials, EC2 instance metadata)",
                 req->files->credentials_path, req->files->config_path);
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
