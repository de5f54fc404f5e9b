/* What a container holds on bridge networks, found by its ID in the
 * leases, the veth names and husk's nftables table rather than in its
 * record: a network helper killed between wiring the network and saving the
 * record (or a monitor killed while it detached) leaves a lease, a veth and
 * published ports that the record does not name. The published ports are
 * the dangerous part: the next container given that address would receive
 * the dead one's traffic. */
#include "network_release.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/link.h"
#include "../../net/nat.h"
#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "network_attach.h"
#include "network_hosts.h"
#include "network_store.h"
#include "../repair.h"

/* husk's table, opened and read only once a lease of the container is
 * found (libnftables is loaded on demand). */
struct ports {
    struct nat *nat;
    struct nat_port *list;
    size_t count;
};

/* Every published port to ADDRESS goes. */
static void unpublish_address(struct ports *p, uint32_t address)
{
    if (p->nat == NULL) {
        if (nat_open(&p->nat, NULL) < 0)
            return;
        nat_port_list(p->nat, &p->list, &p->count, NULL);
    }
    for (size_t i = 0; i < p->count; i++)
        if (p->list[i].container_address == address)
            nat_port_remove(p->nat, &p->list[i], NULL);
}

/* Under the network lock: ID's leases on NETWORK, its veth, and the ports
 * published to those addresses. True when it released something. */
static bool release_on(const struct engine_context *context, struct nl_sock *host,
                       struct ports *ports, const struct network *network, const char *id)
{
    cleanup_free struct network_lease *leases = NULL;
    size_t count = network_lease_list_all(context, network, &leases);
    bool released = false;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(leases[i].id, id) != 0)
            continue;
        unpublish_address(ports, leases[i].address);
        network_lease_release(context, network, id, leases[i].address);
        released = true;
    }
    char veth[16];
    network_veth_name(id, network->name, veth);
    if (host != NULL && link_index(host, veth) > 0) {
        link_delete(host, veth, NULL);
        released = true;
    }
    if (released)
        network_hosts_refresh(context, network, id);
    return released;
}

void network_release_container(const struct engine_context *context, const char *id)
{
    struct nl_sock *host = NULL;
    struct ports ports = {0};
    if (id == NULL || id[0] == '\0')
        return;
    int lock = network_lock(context, NULL);
    if (lock < 0)
        return;
    netlink_open(&host, NULL);
    cleanup_strv char **names = network_names(context);
    bool released = false;
    for (char **name = names; name && *name; name++) {
        struct network network;
        if (network_load(context, *name, &network, NULL) < 0)
            continue;
        released |= release_on(context, host, &ports, &network, id);
        network_free(&network);
    }
    nat_close(ports.nat);
    free(ports.list);
    netlink_close(host);
    network_unlock(lock);
    if (released)
        network_retire_idle(context);
}

/* --- system check / repair -------------------------------------------------------- */

struct live_set {
    struct network_lease *leases; /* live ones, of every network */
    char **veths;                 /* the veth each of them has */
    size_t count;
};

static void live_set_free(struct live_set *live)
{
    for (size_t i = 0; i < live->count; i++)
        free(live->veths[i]);
    free(live->veths);
    free(live->leases);
}

static bool address_is_live(const struct live_set *live, uint32_t address)
{
    for (size_t i = 0; i < live->count; i++)
        if (live->leases[i].address == address)
            return true;
    return false;
}

static bool veth_is_live(const struct live_set *live, const char *name)
{
    for (size_t i = 0; i < live->count; i++)
        if (strcmp(live->veths[i], name) == 0)
            return true;
    return false;
}

/* Dead holders' leases go (their holder's PID 1 cannot come back: the
 * start time pins it); live ones are collected. */
static void leases_repair(struct repair *r, const struct network *network, struct live_set *live)
{
    cleanup_free struct network_lease *leases = NULL;
    size_t count = network_lease_list_all(r->context, network, &leases);
    for (size_t i = 0; i < count; i++) {
        char address[IPV4_TEXT_SIZE], object[96];
        ipv4_address_format(leases[i].address, address);
        snprintf(object, sizeof(object), "%s on network %s", address, network->name);
        if (!leases[i].alive) {
            if (r->fix)
                network_lease_release(r->context, network, leases[i].id, leases[i].address);
            repair_notef(r, "lease", 0, NULL, object,
                         "held by container %.12s, which is not running", leases[i].id);
            continue;
        }
        live->leases = xreallocarray(live->leases, live->count + 1, sizeof(*live->leases));
        live->veths = xreallocarray(live->veths, live->count + 1, sizeof(char *));
        live->leases[live->count] = leases[i];
        live->veths[live->count] = xmalloc(16);
        network_veth_name(leases[i].id, network->name, live->veths[live->count]);
        live->count++;
    }
}

static void ports_repair(struct repair *r, struct nat *nat, const struct live_set *live)
{
    cleanup_free struct nat_port *ports = NULL;
    size_t count = 0;
    husk_error_t err = NULL;
    if (nat_port_list(nat, &ports, &count, &err) < 0) {
        repair_note(r, "nftables", "table ip husk", "cannot be read", -1, &err);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        if (address_is_live(live, ports[i].container_address))
            continue;
        char host[IPV4_TEXT_SIZE], target[IPV4_TEXT_SIZE], object[96];
        ipv4_address_format(ports[i].host_address, host);
        ipv4_address_format(ports[i].container_address, target);
        snprintf(object, sizeof(object), "%s:%u/%s", host, ports[i].host_port, ports[i].protocol);
        int rc = r->fix ? nat_port_remove(nat, &ports[i], &err) : 0;
        repair_notef(r, "port", rc, err, object, "published to %s:%u, which no container holds",
                     target, ports[i].container_port);
        err = NULL;
    }
}

/* A veth on one of husk's bridges whose name no live lease gives. */
static void veths_repair(struct repair *r, struct nl_sock *host, char **bridges,
                         const struct live_set *live)
{
    cleanup_strv char **names = NULL, **masters = NULL;
    if (link_list(host, "veth", &names, &masters, NULL) < 0)
        return;
    for (size_t i = 0; names[i] != NULL; i++) {
        bool ours = strncmp(names[i], "veth", 4) == 0 && strlen(names[i]) == 15;
        bool on_bridge = false;
        for (char **b = bridges; b && *b; b++)
            on_bridge |= strcmp(*b, masters[i]) == 0;
        if (!ours || !on_bridge || veth_is_live(live, names[i]))
            continue;
        husk_error_t err = NULL;
        int rc = r->fix ? link_delete(host, names[i], &err) : 0;
        repair_notef(r, "veth", rc, err, names[i], "on bridge %s, of no running container",
                     masters[i]);
    }
}

/* The bridges of every network (husk's veths hang only there). */
static char **network_bridges(const struct engine_context *context)
{
    cleanup_strv char **names = network_names(context);
    size_t count = 0;
    char **bridges = xcalloc(1, sizeof(char *));
    for (char **name = names; name && *name; name++) {
        struct network network;
        if (network_load(context, *name, &network, NULL) < 0)
            continue;
        bridges = xreallocarray(bridges, count + 2, sizeof(char *));
        bridges[count++] = xstrdup(network.bridge);
        bridges[count] = NULL;
        network_free(&network);
    }
    return bridges;
}

/* The default bridge with no live lease: rm removes it with its last
 * container, so one that is up without any is a leftover. Its name in
 * IDLE, or "". */
static void bridge_idle(const struct engine_context *context, struct nl_sock *host,
                        const struct live_set *live, char idle[16])
{
    struct network network;
    idle[0] = '\0';
    if (network_load(context, NETWORK_DEFAULT_NAME, &network, NULL) < 0)
        return;
    bool unused = link_index(host, network.bridge) > 0;
    for (size_t i = 0; unused && i < live->count; i++)
        unused = !ipv4_subnet_contains(&network.subnet, live->leases[i].address);
    if (unused)
        snprintf(idle, 16, "%s", network.bridge);
    network_free(&network);
}

/* husk's table with no bridge up: the last bridge takes it along. */
static bool table_idle(struct nat *nat, struct nl_sock *host)
{
    cleanup_strv char **bridges = NULL;
    if (nat_bridge_list(nat, &bridges, NULL) < 0 || !nat_table_exists(nat))
        return false;
    for (char **b = bridges; *b; b++)
        if (link_index(host, *b) > 0)
            return false;
    return true;
}

/* Both are retired by network_retire_idle, outside the lock it takes. */
static void retire_repair(struct repair *r, const char *bridge, bool table)
{
    if (r->fix)
        network_retire_idle(r->context);
    struct nl_sock *host = NULL;
    struct nat *nat = NULL;
    if (netlink_open(&host, NULL) < 0)
        return;
    if (bridge[0] != '\0') {
        husk_error_t err = NULL;
        int rc = r->fix && link_index(host, bridge) > 0
                     ? husk_error_set(&err, EBUSY, "it is still up")
                     : 0;
        repair_notef(r, "bridge", rc, err, bridge, "up with no container on network %s",
                     NETWORK_DEFAULT_NAME);
    }
    if (table && nat_open(&nat, NULL) == 0) {
        husk_error_t err = NULL;
        int rc =
            r->fix && table_idle(nat, host) ? husk_error_set(&err, EBUSY, "it is still there") : 0;
        repair_note(r, "nftables", "table ip husk", "left with no bridge up", rc, &err);
    }
    nat_close(nat);
    netlink_close(host);
}

void network_repair(struct repair *r)
{
    struct live_set live = {0};
    struct nl_sock *host = NULL;
    struct nat *nat = NULL;
    int lock = network_lock(r->context, NULL);
    if (lock < 0 || netlink_open(&host, NULL) < 0) {
        network_unlock(lock);
        return;
    }
    cleanup_strv char **names = network_names(r->context);
    for (char **name = names; name && *name; name++) {
        struct network network;
        if (network_load(r->context, *name, &network, NULL) < 0)
            continue;
        leases_repair(r, &network, &live);
        network_free(&network);
    }
    cleanup_strv char **bridges = network_bridges(r->context);
    veths_repair(r, host, bridges, &live);
    char idle_bridge[16];
    bridge_idle(r->context, host, &live, idle_bridge);
    bool idle_table = false;
    if (nat_open(&nat, NULL) == 0) {
        ports_repair(r, nat, &live);
        idle_table = idle_bridge[0] == '\0' && table_idle(nat, host);
    }
    nat_close(nat);
    netlink_close(host);
    network_unlock(lock);
    live_set_free(&live);
    retire_repair(r, idle_bridge, idle_table);
}
