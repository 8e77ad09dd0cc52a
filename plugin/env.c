#include "config.h"

#include "env.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *
env_get(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : NULL;
}

bool
env_true(const char *name)
{
    const char *v = env_get(name);
    return v != NULL && strcasecmp(v, "true") == 0;
}

const char *
env_home(void)
{
    const char *home = getenv("HOME");
    if (home != NULL)
        return home;
    static char from_passwd[1024];
    if (from_passwd[0] == '\0') {
        struct passwd *pw = getpwuid(getuid());
        if (pw == NULL || pw->pw_dir == NULL || strlen(pw->pw_dir) >= sizeof(from_passwd))
            return NULL;
        memcpy(from_passwd, pw->pw_dir, strlen(pw->pw_dir) + 1);
    }
    return from_passwd;
}
