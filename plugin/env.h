/*
 * env.h - the environment variables that stand in for settings.
 *
 * The SDKs treat a variable set to "" as unset, and boolean settings as
 * true only when they say "true" (any case); every module reads them
 * through these two so that rule lives in one place.
 */
#ifndef ENV_H
#define ENV_H

#include <stdbool.h>

/* The value, or NULL when the variable is unset or empty. */
const char *env_get(const char *name);

/* Whether the variable is set to "true", in any case. */
bool env_true(const char *name);

/* The home directory "~" stands for, as Python's os.path.expanduser (and
 * so botocore) finds it: $HOME when it is set, even to "", else the
 * user's entry in the password database (a daemon started by systemd,
 * such as Icinga 2 or Nagios, usually has no HOME). NULL if neither. */
const char *env_home(void);

#endif
