/* A Dockerfile HEALTHCHECK instruction's argument (as `import -c` and
 * `commit -c` take it) into an image config's Healthcheck:
 * "[--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
 * [--retries=N] CMD command" or "NONE". */
#ifndef HUSK_ENGINE_HEALTH_INSTRUCTION_H
#define HUSK_ENGINE_HEALTH_INSTRUCTION_H

#include <jansson.h>

#include "../../util/error.h"

/* The Healthcheck object (new reference), or NULL with ERR set. */
json_t *health_instruction_parse(const char *argument, husk_error_t *err);
/* The same, set as CONFIG's Healthcheck. */
int health_change_apply(json_t *config, const char *argument, husk_error_t *err);

#endif
