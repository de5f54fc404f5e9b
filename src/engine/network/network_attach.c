#include "network_attach.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../net/link.h"
#include "../../net/nat.h"
#include "../../net/sysctl.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../identity_parse.h"
#include "network_hosts.h"
#include "../ports.h"
#include "../record.h"

bool network_mode_is_bridge(const char *mode)
{
    return mode != NULL && strcmp(mode, "none") != 0 && strcmp(mode, "host") != 0 &&
           strncmp(mode, "container:", 10) != 0;
}

/* Kept in a stopped container's endpoint: the address it had, tried first
 * when it starts again. */
static const char previous_address_key[] = "PreviousIPAddress";

static const char *record_id(json_t *record)
{
    return json_string_value(json_object_get(record, "Id"));
}

static json_t *record_networks(json_t *record)
{
    json_t *settings = json_object_get(record, "NetworkSettings");
    if (settings == NULL) {
        settings = json_object();
        json_object_set_new(record, "NetworkSettings", settings);
    }
    json_t *networks = json_object_get(settings, "Networks");
    if (networks == NULL) {
        networks = json_object();
        json_object_set_new(settings, "Networks", networks);
    }
    return networks;
}

/* "veth" and 11 hex digits (44 bits, all IFNAMSIZ allows) of a hash of the
 * container and network: stable, so a detach after a crash finds the link
 * by name, and two live containers practically never share one. */
void network_veth_name(const char *id, const char *network, char name[16])
{
    uint64_t hash = 14695981039346656037ull;
    for (const char *p = id; *p; p++)
        hash = (hash ^ (uint8_t)*p) * 1099511628211ull;
    hash = (hash ^ ':') * 1099511628211ull;
    for (const char *p = network; *p; p++)
        hash = (hash ^ (uint8_t)*p) * 1099511628211ull;
    snprintf(name, 16, "veth%011llx", (unsigned long long)(hash & 0xfffffffffffull));
}

/* While any husk bridge exists the host forwards; the value it had before
 * is kept and put back when the last one goes. */
static char *forwarding_saved_path(const struct engine_context *context)
{
    return xasprintf("%s/networks/.ip_forward.saved", context->data_root);
}

static int forwarding_enable(const struct engine_context *context, husk_error_t *err)
{
    cleanup_free char *saved = forwarding_saved_path(context);
    char value[16];
    if (access(saved, F_OK) != 0) {
        if (net_sysctl_read("net/ipv4/ip_forward", value, sizeof(value), err) < 0 ||
            file_write_atomic(saved, value, strlen(value), true, err) < 0)
            return -1;
    }
    return net_sysctl_write("net/ipv4/ip_forward", "1", err);
}

static void forwarding_restore(const struct engine_context *context)
{
    cleanup_free char *saved = forwarding_saved_path(context);
    cleanup_free char *value = NULL;
    if (file_read_all(AT_FDCWD, saved, &value, NULL, NULL) < 0)
        return;
    if (net_sysctl_write("net/ipv4/ip_forward", value, NULL) == 0)
        unlink(saved);
}

static void forwarding_retire(const struct engine_context *context, struct nl_sock *host);

static int bridge_bring_up(const struct engine_context *context, struct nl_sock *host,
                           const struct network *network, husk_error_t *err)
{
    if (link_index(host, network->bridge) > 0)
        return 0;
    struct nat *nat = NULL;
    char route_localnet[64];
    snprintf(route_localnet, sizeof(route_localnet), "net/ipv4/conf/%s/route_localnet",
             network->bridge);
    int rc = -1;
    bool added = false;
    if (forwarding_enable(context, err) < 0 || nat_open(&nat, err) < 0 ||
        nat_table_ensure(nat, err) < 0 ||
        nat_network_add(nat, network->bridge, &network->subnet, network->internal, err) < 0)
        goto out;
    added = true;
    if (bridge_create(host, network->bridge, network->gateway, network->subnet.prefix, err) < 0)
        goto out;
    /* Published ports are reachable on 127.0.0.1 by DNAT: the kernel routes
     * such packets out of the bridge only with route_localnet. */
    rc = net_sysctl_write(route_localnet, "1", err);
    if (rc < 0)
        link_delete(host, network->bridge, NULL);
out:
    /* Half a bridge is none: no elements, and forwarding only if another one is up. */
    if (rc < 0 && added)
        nat_network_remove(nat, network->bridge, &network->subnet, network->internal, NULL);
    nat_close(nat);
    if (rc < 0)
        forwarding_retire(context, host);
    return rc;
}

/* Removes the bridge of the default network once no container holds an
 * address on it, and husk's table and forwarding once no bridge is left. */
static bool bridge_retire(const struct engine_context *context, struct nl_sock *host,
                          const struct network *network)
{
    if (strcmp(network->name, NETWORK_DEFAULT_NAME) != 0 ||
        network_lease_list(context, network, NULL) > 0 || link_index(host, network->bridge) == 0)
        return false;
    struct nat *nat = NULL;
    link_delete(host, network->bridge, NULL);
    if (nat_open(&nat, NULL) == 0)
        nat_network_remove(nat, network->bridge, &network->subnet, network->internal, NULL);
    nat_close(nat);
    return true;
}

static void forwarding_retire(const struct engine_context *context, struct nl_sock *host)
{
    cleanup_strv char **names = network_names(context);
    for (char **name = names; *name; name++) {
        struct network network;
        if (network_load(context, *name, &network, NULL) < 0)
            continue;
        bool up = link_index(host, network.bridge) > 0;
        network_free(&network);
        if (up)
            return;
    }
    struct nat *nat = NULL;
    if (nat_open(&nat, NULL) == 0)
        nat_table_remove(nat, NULL);
    nat_close(nat);
    forwarding_restore(context);
}

/* Tries the port on the host first: a listener there, or a port another
 * program holds, must fail the start rather than be shadowed. Port 0
 * becomes a free one. */
static int host_port_check(struct port_mapping *m, husk_error_t *err)
{
    bool tcp = strcmp(m->protocol, "tcp") == 0;
    cleanup_close int fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons(m->host_port),
                                  .sin_addr.s_addr = htonl(m->host_address)};
    socklen_t length = sizeof(address);
    char text[IPV4_TEXT_SIZE];
    ipv4_address_format(m->host_address, text);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0)
        return husk_error_set(err, errno, "host port %s:%u/%s is already in use", text,
                              m->host_port, m->protocol);
    if (m->host_port == 0 && getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        m->host_port = ntohs(address.sin_port);
    return 0;
}

static struct nat_port nat_port_of(const struct port_mapping *m, uint32_t container_address)
{
    return (struct nat_port){m->host_address, m->host_port, m->protocol, container_address,
                             m->container_port};
}

static int publish_ports(json_t *record, uint32_t address, husk_error_t *err)
{
    json_t *bindings = json_object_get(json_object_get(record, "HostConfig"), "PortBindings");
    json_t *published = json_object();
    json_object_set_new(json_object_get(record, "NetworkSettings"), "Ports", published);
    cleanup_free struct port_mapping *ports = NULL;
    size_t count;
    struct nat *nat = NULL;
    int rc = port_bindings_list(bindings, &ports, &count, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        struct port_mapping *m = &ports[i];
        rc = host_port_check(m, err);
        if (rc == 0 && nat == NULL)
            rc = nat_open(&nat, err);
        struct nat_port port = nat_port_of(m, address);
        if (rc == 0 && nat_port_add(nat, &port, err) < 0)
            rc = husk_error_set(err, 0, "host port %u/%s is already published by another container",
                                m->host_port, m->protocol);
        /* Recorded as soon as it exists, so a failure unpublishes it. */
        if (rc == 0)
            port_bindings_add(published, m, true);
    }
    nat_close(nat);
    return rc;
}

static void unpublish_ports(json_t *record, uint32_t address)
{
    json_t *settings = json_object_get(record, "NetworkSettings");
    cleanup_free struct port_mapping *ports = NULL;
    size_t count = 0;
    struct nat *nat = NULL;
    port_bindings_list(json_object_get(settings, "Ports"), &ports, &count, NULL);
    for (size_t i = 0; i < count && (nat != NULL || nat_open(&nat, NULL) == 0); i++) {
        struct nat_port port = nat_port_of(&ports[i], address);
        nat_port_remove(nat, &port, NULL);
    }
    nat_close(nat);
    json_object_set_new(settings, "Ports", json_object());
}

struct attachment {
    const struct engine_context *context;
    json_t *record;
    pid_t pid;
    struct nl_sock *host;   /* in husk's network namespace */
    struct nl_sock *inside; /* in the container's */
    bool fresh;             /* its namespace is new: only lo and the eth<N> made here */
};

static int attachment_open(struct attachment *a, husk_error_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", a->pid);
    cleanup_close int netns = open(path, O_RDONLY | O_CLOEXEC);
    if (netns < 0)
        return husk_error_set(err, errno, "open the container's network namespace");
    if (netlink_open(&a->host, err) < 0 || netlink_open_in(netns, &a->inside, err) < 0)
        return -1;
    return 0;
}

static void attachment_close(struct attachment *a)
{
    netlink_close(a->host);
    netlink_close(a->inside);
    a->host = a->inside = NULL;
}

/* What detach_network kept of the container's last address on NAME. */
static uint32_t previous_address(json_t *record, const char *name)
{
    const char *text = json_string_value(
        json_object_get(json_object_get(record_networks(record), name), previous_address_key));
    uint32_t address = 0;
    return text != NULL && ipv4_address_parse(text, &address) ? address : 0;
}

/* Leases an address under the lock, the bridge made first if need be. */
static int lease(struct attachment *a, const char *name, uint32_t wanted, struct network *network,
                 uint32_t *address, husk_error_t *err)
{
    int lock = network_lock(a->context, err);
    if (lock < 0)
        return -1;
    int rc = network_load(a->context, name, network, err);
    if (rc == 0)
        rc = bridge_bring_up(a->context, a->host, network, err);
    uint32_t previous = wanted == 0 ? previous_address(a->record, name) : 0;
    /* The address of its last run, when still free: a container run again
     * by its restart policy (or started again) keeps it if it can. */
    if (rc == 0 && previous != 0 &&
        network_lease_take(a->context, network, record_id(a->record), a->pid, previous, address,
                           NULL) == 0) {
        network_unlock(lock);
        return 0;
    }
    if (rc == 0)
        rc = network_lease_take(a->context, network, record_id(a->record), a->pid, wanted, address,
                                err);
    network_unlock(lock);
    if (rc < 0)
        network_free(network);
    return rc;
}

/* The address `network connect --ip` asked for, kept for every start. */
static uint32_t wanted_address(json_t *record, const char *name)
{
    json_t *config = json_object_get(json_object_get(record_networks(record), name), "IPAMConfig");
    uint32_t address = 0;
    const char *text = json_string_value(json_object_get(config, "IPv4Address"));
    if (text == NULL || !ipv4_address_parse(text, &address))
        return 0;
    return address;
}

static bool is_primary(json_t *record, const char *name)
{
    const char *mode =
        json_string_value(json_object_get(json_object_get(record, "HostConfig"), "NetworkMode"));
    return mode != NULL && strcmp(mode, name) == 0;
}

/* What the user chose for the container on NAME (run --ip, network connect
 * --ip, --network-alias, --mac-address): kept while addresses come and go. */
static json_t *endpoint_configured(json_t *record, const char *name)
{
    json_t *endpoint = json_object_get(record_networks(record), name);
    json_t *kept = json_object();
    static const char *const keys[] = {"IPAMConfig", "Aliases"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (json_object_get(endpoint, keys[i]) != NULL)
            json_object_set(kept, keys[i], json_object_get(endpoint, keys[i]));
    json_t *mac = json_object_get(json_object_get(record, "Config"), "MacAddress");
    if (json_is_string(mac) && is_primary(record, name))
        json_object_set(kept, "MacAddress", mac);
    return kept;
}

/* --mac-address, for the network the container was run on. */
static void configured_mac(json_t *record, const char *name, uint8_t mac[6])
{
    const char *text =
        json_string_value(json_object_get(json_object_get(record, "Config"), "MacAddress"));
    uint8_t chosen[6];
    if (text != NULL && is_primary(record, name) && mac_address_parse(text, chosen, NULL) == 0)
        memcpy(mac, chosen, 6);
}

static void record_endpoint(json_t *record, const struct network *network, uint32_t address,
                            const uint8_t mac[6], const char *interface)
{
    json_t *configured = endpoint_configured(record, network->name);
    char ip[IPV4_TEXT_SIZE], gateway[IPV4_TEXT_SIZE], mac_text[18];
    ipv4_address_format(address, ip);
    ipv4_address_format(network->gateway, gateway);
    snprintf(mac_text, sizeof(mac_text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
    json_t *endpoint =
        json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "NetworkID", network->id, "IPAddress", ip,
                  "Gateway", network->internal ? "" : gateway, "IPPrefixLen",
                  network->subnet.prefix, "MacAddress", mac_text, "Interface", interface);
    json_object_update_missing(endpoint, configured);
    json_decref(configured);
    json_object_set_new(record_networks(record), network->name, endpoint);
}

/* INDEX is the interface's number: eth0 is the first network's and the
 * only one with a default route (none on an internal network). */
static int attach_network(struct attachment *a, const char *name, size_t index, uint32_t wanted,
                          husk_error_t *err)
{
    struct network network;
    uint32_t address;
    if (lease(a, name, wanted, &network, &address, err) < 0)
        return -1;
    struct veth_request veth = {
        .bridge_index = link_index(a->host, network.bridge),
        .pid = a->pid,
        /* docker's choice: 02:42 and the address, unique within the network */
        .peer_mac = {0x02, 0x42, address >> 24, (address >> 16) & 255, (address >> 8) & 255,
                     address & 255},
    };
    configured_mac(a->record, network.name, veth.peer_mac);
    char host_name[16], peer_name[16];
    network_veth_name(record_id(a->record), network.name, host_name);
    /* The lowest free ethN: after a disconnect, the count of networks no
     * longer says which names are taken. A new namespace holds only the
     * ones made here, in order, so it needs no lookups. */
    snprintf(peer_name, sizeof(peer_name), "eth%zu", index);
    for (unsigned n = 0; !a->fresh && n < 1000; n++) {
        snprintf(peer_name, sizeof(peer_name), "eth%u", n);
        if (link_index(a->inside, peer_name) == 0)
            break;
    }
    veth.host_name = host_name;
    veth.peer_name = peer_name;
    record_endpoint(a->record, &network, address, veth.peer_mac, peer_name);
    uint32_t gateway = index == 0 && !network.internal ? network.gateway : 0;
    husk_error_t taken = NULL;
    int rc = veth_create(a->host, &veth, &taken);
    if (rc < 0 && taken->errno_value == EEXIST) {
        /* A pair left from the container's last run (its namespace is torn
         * down asynchronously) holds the name. */
        link_delete(a->host, host_name, NULL);
        rc = veth_create(a->host, &veth, err);
    } else if (rc < 0) {
        rc = husk_error_set(err, taken->errno_value, "%s", taken->message);
    }
    husk_error_free(&taken);
    if (rc == 0)
        rc = link_address_and_route(a->inside, peer_name, address, network.subnet.prefix, gateway,
                                    err);
    if (rc == 0 && index == 0)
        rc = publish_ports(a->record, address, err);
    network_free(&network);
    return rc;
}

/* REMOVE_LINK for a container that goes on running (disconnect): once it
 * has ended, the kernel removes the pair with its namespace, and deleting it
 * here would only wait for that (about 17 ms of RCU grace periods). */
/* True when it removed a bridge (so forwarding may have to go too). */
static bool detach_network(const struct engine_context *context, struct nl_sock *host,
                           json_t *record, const char *name, bool primary, bool remove_link)
{
    json_t *endpoint = json_object_get(record_networks(record), name);
    uint32_t address;
    const char *ip = json_string_value(json_object_get(endpoint, "IPAddress"));
    if (ip == NULL || !ipv4_address_parse(ip, &address))
        return false;
    if (primary)
        unpublish_ports(record, address);
    char veth[16];
    network_veth_name(record_id(record), name, veth);
    if (remove_link && link_index(host, veth) > 0)
        link_delete(host, veth, NULL);
    struct network network;
    bool retired = false;
    int lock = network_lock(context, NULL);
    if (lock >= 0 && network_load(context, name, &network, NULL) == 0) {
        network_lease_release(context, &network, record_id(record), address);
        network_hosts_refresh(context, &network, NULL);
        retired = bridge_retire(context, host, &network);
        network_free(&network);
    }
    network_unlock(lock);
    json_t *kept = endpoint_configured(record, name);
    json_object_set_new(kept, previous_address_key, json_string(ip));
    json_object_set_new(record_networks(record), name, kept);
    return retired;
}

/* The record's networks, the network mode's first. */
static char **networks_in_order(json_t *record)
{
    const char *mode =
        json_string_value(json_object_get(json_object_get(record, "HostConfig"), "NetworkMode"));
    json_t *networks = record_networks(record);
    size_t count = json_object_size(networks), n = 0;
    char **names = xcalloc(count + 2, sizeof(char *));
    if (network_mode_is_bridge(mode) && json_object_get(networks, mode) != NULL)
        names[n++] = xstrdup(mode);
    const char *key;
    json_t *value;
    json_object_foreach(networks, key, value)
    {
        if (n == 0 || strcmp(key, names[0]) != 0)
            names[n++] = xstrdup(key);
    }
    return names;
}

static bool has_endpoints(json_t *record)
{
    const char *name;
    json_t *endpoint;
    json_object_foreach(record_networks(record), name, endpoint)
    {
        const char *ip = json_string_value(json_object_get(endpoint, "IPAddress"));
        if (ip != NULL && ip[0] != '\0')
            return true;
    }
    return false;
}

void network_detach_all(const struct engine_context *context, json_t *record)
{
    struct nl_sock *host = NULL;
    cleanup_strv char **names = networks_in_order(record);
    if (names[0] == NULL || !has_endpoints(record) || netlink_open(&host, NULL) < 0)
        return;
    bool retired = false;
    for (size_t i = 0; names[i] != NULL; i++)
        retired |= detach_network(context, host, record, names[i], i == 0, false);
    int lock = retired ? network_lock(context, NULL) : -1;
    if (lock >= 0)
        forwarding_retire(context, host);
    network_unlock(lock);
    netlink_close(host);
    json_object_set_new(json_object_get(record, "NetworkSettings"), "IPAddress", json_string(""));
}

/* The others on this container's user networks learn its name. */
static void refresh_peers(const struct engine_context *context, json_t *record)
{
    const char *name;
    json_t *endpoint;
    json_object_foreach(record_networks(record), name, endpoint)
    {
        struct network network;
        if (strcmp(name, NETWORK_DEFAULT_NAME) == 0)
            continue; /* no names there, as on docker's default network */
        int lock = network_lock(context, NULL);
        if (lock >= 0 && network_load(context, name, &network, NULL) == 0) {
            network_hosts_refresh(context, &network, record_id(record));
            network_free(&network);
        }
        network_unlock(lock);
    }
}

static void record_primary_address(json_t *record, const char *name)
{
    json_t *endpoint = json_object_get(record_networks(record), name);
    json_object_set(json_object_get(record, "NetworkSettings"), "IPAddress",
                    json_object_get(endpoint, "IPAddress"));
}

int network_before_start(void *data, pid_t pid, husk_error_t *err)
{
    const struct network_start *start = data;
    return network_attach_all(start->context, start->record, pid, err);
}

int network_attach_all(const struct engine_context *context, json_t *record, pid_t pid,
                       husk_error_t *err)
{
    cleanup_strv char **names = networks_in_order(record);
    if (names[0] == NULL)
        return 0;
    /* What a run whose monitor was killed left behind. */
    network_detach_all(context, record);
    struct attachment a = {.context = context, .record = record, .pid = pid, .fresh = true};
    int rc = attachment_open(&a, err);
    for (size_t i = 0; rc == 0 && names[i] != NULL; i++)
        rc = attach_network(&a, names[i], i, wanted_address(record, names[i]), err);
    attachment_close(&a);
    if (rc < 0) {
        network_detach_all(context, record);
        return -1;
    }
    record_primary_address(record, names[0]);
    if (network_hosts_write(context, record, err) < 0) {
        network_detach_all(context, record);
        return -1;
    }
    refresh_peers(context, record);
    return 0;
}

void network_retire_idle(const struct engine_context *context)
{
    struct nl_sock *host = NULL;
    struct network network;
    int lock = network_lock(context, NULL);
    if (lock >= 0 && netlink_open(&host, NULL) == 0) {
        if (network_load(context, NETWORK_DEFAULT_NAME, &network, NULL) == 0) {
            bridge_retire(context, host, &network);
            network_free(&network);
        }
        forwarding_retire(context, host);
    }
    netlink_close(host);
    network_unlock(lock);
}

int network_bridge_up(const struct engine_context *context, const struct network *network,
                      husk_error_t *err)
{
    struct nl_sock *host = NULL;
    if (netlink_open(&host, err) < 0)
        return -1;
    int rc = bridge_bring_up(context, host, network, err);
    netlink_close(host);
    return rc;
}

void network_bridge_down(const struct engine_context *context, const struct network *network)
{
    struct nl_sock *host = NULL;
    struct nat *nat = NULL;
    if (netlink_open(&host, NULL) < 0)
        return;
    if (link_index(host, network->bridge) > 0)
        link_delete(host, network->bridge, NULL);
    if (nat_open(&nat, NULL) == 0)
        nat_network_remove(nat, network->bridge, &network->subnet, network->internal, NULL);
    nat_close(nat);
    forwarding_retire(context, host);
    netlink_close(host);
}

/* How many of the record's networks hold an address: the next ethN. */
static size_t attached_count(json_t *record)
{
    size_t count = 0;
    const char *name;
    json_t *endpoint;
    json_object_foreach(record_networks(record), name, endpoint)
    {
        const char *ip = json_string_value(json_object_get(endpoint, "IPAddress"));
        count += ip != NULL && ip[0] != '\0';
    }
    return count;
}

int network_attach_one(const struct engine_context *context, json_t *record, pid_t pid,
                       const char *name, uint32_t wanted, husk_error_t *err)
{
    if (pid <= 0) {
        json_t *endpoint = json_object();
        char text[IPV4_TEXT_SIZE];
        ipv4_address_format(wanted, text);
        if (wanted != 0)
            json_object_set_new(endpoint, "IPAMConfig", json_pack("{s:s}", "IPv4Address", text));
        json_object_set_new(record_networks(record), name, endpoint);
        return 0;
    }
    struct attachment a = {.context = context, .record = record, .pid = pid};
    size_t index = attached_count(record);
    int rc = attachment_open(&a, err);
    if (rc == 0)
        rc = attach_network(&a, name, index, wanted, err);
    if (rc < 0) {
        detach_network(context, a.host, record, name, index == 0, true);
        json_object_del(record_networks(record), name);
    }
    attachment_close(&a);
    if (rc < 0)
        return -1;
    if (index == 0)
        record_primary_address(record, name);
    network_hosts_write(context, record, NULL);
    refresh_peers(context, record);
    return 0;
}

int network_detach_one(const struct engine_context *context, json_t *record, const char *name,
                       husk_error_t *err)
{
    if (json_object_get(record_networks(record), name) == NULL)
        return husk_error_set(err, 0, "the container is not connected to network %s", name);
    struct nl_sock *host = NULL;
    if (netlink_open(&host, err) < 0)
        return -1;
    cleanup_strv char **names = networks_in_order(record);
    bool primary = names[0] != NULL && strcmp(names[0], name) == 0;
    detach_network(context, host, record, name, primary, true);
    json_object_del(record_networks(record), name);
    if (primary) {
        /* No address of its own any more: /etc/hosts says so too. */
        json_object_set_new(json_object_get(record, "NetworkSettings"), "IPAddress",
                            json_string(""));
        network_hosts_write(context, record, NULL);
    }
    int lock = network_lock(context, NULL);
    if (lock >= 0)
        forwarding_retire(context, host);
    network_unlock(lock);
    netlink_close(host);
    return 0;
}
