/* Container environment: `-e` values and the list built from image + flags. */
#ifndef HUSK_ENGINE_ENVIRONMENT_H
#define HUSK_ENGINE_ENVIRONMENT_H

#include <jansson.h>

#include "../util/error.h"

/* "K=V" -> "K=V" ("K=" too); "K" -> "K=<husk's value>" or NULL (*OUT) when
 * unset. An empty option, an empty key or white space in the key is an error. */
int environment_option_parse(const char *option, char **out, husk_error_t *err);
/* Sets ENTRY ("K=V") in the JSON array ENV, replacing an entry with the same key. */
void environment_set(json_t *env, const char *entry);
/* True when ENV already has key KEY. */
int environment_has(json_t *env, const char *key);

#endif
