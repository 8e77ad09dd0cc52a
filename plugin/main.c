/*
 * check_s3tables_expiration - is the record-expiration job of an Amazon
 * S3 Tables table healthy (or of every table of a bucket)? Calls
 * GetTableRecordExpirationJobStatus, prints one plugin line, exits 0-3.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "api.h"
#include "chain.h"
#include "civil.h"
#include "credcache.h"
#include "check.h"
#include "credentials.h"
#include "deadline.h"
#include "options.h"
#include "output.h"
#include "sharedfiles.h"
#include "target.h"

/* Everything the run owns, freed in one place whatever the outcome. */
struct run {
    struct config cfg;
    struct http_options net;
    struct http_client *http;
    struct shared_files files;
    struct profile profile;
    struct target target;
    struct credentials creds;
    struct credcache cache;
    struct buf out; /* what the check printed; else the error in err */
    char err[2048];
};

static int
run_finish(struct run *run, enum state state)
{
    deadline_stop();
    if (run->out.len == 0 && run->err[0] != '\0') /* an empty listing prints nothing */
        output_format_message(state, run->err, &run->out);
    fputs(buf_failed(&run->out) ? OUTPUT_PREFIX " UNKNOWN - out of memory\n" : buf_str(&run->out),
          stdout);
    fflush(stdout);
    buf_free(&run->out);
    credentials_free(&run->creds);
    http_client_free(run->http);
    profile_free(&run->profile);
    shared_files_free(&run->files);
    options_free(&run->cfg);
    curl_global_cleanup();
    return (int)state;
}

static int
run_load_profile(struct run *run, const char **name, bool *named)
{
    /* botocore reads the older AWS_DEFAULT_PROFILE first. */
    const char *env = getenv("AWS_DEFAULT_PROFILE");
    if (env == NULL || *env == '\0')
        env = getenv("AWS_PROFILE");
    *named = run->cfg.profile != NULL || (env != NULL && *env != '\0');
    *name = run->cfg.profile != NULL ? run->cfg.profile : *named ? env : "default";
    if (shared_files_load(&run->files, run->err, sizeof(run->err)) != 0)
        return -1;
    return shared_files_profile(&run->files, *name, &run->profile, run->err, sizeof(run->err));
}

/* The deadline passed inside a step: say which, in the -t state. */
static enum state
run_timed_out(struct run *run)
{
    deadline_timeout_message(run->err, sizeof(run->err));
    return run->cfg.timeout_state;
}

static struct chain_request
run_chain_request(struct run *run, const char *profile_name, bool named)
{
    const struct config *cfg = &run->cfg;
    struct chain_request req = {
        .profile_name = profile_name,
        .profile_named = named,
        .profile_from_cli = cfg->profile != NULL,
        .cache = &run->cache,
        .sso_endpoint_url = run->target.sso_endpoint_url,
        .sso_oidc_endpoint_url = run->target.sso_oidc_endpoint_url,
        .files = &run->files,
        .role_arn = cfg->role_arn,
        .external_id = cfg->external_id,
        .role_session_name = cfg->role_session_name,
        .sts = {.http = run->http,
                .region = run->target.region,
                .endpoint_url = run->target.sts_endpoint_url,
                .use_fips = run->target.use_fips,
                .use_dualstack = run->target.use_dualstack},
    };
    return req;
}

static void
run_log_setup(const struct run *run, const char *profile_name)
{
    char key[32];
    credentials_redact_key_id(run->creds.access_key_id, key, sizeof(key));
    fprintf(stderr, "endpoint: %s (region %s)\n", run->target.endpoint_url, run->target.region);
    fprintf(stderr, "credentials: %s, key %s%s (profile in use: %s)\n", run->creds.source, key,
            run->creds.session_token != NULL ? " with session token" : "", profile_name);
}

static int
run_main(int argc, char **argv)
{
    static struct run run;
    switch (options_parse(argc, argv, &run.cfg, run.err, sizeof(run.err))) {
    case OPTIONS_EXIT:
        options_free(&run.cfg);
        return STATE_UNKNOWN;
    case OPTIONS_ERROR:
        printf("%s UNKNOWN - %s\n", OUTPUT_PREFIX, run.err);
        options_print_usage();
        options_free(&run.cfg);
        return STATE_UNKNOWN;
    case OPTIONS_OK:
        break;
    }
    const struct config *cfg = &run.cfg;
    deadline_start(cfg->timeout, cfg->timeout_state);
    /* The kernel frees a process's memory at exit: OpenSSL's own cleanup
     * then (about 1.4 M instructions, 4 % of a check) is skipped. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(run.err, sizeof(run.err), "cannot initialise libcurl");
        return run_finish(&run, STATE_UNKNOWN);
    }

    deadline_step(STEP_READING_CONFIG);
    const char *profile_name;
    bool explicit_profile;
    if (run_load_profile(&run, &profile_name, &explicit_profile) != 0 ||
        target_resolve(cfg, &run.profile, &run.target, run.err, sizeof(run.err)) != 0)
        return run_finish(&run, STATE_UNKNOWN);
    run.net = (struct http_options){run.target.ca_file, cfg->proxy, cfg->verbose};
    if ((run.http = http_client_new(&run.net)) == NULL) {
        snprintf(run.err, sizeof(run.err), "cannot initialise libcurl");
        return run_finish(&run, STATE_UNKNOWN);
    }

    deadline_step(STEP_CREDENTIALS);
    credcache_init(&run.cache, cfg->cache_dir, cfg->no_cache, cfg->verbose);
    bool timed_out;
    struct chain_request creq = run_chain_request(&run, profile_name, explicit_profile);
    if (chain_resolve(&creq, (time_t)civil_now(), &run.creds, &timed_out, run.err,
                      sizeof(run.err)) != 0)
        return run_finish(&run, timed_out ? run_timed_out(&run) : STATE_UNKNOWN);
    if (cfg->verbose >= 1)
        run_log_setup(&run, profile_name);

    struct api_context api = {run.http, run.target.endpoint_url, run.target.region, &run.creds};
    enum state state = cfg->mode == MODE_BUCKET ? check_bucket(&api, cfg, &run.out)
                       : cfg->mode == MODE_LIST ? check_list(&api, cfg, &run.out)
                                                : check_table(&api, cfg, &run.out);
    return run_finish(&run, state);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_EXIT_NORMALLY 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RUN_EXIT_NORMALLY 1
#endif

/*
 * The process ends here, with its output flushed and everything the run
 * owned freed. The exit-time destructors of the libraries libcurl pulls in
 * (GnuTLS, p11-kit, OpenLDAP, Kerberos) would only page in their code to
 * free memory the kernel reclaims anyway: about 0.3 MiB of a check's peak
 * RSS. Under AddressSanitizer the exit is a normal one, so that its leak
 * check (an exit handler) runs.
 */
int
main(int argc, char **argv)
{
    int status = run_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
#ifdef RUN_EXIT_NORMALLY
    return status;
#else
    _exit(status);
#endif
}
