/*
 * options.h - the command line, parsed into a plain config.
 *
 * The config is filled once by options_parse and read-only afterwards.
 * Strings point into argv, or into what --extra-opts read (kept until
 * options_free). Environment variables that stand in for
 * options (AWS_PROFILE, AWS_ENDPOINT_URL_S3TABLES, ...) are resolved
 * later, where the setting is used.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "evaluate.h"
#include "extraopts.h"
#include "state.h"

#define OPTIONS_DEFAULT_TIMEOUT 10
#define OPTIONS_DEFAULT_WARNING "48h"
#define OPTIONS_DEFAULT_CRITICAL "72h"

/* What the run checks, from the options that name the table(s). */
enum check_mode {
    MODE_TABLE_ARN,  /* -a ARN */
    MODE_TABLE_NAME, /* --table-bucket-arn --namespace --name: GetTable, then the check */
    MODE_BUCKET,     /* --table-bucket-arn [--namespace]: every table, one summary */
    MODE_LIST        /* --list-tables: one JSON line per table, no check */
};

#define OPTIONS_DEFAULT_PARALLEL 8
#define OPTIONS_MAX_PARALLEL 64

struct config {
    enum check_mode mode;
    const char *table_arn;
    const char *bucket_arn;     /* --table-bucket-arn */
    const char *namespace_name; /* --namespace */
    const char *table_name;     /* --name */
    const char **include;       /* --include globs on NAMESPACE.NAME */
    size_t n_include;
    const char **exclude; /* --exclude globs */
    size_t n_exclude;
    int parallel;             /* --parallel: requests in flight in bucket mode */
    bool show_configuration;  /* --show-configuration */
    const char *region;       /* NULL: from the ARN */
    const char *endpoint_url; /* NULL: from the environment or the region */
    const char *ca_file;      /* NULL: AWS_CA_BUNDLE or the system store */
    const char *proxy;        /* NULL: https_proxy / HTTPS_PROXY / no_proxy */
    const char *profile;      /* NULL: AWS_PROFILE or default */
    const char *role_arn;     /* assume this role on top of the chain's credentials */
    const char *external_id;
    const char *role_session_name;
    const char *cache_dir; /* --cache-dir; NULL: $XDG_CACHE_HOME or ~/.cache */
    bool no_cache;         /* --no-cache: fetch expiring credentials every run */
    bool fips;      /* --fips: or AWS_USE_FIPS_ENDPOINT / use_fips_endpoint */
    bool dualstack; /* --dualstack: or AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint */
    struct eval_config eval;
    unsigned timeout; /* seconds */
    enum state timeout_state;
    int verbose;             /* 0-3 */
    struct extra_opts extra; /* owns the strings --extra-opts added */
};

enum options_result {
    OPTIONS_OK,   /* run the check */
    OPTIONS_EXIT, /* help or version printed: exit UNKNOWN */
    OPTIONS_ERROR /* err says why; print it with the short usage */
};

enum options_result options_parse(int argc, char **argv, struct config *cfg, char *err,
                                  size_t errlen);

void options_free(struct config *cfg);

/* The short usage (a few lines, <= 80 columns). */
void options_print_usage(void);

#endif
