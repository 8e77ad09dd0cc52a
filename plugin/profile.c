#include "config.h"

#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini.h"
#include "shlex.h"

enum section_kind { SECTION_PROFILE, SECTION_SSO_SESSION };

struct profile_loader {
    struct profile_section *into;
    const char *name;
    enum profile_file file;
    enum section_kind kind;
    bool in_match; /* the section being read is ours */
    bool failed;
};

static void
section_clear(struct profile_section *s)
{
    for (size_t i = 0; i < s->n_settings; i++) {
        free(s->settings[i].key);
        secret_free(s->settings[i].value);
    }
    free(s->settings);
    s->settings = NULL;
    s->n_settings = 0;
}

static int
section_set(struct profile_setting **settings, size_t *n, const char *key, const char *value)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*settings)[i].key, key) == 0) {
            char *copy = strdup(value);
            if (copy == NULL)
                return -1;
            secret_free((*settings)[i].value);
            (*settings)[i].value = copy;
            return 0;
        }
    }
    struct profile_setting *grown = realloc(*settings, (*n + 1) * sizeof(**settings));
    if (grown == NULL)
        return -1;
    *settings = grown;
    struct profile_setting *s = &grown[*n];
    s->key = strdup(key);
    s->value = strdup(value);
    if (s->key == NULL || s->value == NULL) {
        free(s->key);
        secret_free(s->value);
        return -1;
    }
    (*n)++;
    return 0;
}

/* "profile NAME" / "sso-session NAME" as botocore splits them: a section
 * that starts with the word and splits into exactly two words. */
static bool
section_names(const char *section, const char *prefix, const char *name)
{
    if (strncmp(section, prefix, strlen(prefix)) != 0)
        return false;
    char **words;
    char why[64];
    int n = shlex_split(section, &words, why, sizeof(why));
    bool match = n == 2 && strcmp(words[1], name) == 0;
    if (n >= 0)
        shlex_free(words);
    return match;
}

/* Does this section of the file being read belong to the profile? */
static bool
section_matches(const struct profile_loader *l, const char *section)
{
    if (l->kind == SECTION_SSO_SESSION)
        return section_names(section, "sso-session", l->name);
    if (l->file == PROFILE_CREDENTIALS_FILE)
        return strcmp(section, l->name) == 0;
    if (strncmp(section, "profile", 7) == 0)
        return section_names(section, "profile", l->name);
    return strcmp(section, "default") == 0 && strcmp(l->name, "default") == 0;
}

static int
profile_on_setting(void *ud, const char *section, const char *key, const char *value)
{
    struct profile_loader *l = ud;
    if (key == NULL) {
        l->in_match = section_matches(l, section);
        if (l->in_match) { /* a later section naming the profile replaces it */
            section_clear(l->into);
            l->into->found = true;
        }
        return 0;
    }
    if (l->in_match && section_set(&l->into->settings, &l->into->n_settings, key, value) != 0) {
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

/* The merged view: the config file's settings, then the credentials file's over them. */
static int
profile_merge(struct profile *p)
{
    const enum profile_file order[] = {PROFILE_CONFIG_FILE, PROFILE_CREDENTIALS_FILE};
    for (size_t f = 0; f < 2; f++) {
        const struct profile_section *s = &p->file[order[f]];
        for (size_t i = 0; i < s->n_settings; i++)
            if (section_set(&p->settings, &p->n_settings, s->settings[i].key,
                            s->settings[i].value) != 0)
                return -1;
    }
    p->in_credentials_file = p->file[PROFILE_CREDENTIALS_FILE].found;
    p->in_config_file = p->file[PROFILE_CONFIG_FILE].found;
    return 0;
}

static int
profile_load_kind(struct profile *p, enum section_kind kind, const char *name,
                  const char *credentials_text, const char *credentials_path,
                  const char *config_text, const char *config_path, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    struct profile_loader l = {.into = &p->file[PROFILE_CONFIG_FILE],
                               .name = name,
                               .file = PROFILE_CONFIG_FILE,
                               .kind = kind};
    int rc = profile_read(&l, config_text, config_path, err, errlen);
    if (rc == 0 && credentials_text != NULL) {
        l = (struct profile_loader){.into = &p->file[PROFILE_CREDENTIALS_FILE],
                                    .name = name,
                                    .file = PROFILE_CREDENTIALS_FILE,
                                    .kind = kind};
        rc = profile_read(&l, credentials_text, credentials_path, err, errlen);
    }
    if (rc == 0 && profile_merge(p) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc != 0)
        profile_free(p); /* nothing half-read is left to the caller */
    return rc;
}

int
profile_load(struct profile *p, const char *name, const char *credentials_text,
             const char *credentials_path, const char *config_text, const char *config_path,
             char *err, size_t errlen)
{
    return profile_load_kind(p, SECTION_PROFILE, name, credentials_text, credentials_path,
                             config_text, config_path, err, errlen);
}

int
profile_load_sso_session(struct profile *p, const char *name, const char *config_text,
                         const char *config_path, char *err, size_t errlen)
{
    return profile_load_kind(p, SECTION_SSO_SESSION, name, NULL, NULL, config_text, config_path,
                             err, errlen);
}

static const char *
settings_get(const struct profile_setting *settings, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(settings[i].key, key) == 0)
            return settings[i].value[0] != '\0' ? settings[i].value : NULL;
    return NULL;
}

const char *
profile_get(const struct profile *p, const char *key)
{
    return settings_get(p->settings, p->n_settings, key);
}

const char *
profile_get_in(const struct profile *p, enum profile_file file, const char *key)
{
    return settings_get(p->file[file].settings, p->file[file].n_settings, key);
}

void
profile_free(struct profile *p)
{
    for (size_t i = 0; i < p->n_settings; i++) {
        free(p->settings[i].key);
        secret_free(p->settings[i].value);
    }
    free(p->settings);
    section_clear(&p->file[0]);
    section_clear(&p->file[1]);
    memset(p, 0, sizeof(*p));
}
