#include "network_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/json_text.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../identity.h"
#include "../record.h"
#include "../store.h"

static char *networks_path(const struct engine_context *context, const char *name, const char *file)
{
    return xasprintf("%s/networks%s%s%s%s", context->data_root, name ? "/" : "", name ? name : "",
                     file ? "/" : "", file ? file : "");
}

int network_lock(const struct engine_context *context, husk_error_t *err)
{
    cleanup_free char *directory = networks_path(context, NULL, NULL);
    cleanup_free char *path = networks_path(context, NULL, ".lock");
    if (directory_create_parents(directory, 0711, err) < 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        husk_error_set(err, errno, "lock %s", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

void network_unlock(int lock_fd)
{
    if (lock_fd >= 0)
        close(lock_fd);
}

void network_free(struct network *network)
{
    free(network->name);
    json_decref(network->document);
    memset(network, 0, sizeof(*network));
}

static int network_from_document(json_t *document, struct network *network, husk_error_t *err)
{
    const char *name = NULL, *id = NULL, *bridge = NULL, *subnet = NULL, *gateway = NULL;
    int internal = 0;
    if (json_unpack(document, "{s:s, s:s, s:s, s:s, s:s, s?b}", "Name", &name, "Id", &id, "Bridge",
                    &bridge, "Subnet", &subnet, "Gateway", &gateway, "Internal", &internal) < 0 ||
        ipv4_subnet_parse(subnet, &network->subnet, err) < 0 ||
        !ipv4_address_parse(gateway, &network->gateway))
        return husk_error_set(err, 0, "network.json of %s is damaged", name ? name : "a network");
    network->name = xstrdup(name);
    snprintf(network->id, sizeof(network->id), "%s", id);
    snprintf(network->bridge, sizeof(network->bridge), "%s", bridge);
    network->internal = internal;
    network->document = json_incref(document);
    return 0;
}

static bool network_name_valid(const char *name)
{
    return container_name_valid(name) && strlen(name) < 64;
}

int network_load(const struct engine_context *context, const char *name, struct network *network,
                 husk_error_t *err)
{
    memset(network, 0, sizeof(*network));
    if (strcmp(name, NETWORK_DEFAULT_NAME) == 0)
        return network_load_default(context, network, err);
    cleanup_free char *path =
        network_name_valid(name) ? networks_path(context, name, "network.json") : NULL;
    cleanup_json json_t *document = path ? json_load_path(AT_FDCWD, path, NULL) : NULL;
    if (document == NULL)
        return husk_error_set(err, 0, "network %s not found", name);
    return network_from_document(document, network, err);
}

static int save_definition(const struct engine_context *context, json_t *document,
                           husk_error_t *err)
{
    const char *name = json_string_value(json_object_get(document, "Name"));
    cleanup_free char *leases = networks_path(context, name, "leases");
    cleanup_free char *path = networks_path(context, name, "network.json");
    cleanup_free char *text = json_dumps(document, JSON_INDENT(2));
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "network %s", name);
    if (directory_create_parents(leases, 0700, err) < 0)
        return -1;
    return file_write_atomic(path, text, strlen(text), true, err);
}

/* Routes of the host (other than default routes and husk's own bridges),
 * from /proc/net/route: a network must not hide any of them. */
static int check_host_routes(const struct ipv4_subnet *subnet, husk_error_t *err)
{
    cleanup_fclose FILE *routes = fopen("/proc/net/route", "re");
    char line[256], device[32];
    while (routes != NULL && fgets(line, sizeof(line), routes) != NULL) {
        unsigned destination, mask, flags;
        if (sscanf(line, "%15s %x %*x %x %*d %*d %*d %x", device, &destination, &flags, &mask) !=
                4 ||
            mask == 0 || strncmp(device, "husk", 4) == 0)
            continue;
        /* The kernel prints them in network byte order, read as little-endian. */
        struct ipv4_subnet route = {__builtin_bswap32(destination), __builtin_popcount(mask)};
        if (ipv4_subnets_overlap(subnet, &route)) {
            char mine[IPV4_CIDR_TEXT_SIZE], theirs[IPV4_CIDR_TEXT_SIZE];
            ipv4_subnet_format(subnet, mine);
            ipv4_subnet_format(&route, theirs);
            return husk_error_set(err, EEXIST, "subnet %s overlaps the host's route to %s (%s)",
                                  mine, theirs, device);
        }
    }
    return 0;
}

int network_subnet_check(const struct engine_context *context, const struct ipv4_subnet *subnet,
                         const char *except, husk_error_t *err)
{
    cleanup_strv char **names = network_names(context);
    for (char **name = names; *name; name++) {
        struct network other;
        if ((except && strcmp(*name, except) == 0) ||
            network_load(context, *name, &other, NULL) < 0)
            continue;
        bool overlap = ipv4_subnets_overlap(subnet, &other.subnet);
        char theirs[IPV4_CIDR_TEXT_SIZE];
        ipv4_subnet_format(&other.subnet, theirs);
        network_free(&other);
        if (overlap)
            return husk_error_set(err, EEXIST, "subnet overlaps network %s (%s)", *name, theirs);
    }
    return check_host_routes(subnet, err);
}

static json_t *definition(const char *name, const char *bridge, const struct ipv4_subnet *subnet,
                          uint32_t gateway, bool internal, husk_error_t *err)
{
    char id[HUSK_ID_SIZE], created[64], cidr[IPV4_CIDR_TEXT_SIZE], gateway_text[IPV4_TEXT_SIZE];
    if (container_id_generate(id, err) < 0)
        return NULL;
    store_timestamp_now(created, sizeof(created));
    ipv4_subnet_format(subnet, cidr);
    ipv4_address_format(gateway, gateway_text);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "Name", name, "Id", id, "Created",
                     created, "Driver", "bridge", "Bridge", bridge, "Subnet", cidr, "Gateway",
                     gateway_text, "Internal", internal);
}

int network_load_default(const struct engine_context *context, struct network *network,
                         husk_error_t *err)
{
    memset(network, 0, sizeof(*network));
    cleanup_free char *path = networks_path(context, NETWORK_DEFAULT_NAME, "network.json");
    cleanup_json json_t *document = json_load_path(AT_FDCWD, path, NULL);
    if (document == NULL) {
        /* 10.88.0.0/16 as podman, else the next /16 no route of the host hides. */
        struct ipv4_subnet preferred, subnet;
        ipv4_subnet_parse(NETWORK_DEFAULT_SUBNET, &preferred, NULL);
        subnet = preferred;
        while (check_host_routes(&subnet, NULL) < 0 && subnet.network < 0x0AFF0000u)
            subnet.network += 0x00010000u;
        if (check_host_routes(&subnet, err) < 0)
            return -1;
        if (subnet.network != preferred.network) {
            char chosen[IPV4_CIDR_TEXT_SIZE];
            ipv4_subnet_format(&subnet, chosen);
            fprintf(stderr, "husk: network bridge: %s overlaps a route of the host; using %s\n",
                    NETWORK_DEFAULT_SUBNET, chosen);
        }
        document = definition(NETWORK_DEFAULT_NAME, NETWORK_DEFAULT_BRIDGE, &subnet,
                              ipv4_subnet_first(&subnet), false, err);
        if (document == NULL || save_definition(context, document, err) < 0)
            return -1;
    }
    return network_from_document(document, network, err);
}

static bool is_user_network(const char *name)
{
    return name[0] != '.' && strcmp(name, NETWORK_DEFAULT_NAME) != 0;
}

char **network_names(const struct engine_context *context)
{
    cleanup_free char *path = networks_path(context, NULL, NULL);
    char **users = directory_names(path, is_user_network);
    size_t count = 0;
    while (users[count])
        count++;
    /* The default network first, whether or not it was made yet. */
    char **names = xcalloc(count + 2, sizeof(char *));
    names[0] = xstrdup(NETWORK_DEFAULT_NAME);
    memcpy(names + 1, users, count * sizeof(char *));
    free(users);
    return names;
}

/* 10.89.0.0/24, 10.89.1.0/24, ...: the first no network or route holds. */
static int next_free_subnet(const struct engine_context *context, struct ipv4_subnet *subnet,
                            husk_error_t *err)
{
    for (uint32_t n = 0; n < 256 * 256; n++) {
        *subnet = (struct ipv4_subnet){0x0A590000u + (n << 8), 24};
        if (network_subnet_check(context, subnet, NULL, NULL) == 0)
            return 0;
    }
    return husk_error_set(err, 0, "no free subnet left in 10.89.0.0/16: give one with --subnet");
}

int network_define(const struct engine_context *context, const char *name, const char *subnet_text,
                   const char *gateway_text, bool internal, struct network *network,
                   husk_error_t *err)
{
    struct ipv4_subnet subnet;
    uint32_t gateway = 0;
    if (!network_name_valid(name) || strcmp(name, "host") == 0 || strcmp(name, "none") == 0 ||
        strcmp(name, NETWORK_DEFAULT_NAME) == 0)
        return husk_error_set(err, 0, "invalid network name \"%s\": %s", name,
                              network_name_valid(name)
                                  ? "it is reserved"
                                  : "only [a-zA-Z0-9][a-zA-Z0-9_.-]* is allowed");
    cleanup_free char *path = networks_path(context, name, "network.json");
    if (access(path, F_OK) == 0)
        return husk_error_set(err, EEXIST, "network with name %s already exists", name);
    if (subnet_text != NULL) {
        if (ipv4_subnet_parse(subnet_text, &subnet, err) < 0 ||
            network_subnet_check(context, &subnet, NULL, err) < 0)
            return -1;
    } else if (next_free_subnet(context, &subnet, err) < 0) {
        return -1;
    }
    if (gateway_text != NULL &&
        (!ipv4_address_parse(gateway_text, &gateway) || !ipv4_subnet_contains(&subnet, gateway) ||
         gateway < ipv4_subnet_first(&subnet) || gateway > ipv4_subnet_last(&subnet)))
        return husk_error_set(err, 0,
                              "invalid gateway \"%s\": it must be a host address of the subnet",
                              gateway_text);
    char bridge[16];
    cleanup_json json_t *document = definition(
        name, "", &subnet, gateway ? gateway : ipv4_subnet_first(&subnet), internal, err);
    if (document == NULL)
        return -1;
    /* Linux allows 15 characters: "husk-" and 10 of the network's id. */
    snprintf(bridge, sizeof(bridge), "husk-%.10s",
             json_string_value(json_object_get(document, "Id")));
    json_object_set_new(document, "Bridge", json_string(bridge));
    if (save_definition(context, document, err) < 0)
        return -1;
    return network_from_document(document, network, err);
}

int network_undefine(const struct engine_context *context, const char *name, husk_error_t *err)
{
    cleanup_free char *directory = networks_path(context, name, NULL);
    return directory_remove_tree(directory, err);
}

static char *leases_path(const struct engine_context *context, const struct network *network)
{
    return networks_path(context, network->name, "leases");
}

/* "ID:PID:STARTTIME" -> whether that process still lives, and whose it is. */
static bool lease_alive(const char *target, char holder[HUSK_ID_SIZE])
{
    unsigned long long start = 0;
    int pid = 0;
    if (sscanf(target, "%64[0-9a-f]:%d:%llu", holder, &pid, &start) != 3)
        return false;
    if (pid <= 0)
        return false;
    /* Unreadable /proc (EMFILE) proves no death: keep the lease. */
    unsigned long long actual = process_start_time(pid);
    return actual != 0 && (actual == start || actual == PROCESS_START_UNKNOWN);
}

static int lease_try(int leases_fd, const char *address, const char *target)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (symlinkat(target, leases_fd, address) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
        char held[128], holder[HUSK_ID_SIZE];
        ssize_t n = readlinkat(leases_fd, address, held, sizeof(held) - 1);
        if (n < 0)
            continue;
        held[n] = '\0';
        if (lease_alive(held, holder))
            return -1;
        unlinkat(leases_fd, address, 0); /* its holder died unseen */
    }
    errno = EEXIST;
    return -1;
}

int network_lease_take(const struct engine_context *context, const struct network *network,
                       const char *id, pid_t pid, uint32_t wanted, uint32_t *address,
                       husk_error_t *err)
{
    cleanup_free char *path = leases_path(context, network);
    cleanup_close int leases_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char target[128], text[IPV4_TEXT_SIZE], cidr[IPV4_CIDR_TEXT_SIZE];
    if (leases_fd < 0)
        return husk_error_set(err, errno, "open leases of network %s", network->name);
    unsigned long long start = process_start_time(pid);
    if (start == PROCESS_START_UNKNOWN)
        return husk_error_set(err, errno, "read the start time of process %d", pid);
    snprintf(target, sizeof(target), "%s:%d:%llu", id, pid, start);
    ipv4_address_format(wanted, text);
    if (wanted != 0 &&
        (!ipv4_subnet_contains(&network->subnet, wanted) || wanted == network->gateway ||
         wanted < ipv4_subnet_first(&network->subnet) ||
         wanted > ipv4_subnet_last(&network->subnet)))
        return husk_error_set(err, 0, "address %s is not a free host address of network %s", text,
                              network->name);
    uint32_t first = wanted ? wanted : ipv4_subnet_first(&network->subnet);
    uint32_t last = wanted ? wanted : ipv4_subnet_last(&network->subnet);
    for (uint32_t candidate = first; candidate <= last; candidate++) {
        if (candidate == network->gateway)
            continue;
        ipv4_address_format(candidate, text);
        if (lease_try(leases_fd, text, target) == 0) {
            *address = candidate;
            return 0;
        }
        if (errno != EEXIST)
            return husk_error_set(err, errno, "lease %s in network %s", text, network->name);
    }
    ipv4_subnet_format(&network->subnet, cidr);
    if (wanted)
        return husk_error_set(err, EADDRINUSE, "address %s is already in use in network %s", text,
                              network->name);
    return husk_error_set(err, ENOSPC, "network %s (%s) has no free address left", network->name,
                          cidr);
}

void network_lease_release(const struct engine_context *context, const struct network *network,
                           const char *id, uint32_t address)
{
    cleanup_free char *path = leases_path(context, network);
    cleanup_close int leases_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char text[IPV4_TEXT_SIZE], held[128];
    ipv4_address_format(address, text);
    ssize_t n = leases_fd >= 0 ? readlinkat(leases_fd, text, held, sizeof(held) - 1) : -1;
    if (n <= 0)
        return;
    held[n] = '\0';
    size_t length = strlen(id);
    if (strncmp(held, id, length) == 0 && held[length] == ':')
        unlinkat(leases_fd, text, 0);
}

static size_t lease_list(const struct engine_context *context, const struct network *network,
                         struct network_lease **leases, bool dead_too)
{
    cleanup_free char *path = leases_path(context, network);
    DIR *dir = opendir(path);
    size_t count = 0;
    if (leases != NULL)
        *leases = NULL;
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        char held[128], holder[HUSK_ID_SIZE];
        uint32_t address;
        ssize_t n = readlinkat(dirfd(dir), entry->d_name, held, sizeof(held) - 1);
        if (entry->d_name[0] == '.' || n <= 0 || !ipv4_address_parse(entry->d_name, &address))
            continue;
        held[n] = '\0';
        holder[0] = '\0';
        bool alive = lease_alive(held, holder);
        if (!alive && !dead_too)
            continue;
        if (leases != NULL) {
            *leases = xreallocarray(*leases, count + 1, sizeof(**leases));
            snprintf((*leases)[count].id, sizeof((*leases)[count].id), "%s", holder);
            (*leases)[count].address = address;
            (*leases)[count].alive = alive;
        }
        count++;
    }
    if (dir != NULL)
        closedir(dir);
    return count;
}

size_t network_lease_list(const struct engine_context *context, const struct network *network,
                          struct network_lease **leases)
{
    return lease_list(context, network, leases, false);
}

size_t network_lease_list_all(const struct engine_context *context, const struct network *network,
                              struct network_lease **leases)
{
    return lease_list(context, network, leases, true);
}
