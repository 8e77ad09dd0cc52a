/*
 * test_profile.c - one profile out of ~/.aws/credentials and ~/.aws/config
 * texts: section naming in each file, precedence, flags and errors.
 */
#include "config.h"

#include "profile.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define CREDS_PATH "/home/nagios/.aws/credentials"
#define CONFIG_PATH "/home/nagios/.aws/config"

/* Loads name; on failure reports it and returns false. */
static bool
load(const char *what, struct profile *p, const char *name, const char *creds, const char *config)
{
    char err[512] = "";
    int rc = profile_load(p, name, creds, CREDS_PATH, config, CONFIG_PATH, err, sizeof err);

    if (!tap_is_int(rc, 0, "profile: %s loads", what)) {
        tap_diag("error: %s", err);
        profile_free(p);
        return false;
    }
    return true;
}

static void
check_get(const struct profile *p, const char *key, const char *want, const char *what)
{
    tap_is_str(profile_get(p, key), want, "profile: %s", what);
}

static void
test_file_section_names(void)
{
    const char *creds = "[default]\naws_access_key_id = AKIADEFAULT\n"
                        "[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = s3cret\n";
    const char *config = "[default]\nregion = us-east-1\n"
                         "[profile work]\nregion = eu-west-1\noutput = json\n";
    struct profile p;

    if (load("profile work from both files", &p, "work", creds, config)) {
        check_get(&p, "aws_access_key_id", "AKIAWORK", "credentials file [work] is profile work");
        check_get(&p, "aws_secret_access_key", "s3cret",
                  "credentials file [work] gives the secret too");
        check_get(&p, "region", "eu-west-1", "config file [profile work] is profile work");
        check_get(&p, "output", "json", "config file [profile work] gives every setting");
        tap_is_int((intmax_t)p.n_settings, 4, "profile: work has exactly its 4 settings");
        tap_ok(p.in_credentials_file, "profile: work is flagged in the credentials file");
        tap_ok(p.in_config_file, "profile: work is flagged in the config file");
        profile_free(&p);
        tap_ok(p.settings == NULL && p.n_settings == 0, "profile: profile_free empties it");
    }
    if (load("profile default from both files", &p, "default", creds, config)) {
        check_get(&p, "aws_access_key_id", "AKIADEFAULT",
                  "credentials file [default] is profile default");
        check_get(&p, "region", "us-east-1", "config file [default] is profile default");
        check_get(&p, "output", NULL, "default does not see [profile work] settings");
        tap_ok(p.in_credentials_file && p.in_config_file,
               "profile: default is flagged in both files");
        profile_free(&p);
    }

    if (load("[work] in the config file", &p, "work", NULL, "[work]\nregion = eu-west-1\n")) {
        check_get(&p, "region", NULL, "a config file [work] (no 'profile ') is not profile work");
        tap_ok(!p.in_config_file, "profile: a config file [work] does not flag work");
        profile_free(&p);
    }
    if (load("[profile work] in the credentials file", &p, "work",
             "[profile work]\naws_access_key_id = AKIAWRONG\n", NULL)) {
        check_get(&p, "aws_access_key_id", NULL,
                  "a credentials file [profile work] is not profile work");
        tap_ok(!p.in_credentials_file,
               "profile: a credentials file [profile work] does not flag work");
        profile_free(&p);
    }
    if (load("a credentials section named 'profile x'", &p, "profile x",
             "[profile x]\naws_access_key_id = AKIALITERAL\n", NULL)) {
        check_get(&p, "aws_access_key_id", "AKIALITERAL",
                  "a credentials file section name is taken literally");
        profile_free(&p);
    }
    if (load("[default] for another profile", &p, "work", NULL, "[default]\nregion = r\n")) {
        check_get(&p, "region", NULL, "config file [default] is not used for profile work");
        tap_ok(!p.in_config_file, "profile: config file [default] does not flag work");
        profile_free(&p);
    }
    if (load("[profilework] in the config file", &p, "work", NULL, "[profilework]\nregion = r\n")) {
        check_get(&p, "region", NULL, "config file [profilework] is not profile work");
        profile_free(&p);
    }
    if (load("a profile with a longer name", &p, "work", NULL,
             "[profile workshop]\nregion = r\n[profile wor]\nregion = s\n")) {
        check_get(&p, "region", NULL, "profile names must match whole, not by prefix");
        profile_free(&p);
    }
}

static void
test_spacing(void)
{
    struct profile p;

    if (load("[profile  spaced ]", &p, "spaced", NULL, "[profile  spaced ]\nregion = r1\n")) {
        check_get(&p, "region", "r1", "[profile  spaced ] is profile spaced");
        tap_ok(p.in_config_file, "profile: [profile  spaced ] flags spaced in the config file");
        profile_free(&p);
    }
    if (load("[ profile tabbed ] with a tab", &p, "tabbed", NULL,
             "[ profile\ttabbed ]\nregion = r2\n")) {
        check_get(&p, "region", NULL,
                  "[ profile<TAB>tabbed ] is no profile: botocore keeps the blanks in the name");
        profile_free(&p);
    }
    if (load("[profile \"dev\"]", &p, "dev", NULL, "[profile \"dev\"]\nregion = r3\n")) {
        check_get(&p, "region", "r3", "[profile \"dev\"] is profile dev (shlex-split)");
        profile_free(&p);
    }
    if (load("[profile a b]", &p, "a", NULL, "[profile a b]\nregion = r4\n")) {
        check_get(&p, "region", NULL, "[profile a b] is no profile: three words");
        profile_free(&p);
    }
    if (load("[ spaced ] in the credentials file", &p, "spaced", "[ spaced ]\nk = v\n", NULL)) {
        check_get(&p, "k", NULL, "credentials file [ spaced ] is not profile spaced (botocore)");
        profile_free(&p);
    }
}

static void
test_per_file(void)
{
    struct profile p;
    if (load("keys in both files", &p, "work",
             "[work]\naws_access_key_id = CRED\n",
             "[profile work]\naws_access_key_id = CONF\naws_secret_access_key = s\n")) {
        check_get(&p, "aws_access_key_id", "CRED", "merged: the credentials file wins");
        tap_is_str(profile_get_in(&p, PROFILE_CREDENTIALS_FILE, "aws_secret_access_key"), NULL,
                   "profile: the credentials file's own section has no secret");
        tap_is_str(profile_get_in(&p, PROFILE_CONFIG_FILE, "aws_access_key_id"), "CONF",
                   "profile: the config file's own section keeps its key id");
        profile_free(&p);
    }
    char err[256] = "";
    int rc = profile_load_sso_session(&p, "corp",
                                      "[sso-session corp]\nsso_region = eu-west-1\n"
                                      "[profile corp]\nsso_region = no\n",
                                      CONFIG_PATH, err, sizeof(err));
    tap_is_int(rc, 0, "profile: [sso-session corp] loads");
    tap_is_str(profile_get(&p, "sso_region"), "eu-west-1", "profile: sso-session settings");
    tap_ok(p.in_config_file, "profile: the sso-session is flagged in the config file");
    profile_free(&p);
}

static void
test_default_precedence(void)
{
    struct profile p;

    if (load("[profile default] after [default]", &p, "default", NULL,
             "[default]\nregion = from-default\noutput = text\n"
             "[profile default]\nregion = from-profile-default\n")) {
        check_get(&p, "region", "from-profile-default",
                  "[profile default] wins over an earlier [default]");
        tap_ok(p.in_config_file, "profile: [profile default] flags default in the config file");
        profile_free(&p);
    }
    if (load("[profile default] before [default]", &p, "default", NULL,
             "[profile default]\nregion = from-profile-default\n"
             "[default]\nregion = from-default\n")) {
        check_get(&p, "region", "from-default",
                  "a later [default] replaces [profile default], as in botocore");
        profile_free(&p);
    }
    if (load("only [profile default]", &p, "default", NULL,
             "[profile default]\nregion = only-profile-default\n")) {
        check_get(&p, "region", "only-profile-default", "[profile default] alone is honoured");
        profile_free(&p);
    }
    if (load("credentials [default] against config [profile default]", &p, "default",
             "[default]\nregion = from-credentials\n",
             "[profile default]\nregion = from-config\n")) {
        check_get(&p, "region", "from-credentials",
                  "credentials [default] wins over config [profile default]");
        profile_free(&p);
    }
}

static void
test_credentials_win(void)
{
    const char *creds = "[p]\naws_access_key_id = FROMCREDS\n";
    const char *config = "[profile p]\naws_access_key_id = FROMCONFIG\nregion = us-west-2\n";
    struct profile p;

    if (load("a key in both files", &p, "p", creds, config)) {
        check_get(&p, "aws_access_key_id", "FROMCREDS",
                  "a setting in both files comes from the credentials file");
        check_get(&p, "region", "us-west-2", "a setting only in the config file is kept");
        tap_is_int((intmax_t)p.n_settings, 2, "profile: a key in both files is stored once");
        profile_free(&p);
    }
    if (load("a key in both files, credentials section last", &p, "p",
             "[other]\nx = 1\n[p]\naws_access_key_id = FROMCREDS\n",
             "[profile p]\naws_access_key_id = FROMCONFIG\n[profile other]\ny = 2\n")) {
        check_get(&p, "aws_access_key_id", "FROMCREDS",
                  "credentials win whatever the section order");
        check_get(&p, "x", NULL, "other sections of the credentials file are ignored");
        check_get(&p, "y", NULL, "other sections of the config file are ignored");
        profile_free(&p);
    }
    if (load("only the credentials file", &p, "p", creds, NULL)) {
        tap_ok(p.in_credentials_file && !p.in_config_file,
               "profile: only the credentials file flags only in_credentials_file");
        profile_free(&p);
    }
    if (load("only the config file", &p, "p", NULL, config)) {
        tap_ok(!p.in_credentials_file && p.in_config_file,
               "profile: only the config file flags only in_config_file");
        check_get(&p, "aws_access_key_id", "FROMCONFIG", "keys in the config file are used");
        profile_free(&p);
    }
}

static void
test_get(void)
{
    struct profile p;

    if (load("empty and nested values", &p, "x", NULL,
             "[profile x]\nregion =\nsso_session = \ns3 =\n  addressing_style = path\n")) {
        check_get(&p, "region", NULL, "profile_get returns NULL for an empty value");
        check_get(&p, "sso_session", NULL, "profile_get returns NULL for a blank value");
        check_get(&p, "missing", NULL, "profile_get returns NULL for a missing key");
        check_get(&p, "s3.addressing_style", "path", "a nested setting is available as parent.key");
        profile_free(&p);
    }
    if (load("an empty value in credentials over a config value", &p, "x", "[x]\nregion =\n",
             "[profile x]\nregion = us-east-1\n")) {
        check_get(&p, "region", NULL, "an empty credentials value still wins over the config");
        profile_free(&p);
    }
}

static void
test_flags(void)
{
    struct profile p;

    if (load("an absent profile", &p, "ghost", "[default]\nk = v\n", "[profile other]\nk = v\n")) {
        tap_ok(!p.in_credentials_file && !p.in_config_file,
               "profile: an absent profile is in neither file");
        tap_is_int((intmax_t)p.n_settings, 0, "profile: an absent profile has no settings");
        profile_free(&p);
    }
    /* The header: the flag says "the section exists there", settings or not. */
    if (load("an empty [work] section", &p, "work", "[work]\n", "[profile work]\n# nothing\n")) {
        tap_ok(p.in_credentials_file, "profile: an empty [work] section sets in_credentials_file");
        tap_ok(p.in_config_file, "profile: an empty [profile work] section sets in_config_file");
        profile_free(&p);
    }
}

static void
test_null_texts(void)
{
    struct profile p;
    char err[64] = "untouched";

    memset(&p, 0xA5, sizeof p);
    int rc = profile_load(&p, "default", NULL, CREDS_PATH, NULL, CONFIG_PATH, err, sizeof err);
    tap_is_int(rc, 0, "profile: NULL texts (no files) load fine");
    tap_is_int((intmax_t)p.n_settings, 0, "profile: NULL texts give no settings");
    tap_ok(!p.in_credentials_file && !p.in_config_file, "profile: NULL texts set no flags");
    tap_ok(profile_get(&p, "region") == NULL, "profile: NULL texts: profile_get returns NULL");
    tap_is_str(err, "untouched", "profile: NULL texts leave err alone");
    profile_free(&p);

    if (load("empty texts", &p, "default", "", "")) {
        tap_ok(p.n_settings == 0 && !p.in_credentials_file && !p.in_config_file,
               "profile: empty texts give an empty profile");
        profile_free(&p);
    }
}

static void
check_load_error(const char *what, const char *name, const char *creds, const char *config,
                 const char *want)
{
    struct profile p;
    char err[512] = "";
    int rc = profile_load(&p, name, creds, CREDS_PATH, config, CONFIG_PATH, err, sizeof err);

    tap_is_int(rc, -1, "profile: %s fails", what);
    tap_is_str(err, want, "profile: %s names the file and line", what);
    profile_free(&p);
}

static void
test_errors(void)
{
    check_load_error("a bad config file", "default", "[default]\nk = v\n",
                     "# config\nregion = us-east-1\n",
                     CONFIG_PATH ": line 2: setting before any [section]");
    check_load_error("a bad credentials file", "work", "[work]\naws_access_key_id = A\n[oops\n",
                     "[profile work]\nregion = r\n",
                     CREDS_PATH ": line 3: section header without ']'");
    check_load_error("a bad line in another profile's section", "work", NULL,
                     "[profile work]\nregion = r\n[profile other]\nnonsense\n",
                     CONFIG_PATH ": line 4: expected 'key = value'");
    check_load_error("a bad config file for a non-default profile", "work", NULL, "[]\n",
                     CONFIG_PATH ": line 1: bad section name");
}

int
main(void)
{
    test_file_section_names();
    test_spacing();
    test_per_file();
    test_default_precedence();
    test_credentials_win();
    test_get();
    test_flags();
    test_null_texts();
    test_errors();
    return tap_done();
}
