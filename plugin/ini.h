/*
 * ini.h - the ini dialect of ~/.aws/config and ~/.aws/credentials.
 *
 * "[section]" headers, "key = value" (or "key: value") pairs, full-line
 * comments starting with "#" or ";", blank lines. A line indented deeper
 * than its key's line continues the key's value (joined with "\n"); when
 * the value starts on the next line it is a block of nested settings
 * ("s3 =\n  addressing_style = path"), reported as "parent.key". A
 * section or a key that appears twice is an error, as in configparser. As in Python's configparser,
 * which botocore uses: keys are lower-cased (option names are
 * case-insensitive) and trimmed, values are trimmed, and a section name
 * is everything between the "[" and the last "]" of its line, untrimmed
 * ("[default] # note" is section "default"). Pure: parses text, calls
 * back per pair.
 */
#ifndef INI_H
#define INI_H

#include <stddef.h>

/* Called for every key, and with key and value NULL at each section
 * header (so an empty section is seen too); a non-zero return stops
 * parsing and is returned. */
typedef int (*ini_handler)(void *ud, const char *section, const char *key, const char *value);

/* Returns 0, the handler's non-zero value, or -1 with "line N: reason" in
 * err for a line that is neither a section, a pair nor a comment. */
int ini_parse(const char *text, ini_handler handler, void *ud, char *err, size_t errlen);

#endif
