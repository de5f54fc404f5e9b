#include "timestamp.h"

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
