/*
 * state.h - the four plugin states and their names.
 */
#ifndef STATE_H
#define STATE_H

enum state { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 };

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_name(enum state s);

/* Parses ok|warning|critical|unknown (any case) or 0-3. 0 on success. */
int state_parse(const char *text, enum state *out);

/* The more severe of a and b: CRITICAL > WARNING > UNKNOWN > OK. */
enum state state_worst(enum state a, enum state b);

#endif
