/* When a container's health probe runs: what the monitor needs of
 * Config.Healthcheck, read by its launcher so the monitor parses no JSON. */
#ifndef HUSK_ENGINE_HEALTH_TIMING_H
#define HUSK_ENGINE_HEALTH_TIMING_H

#include <stdbool.h>
#include <stdint.h>

struct health_timing {
    bool enabled; /* a CMD or CMD-SHELL probe is configured */
    int64_t interval_ns;
    int64_t timeout_ns;
    int64_t start_period_ns;
    int64_t start_interval_ns;
};

#endif
