/* /etc/hosts of containers on bridge networks: their own name on their
 * address, and on user-defined networks every other container's name, as
 * docker resolves names there. The file is bind-mounted, so it is rewritten
 * in place, never replaced. */
#ifndef HUSK_ENGINE_NETWORK_HOSTS_H
#define HUSK_ENGINE_NETWORK_HOSTS_H

#include <jansson.h>

#include "../util/error.h"
#include "network_store.h"
#include "options.h"

int network_hosts_write(const struct engine_context *context, json_t *record, husk_error_t *err);
/* Rewrites the hosts file of every container on NETWORK but SKIP_ID's. */
void network_hosts_refresh(const struct engine_context *context, const struct network *network,
                           const char *skip_id);

#endif
