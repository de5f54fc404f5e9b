#include "timestamp.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

void timestamp_now(char *buffer, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char seconds[32];
    strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buffer, size, "%s.%09ldZ", seconds, now.tv_nsec);
}

/* Seconds since the epoch and nanoseconds of an RFC 3339 time. */
static int time_parse(const char *text, time_t *seconds, long *nanoseconds)
{
    struct tm tm = {0};
    const char *p = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (p == NULL)
        return -1;
    long ns = 0, scale = 100000000;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            ns += scale > 0 ? (*p - '0') * scale : 0;
    long offset = 0;
    if (*p == '+' || *p == '-') {
        int hours, minutes;
        char sign = *p;
        if (sscanf(p + 1, "%2d:%2d", &hours, &minutes) != 2)
            return -1;
        offset = (sign == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
    } else if (*p != 'Z') {
        return -1;
    }
    *seconds = timegm(&tm) - offset;
    *nanoseconds = ns;
    return 0;
}

int64_t timestamp_between_ns(const char *from, const char *to)
{
    time_t a, b;
    long an, bn;
    if (time_parse(from, &a, &an) < 0 || time_parse(to, &b, &bn) < 0)
        return INT64_MIN;
    return ((int64_t)b - (int64_t)a) * 1000000000 + (bn - an);
}
