/* A container's network state found by its ID, not its record (see
 * network_release.c). */
#ifndef HUSK_ENGINE_NETWORK_RELEASE_H
#define HUSK_ENGINE_NETWORK_RELEASE_H

#include "../options.h"

/* Releases every lease ID holds on any network, its veths and the ports
 * published to those addresses; then the default bridge, husk's table and
 * forwarding if nothing else holds them. For rm and prune, after the record's
 * own detach: ID must not run. */
void network_release_container(const struct engine_context *context, const char *id);

#endif
