/*
 * fuzz_shlex.c - shlex_split on any text (credential_process command
 * lines, "[profile NAME]" section names).
 *
 * Checks: a split either fails with a one-line reason and nothing to free,
 * or gives a NULL-terminated list of words whose bytes all come from the
 * input (quotes and escapes only ever remove bytes); a text without
 * quotes, backslashes or blanks is one word, itself.
 */
#include "config.h"

#include "fuzz.h"
#include "shlex.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char **words = NULL;
    char err[128];
    fuzz_poison(err, sizeof err);
    int n = shlex_split(text, &words, err, sizeof err);
    if (n < 0) {
        FUZZ_CHECK(n == -1 && words == NULL);
        FUZZ_CHECK(fuzz_reason(err, sizeof err));
    } else {
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(words[i] != NULL);
            total += strlen(words[i]);
        }
        FUZZ_CHECK(words[n] == NULL);
        FUZZ_CHECK(total <= strlen(text));
        if (text[0] != '\0' && strpbrk(text, "'\"\\ \t\r\n") == NULL)
            FUZZ_CHECK(n == 1 && strcmp(words[0], text) == 0);
        shlex_free(words);
    }
    free(text);
    return 0;
}
