/*
 * profile.h - one named profile of the AWS shared config files.
 *
 * The credentials file names sections "[NAME]"; the config file names
 * them "[profile NAME]", except the default profile, which is
 * "[default]" there (a "[profile default]" section is honoured too, and
 * wins). A setting present in both files comes from the credentials file,
 * as in botocore. Pure: works on file contents already read.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdbool.h>
#include <stddef.h>

struct profile_setting {
    char *key;
    char *value;
};

struct profile {
    struct profile_setting *settings;
    size_t n_settings;
    bool in_credentials_file; /* the section exists there */
    bool in_config_file;
};

/* Either text may be NULL (file absent). Returns 0, or -1 with
 * "FILE: line N: reason" in err when a file does not parse. */
int profile_load(struct profile *p, const char *name, const char *credentials_text,
                 const char *credentials_path, const char *config_text, const char *config_path,
                 char *err, size_t errlen);

/* The value of key ("" counts as unset), or NULL. */
const char *profile_get(const struct profile *p, const char *key);

/* Frees everything, wiping values (they may be secrets). */
void profile_free(struct profile *p);

#endif
