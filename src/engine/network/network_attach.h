/* A container on its bridge networks: for each network its record lists
 * (NetworkSettings.Networks), an address lease, a veth pair whose peer is
 * the container's ethN with that address (and, on the first network, the
 * default route), its published ports, and /etc/hosts entries. Detaching
 * undoes all of it; the default network's bridge goes with its last
 * container, and husk's nftables table and ip_forward with the last bridge. */
#ifndef HUSK_ENGINE_NETWORK_ATTACH_H
#define HUSK_ENGINE_NETWORK_ATTACH_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../../util/error.h"
#include "network_store.h"
#include "../options.h"

/* Called once PID 1 (PID) exists and before it runs anything; fills the
 * record's NetworkSettings. On failure nothing stays attached. */
int network_attach_all(const struct engine_context *context, json_t *record, pid_t pid,
                       husk_error_t *err);
/* For runtime_launch_options.before_start: DATA is a struct network_start. */
struct network_start {
    const struct engine_context *context;
    json_t *record;
};
int network_before_start(void *data, pid_t pid, husk_error_t *err);
/* Idempotent: releases what the record says the container holds. */
void network_detach_all(const struct engine_context *context, json_t *record);
/* `network connect` of a running container (PID > 0) or a stopped one. */
int network_attach_one(const struct engine_context *context, json_t *record, pid_t pid,
                       const char *name, uint32_t wanted, husk_error_t *err);
int network_detach_one(const struct engine_context *context, json_t *record, const char *name,
                       husk_error_t *err);
/* Under the network lock: NETWORK's bridge up (with husk's table and
 * forwarding); and down again, the table and forwarding with the last one. */
int network_bridge_up(const struct engine_context *context, const struct network *network,
                      husk_error_t *err);
void network_bridge_down(const struct engine_context *context, const struct network *network);
/* The host end of ID's veth pair on NETWORK: "veth" and 11 hex digits. */
void network_veth_name(const char *id, const char *network, char name[16]);
/* Under the network lock: the default bridge once no live lease is left on
 * it, and husk's table and forwarding once no bridge is left. */
void network_retire_idle(const struct engine_context *context);
/* Whether the network mode means "on bridge networks" (not none, host or
 * container:NAME). */
bool network_mode_is_bridge(const char *mode);

#endif
