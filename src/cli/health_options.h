/* The health check flags of `run` and `create` (engine/health/
 * health_flags.h): their rows of the option table and where each value
 * goes. Values are checked by the engine (health_flags_validate). */
#ifndef HUSK_CLI_HEALTH_OPTIONS_H
#define HUSK_CLI_HEALTH_OPTIONS_H

#include <stdbool.h>

#include "../engine/health/health_flags.h"
#include "option_table.h"

enum {
    CLI_OPTION_HEALTH_CMD = 1400, /* 1000 resources, 1100 identity, 1200 log */
    CLI_OPTION_HEALTH_INTERVAL,
    CLI_OPTION_HEALTH_TIMEOUT,
    CLI_OPTION_HEALTH_RETRIES,
    CLI_OPTION_HEALTH_START_PERIOD,
    CLI_OPTION_HEALTH_START_INTERVAL,
    CLI_OPTION_NO_HEALTHCHECK,
};

/* clang-format off */
#define CLI_HEALTH_OPTIONS \
    {{"health-cmd", required_argument, NULL, CLI_OPTION_HEALTH_CMD}, 0, "CMD", \
     "a command run in the container (with /bin/sh -c) to\n" \
     "check its health: exit 0 healthy, else unhealthy"}, \
    {{"health-interval", required_argument, NULL, CLI_OPTION_HEALTH_INTERVAL}, 0, "TIME", \
     "time between checks (ms, s, m, h; default 30s)"}, \
    {{"health-timeout", required_argument, NULL, CLI_OPTION_HEALTH_TIMEOUT}, 0, "TIME", \
     "longest a check may run; then it fails (default 30s)"}, \
    {{"health-retries", required_argument, NULL, CLI_OPTION_HEALTH_RETRIES}, 0, "N", \
     "failures in a row that make it unhealthy (default 3)"}, \
    {{"health-start-period", required_argument, NULL, CLI_OPTION_HEALTH_START_PERIOD}, 0, \
     "TIME", "time to start in, when failures do not count\n" \
     "(default 0s)"}, \
    {{"health-start-interval", required_argument, NULL, CLI_OPTION_HEALTH_START_INTERVAL}, 0, \
     "TIME", "time between checks in the start period (default 5s)"}, \
    {{"no-healthcheck", no_argument, NULL, CLI_OPTION_NO_HEALTHCHECK}, 0, NULL, \
     "disable the image's HEALTHCHECK"}
/* clang-format on */

/* Sets what OPTION stands for; false when it is no health flag. */
bool cli_health_flag(int option, const char *argument, struct health_flags *flags);

#endif
