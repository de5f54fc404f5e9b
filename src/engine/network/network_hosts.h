/* /etc/hosts of containers on bridge networks: their own name on their
 * address, and on user-defined networks every other container's name, as
 * docker resolves names there. The file is bind-mounted, so it is rewritten
 * in place, never replaced. */
#ifndef HUSK_ENGINE_NETWORK_HOSTS_H
#define HUSK_ENGINE_NETWORK_HOSTS_H

#include <jansson.h>
#include <stdbool.h>

#include "../../util/error.h"
#include "network_store.h"
#include "../options.h"

/* The file a container starts with before (or without) a bridge network:
 * localhost, --add-host's entries, its own names on 127.0.1.1. */
char *network_hosts_initial(const struct engine_context *context, json_t *record);
/* Whether --add-host gave entries (the host's file is then not copied). */
bool network_hosts_have_extra(json_t *record);
int network_hosts_write(const struct engine_context *context, json_t *record, husk_error_t *err);
/* Rewrites the hosts file of every container on NETWORK but SKIP_ID's. */
void network_hosts_refresh(const struct engine_context *context, const struct network *network,
                           const char *skip_id);

#endif
