#include "config.h"

#include "ini.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INI_NAME_MAX 256

/* Trims [start, end) in place; returns the new start and sets *len. */
static const char *
ini_trim(const char *start, const char *end, size_t *len)
{
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    *len = (size_t)(end - start);
    return start;
}

static bool
ini_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
    if (len >= dstlen)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

struct ini_state {
    char section[INI_NAME_MAX];
    char parent[INI_NAME_MAX]; /* key with an empty value: may open a nested block */
    bool in_section;
};

static int
ini_line(struct ini_state *st, const char *line, const char *eol, ini_handler handler, void *ud,
         const char **why)
{
    size_t len;
    bool indented = line < eol && (*line == ' ' || *line == '\t');
    const char *s = ini_trim(line, eol, &len);
    const char *end = s + len;

    if (len == 0 || *s == '#' || *s == ';')
        return 0;
    if (*s == '[') {
        /* As Python's configparser (botocore): the name runs to the last
         * ']' untrimmed, and what follows it ("[default] # note") is
         * ignored. */
        const char *close = end;
        while (close > s + 1 && close[-1] != ']')
            close--;
        if (close == s + 1) {
            *why = "section header without ']'";
            return -1;
        }
        s++;
        len = (size_t)(close - 1 - s);
        if (len == 0 || !ini_copy(st->section, sizeof(st->section), s, len)) {
            *why = "bad section name";
            return -1;
        }
        st->in_section = true;
        st->parent[0] = '\0';
        return handler(ud, st->section, NULL, NULL);
    }
    const char *sep = s;
    while (sep < end && *sep != '=' && *sep != ':')
        sep++;
    if (sep == end) {
        *why = "expected 'key = value'";
        return -1;
    }
    if (!st->in_section) {
        *why = "setting before any [section]";
        return -1;
    }
    size_t klen, vlen;
    const char *key = ini_trim(s, sep, &klen);
    const char *value = ini_trim(sep + 1, end, &vlen);
    char name[2 * INI_NAME_MAX + 2], val[4096];
    if (klen == 0) {
        *why = "empty key";
        return -1;
    }
    char lower[INI_NAME_MAX];
    if (klen < sizeof(lower)) { /* option names are case-insensitive */
        for (size_t i = 0; i < klen; i++)
            lower[i] = (char)tolower((unsigned char)key[i]);
        key = lower;
    }
    if (indented && st->parent[0] != '\0') {
        snprintf(name, sizeof(name), "%s.%.*s", st->parent, (int)(klen < INI_NAME_MAX ? klen : 0),
                 key);
    } else {
        st->parent[0] = '\0';
        if (!ini_copy(name, sizeof(name), key, klen)) {
            *why = "key too long";
            return -1;
        }
        if (vlen == 0)
            ini_copy(st->parent, sizeof(st->parent), key, klen < INI_NAME_MAX ? klen : 0);
    }
    if (!ini_copy(val, sizeof(val), value, vlen)) {
        *why = "value too long";
        return -1;
    }
    return handler(ud, st->section, name, val);
}

int
ini_parse(const char *text, ini_handler handler, void *ud, char *err, size_t errlen)
{
    struct ini_state st = {.in_section = false};
    int lineno = 0;

    for (const char *line = text; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        if (eol == NULL)
            eol = line + strlen(line);
        lineno++;
        const char *why = NULL;
        int rc = ini_line(&st, line, eol, handler, ud, &why);
        if (rc != 0) {
            if (why != NULL)
                snprintf(err, errlen, "line %d: %s", lineno, why);
            return rc;
        }
        line = *eol == '\n' ? eol + 1 : eol;
    }
    return 0;
}
