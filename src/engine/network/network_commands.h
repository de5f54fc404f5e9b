/* `husk network ...` and `husk port`: bridge networks as users manage them. */
#ifndef HUSK_ENGINE_NETWORK_COMMANDS_H
#define HUSK_ENGINE_NETWORK_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>

#include "../../util/error.h"
#include "../identity.h"
#include "../options.h"

struct network_create_options {
    const char *name;
    const char *subnet;  /* NULL: the next free 10.89.N.0/24 */
    const char *gateway; /* NULL: the subnet's first address */
    bool internal;
};

/* Defines the network and brings its bridge up; *ID gets its id. */
int engine_network_create(const struct engine_context *context,
                          const struct network_create_options *options, char id[HUSK_ID_SIZE],
                          husk_error_t *err);
/* Refused for the default network and while a container runs on it. */
int engine_network_remove(const struct engine_context *context, const char *name,
                          husk_error_t *err);
/* Every network's document, the default one first. */
json_t *engine_network_list(const struct engine_context *context);
/* network.json plus "Containers": {ID: {"Name", "IPv4Address"}} of the live ones. */
int engine_network_inspect(const struct engine_context *context, const char *name,
                           json_t **document, husk_error_t *err);
/* IP: a wanted address or NULL. */
int engine_network_connect(const struct engine_context *context, const char *name,
                           const char *container, const char *ip, husk_error_t *err);
int engine_network_disconnect(const struct engine_context *context, const char *name,
                              const char *container, husk_error_t *err);
/* Removes the user networks no container (in any state) is on. */
int engine_network_prune(const struct engine_context *context, char ***removed, husk_error_t *err);
/* NetworkSettings.Ports of a container; an error when it does not run. */
int engine_port(const struct engine_context *context, const char *container, json_t **ports,
                husk_error_t *err);

#endif
