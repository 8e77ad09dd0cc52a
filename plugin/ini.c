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

/* What the parser has seen: configparser refuses a section or a key twice. */
struct ini_seen {
    char **names;
    size_t n;
};

static bool
ini_seen_add(struct ini_seen *seen, const char *name, bool *dup)
{
    *dup = false;
    for (size_t i = 0; i < seen->n; i++)
        if (strcmp(seen->names[i], name) == 0)
            *dup = true;
    if (*dup)
        return true;
    char **grown = realloc(seen->names, (seen->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return false;
    seen->names = grown;
    if ((grown[seen->n] = strdup(name)) == NULL)
        return false;
    seen->n++;
    return true;
}

static void
ini_seen_clear(struct ini_seen *seen)
{
    for (size_t i = 0; i < seen->n; i++)
        free(seen->names[i]);
    free(seen->names);
    seen->names = NULL;
    seen->n = 0;
}

/* The parser's state; an option's value may continue on the lines that
 * follow it, indented deeper, so it is reported when the next option or
 * section begins. */
struct ini_state {
    char section[INI_NAME_MAX];
    bool in_section;
    struct ini_seen sections, keys; /* keys: of the current section */
    char key[INI_NAME_MAX];         /* the option being read; "" when none */
    char value[4096];
    size_t value_len;
    int lines;     /* of the value, the first one included */
    size_t indent; /* of the option's line */
    bool too_long;
    ini_handler handler;
    void *ud;
};

static bool
ini_value_add(struct ini_state *st, const char *line, size_t len)
{
    size_t extra = (st->lines > 0 ? 1 : 0) + len;
    if (st->value_len + extra >= sizeof(st->value))
        return false;
    if (st->lines > 0)
        st->value[st->value_len++] = '\n';
    memcpy(st->value + st->value_len, line, len);
    st->value_len += len;
    st->value[st->value_len] = '\0';
    st->lines++;
    return true;
}

/* A value that starts on the line after its key is a block of nested
 * "key = value" settings (botocore: "s3 =\n  addressing_style = path"),
 * reported as "parent.key". */
static int
ini_emit_nested(struct ini_state *st, const char **why)
{
    int rc = st->handler(st->ud, st->section, st->key, "");
    char *save = NULL;
    for (char *line = strtok_r(st->value, "\n", &save); rc == 0 && line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        size_t len;
        const char *s = ini_trim(line, line + strlen(line), &len);
        if (len == 0)
            continue;
        const char *sep = memchr(s, '=', len);
        if (sep == NULL)
            sep = memchr(s, ':', len);
        if (sep == NULL) {
            *why = "expected 'key = value' in a nested block";
            return -1;
        }
        size_t klen, vlen;
        const char *k = ini_trim(s, sep, &klen);
        const char *v = ini_trim(sep + 1, s + len, &vlen);
        char name[2 * INI_NAME_MAX + 2], val[4096];
        snprintf(name, sizeof(name), "%s.%.*s", st->key, (int)(klen < INI_NAME_MAX ? klen : 0), k);
        ini_copy(val, sizeof(val), v, vlen);
        rc = st->handler(st->ud, st->section, name, val);
    }
    return rc;
}

/* Reports the option being read, if any. */
static int
ini_flush(struct ini_state *st, const char **why)
{
    if (st->key[0] == '\0')
        return 0;
    int rc;
    while (st->value_len > 0 && isspace((unsigned char)st->value[st->value_len - 1]))
        st->value[--st->value_len] = '\0';
    if (st->too_long) {
        *why = "value too long";
        rc = -1;
    } else if (st->lines > 1 && st->value[0] == '\n') {
        rc = ini_emit_nested(st, why);
    } else {
        rc = st->handler(st->ud, st->section, st->key, st->value);
    }
    st->key[0] = '\0';
    return rc;
}

static int
ini_section(struct ini_state *st, const char *s, const char *end, const char **why)
{
    /* As configparser: the name runs to the last ']' untrimmed, and what
     * follows it ("[default] # note") is ignored. */
    const char *close = end;
    while (close > s + 1 && close[-1] != ']')
        close--;
    if (close == s + 1) {
        *why = "section header without ']'";
        return -1;
    }
    size_t len = (size_t)(close - 2 - s);
    bool dup;
    if (len == 0 || !ini_copy(st->section, sizeof(st->section), s + 1, len)) {
        *why = "bad section name";
        return -1;
    }
    if (!ini_seen_add(&st->sections, st->section, &dup)) {
        *why = "out of memory";
        return -1;
    }
    if (dup) {
        *why = "section appears twice";
        return -1;
    }
    ini_seen_clear(&st->keys);
    st->in_section = true;
    return st->handler(st->ud, st->section, NULL, NULL);
}

static int
ini_option(struct ini_state *st, const char *s, const char *end, size_t indent, const char **why)
{
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
    if (klen == 0) {
        *why = "empty key";
        return -1;
    }
    if (!ini_copy(st->key, sizeof(st->key), key, klen)) {
        *why = "key too long";
        return -1;
    }
    for (char *k = st->key; *k != '\0'; k++) /* option names are case-insensitive */
        *k = (char)tolower((unsigned char)*k);
    bool dup;
    if (!ini_seen_add(&st->keys, st->key, &dup)) {
        *why = "out of memory";
        return -1;
    }
    if (dup) {
        *why = "key appears twice in its section";
        st->key[0] = '\0';
        return -1;
    }
    st->indent = indent;
    st->value_len = 0;
    st->value[0] = '\0';
    st->lines = 0;
    st->too_long = !ini_value_add(st, value, vlen);
    return 0;
}

static int
ini_line(struct ini_state *st, const char *line, const char *eol, const char **why)
{
    size_t len;
    const char *s = ini_trim(line, eol, &len);
    const char *end = s + len;
    if (len > 0 && (*s == '#' || *s == ';'))
        return 0; /* a comment, even inside a value */
    if (len == 0) {
        /* A blank line inside a value is part of it (trailing ones are dropped). */
        if (st->key[0] != '\0' && !ini_value_add(st, "", 0))
            st->too_long = true;
        return 0;
    }
    size_t indent = (size_t)(s - line);
    if (st->key[0] != '\0' && indent > st->indent) { /* continues the value */
        if (!ini_value_add(st, s, len))
            st->too_long = true;
        return 0;
    }
    int rc = ini_flush(st, why);
    if (rc != 0)
        return rc;
    return *s == '[' ? ini_section(st, s, end, why) : ini_option(st, s, end, indent, why);
}

int
ini_parse(const char *text, ini_handler handler, void *ud, char *err, size_t errlen)
{
    struct ini_state *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->handler = handler;
    st->ud = ud;
    int lineno = 0, rc = 0;
    const char *why = NULL;
    for (const char *line = text; rc == 0 && *line != '\0';) {
        const char *eol = strchr(line, '\n');
        if (eol == NULL)
            eol = line + strlen(line);
        lineno++;
        rc = ini_line(st, line, eol, &why);
        line = *eol == '\n' ? eol + 1 : eol;
    }
    if (rc == 0)
        rc = ini_flush(st, &why);
    if (rc != 0 && why != NULL)
        snprintf(err, errlen, "line %d: %s", lineno, why);
    ini_seen_clear(&st->sections);
    ini_seen_clear(&st->keys);
    free(st);
    return rc;
}
