#include "config.h"

#include "state.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *
state_name(enum state s)
{
    return (unsigned)s < 4 ? state_names[s] : "UNKNOWN";
}

int
state_parse(const char *text, enum state *out)
{
    for (int i = 0; i < 4; i++) {
        char digit[2] = {(char)('0' + i), '\0'};
        if (strcasecmp(text, state_names[i]) == 0 || strcmp(text, digit) == 0) {
            *out = (enum state)i;
            return 0;
        }
    }
    return -1;
}

static int
state_rank(enum state s)
{
    static const int rank[] = {0, 2, 3, 1};
    return (unsigned)s < 4 ? rank[s] : 1;
}

enum state
state_worst(enum state a, enum state b)
{
    return state_rank(a) >= state_rank(b) ? a : b;
}
