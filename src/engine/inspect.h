/* The documents `inspect` and `ps` show: the record as docker shapes it,
 * with the state and namespaces read from the kernel, not from the record. */
#ifndef HUSK_ENGINE_INSPECT_H
#define HUSK_ENGINE_INSPECT_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"
#include "options.h"

int engine_inspect(const struct engine_context *context, const char *reference, json_t **document,
                   husk_error_t *err);
/* Every container's inspect document, newest first. */
json_t *engine_list(const struct engine_context *context, bool all);

#endif
