/* Links, addresses and routes over rtnetlink, with libnl-route-3: the
 * plumbing of bridge networks. Every call names the socket, so the same
 * code works in the host's network namespace and in a container's. */
#ifndef HUSK_NET_LINK_H
#define HUSK_NET_LINK_H

#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"

struct nl_sock;

/* A route socket in husk's own network namespace, or in NETNS_FD's. */
int netlink_open(struct nl_sock **sock, husk_error_t *err);
int netlink_open_in(int netns_fd, struct nl_sock **sock, husk_error_t *err);
void netlink_close(struct nl_sock *sock);

/* The index of link NAME, 0 when there is none. */
int link_index(struct nl_sock *sock, const char *name);
/* The links of SOCK's namespace whose kind is KIND ("veth", "bridge"): their
 * names, and the name of the bridge each is enslaved to ("" when none), as
 * two NULL-terminated lists of the same length, the caller's to free. */
int link_list(struct nl_sock *sock, const char *kind, char ***names, char ***masters,
              husk_error_t *err);
/* A bridge NAME holding ADDRESS/PREFIX (its network's gateway), up. */
int bridge_create(struct nl_sock *sock, const char *name, uint32_t address, int prefix,
                  husk_error_t *err);
int link_delete(struct nl_sock *sock, const char *name, husk_error_t *err);

struct veth_request {
    const char *host_name; /* the end that stays, enslaved to BRIDGE_INDEX */
    int bridge_index;
    const char *peer_name; /* the end created in PID's network namespace */
    pid_t pid;
    uint8_t peer_mac[6];
};
/* One message creates the pair, enslaves and raises the host end, and puts
 * the peer, already named, into the container's namespace. */
int veth_create(struct nl_sock *sock, const struct veth_request *request, husk_error_t *err);
/* Inside the container's namespace (SOCK opened there): ADDRESS/PREFIX on
 * NAME, NAME up and, when GATEWAY is not 0, the default route through it. */
int link_address_and_route(struct nl_sock *sock, const char *name, uint32_t address, int prefix,
                           uint32_t gateway, husk_error_t *err);

#endif
