/*
 * text.h - untrusted text made fit for one line of plugin output.
 *
 * Whatever an API answer, a file or the command line held is copied as
 * one bounded, printable line: control characters are replaced, "|"
 * becomes "/" (it would start the perfdata), and a text longer than
 * dstlen - 1 bytes is cut to dstlen - 4 bytes and "...", at a UTF-8
 * character boundary so the result stays valid UTF-8. dst is always
 * NUL-terminated (dstlen > 0; below 4 the cut has no "..."). Only srclen
 * bytes of src are read; a NUL among them counts as a control character.
 * Pure.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/* For a message shown as prose: control characters become spaces. */
void text_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

/* For input quoted in an error: control characters become "?", which
 * shows that something unprintable was there. */
void text_quote(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
