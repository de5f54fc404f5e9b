#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

/* libnl errors are negative NLE_* codes; errno is what users know. */
static int libnl_error(husk_error_t *err, int code, const char *what, const char *name)
{
    int error = code == -NLE_EXIST                                ? EEXIST
                : code == -NLE_OBJ_NOTFOUND || code == -NLE_NODEV ? ENODEV
                : code == -NLE_PERM                               ? EPERM
                                                                  : 0;
    return husk_error_set(err, error, "%s %s: %s", what, name, nl_geterror(code));
}

int netlink_open(struct nl_sock **sock, husk_error_t *err)
{
    *sock = nl_socket_alloc();
    if (*sock == NULL)
        return husk_error_set(err, ENOMEM, "netlink socket");
    int rc = nl_connect(*sock, NETLINK_ROUTE);
    if (rc < 0) {
        nl_socket_free(*sock);
        *sock = NULL;
        return libnl_error(err, rc, "connect", "rtnetlink");
    }
    return 0;
}

/* A socket keeps the network namespace it was made in: make it there,
 * then return to husk's own. */
int netlink_open_in(int netns_fd, struct nl_sock **sock, husk_error_t *err)
{
    cleanup_close int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0 || setns(netns_fd, CLONE_NEWNET) < 0)
        return husk_error_set(err, errno, "enter the container's network namespace");
    int rc = netlink_open(sock, err);
    if (setns(own, CLONE_NEWNET) < 0) {
        /* Going on in the container's namespace would configure the wrong one. */
        _exit(HUSK_EXIT_ENGINE);
    }
    return rc;
}

void netlink_close(struct nl_sock *sock)
{
    if (sock != NULL)
        nl_socket_free(sock);
}

int link_index(struct nl_sock *sock, const char *name)
{
    struct rtnl_link *link = NULL;
    if (rtnl_link_get_kernel(sock, 0, name, &link) < 0)
        return 0;
    int index = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    return index;
}

int link_list(struct nl_sock *sock, const char *kind, char ***names, char ***masters,
              husk_error_t *err)
{
    struct nl_cache *cache = NULL;
    int rc = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
    if (rc < 0)
        return libnl_error(err, rc, "list", "links");
    size_t count = 0, size = (size_t)nl_cache_nitems(cache) + 1;
    *names = xcalloc(size, sizeof(char *));
    *masters = xcalloc(size, sizeof(char *));
    for (struct nl_object *object = nl_cache_get_first(cache); object != NULL;
         object = nl_cache_get_next(object)) {
        struct rtnl_link *link = (struct rtnl_link *)object;
        const char *type = rtnl_link_get_type(link);
        if (type == NULL || strcmp(type, kind) != 0 || count + 1 >= size)
            continue;
        char master[IF_NAMESIZE] = "";
        int master_index = rtnl_link_get_master(link);
        if (master_index > 0)
            rtnl_link_i2name(cache, master_index, master, sizeof(master));
        (*names)[count] = xstrdup(rtnl_link_get_name(link));
        (*masters)[count++] = xstrdup(master);
    }
    nl_cache_free(cache);
    return 0;
}

static struct nl_addr *ipv4_nl_address(uint32_t address, int prefix)
{
    uint32_t network_order = htonl(address);
    struct nl_addr *result = nl_addr_build(AF_INET, &network_order, sizeof(network_order));
    if (result != NULL)
        nl_addr_set_prefixlen(result, prefix);
    return result;
}

static int address_add(struct nl_sock *sock, int index, uint32_t address, int prefix,
                       const char *name, husk_error_t *err)
{
    struct rtnl_addr *entry = rtnl_addr_alloc();
    struct nl_addr *local = ipv4_nl_address(address, prefix);
    int rc = -NLE_NOMEM;
    if (entry != NULL && local != NULL) {
        rtnl_addr_set_ifindex(entry, index);
        rtnl_addr_set_local(entry, local);
        rc = rtnl_addr_add(sock, entry, 0);
    }
    nl_addr_put(local);
    rtnl_addr_put(entry);
    return rc < 0 ? libnl_error(err, rc, "add an address to", name) : 0;
}

/* By index, known already: a lookup by name would be one more round trip. */
static int link_up(struct nl_sock *sock, int index, const char *name, husk_error_t *err)
{
    struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
    int rc = -NLE_NOMEM;
    if (link != NULL && change != NULL) {
        rtnl_link_set_ifindex(link, index);
        rtnl_link_set_flags(change, IFF_UP);
        rc = rtnl_link_change(sock, link, change, 0);
    }
    rtnl_link_put(link);
    rtnl_link_put(change);
    return rc < 0 ? libnl_error(err, rc, "bring up", name) : 0;
}

int bridge_create(struct nl_sock *sock, const char *name, uint32_t address, int prefix,
                  husk_error_t *err)
{
    struct rtnl_link *bridge = rtnl_link_bridge_alloc();
    if (bridge == NULL)
        return husk_error_set(err, ENOMEM, "bridge %s", name);
    rtnl_link_set_name(bridge, name);
    int rc = rtnl_link_add(sock, bridge, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(bridge);
    if (rc < 0)
        return libnl_error(err, rc, "create bridge", name);
    int index = link_index(sock, name);
    if (address_add(sock, index, address, prefix, name, err) < 0 ||
        link_up(sock, index, name, err) < 0) {
        link_delete(sock, name, NULL);
        return -1;
    }
    return 0;
}

int link_delete(struct nl_sock *sock, const char *name, husk_error_t *err)
{
    struct rtnl_link *link = rtnl_link_alloc();
    if (link == NULL)
        return husk_error_set(err, ENOMEM, "link %s", name);
    rtnl_link_set_name(link, name);
    int rc = rtnl_link_delete(sock, link);
    rtnl_link_put(link);
    return rc < 0 ? libnl_error(err, rc, "delete link", name) : 0;
}

int veth_create(struct nl_sock *sock, const struct veth_request *request, husk_error_t *err)
{
    struct rtnl_link *host = rtnl_link_veth_alloc();
    if (host == NULL)
        return husk_error_set(err, ENOMEM, "veth %s", request->host_name);
    struct rtnl_link *peer = rtnl_link_veth_get_peer(host);
    struct nl_addr *mac = nl_addr_build(AF_LLC, request->peer_mac, 6);
    rtnl_link_set_name(host, request->host_name);
    rtnl_link_set_master(host, request->bridge_index);
    rtnl_link_set_flags(host, IFF_UP);
    rtnl_link_set_name(peer, request->peer_name);
    /* Not up yet: veth cannot open the peer before the pair exists. */
    rtnl_link_set_ns_pid(peer, request->pid);
    if (mac != NULL)
        rtnl_link_set_addr(peer, mac);
    int rc = rtnl_link_add(sock, host, NLM_F_CREATE | NLM_F_EXCL);
    nl_addr_put(mac);
    rtnl_link_put(peer);
    rtnl_link_veth_release(host);
    return rc < 0 ? libnl_error(err, rc, "create veth pair", request->host_name) : 0;
}

int link_address_and_route(struct nl_sock *sock, const char *name, uint32_t address, int prefix,
                           uint32_t gateway, husk_error_t *err)
{
    int index = link_index(sock, name);
    if (index == 0)
        return husk_error_set(err, ENODEV, "link %s is missing in the container", name);
    if (address_add(sock, index, address, prefix, name, err) < 0 ||
        link_up(sock, index, name, err) < 0)
        return -1;
    if (gateway == 0)
        return 0;
    struct rtnl_route *route = rtnl_route_alloc();
    struct rtnl_nexthop *hop = rtnl_route_nh_alloc();
    struct nl_addr *any = ipv4_nl_address(0, 0), *via = ipv4_nl_address(gateway, 32);
    int rc = -NLE_NOMEM;
    if (route != NULL && hop != NULL && any != NULL && via != NULL) {
        rtnl_route_set_family(route, AF_INET);
        rtnl_route_set_dst(route, any);
        rtnl_route_nh_set_gateway(hop, via);
        rtnl_route_nh_set_ifindex(hop, index);
        rtnl_route_add_nexthop(route, hop);
        hop = NULL; /* the route owns it now */
        rc = rtnl_route_add(sock, route, 0);
    }
    if (hop != NULL)
        rtnl_route_nh_free(hop);
    nl_addr_put(any);
    nl_addr_put(via);
    rtnl_route_put(route);
    return rc < 0 ? libnl_error(err, rc, "add the default route via", name) : 0;
}
