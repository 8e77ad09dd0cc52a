/*
 * human.h - durations and sizes the way an operator reads them.
 */
#ifndef HUMAN_H
#define HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* "45s", "12m 5s", "5h 3m", "3d 2h" (two units at most). */
void human_duration(int64_t seconds, char *out, size_t outlen);

/* "512 B", "4.2 MiB", "1.0 TiB" (binary units, one decimal). */
void human_bytes(int64_t bytes, char *out, size_t outlen);

#endif
