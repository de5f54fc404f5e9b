/* `husk volume create|ls|inspect|rm|prune` as the engine answers them. */
#ifndef HUSK_ENGINE_VOLUMES_VOLUME_COMMANDS_H
#define HUSK_ENGINE_VOLUMES_VOLUME_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>

#include "../../util/error.h"
#include "../options.h"

/* NAME NULL: an anonymous volume. *NAME_OUT gets the name. */
int engine_volume_create(const struct engine_context *context, const char *name, json_t *labels,
                         json_t *options, char **name_out, husk_error_t *err);
/* Every volume's inspect document plus "InUse" (a container uses it),
 * sorted by name. */
json_t *engine_volume_list(const struct engine_context *context);
int engine_volume_inspect(const struct engine_context *context, const char *name, json_t **document,
                          husk_error_t *err);
/* FORCE: a missing volume is no error. */
int engine_volume_remove(const struct engine_context *context, const char *name, bool force,
                         husk_error_t *err);
/* The volumes no container uses: anonymous ones only unless ALL; KEEP (may
 * be NULL) says which of them to spare. *REMOVED lists their names,
 * *RECLAIMED the bytes their files held. */
int engine_volume_prune(const struct engine_context *context, bool all,
                        bool (*keep)(json_t *document, void *data), void *keep_data,
                        char ***removed, unsigned long long *reclaimed, husk_error_t *err);

#endif
