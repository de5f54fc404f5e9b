/* husk's netfilter table (`table ip husk`), over libnftables: masquerade for
 * bridge networks, isolation between them, and published ports. The rules
 * are written once with the table; networks and ports are elements of its
 * sets and maps, so adding or removing one never touches a rule. */
#ifndef HUSK_NET_NAT_H
#define HUSK_NET_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"
#include "ipv4.h"

struct nat;

int nat_open(struct nat **nat, husk_error_t *err);
void nat_close(struct nat *nat);

/* Creates the table with its chains, sets and maps unless it exists. */
int nat_table_ensure(struct nat *nat, husk_error_t *err);
int nat_table_remove(struct nat *nat, husk_error_t *err);

/* A network on BRIDGE: traffic from SUBNET is masqueraded on its way out
 * (unless INTERNAL, which has no way out and no way in). */
int nat_network_add(struct nat *nat, const char *bridge, const struct ipv4_subnet *subnet,
                    bool internal, husk_error_t *err);
int nat_network_remove(struct nat *nat, const char *bridge, const struct ipv4_subnet *subnet,
                       bool internal, husk_error_t *err);

struct nat_port {
    uint32_t host_address; /* 0: every local address */
    uint16_t host_port;
    const char *protocol; /* "tcp" or "udp" */
    uint32_t container_address;
    uint16_t container_port;
};
/* Fails with EEXIST when another container published the same one. */
int nat_port_add(struct nat *nat, const struct nat_port *port, husk_error_t *err);
int nat_port_remove(struct nat *nat, const struct nat_port *port, husk_error_t *err);

/* What husk's table holds (none when there is no table): the published
 * ports (PROTOCOL points at "tcp" or "udp"), and the bridges of the
 * networks; NULL-terminated / counted lists the caller frees. For `system
 * check`, which looks for elements whose container or network is gone. */
int nat_port_list(struct nat *nat, struct nat_port **ports, size_t *count, husk_error_t *err);
bool nat_table_exists(struct nat *nat);
int nat_bridge_list(struct nat *nat, char ***bridges, husk_error_t *err);

#endif
