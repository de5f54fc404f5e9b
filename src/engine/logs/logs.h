/* Reading a container's log for `husk logs`. */
#ifndef HUSK_ENGINE_LOGS_H
#define HUSK_ENGINE_LOGS_H

#include <stdbool.h>
#include <time.h>

#include "../../util/error.h"
#include "log.h"
#include "../options.h"

struct logs_options {
    bool follow;  /* until the container exits (or --until passes) */
    long tail;    /* the last N entries only; -1 for all */
    bool details; /* each entry's extra attributes (log_details.h) */
    bool has_since, has_until;
    struct timespec since, until; /* entries at or after SINCE, at or before UNTIL */
};

/* Calls EMIT for each entry; with details, ATTRS is docker's prefix ("" when
 * the log options name no attribute), else NULL. */
int engine_logs(const struct engine_context *context, const char *reference,
                const struct logs_options *options,
                void (*emit)(const struct log_entry *entry, const char *attrs, void *data),
                void *data, husk_error_t *err);

#endif
