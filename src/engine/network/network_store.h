/* Bridge networks as husk keeps them: DATA/networks/NAME/network.json, and
 * DATA/networks/NAME/leases/ADDRESS, a symlink naming the container that
 * holds the address ("ID:PID:STARTTIME" of its PID 1, so a lease of a
 * container that died unseen can be taken back). All changes happen under
 * one lock, DATA/networks/.lock. */
#ifndef HUSK_ENGINE_NETWORK_STORE_H
#define HUSK_ENGINE_NETWORK_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../net/ipv4.h"
#include "../../util/error.h"
#include "../identity.h"
#include "../options.h"

#define NETWORK_DEFAULT_NAME   "bridge"
#define NETWORK_DEFAULT_BRIDGE "husk0"
#define NETWORK_DEFAULT_SUBNET "10.88.0.0/16"

struct network {
    char *name;
    char id[HUSK_ID_SIZE];
    char bridge[16];
    struct ipv4_subnet subnet;
    uint32_t gateway;
    bool internal;
    json_t *document; /* network.json as stored */
};

/* flock()ed; -1 on error. */
int network_lock(const struct engine_context *context, husk_error_t *err);
void network_unlock(int lock_fd);

int network_load(const struct engine_context *context, const char *name, struct network *network,
                 husk_error_t *err);
void network_free(struct network *network);
/* The default network's definition, made on first use: 10.88.0.0/16 or, if
 * a host route overlaps it, the next free 10.N.0.0/16 (said on stderr). */
int network_load_default(const struct engine_context *context, struct network *network,
                         husk_error_t *err);
/* Names of every network, sorted. */
char **network_names(const struct engine_context *context);
/* Under the lock: a new network with SUBNET (NULL: the next free
 * 10.89.N.0/24) and GATEWAY (NULL: the first address). */
int network_define(const struct engine_context *context, const char *name, const char *subnet,
                   const char *gateway, bool internal, struct network *network, husk_error_t *err);
int network_undefine(const struct engine_context *context, const char *name, husk_error_t *err);
/* A subnet overlapping another network's or a route of the host's. */
int network_subnet_check(const struct engine_context *context, const struct ipv4_subnet *subnet,
                         const char *except, husk_error_t *err);

/* Under the lock: the lowest free address (or WANTED when not 0) for the
 * container ID whose PID 1 is PID. Leases of dead holders are taken back. */
int network_lease_take(const struct engine_context *context, const struct network *network,
                       const char *id, pid_t pid, uint32_t wanted, uint32_t *address,
                       husk_error_t *err);
/* Releases ADDRESS only if ID holds it. */
void network_lease_release(const struct engine_context *context, const struct network *network,
                           const char *id, uint32_t address);
struct network_lease {
    char id[HUSK_ID_SIZE];
    uint32_t address;
    bool alive; /* its holder's PID 1 still runs */
};
/* The network's live leases; *LEASES (if given) is the caller's to free. */
size_t network_lease_list(const struct engine_context *context, const struct network *network,
                          struct network_lease **leases);
/* Every lease, also those of holders that died unseen (for rm and system
 * repair, which release them at once rather than when an address runs out). */
size_t network_lease_list_all(const struct engine_context *context, const struct network *network,
                              struct network_lease **leases);

#endif
