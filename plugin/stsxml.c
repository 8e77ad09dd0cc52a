#include "config.h"

#include "stsxml.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "iso8601.h"
#include "text.h"

/* STS answers are a few KiB; anything near this is not STS. */
#define STSXML_MAX (1024 * 1024)

/* The nesting libxml2 allowed (without XML_PARSE_HUGE) when it read these
 * answers; expat has no limit of its own. */
#define STSXML_MAX_DEPTH 257

/*
 * With namespaces on, expat names an element "URI<sep>local" and refuses
 * a namespace URI that holds the separator. U+0001 is in no document, not
 * even as a character reference, so it refuses no URI (a space or a
 * newline would refuse URIs that libxml2 took).
 */
#define STSXML_NS_SEP '\x01'

/*
 * expat copies the answer into its own buffers, secrets included. Each
 * block it allocates carries its size, so that it is wiped when freed.
 */
union stsxml_block {
    size_t size;
    max_align_t align;
};

static void *
stsxml_malloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(union stsxml_block))
        return NULL;
    union stsxml_block *b = malloc(sizeof(*b) + size);
    if (b == NULL)
        return NULL;
    b->size = size;
    return b + 1;
}

static void
stsxml_free(void *p)
{
    if (p == NULL)
        return;
    union stsxml_block *b = (union stsxml_block *)p - 1;
    OPENSSL_cleanse(p, b->size);
    free(b);
}

/* A copy, not realloc(): a block realloc() moves would be left unwiped. */
static void *
stsxml_realloc(void *p, size_t size)
{
    if (p == NULL)
        return stsxml_malloc(size);
    void *q = stsxml_malloc(size);
    if (q == NULL)
        return NULL;
    size_t old = ((union stsxml_block *)p - 1)->size;
    memcpy(q, p, old < size ? old : size);
    stsxml_free(p);
    return q;
}

static const XML_Memory_Handling_Suite stsxml_wiping = {stsxml_malloc, stsxml_realloc, stsxml_free};

/*
 * What to read from an answer, by local names (any namespace): the first
 * element named anchor in document order; its first child element named
 * group, when there is a group; and the first child element of that (of
 * the anchor without a group) named after each field, with its text.
 */
struct stsxml_query {
    const char *anchor;
    const char *group;
    const char *const *fields;
    size_t n_fields;
};

#define STSXML_MAX_FIELDS 4

enum stsxml_seen { STSXML_UNSEEN, STSXML_OPEN, STSXML_CLOSED };

/* The parse of one answer, as the handlers see it. */
struct stsxml_scan {
    XML_Parser parser;
    const struct stsxml_query *query;
    unsigned depth; /* elements open */
    char root[65];  /* the document element's local name, for errors */
    enum stsxml_seen anchor, group;
    unsigned anchor_depth, group_depth;
    int field; /* the field whose text is being read, or -1 */
    unsigned field_depth;
    bool found[STSXML_MAX_FIELDS];
    struct buf text[STSXML_MAX_FIELDS]; /* all text inside the field; wiped when freed */
    bool doctype, too_deep, bad_version;
};

static const char *
stsxml_local(const XML_Char *name)
{
    const char *sep = strrchr(name, STSXML_NS_SEP);
    return sep != NULL ? sep + 1 : name;
}

/* Does the element open the group: the anchor's first child of that name? */
static bool
stsxml_opens_group(const struct stsxml_scan *s, const char *local)
{
    const struct stsxml_query *q = s->query;
    return q->group != NULL && s->anchor == STSXML_OPEN && s->group == STSXML_UNSEEN &&
           s->depth == s->anchor_depth + 1 && strcmp(local, q->group) == 0;
}

/* The field the element opens, or -1: a child of the group (or of the
 * anchor), the first of its name. */
static int
stsxml_field_of(const struct stsxml_scan *s, const char *local)
{
    const struct stsxml_query *q = s->query;
    if (s->anchor != STSXML_OPEN || (q->group != NULL && s->group != STSXML_OPEN))
        return -1;
    if (s->depth != (q->group != NULL ? s->group_depth : s->anchor_depth) + 1)
        return -1;
    for (size_t i = 0; i < q->n_fields; i++)
        if (!s->found[i] && strcmp(local, q->fields[i]) == 0)
            return (int)i;
    return -1;
}

static void XMLCALL
stsxml_on_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
    (void)attributes;
    struct stsxml_scan *s = data;
    const char *local = stsxml_local(name);
    if (++s->depth > STSXML_MAX_DEPTH) {
        s->too_deep = true;
        XML_StopParser(s->parser, XML_FALSE);
        return;
    }
    if (s->depth == 1)
        text_sanitize(s->root, sizeof(s->root), local, strlen(local));
    if (s->anchor == STSXML_UNSEEN) {
        if (strcmp(local, s->query->anchor) == 0) {
            s->anchor = STSXML_OPEN;
            s->anchor_depth = s->depth;
        }
    } else if (stsxml_opens_group(s, local)) {
        s->group = STSXML_OPEN;
        s->group_depth = s->depth;
    } else if (s->field < 0) {
        s->field = stsxml_field_of(s, local);
        if (s->field >= 0) {
            s->found[s->field] = true;
            s->field_depth = s->depth;
        }
    }
}

static void XMLCALL
stsxml_on_end(void *data, const XML_Char *name)
{
    (void)name;
    struct stsxml_scan *s = data;
    if (s->field >= 0 && s->depth == s->field_depth)
        s->field = -1;
    else if (s->group == STSXML_OPEN && s->depth == s->group_depth)
        s->group = STSXML_CLOSED;
    else if (s->anchor == STSXML_OPEN && s->depth == s->anchor_depth)
        s->anchor = STSXML_CLOSED;
    s->depth--;
}

/* Called once per run of text, which expat splits at lines and references. */
static void XMLCALL
stsxml_on_text(void *data, const XML_Char *text, int len)
{
    struct stsxml_scan *s = data;
    if (s->field >= 0)
        buf_append(&s->text[s->field], text, (size_t)len);
}

/* A DOCTYPE stops the parse before its internal subset is read, so no
 * entity is ever declared, let alone expanded, and no DTD loaded. */
static void XMLCALL
stsxml_on_doctype(void *data, const XML_Char *name, const XML_Char *system_id,
                  const XML_Char *public_id, int has_internal_subset)
{
    (void)name;
    (void)system_id;
    (void)public_id;
    (void)has_internal_subset;
    struct stsxml_scan *s = data;
    s->doctype = true;
    XML_StopParser(s->parser, XML_FALSE);
}

/* Unreachable behind stsxml_on_doctype; there so that an entity
 * declaration would be refused on its own too. */
static void XMLCALL
stsxml_on_entity(void *data, const XML_Char *name, int is_parameter, const XML_Char *value,
                 int value_len, const XML_Char *base, const XML_Char *system_id,
                 const XML_Char *public_id, const XML_Char *notation)
{
    (void)name;
    (void)is_parameter;
    (void)value;
    (void)value_len;
    (void)base;
    (void)system_id;
    (void)public_id;
    (void)notation;
    stsxml_on_doctype(data, NULL, NULL, NULL, 0);
}

/* expat takes any version; libxml2 took 1.x only, as XML 1.0 says. */
static void XMLCALL
stsxml_on_declaration(void *data, const XML_Char *version, const XML_Char *encoding, int standalone)
{
    (void)encoding;
    (void)standalone;
    struct stsxml_scan *s = data;
    if (version != NULL && (strncmp(version, "1.", 2) != 0 ||
                            strspn(version + 2, "0123456789") != strlen(version + 2))) {
        s->bad_version = true;
        XML_StopParser(s->parser, XML_FALSE);
    }
}

static void
stsxml_scan_free(struct stsxml_scan *s)
{
    for (size_t i = 0; i < STSXML_MAX_FIELDS; i++)
        buf_free(&s->text[i]);
}

/* Parses the whole answer into s. 0, or -1 with the reason in err (s is
 * to be freed either way). */
static int
stsxml_scan(const char *xml, size_t len, const struct stsxml_query *query, struct stsxml_scan *s,
            char *err, size_t errlen)
{
    static const XML_Char separator = STSXML_NS_SEP;
    *s = (struct stsxml_scan){.query = query, .field = -1};
    for (size_t i = 0; i < STSXML_MAX_FIELDS; i++)
        s->text[i] = (struct buf)BUF_INIT;
    if (len > STSXML_MAX) {
        snprintf(err, errlen, "answer larger than %d bytes", STSXML_MAX);
        return -1;
    }
    if ((s->parser = XML_ParserCreate_MM(NULL, &stsxml_wiping, &separator)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    XML_SetUserData(s->parser, s);
    XML_SetElementHandler(s->parser, stsxml_on_start, stsxml_on_end);
    XML_SetCharacterDataHandler(s->parser, stsxml_on_text);
    XML_SetXmlDeclHandler(s->parser, stsxml_on_declaration);
    XML_SetStartDoctypeDeclHandler(s->parser, stsxml_on_doctype);
    XML_SetEntityDeclHandler(s->parser, stsxml_on_entity);
    XML_SetParamEntityParsing(s->parser, XML_PARAM_ENTITY_PARSING_NEVER);

    enum XML_Status status = XML_Parse(s->parser, xml, (int)len, XML_TRUE);
    enum XML_Error error = XML_GetErrorCode(s->parser);
    bool out_of_memory = error == XML_ERROR_NO_MEMORY;
    for (size_t i = 0; i < query->n_fields; i++)
        out_of_memory = out_of_memory || buf_failed(&s->text[i]);
    int rc = -1;
    if (s->doctype)
        snprintf(err, errlen, "answer has a DOCTYPE (not allowed)");
    else if (s->bad_version)
        snprintf(err, errlen, "answer is not XML: unsupported XML version");
    else if (s->too_deep)
        snprintf(err, errlen, "answer is not XML: elements nested deeper than %d",
                 STSXML_MAX_DEPTH);
    else if (out_of_memory)
        snprintf(err, errlen, "out of memory");
    else if (status != XML_STATUS_OK)
        snprintf(err, errlen, "answer is not XML: %s (line %lu, column %lu)",
                 XML_ErrorString(error), (unsigned long)XML_GetCurrentLineNumber(s->parser),
                 (unsigned long)XML_GetCurrentColumnNumber(s->parser) + 1);
    else
        rc = 0;
    XML_ParserFree(s->parser);
    s->parser = NULL;
    return rc;
}

/* A field's text without surrounding blanks, NUL-terminated in place. */
static const char *
stsxml_trimmed(struct buf *b)
{
    if (b->len == 0)
        return "";
    char *start = b->data, *end = b->data + b->len;
    while (start < end && strchr(" \t\r\n", *start) != NULL)
        start++;
    while (end > start && strchr(" \t\r\n", end[-1]) != NULL)
        end--;
    *end = '\0';
    return start;
}

static const char *const stsxml_credential_fields[] = {"AccessKeyId", "SecretAccessKey",
                                                       "SessionToken", "Expiration"};
#define STSXML_N_CREDENTIAL_FIELDS                                                                 \
    (sizeof(stsxml_credential_fields) / sizeof(stsxml_credential_fields[0]))
_Static_assert(STSXML_N_CREDENTIAL_FIELDS <= STSXML_MAX_FIELDS, "a buffer per field");

static int
stsxml_fill(struct stsxml_scan *s, struct credentials *out, char *err, size_t errlen)
{
    const struct stsxml_query *q = s->query;
    if (s->anchor == STSXML_UNSEEN) {
        snprintf(err, errlen, "no %s in the answer (root element %s)", q->anchor, s->root);
        return -1;
    }
    if (s->group == STSXML_UNSEEN) {
        snprintf(err, errlen, "no %s in the answer's %s", q->group, q->anchor);
        return -1;
    }
    const char *text[STSXML_MAX_FIELDS];
    for (size_t i = 0; i < q->n_fields; i++) {
        text[i] = s->found[i] ? stsxml_trimmed(&s->text[i]) : NULL;
        if (text[i] == NULL || text[i][0] == '\0') {
            snprintf(err, errlen, "%s %s in the answer's %s", text[i] == NULL ? "no" : "empty",
                     q->fields[i], q->group);
            return -1;
        }
    }
    struct iso8601_time expiration;
    char why[128];
    if (iso8601_parse(text[3], &expiration, why, sizeof(why)) != 0) {
        char shown[64];
        text_sanitize(shown, sizeof(shown), text[3], strlen(text[3]));
        snprintf(err, errlen, "invalid Expiration '%s' in the answer: %s", shown, why);
        return -1;
    }
    if (credentials_set(out, text[0], text[1], text[2]) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->has_expiration = true;
    out->expiration = expiration.seconds;
    return 0;
}

int
stsxml_decode_credentials(const char *xml, size_t len, const char *result_element,
                          struct credentials *out, char *err, size_t errlen)
{
    out->access_key_id = out->secret_access_key = out->session_token = NULL;
    out->has_expiration = false;
    out->expiration = 0;
    const struct stsxml_query query = {result_element, "Credentials", stsxml_credential_fields,
                                       STSXML_N_CREDENTIAL_FIELDS};
    struct stsxml_scan s;
    int rc = stsxml_scan(xml, len, &query, &s, err, errlen);
    if (rc == 0)
        rc = stsxml_fill(&s, out, err, errlen);
    stsxml_scan_free(&s);
    return rc;
}

int
stsxml_decode_error(const char *xml, size_t len, struct sts_error *out)
{
    out->code[0] = out->message[0] = '\0';
    /* ErrorResponse/Error for STS; Response/Errors/Error from some front ends */
    static const char *const fields[] = {"Code", "Message"};
    const struct stsxml_query query = {"Error", NULL, fields, 2};
    struct stsxml_scan s;
    char ignored[256];
    int rc = stsxml_scan(xml, len, &query, &s, ignored, sizeof(ignored));
    const char *code = rc == 0 && s.found[0] ? stsxml_trimmed(&s.text[0]) : "";
    if (code[0] != '\0') {
        const char *message = s.found[1] ? stsxml_trimmed(&s.text[1]) : "";
        text_sanitize(out->code, sizeof(out->code), code, strlen(code));
        text_sanitize(out->message, sizeof(out->message), message, strlen(message));
    } else {
        rc = -1;
    }
    stsxml_scan_free(&s);
    return rc;
}
