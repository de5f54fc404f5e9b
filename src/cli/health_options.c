#include "health_options.h"

#include <stddef.h>

bool cli_health_flag(int option, const char *argument, struct health_flags *f)
{
    switch (option) {
    case CLI_OPTION_HEALTH_CMD:
        f->cmd = argument;
        return true;
    case CLI_OPTION_HEALTH_INTERVAL:
        f->interval = argument;
        return true;
    case CLI_OPTION_HEALTH_TIMEOUT:
        f->timeout = argument;
        return true;
    case CLI_OPTION_HEALTH_RETRIES:
        f->retries = argument;
        return true;
    case CLI_OPTION_HEALTH_START_PERIOD:
        f->start_period = argument;
        return true;
    case CLI_OPTION_HEALTH_START_INTERVAL:
        f->start_interval = argument;
        return true;
    case CLI_OPTION_NO_HEALTHCHECK:
        f->none = true;
        return true;
    default:
        return false;
    }
}
