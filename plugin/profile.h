/*
 * profile.h - one named profile of the AWS shared config files, read the
 * way botocore reads them.
 *
 * The credentials file names sections "[NAME]" exactly. The config file
 * names them "[profile NAME]" (split like a shell word list, so
 * "[profile "dev"]" is dev), and the default profile also "[default]";
 * when several sections name one profile, the last one in the file is
 * the profile (botocore keeps the last). A setting present in both files
 * comes from the credentials file. Each file's own section is kept too:
 * keys are taken from one file at a time. "[sso-session NAME]" sections
 * of the config file load the same way. Pure: works on texts already read.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdbool.h>
#include <stddef.h>

struct profile_setting {
    char *key;
    char *value;
};

struct profile_section {
    struct profile_setting *settings;
    size_t n_settings;
    bool found; /* the file has the section, perhaps empty */
};

enum profile_file { PROFILE_CREDENTIALS_FILE = 0, PROFILE_CONFIG_FILE = 1 };

struct profile {
    struct profile_setting *settings; /* both files, the credentials file's winning */
    size_t n_settings;
    bool in_credentials_file; /* the section exists there */
    bool in_config_file;
    struct profile_section file[2]; /* each file's own, by enum profile_file */
};

/* Either text may be NULL (file absent). Returns 0, or -1 with
 * "FILE: line N: reason" in err when a file does not parse. */
int profile_load(struct profile *p, const char *name, const char *credentials_text,
                 const char *credentials_path, const char *config_text, const char *config_path,
                 char *err, size_t errlen);

/* The "[sso-session NAME]" section of the config file, as a profile
 * found only in the config file. Same returns as profile_load. */
int profile_load_sso_session(struct profile *p, const char *name, const char *config_text,
                             const char *config_path, char *err, size_t errlen);

/* The value of key ("" counts as unset), or NULL. */
const char *profile_get(const struct profile *p, const char *key);

/* The same, in one file's section only. */
const char *profile_get_in(const struct profile *p, enum profile_file file, const char *key);

/* Frees everything, wiping values (they may be secrets). */
void profile_free(struct profile *p);

#endif
