#include "config.h"

#include "human.h"

#include <stdio.h>

void
human_duration(int64_t seconds, char *out, size_t outlen)
{
    long long s = seconds < 0 ? 0 : (long long)seconds;
    if (s < 60)
        snprintf(out, outlen, "%llds", s);
    else if (s < 3600)
        snprintf(out, outlen, "%lldm %llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(out, outlen, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, outlen, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

void
human_bytes(int64_t bytes, char *out, size_t outlen)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(out, outlen, "%lld B", (long long)bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    int u = 0;
    while (v >= 1023.95 && u < 5) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, outlen, "%.1f %s", v, units[u]);
}
