#include "config.h"

#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "arn.h"

enum long_only {
    OPT_REGION = 256,
    OPT_ENDPOINT_URL,
    OPT_CA_FILE,
    OPT_PROFILE,
    OPT_FAILED_STATE,
    OPT_NOT_YET_RUN_STATE,
    OPT_DISABLED_STATE,
    OPT_RECORDS_WARNING,
    OPT_RECORDS_CRITICAL,
    OPT_FILES_WARNING,
    OPT_FILES_CRITICAL,
    OPT_BYTES_WARNING,
    OPT_BYTES_CRITICAL,
    OPT_ROLE_ARN,
    OPT_EXTERNAL_ID,
    OPT_ROLE_SESSION_NAME,
    OPT_FIPS,
    OPT_DUALSTACK,
    OPT_PROXY,
    OPT_NAMESPACE,
    OPT_NAME,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_PARALLEL,
    OPT_LIST_TABLES,
    OPT_SHOW_CONFIGURATION,
    OPT_CACHE_DIR,
    OPT_NO_CACHE,
};

static const struct option long_options[] = {
    {"table-arn", required_argument, NULL, 'a'},
    {"table-bucket-arn", required_argument, NULL, 'b'},
    {"namespace", required_argument, NULL, OPT_NAMESPACE},
    {"name", required_argument, NULL, OPT_NAME},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"list-tables", no_argument, NULL, OPT_LIST_TABLES},
    {"show-configuration", no_argument, NULL, OPT_SHOW_CONFIGURATION},
    {"region", required_argument, NULL, OPT_REGION},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"failed-state", required_argument, NULL, OPT_FAILED_STATE},
    {"not-yet-run-state", required_argument, NULL, OPT_NOT_YET_RUN_STATE},
    {"disabled-state", required_argument, NULL, OPT_DISABLED_STATE},
    {"records-warning", required_argument, NULL, OPT_RECORDS_WARNING},
    {"records-critical", required_argument, NULL, OPT_RECORDS_CRITICAL},
    {"files-warning", required_argument, NULL, OPT_FILES_WARNING},
    {"files-critical", required_argument, NULL, OPT_FILES_CRITICAL},
    {"bytes-warning", required_argument, NULL, OPT_BYTES_WARNING},
    {"bytes-critical", required_argument, NULL, OPT_BYTES_CRITICAL},
    {"role-arn", required_argument, NULL, OPT_ROLE_ARN},
    {"external-id", required_argument, NULL, OPT_EXTERNAL_ID},
    {"role-session-name", required_argument, NULL, OPT_ROLE_SESSION_NAME},
    {"fips", no_argument, NULL, OPT_FIPS},
    {"dualstack", no_argument, NULL, OPT_DUALSTACK},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"timeout", required_argument, NULL, 't'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* "--fips=1": a known option without a value, given one. */
static bool
options_takes_no_value(const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (strncmp(arg, "--", 2) != 0 || eq == NULL)
        return false;
    size_t len = (size_t)(eq - arg - 2);
    for (const struct option *o = long_options; o->name != NULL; o++)
        if (o->has_arg == no_argument && strlen(o->name) == len &&
            strncmp(o->name, arg + 2, len) == 0)
            return true;
    return false;
}

void
options_print_usage(void)
{
    puts("Usage: check_s3tables_expiration {-a TABLE_ARN | -b BUCKET_ARN [--namespace NS]\n"
         "         [--name NAME | [--include GLOB]...[--exclude GLOB]...[--list-tables]]}\n"
         "         [-w AGE] [-c AGE] [-t SECONDS[:STATE]] [--profile NAME] [-v]...\n"
         "Try 'check_s3tables_expiration --help' for all options.");
}

static void
options_print_help(void)
{
    printf("check_s3tables_expiration %s\n", PACKAGE_VERSION);
    puts("Checks the latest record-expiration job of an Amazon S3 Tables table\n"
         "(GetTableRecordExpirationJobStatus): its status and how long ago it ran.\n");
    options_print_usage();
    puts("\nTable(s):\n"
         "  -a, --table-arn ARN        the table, "
         "arn:aws:s3tables:REGION:ACCOUNT:bucket/B/table/ID\n"
         "  -b, --table-bucket-arn ARN the table bucket, "
         "arn:aws:s3tables:REGION:ACCOUNT:bucket/B;\n"
         "                             alone: check every table of the bucket\n"
         "      --namespace NS         with -b: only the tables of this namespace\n"
         "      --name NAME            with -b and --namespace: the table NS.NAME (GetTable)\n"
         "      --include GLOB         with -b: only tables whose NS.NAME matches (repeatable)\n"
         "      --exclude GLOB         with -b: not the tables whose NS.NAME matches\n"
         "                             (repeatable; shell globs: * ? [...])\n"
         "      --parallel N           with -b: requests in flight at once, 1-64 (default 8)\n"
         "      --list-tables          with -b: print the tables, one JSON object a line\n"
         "                             ({\"namespace\",\"name\",\"tableARN\"}), and exit 0\n"
         "      --show-configuration   also show the record-expiration configuration\n"
         "                             (GetTableRecordExpirationConfiguration)\n"
         "\nEndpoint and credentials:\n"
         "      --region REGION        region to call (default: the ARN's, AWS_REGION,\n"
         "                             AWS_DEFAULT_REGION, the profile's region)\n"
         "      --endpoint-url URL     endpoint to call (default: AWS_ENDPOINT_URL_S3TABLES,\n"
         "                             AWS_ENDPOINT_URL, the profile's endpoint_url, else\n"
         "                             https://s3tables.REGION.amazonaws.com)\n"
         "      --ca-file PATH         CA bundle for TLS (default: AWS_CA_BUNDLE, the\n"
         "                             profile's ca_bundle, else the system store);\n"
         "                             certificates are always verified\n"
         "      --profile NAME         profile of ~/.aws/credentials and ~/.aws/config;\n"
         "                             unlike AWS_PROFILE, leaves out the environment's\n"
         "                             keys and web identity variables (default:\n"
         "                             AWS_DEFAULT_PROFILE, AWS_PROFILE, else the default\n"
         "                             profile)\n"
         "      --fips                 use the FIPS endpoint (also AWS_USE_FIPS_ENDPOINT)\n"
         "      --dualstack            use the dual-stack endpoint (also\n"
         "                             AWS_USE_DUALSTACK_ENDPOINT)\n"
         "      --proxy URL            proxy for AWS requests (default: https_proxy,\n"
         "                             HTTPS_PROXY, no_proxy; never for instance metadata)\n"
         "      --role-arn ARN         assume this IAM role with the credentials found\n"
         "      --external-id ID       external ID for --role-arn\n"
         "      --role-session-name NAME  session name for --role-arn\n"
         "      --cache-dir DIR        where expiring credentials (STS, SSO, container,\n"
         "                             instance metadata, credential_process) are kept\n"
         "                             between runs (default: check_s3tables_expiration\n"
         "                             in $XDG_CACHE_HOME, else in ~/.cache)\n"
         "      --no-cache             fetch such credentials anew on every run\n"
         "\nThresholds (Nagios ranges, e.g. 48h, 10:, @1:5):\n"
         "  -w, --warning RANGE        age of the last run; units s m h d w (default 48h)\n"
         "  -c, --critical RANGE       age of the last run (default 72h)\n"
         "      --records-warning RANGE, --records-critical RANGE\n"
         "                             records the last run deleted (e.g. 1: alerts on 0)\n"
         "      --files-warning RANGE, --files-critical RANGE\n"
         "                             data files the last run deleted\n"
         "      --bytes-warning RANGE, --bytes-critical RANGE\n"
         "                             bytes the last run removed; B KB MB GB TB KiB MiB GiB TiB\n"
         "\nJob status to state (ok, warning, critical, unknown or 0-3):\n"
         "      --failed-state STATE       for Failed (default critical)\n"
         "      --not-yet-run-state STATE  for NotYetRun (default warning)\n"
         "      --disabled-state STATE     for Disabled (default warning)\n"
         "                                 Successful is OK before thresholds.\n"
         "\nGeneral:\n"
         "  -t, --timeout SECONDS[:STATE]  limit for the whole run (default 10:unknown)\n"
         "  -v, --verbose              more detail on stderr (repeat up to 3 times);\n"
         "                             secrets are never shown\n"
         "  -h, --help                 this help\n"
         "  -V, --version              version and library versions\n"
         "      --extra-opts[=SECTION][@FILE]\n"
         "                             read long options from an ini file section (default:\n"
         "                             [check_s3tables_expiration] of the plugins.ini found)\n"
         "\nCredentials, first found wins, in the AWS CLI's order: AWS_ACCESS_KEY_ID and\n"
         "AWS_SECRET_ACCESS_KEY (+AWS_SESSION_TOKEN; not with --profile); the profile's\n"
         "role_arn (source_profile or credential_source); web identity\n"
         "(AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or web_identity_token_file);\n"
         "IAM Identity Center (sso_session / sso_start_url, after 'aws sso login'); the\n"
         "profile's keys in ~/.aws/credentials; credential_process; its keys in\n"
         "~/.aws/config; ECS/EKS container credentials; EC2 instance metadata.\n"
         "IAM permissions: s3tables:GetTableRecordExpirationJobStatus; with --name also\n"
         "s3tables:GetTable; with -b alone or --list-tables s3tables:ListTables; with\n"
         "--show-configuration s3tables:GetTableRecordExpirationConfiguration.\n"
         "\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
}

static void
options_print_version(void)
{
    printf("check_s3tables_expiration %s (libcurl %s, %s, json-c %s)\n", PACKAGE_VERSION,
           curl_version_info(CURLVERSION_NOW)->version, OpenSSL_version(OPENSSL_VERSION),
           json_c_version());
}

static int
options_threshold(struct threshold *t, bool critical, const char *text, enum range_unit unit,
                  const char *option, char *err, size_t errlen)
{
    char why[256];
    struct range *r = critical ? &t->critical : &t->warning;
    if (range_parse(text, unit, r, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %.200s", option, why);
        return -1;
    }
    if (critical) {
        t->has_critical = true;
        t->critical_text = text;
    } else {
        t->has_warning = true;
        t->warning_text = text;
    }
    return 0;
}

static int
options_state(enum state *out, const char *text, const char *option, char *err, size_t errlen)
{
    if (state_parse(text, out) == 0)
        return 0;
    snprintf(err, errlen, "%s: invalid state '%s' (use ok, warning, critical, unknown or 0-3)",
             option, text);
    return -1;
}

static int
options_timeout(struct config *cfg, const char *text, char *err, size_t errlen)
{
    char *end;
    unsigned long seconds = strtoul(text, &end, 10);
    if (end == text || text[0] == '-' || seconds < 1 || seconds > 3600 ||
        (*end != '\0' && *end != ':')) {
        snprintf(err, errlen, "-t: invalid timeout '%s' (use SECONDS[:STATE], 1-3600)", text);
        return -1;
    }
    cfg->timeout = (unsigned)seconds;
    if (*end == ':')
        return options_state(&cfg->timeout_state, end + 1, "-t", err, errlen);
    return 0;
}

static int
options_region(const char *text, char *err, size_t errlen)
{
    /* It becomes part of a host name: letters, digits and dashes only. */
    size_t n = strlen(text);
    if (n == 0 || n > 63 || strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789-") != n ||
        text[0] == '-' || text[n - 1] == '-') {
        snprintf(err, errlen, "--region: invalid region '%s'", text);
        return -1;
    }
    return 0;
}

void
options_free(struct config *cfg)
{
    free(cfg->include);
    free(cfg->exclude);
    extra_opts_free(&cfg->extra);
}

/* Appends a --include/--exclude glob. */
static int
options_glob(const char ***list, size_t *n, const char *glob, const char *option, char *err,
             size_t errlen)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof(*grown));
    if (grown == NULL) {
        snprintf(err, errlen, "%s: out of memory", option);
        return -1;
    }
    grown[(*n)++] = glob;
    *list = grown;
    return 0;
}

static int
options_parallel(struct config *cfg, const char *text, char *err, size_t errlen)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end != '\0' || n < 1 || n > OPTIONS_MAX_PARALLEL) {
        snprintf(err, errlen, "--parallel: invalid number '%.32s' (use 1-%d)", text,
                 OPTIONS_MAX_PARALLEL);
        return -1;
    }
    cfg->parallel = (int)n;
    return 0;
}

/* Which tables: the options that name them must make one of the modes. */
static int
options_mode(struct config *cfg, char *err, size_t errlen)
{
    bool by_bucket = cfg->bucket_arn != NULL;
    bool filters = cfg->n_include > 0 || cfg->n_exclude > 0;
    if (cfg->table_arn != NULL && (by_bucket || cfg->namespace_name != NULL ||
                                   cfg->table_name != NULL || filters || cfg->mode == MODE_LIST)) {
        snprintf(err, errlen,
                 "-a/--table-arn names one table: it cannot be combined with "
                 "--table-bucket-arn, --namespace, --name, --include, --exclude or --list-tables");
        return -1;
    }
    if (cfg->table_arn != NULL) {
        cfg->mode = MODE_TABLE_ARN;
        return 0;
    }
    if (!by_bucket) {
        if (cfg->namespace_name != NULL || cfg->table_name != NULL || filters ||
            cfg->mode == MODE_LIST)
            snprintf(err, errlen, "%s needs -b/--table-bucket-arn",
                     cfg->mode == MODE_LIST        ? "--list-tables"
                     : cfg->table_name != NULL     ? "--name"
                     : cfg->namespace_name != NULL ? "--namespace"
                                                   : "--include/--exclude");
        else
            snprintf(err, errlen, "missing -a/--table-arn");
        return -1;
    }
    if (cfg->table_name != NULL) {
        if (cfg->namespace_name == NULL || filters || cfg->mode == MODE_LIST) {
            snprintf(err, errlen, "%s",
                     cfg->namespace_name == NULL
                         ? "--name needs --namespace"
                         : "--name names one table: it cannot be combined with --include, "
                           "--exclude or --list-tables");
            return -1;
        }
        cfg->mode = MODE_TABLE_NAME;
        return 0;
    }
    if (cfg->mode != MODE_LIST)
        cfg->mode = MODE_BUCKET;
    return 0;
}

static int
options_role_arn(const char *text, char *err, size_t errlen)
{
    /* arn:PARTITION:iam::ACCOUNT:role/NAME, as STS expects. */
    if (strncmp(text, "arn:aws", 7) != 0 || strstr(text, ":iam::") == NULL ||
        strstr(text, ":role/") == NULL || strlen(text) > 2048) {
        snprintf(err, errlen,
                 "--role-arn: invalid role ARN '%.200s', expected "
                 "arn:aws:iam::ACCOUNT_ID:role/NAME",
                 text);
        return -1;
    }
    return 0;
}

static int
options_session_name(const char *text, char *err, size_t errlen)
{
    /* STS: 2-64 characters of [\w+=,.@-] */
    size_t n = strlen(text);
    if (n < 2 || n > 64 ||
        strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") !=
            n) {
        snprintf(err, errlen,
                 "--role-session-name: invalid name '%.80s' (2-64 of A-Z a-z 0-9 "
                 "_+=,.@-)",
                 text);
        return -1;
    }
    return 0;
}

static void
options_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->eval.status_state[JOB_SUCCESSFUL] = STATE_OK;
    cfg->eval.status_state[JOB_FAILED] = STATE_CRITICAL;
    cfg->eval.status_state[JOB_NOT_YET_RUN] = STATE_WARNING;
    cfg->eval.status_state[JOB_DISABLED] = STATE_WARNING;
    cfg->timeout = OPTIONS_DEFAULT_TIMEOUT;
    cfg->timeout_state = STATE_UNKNOWN;
    cfg->parallel = OPTIONS_DEFAULT_PARALLEL;
}

/* Applies one option; 0 to go on, 1 to exit after help/version, -1 on error. */
static int
options_apply(struct config *cfg, int opt, const char *arg, char *err, size_t errlen)
{
    struct eval_config *e = &cfg->eval;
    switch (opt) {
    case 'a':
        cfg->table_arn = arg;
        return 0;
    case 'b':
        cfg->bucket_arn = arg;
        return 0;
    case OPT_NAMESPACE:
        cfg->namespace_name = arg;
        return arn_name_valid(arg, "namespace", err, errlen) ? 0 : -1;
    case OPT_NAME:
        cfg->table_name = arg;
        return arn_name_valid(arg, "table name", err, errlen) ? 0 : -1;
    case OPT_INCLUDE:
        return options_glob(&cfg->include, &cfg->n_include, arg, "--include", err, errlen);
    case OPT_EXCLUDE:
        return options_glob(&cfg->exclude, &cfg->n_exclude, arg, "--exclude", err, errlen);
    case OPT_PARALLEL:
        return options_parallel(cfg, arg, err, errlen);
    case OPT_LIST_TABLES:
        cfg->mode = MODE_LIST;
        return 0;
    case OPT_SHOW_CONFIGURATION:
        cfg->show_configuration = true;
        return 0;
    case OPT_REGION:
        cfg->region = arg;
        return options_region(arg, err, errlen);
    case OPT_ENDPOINT_URL:
        cfg->endpoint_url = arg;
        return 0;
    case OPT_CA_FILE:
        cfg->ca_file = arg;
        return 0;
    case OPT_ROLE_ARN:
        cfg->role_arn = arg;
        return options_role_arn(arg, err, errlen);
    case OPT_EXTERNAL_ID:
        cfg->external_id = arg;
        return 0;
    case OPT_ROLE_SESSION_NAME:
        cfg->role_session_name = arg;
        return options_session_name(arg, err, errlen);
    case OPT_FIPS:
        cfg->fips = true;
        return 0;
    case OPT_DUALSTACK:
        cfg->dualstack = true;
        return 0;
    case OPT_CACHE_DIR:
        cfg->cache_dir = arg;
        return 0;
    case OPT_NO_CACHE:
        cfg->no_cache = true;
        return 0;
    case OPT_PROXY:
        cfg->proxy = arg;
        return 0;
    case OPT_PROFILE:
        cfg->profile = arg;
        return 0;
    case 'w':
        return options_threshold(&e->age, false, arg, RANGE_UNIT_DURATION, "-w", err, errlen);
    case 'c':
        return options_threshold(&e->age, true, arg, RANGE_UNIT_DURATION, "-c", err, errlen);
    case OPT_RECORDS_WARNING:
        return options_threshold(&e->records, false, arg, RANGE_UNIT_NONE, "--records-warning", err,
                                 errlen);
    case OPT_RECORDS_CRITICAL:
        return options_threshold(&e->records, true, arg, RANGE_UNIT_NONE, "--records-critical", err,
                                 errlen);
    case OPT_FILES_WARNING:
        return options_threshold(&e->files, false, arg, RANGE_UNIT_NONE, "--files-warning", err,
                                 errlen);
    case OPT_FILES_CRITICAL:
        return options_threshold(&e->files, true, arg, RANGE_UNIT_NONE, "--files-critical", err,
                                 errlen);
    case OPT_BYTES_WARNING:
        return options_threshold(&e->bytes, false, arg, RANGE_UNIT_BYTES, "--bytes-warning", err,
                                 errlen);
    case OPT_BYTES_CRITICAL:
        return options_threshold(&e->bytes, true, arg, RANGE_UNIT_BYTES, "--bytes-critical", err,
                                 errlen);
    case OPT_FAILED_STATE:
        return options_state(&e->status_state[JOB_FAILED], arg, "--failed-state", err, errlen);
    case OPT_NOT_YET_RUN_STATE:
        return options_state(&e->status_state[JOB_NOT_YET_RUN], arg, "--not-yet-run-state", err,
                             errlen);
    case OPT_DISABLED_STATE:
        return options_state(&e->status_state[JOB_DISABLED], arg, "--disabled-state", err, errlen);
    case 't':
        return options_timeout(cfg, arg, err, errlen);
    case 'v':
        cfg->verbose += cfg->verbose < 3;
        return 0;
    case 'h':
        options_print_help();
        return 1;
    case 'V':
        options_print_version();
        return 1;
    default:
        return -1;
    }
}

enum options_result
options_parse(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    options_defaults(cfg);
    if (extra_opts_expand(argc, argv, PACKAGE_NAME, &cfg->extra, err, errlen) != 0)
        return OPTIONS_ERROR;
    argc = cfg->extra.argc;
    argv = cfg->extra.argv;
    opterr = 0;
    optind = 0; /* glibc: 0 also resets the position inside "-abc" clusters */
    int opt;
    while ((opt = getopt_long(argc, argv, ":a:b:w:c:t:vhV", long_options, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            char shortopt[3] = {'-', (char)optopt, '\0'};
            const char *name = optopt > 0 && optopt < 128 ? shortopt : argv[optind - 1];
            if (opt == ':')
                snprintf(err, errlen, "option '%s' needs a value", name);
            else if (options_takes_no_value(name))
                snprintf(err, errlen, "option '%.*s' takes no value", (int)strcspn(name, "="),
                         name);
            else
                snprintf(err, errlen, "unknown option '%s'", name);
            return OPTIONS_ERROR;
        }
        int rc = options_apply(cfg, opt, optarg, err, errlen);
        if (rc != 0)
            return rc > 0 ? OPTIONS_EXIT : OPTIONS_ERROR;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return OPTIONS_ERROR;
    }
    if (options_mode(cfg, err, errlen) != 0)
        return OPTIONS_ERROR;
    char why[256];
    struct threshold *age = &cfg->eval.age;
    if (!age->has_warning && options_threshold(age, false, OPTIONS_DEFAULT_WARNING,
                                               RANGE_UNIT_DURATION, "-w", why, sizeof(why)) != 0)
        return OPTIONS_ERROR;
    if (!age->has_critical && options_threshold(age, true, OPTIONS_DEFAULT_CRITICAL,
                                                RANGE_UNIT_DURATION, "-c", why, sizeof(why)) != 0)
        return OPTIONS_ERROR;
    return OPTIONS_OK;
}
