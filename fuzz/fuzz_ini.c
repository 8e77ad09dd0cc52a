/*
 * fuzz_ini.c - ini_parse and profile_load on shared config files.
 *
 * Input: "CREDENTIALS\0CONFIG", split at the first NUL, or at the middle
 * when there is none; an empty half is an absent file (NULL).
 * Checks: every callback gets a bounded, single-line section (kept as
 * written, as configparser keeps it), a trimmed single-line key and a
 * trimmed bounded value (continuation lines make it multi-line; key and
 * value both NULL at a section header only); a
 * handler's non-zero return stops the parse and is returned; errors are
 * "line N: ..." on one line. profile_load, for "default" and "user1",
 * gives unique keys that profile_get finds, and on failure a one-line
 * reason and nothing left to free.
 */
#include "config.h"

#include <ctype.h>

#include "fuzz.h"
#include "ini.h"
#include "profile.h"

#define CREDENTIALS_PATH "/fuzz/credentials"
#define CONFIG_PATH "/fuzz/config"

struct seen {
    size_t calls;
    size_t stop_at; /* 0: never stop */
};

static bool
trimmed(const char *s)
{
    size_t n = strlen(s);
    return n == 0 || (!isspace((unsigned char)s[0]) && !isspace((unsigned char)s[n - 1]));
}

/* Lines end at "\n": no name or value can span two. */
static bool
single(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    return n < cap && memchr(s, '\n', n) == NULL;
}

static int
on_pair(void *ud, const char *section, const char *key, const char *value)
{
    struct seen *seen = ud;

    FUZZ_CHECK(section != NULL);
    FUZZ_CHECK(section[0] != '\0' && single(section, 256));
    FUZZ_CHECK((key == NULL) == (value == NULL));
    if (key != NULL) {
        FUZZ_CHECK(key[0] != '\0' && single(key, 2 * 256 + 2) && trimmed(key));
        FUZZ_CHECK(strnlen(value, 4096) < 4096 && trimmed(value));
    }
    seen->calls++;
    return seen->calls == seen->stop_at ? 42 : 0;
}

static void
check_ini(const char *text)
{
    struct seen seen = {0, 0};
    char err[256];

    fuzz_poison(err, sizeof err);
    int rc = ini_parse(text, on_pair, &seen, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1)
        FUZZ_CHECK(fuzz_reason(err, sizeof err) && strncmp(err, "line ", 5) == 0);
    if (seen.calls == 0)
        return;

    /* Stopping half-way returns the handler's value and calls no more. */
    struct seen stopped = {0, (seen.calls + 1) / 2};
    FUZZ_CHECK(ini_parse(text, on_pair, &stopped, err, sizeof err) == 42);
    FUZZ_CHECK(stopped.calls == stopped.stop_at);
}

static void
check_profile(const char *name, const char *credentials, const char *config)
{
    struct profile p;
    char err[512];

    fuzz_poison(err, sizeof err);
    int rc =
        profile_load(&p, name, credentials, CREDENTIALS_PATH, config, CONFIG_PATH, err, sizeof err);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1);
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
        /* Callers (chain.c) return at once on failure: nothing may be owned. */
        FUZZ_CHECK(p.settings == NULL && p.n_settings == 0);
        profile_free(&p);
        return;
    }
    FUZZ_CHECK(p.n_settings == 0 || p.in_credentials_file || p.in_config_file);
    FUZZ_CHECK(credentials != NULL || !p.in_credentials_file);
    FUZZ_CHECK(config != NULL || !p.in_config_file);
    for (size_t i = 0; i < p.n_settings; i++) {
        const struct profile_setting *s = &p.settings[i];
        FUZZ_CHECK(s->key != NULL && s->value != NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(p.settings[j].key, s->key) != 0);
        const char *got = profile_get(&p, s->key);
        FUZZ_CHECK(s->value[0] == '\0' ? got == NULL : got == s->value);
    }
    profile_free(&p);
    FUZZ_CHECK(p.settings == NULL && p.n_settings == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t first = nul != NULL ? (size_t)(nul - data) : size / 2;
    size_t second_at = nul != NULL ? first + 1 : first;
    char *credentials = first > 0 ? fuzz_string(data, first) : NULL;
    char *config = size > second_at ? fuzz_string(data + second_at, size - second_at) : NULL;

    if (credentials != NULL)
        check_ini(credentials);
    if (config != NULL)
        check_ini(config);
    check_profile("default", credentials, config);
    check_profile("user1", credentials, config);
    free(credentials);
    free(config);
    return 0;
}
