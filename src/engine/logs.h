/* Reading a container's log for `husk logs`. */
#ifndef HUSK_ENGINE_LOGS_H
#define HUSK_ENGINE_LOGS_H

#include <stdbool.h>

#include "../util/error.h"
#include "log.h"
#include "options.h"

struct logs_options {
    bool follow; /* until the container exits */
    long tail;   /* the last N lines only; -1 for all */
};

int engine_logs(const struct engine_context *context, const char *reference,
                const struct logs_options *options,
                void (*emit)(const struct log_entry *entry, void *data), void *data,
                husk_error_t *err);

#endif
