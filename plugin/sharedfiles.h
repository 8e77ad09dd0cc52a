/*
 * sharedfiles.h - reads the AWS shared credentials and config files.
 *
 * Paths come from AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE
 * ("~/" expanded with HOME), defaulting to ~/.aws/credentials and
 * ~/.aws/config. A missing file is not an error; an unreadable one is,
 * and so is one owned by another user (not root) or writable by everyone:
 * the config file can name a command to run (credential_process).
 */
#ifndef SHAREDFILES_H
#define SHAREDFILES_H

#include <stddef.h>

#include "profile.h"

struct shared_files {
    char credentials_path[1024];
    char config_path[1024];
    char *credentials_text; /* NULL when the file does not exist */
    char *config_text;
};

/* One such file, with the same checks; *text stays NULL (and 0 is
 * returned) when it does not exist. */
int shared_file_read(const char *path, char **text, char *err, size_t errlen);

int shared_files_load(struct shared_files *f, char *err, size_t errlen);

/* Loads one profile out of the files. 0, or -1 with err. */
int shared_files_profile(const struct shared_files *f, const char *name, struct profile *out,
                         char *err, size_t errlen);

/* Frees and wipes (the texts hold secrets). */
void shared_files_free(struct shared_files *f);

#endif
