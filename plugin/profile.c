#include "config.h"

#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini.h"

enum profile_source { FROM_CONFIG, FROM_PROFILE_DEFAULT, FROM_CREDENTIALS };

struct profile_loader {
    struct profile *p;
    const char *name;
    enum profile_source source; /* the file being read; later sources win */
    bool failed;
};

static int
profile_set(struct profile *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n_settings; i++) {
        if (strcmp(p->settings[i].key, key) == 0) {
            char *copy = strdup(value);
            if (copy == NULL)
                return -1;
            secret_free(p->settings[i].value);
            p->settings[i].value = copy;
            return 0;
        }
    }
    struct profile_setting *grown =
        realloc(p->settings, (p->n_settings + 1) * sizeof(*p->settings));
    if (grown == NULL)
        return -1;
    p->settings = grown;
    struct profile_setting *s = &p->settings[p->n_settings];
    s->key = strdup(key);
    s->value = strdup(value);
    if (s->key == NULL || s->value == NULL) {
        free(s->key);
        secret_free(s->value);
        return -1;
    }
    p->n_settings++;
    return 0;
}

/* Does this section of the file being read belong to the profile? */
static bool
profile_section_matches(const struct profile_loader *l, const char *section)
{
    if (l->source == FROM_CREDENTIALS)
        return strcmp(section, l->name) == 0;
    if (strncmp(section, "profile", 7) == 0 && (section[7] == ' ' || section[7] == '\t')) {
        const char *n = section + 8;
        while (*n == ' ' || *n == '\t')
            n++;
        return strcmp(n, l->name) == 0;
    }
    return l->source == FROM_CONFIG && strcmp(l->name, "default") == 0 &&
           strcmp(section, "default") == 0;
}

static int
profile_on_setting(void *ud, const char *section, const char *key, const char *value)
{
    struct profile_loader *l = ud;
    if (!profile_section_matches(l, section))
        return 0;
    if (l->source == FROM_CREDENTIALS)
        l->p->in_credentials_file = true;
    else
        l->p->in_config_file = true;
    if (key != NULL && profile_set(l->p, key, value) != 0) {
        l->failed = true;
        return -2;
    }
    return 0;
}

static int
profile_read(struct profile_loader *l, const char *text, const char *path, char *err, size_t errlen)
{
    char why[256];
    if (text == NULL)
        return 0;
    int rc = ini_parse(text, profile_on_setting, l, why, sizeof(why));
    if (rc == -2 || l->failed) {
        snprintf(err, errlen, "out of memory reading %s", path);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

int
profile_load(struct profile *p, const char *name, const char *credentials_text,
             const char *credentials_path, const char *config_text, const char *config_path,
             char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    struct profile_loader l = {.p = p, .name = name, .source = FROM_CONFIG};
    int rc = profile_read(&l, config_text, config_path, err, errlen);
    if (rc == 0 && strcmp(name, "default") == 0) {
        /* "[profile default]" overrides "[default]": read its lines again last. */
        l.source = FROM_PROFILE_DEFAULT;
        rc = profile_read(&l, config_text, config_path, err, errlen);
    }
    if (rc == 0) {
        l.source = FROM_CREDENTIALS;
        rc = profile_read(&l, credentials_text, credentials_path, err, errlen);
    }
    if (rc != 0)
        profile_free(p); /* nothing half-read is left to the caller */
    return rc;
}

const char *
profile_get(const struct profile *p, const char *key)
{
    for (size_t i = 0; i < p->n_settings; i++)
        if (strcmp(p->settings[i].key, key) == 0)
            return p->settings[i].value[0] != '\0' ? p->settings[i].value : NULL;
    return NULL;
}

void
profile_free(struct profile *p)
{
    for (size_t i = 0; i < p->n_settings; i++) {
        free(p->settings[i].key);
        secret_free(p->settings[i].value);
    }
    free(p->settings);
    memset(p, 0, sizeof(*p));
}
