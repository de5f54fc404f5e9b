/* The `run`/`create` flags that choose how a container's output is kept
 * (issue 18): --log-driver and --log-opt, as typed. Kept apart from struct
 * run_options so that they (and log_config.c, which checks and records
 * them) stay one block. */
#ifndef HUSK_ENGINE_LOG_FLAGS_H
#define HUSK_ENGINE_LOG_FLAGS_H

#include "../identity_flags.h"

struct log_flags {
    const char *driver;    /* --log-driver, or NULL: the default (local) */
    struct flag_list opts; /* --log-opt KEY=VALUE */
};

#endif
