#include "config.h"

#include "stsxml.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "iso8601.h"
#include "text.h"

/* STS answers are a few KiB; anything near this is not STS. */
#define STSXML_MAX (1024 * 1024)

/*
 * No network, no entities: XML_PARSE_NOENT is deliberately absent. A
 * DOCTYPE stops the parse before its internal subset is even read (see
 * stsxml_on_doctype), so no entity can be declared, let alone expanded.
 */
#define STSXML_OPTIONS                                                                             \
    (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static void
stsxml_on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                  const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    *(bool *)ctxt->_private = true;
    xmlStopParser(ctxt);
}

/* The document, or NULL with the reason in err. */
static xmlDocPtr
stsxml_parse(const char *xml, size_t len, char *err, size_t errlen)
{
    if (len > STSXML_MAX) {
        snprintf(err, errlen, "answer larger than %d bytes", STSXML_MAX);
        return NULL;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bool has_doctype = false;
    ctxt->_private = &has_doctype;
    ctxt->sax->internalSubset = stsxml_on_doctype;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, STSXML_OPTIONS);
    if (doc != NULL && (has_doctype || !ctxt->wellFormed || xmlDocGetRootElement(doc) == NULL)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (doc == NULL && has_doctype) {
        snprintf(err, errlen, "answer has a DOCTYPE (not allowed)");
    } else if (doc == NULL) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char why[160] = "";
        if (e != NULL && e->message != NULL) {
            size_t n = strlen(e->message);
            while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
                n--;
            text_sanitize(why, sizeof(why), e->message, n);
        }
        snprintf(err, errlen, "answer is not XML%s%s", why[0] ? ": " : "", why);
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static bool
stsxml_is(const xmlNode *node, const char *local_name)
{
    return node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, BAD_CAST local_name) == 0;
}

/* The first child element named local_name, whatever its namespace. */
static xmlNodePtr
stsxml_child(const xmlNode *parent, const char *local_name)
{
    for (xmlNodePtr n = parent->children; n != NULL; n = n->next)
        if (stsxml_is(n, local_name))
            return n;
    return NULL;
}

/* The first element named local_name at or below node, depth first. */
static xmlNodePtr
stsxml_find(xmlNodePtr node, const char *local_name)
{
    for (; node != NULL; node = node->next) {
        if (stsxml_is(node, local_name))
            return node;
        xmlNodePtr found =
            node->type == XML_ELEMENT_NODE ? stsxml_find(node->children, local_name) : NULL;
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* The trimmed text of node into a malloc'd string ("" when empty). */
static char *
stsxml_text(const xmlNode *node)
{
    xmlChar *content = xmlNodeGetContent(node);
    if (content == NULL)
        return NULL;
    size_t len = strlen((const char *)content);
    const char *start = (const char *)content;
    while (len > 0 && strchr(" \t\r\n", *start) != NULL) {
        start++;
        len--;
    }
    while (len > 0 && strchr(" \t\r\n", start[len - 1]) != NULL)
        len--;
    char *text = strndup(start, len);
    OPENSSL_cleanse(content, strlen((const char *)content));
    xmlFree(content);
    return text;
}

static void
stsxml_text_free(char *text)
{
    if (text != NULL) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
}

/* Overwrites the text below node, so the freed tree keeps no secret. */
static void
stsxml_wipe(xmlDocPtr doc, xmlNodePtr node)
{
    for (; node != NULL; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            /* short texts interned in the dictionary are shared: not secrets */
            if (node->content != NULL && !(doc->dict && xmlDictOwns(doc->dict, node->content)))
                OPENSSL_cleanse(node->content, strlen((const char *)node->content));
        } else if (node->type == XML_ELEMENT_NODE) {
            stsxml_wipe(doc, node->children);
        }
    }
}

static const char *const stsxml_fields[] = {"AccessKeyId", "SecretAccessKey", "SessionToken",
                                            "Expiration"};
#define STSXML_N_FIELDS (sizeof(stsxml_fields) / sizeof(stsxml_fields[0]))

static int
stsxml_fill(const xmlNode *creds_node, struct credentials *out, char *err, size_t errlen)
{
    char *text[STSXML_N_FIELDS] = {NULL};
    int rc = -1;
    for (size_t i = 0; i < STSXML_N_FIELDS; i++) {
        xmlNodePtr n = stsxml_child(creds_node, stsxml_fields[i]);
        if (n == NULL) {
            snprintf(err, errlen, "no %s in the answer's Credentials", stsxml_fields[i]);
            goto done;
        }
        if ((text[i] = stsxml_text(n)) == NULL) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        if (text[i][0] == '\0') {
            snprintf(err, errlen, "empty %s in the answer's Credentials", stsxml_fields[i]);
            goto done;
        }
    }
    struct iso8601_time expiration;
    char why[128];
    if (iso8601_parse(text[3], &expiration, why, sizeof(why)) != 0) {
        char shown[64];
        text_sanitize(shown, sizeof(shown), text[3], strlen(text[3]));
        snprintf(err, errlen, "invalid Expiration '%s' in the answer: %s", shown, why);
        goto done;
    }
    if (credentials_set(out, text[0], text[1], text[2]) != 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    out->has_expiration = true;
    out->expiration = expiration.seconds;
    rc = 0;
done:
    for (size_t i = 0; i < STSXML_N_FIELDS; i++)
        stsxml_text_free(text[i]);
    return rc;
}

int
stsxml_decode_credentials(const char *xml, size_t len, const char *result_element,
                          struct credentials *out, char *err, size_t errlen)
{
    out->access_key_id = out->secret_access_key = out->session_token = NULL;
    out->has_expiration = false;
    out->expiration = 0;
    xmlDocPtr doc = stsxml_parse(xml, len, err, errlen);
    if (doc == NULL)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr result = stsxml_find(root, result_element);
    xmlNodePtr creds = result != NULL ? stsxml_child(result, "Credentials") : NULL;
    int rc = -1;
    if (result == NULL)
        snprintf(err, errlen, "no %s in the answer (root element %.64s)", result_element,
                 (const char *)root->name);
    else if (creds == NULL)
        snprintf(err, errlen, "no Credentials in the answer's %s", result_element);
    else
        rc = stsxml_fill(creds, out, err, errlen);
    stsxml_wipe(doc, root);
    xmlFreeDoc(doc);
    return rc;
}

int
stsxml_decode_error(const char *xml, size_t len, struct sts_error *out)
{
    out->code[0] = out->message[0] = '\0';
    char ignored[256];
    xmlDocPtr doc = stsxml_parse(xml, len, ignored, sizeof(ignored));
    if (doc == NULL)
        return -1;
    /* ErrorResponse/Error for STS; Response/Errors/Error from some front ends */
    xmlNodePtr error = stsxml_find(xmlDocGetRootElement(doc), "Error");
    xmlNodePtr code = error != NULL ? stsxml_child(error, "Code") : NULL;
    char *code_text = code != NULL ? stsxml_text(code) : NULL;
    int rc = -1;
    if (code_text != NULL && code_text[0] != '\0') {
        xmlNodePtr message = stsxml_child(error, "Message");
        char *message_text = message != NULL ? stsxml_text(message) : NULL;
        text_sanitize(out->code, sizeof(out->code), code_text, strlen(code_text));
        if (message_text != NULL)
            text_sanitize(out->message, sizeof(out->message), message_text, strlen(message_text));
        stsxml_text_free(message_text);
        rc = 0;
    }
    stsxml_text_free(code_text);
    xmlFreeDoc(doc);
    return rc;
}
