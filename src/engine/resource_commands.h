/* `pause`, `unpause`, `update` and `stats`: a running container's cgroups. */
#ifndef HUSK_ENGINE_RESOURCE_COMMANDS_H
#define HUSK_ENGINE_RESOURCE_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "options.h"
#include "resources.h"

int engine_pause(const struct engine_context *context, const char *reference, husk_error_t *err);
int engine_unpause(const struct engine_context *context, const char *reference, husk_error_t *err);
/* New limits: written to a running container's cgroups at once, and kept in
 * its spec and record for its next start. */
int engine_update(const struct engine_context *context, const char *reference,
                  const struct resource_flags *flags, husk_error_t *err);
/* One row per running container (or per NAMES, which must run), measured
 * over INTERVAL_MS: {"ID", "Name", "CPUPerc", "MemUsage", "MemLimit", "MemPerc",
 * "NetInput", "NetOutput", "BlockInput", "BlockOutput", "PIDs"}. */
int engine_stats(const struct engine_context *context, char *const *names, size_t count,
                 int interval_ms, json_t **rows, husk_error_t *err);
/* Thaws a paused container (before it is killed for rm -f). */
void engine_thaw(const struct engine_context *context, const char *id);

#endif
