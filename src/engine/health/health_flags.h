/* The `run`/`create` health check flags (issue 18), as typed. Kept apart
 * from struct run_options so the flags and health_config.c, which checks
 * them and merges them over the image's HEALTHCHECK, stay one block. */
#ifndef HUSK_ENGINE_HEALTH_FLAGS_H
#define HUSK_ENGINE_HEALTH_FLAGS_H

#include <stdbool.h>

struct health_flags {
    const char *cmd;            /* --health-cmd: run with the shell (CMD-SHELL) */
    const char *interval;       /* --health-interval, a Go duration ("30s") */
    const char *timeout;        /* --health-timeout */
    const char *start_period;   /* --health-start-period */
    const char *start_interval; /* --health-start-interval */
    const char *retries;        /* --health-retries, an integer */
    bool none;                  /* --no-healthcheck: Test ["NONE"] */
};

#endif
