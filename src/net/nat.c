#include "nat.h"

#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

/* libnftables and the four libraries it pulls in are loaded only when a
 * bridge or a port changes: linked into husk, their relocated data would
 * cost every husk process, and each container's long-lived monitor, about
 * 180 KiB of private memory for nothing. */
struct nftables_library {
    void *handle;
    __typeof__(nft_ctx_new) *ctx_new;
    __typeof__(nft_ctx_free) *ctx_free;
    __typeof__(nft_ctx_buffer_output) *buffer_output;
    __typeof__(nft_ctx_buffer_error) *buffer_error;
    __typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
    __typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
    __typeof__(nft_ctx_output_get_flags) *output_get_flags;
    __typeof__(nft_ctx_output_set_flags) *output_set_flags;
    __typeof__(nft_ctx_get_output_buffer) *get_output_buffer;
};

struct nat {
    struct nftables_library library;
    struct nft_ctx *context;
};

static int library_load(struct nftables_library *library, husk_error_t *err)
{
    library->handle = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library->handle == NULL)
        return husk_error_set(err, 0, "load libnftables: %s", dlerror());
    struct {
        void **slot;
        const char *name;
    } symbols[] = {
        {(void **)&library->ctx_new, "nft_ctx_new"},
        {(void **)&library->ctx_free, "nft_ctx_free"},
        {(void **)&library->buffer_output, "nft_ctx_buffer_output"},
        {(void **)&library->buffer_error, "nft_ctx_buffer_error"},
        {(void **)&library->get_error_buffer, "nft_ctx_get_error_buffer"},
        {(void **)&library->run_cmd_from_buffer, "nft_run_cmd_from_buffer"},
        {(void **)&library->output_get_flags, "nft_ctx_output_get_flags"},
        {(void **)&library->output_set_flags, "nft_ctx_output_set_flags"},
        {(void **)&library->get_output_buffer, "nft_ctx_get_output_buffer"},
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if ((*symbols[i].slot = dlsym(library->handle, symbols[i].name)) == NULL)
            return husk_error_set(err, 0, "libnftables has no %s", symbols[i].name);
    return 0;
}

int nat_open(struct nat **nat, husk_error_t *err)
{
    *nat = xcalloc(1, sizeof(**nat));
    int rc = library_load(&(*nat)->library, err);
    if (rc == 0 && ((*nat)->context = (*nat)->library.ctx_new(NFT_CTX_DEFAULT)) == NULL)
        rc = husk_error_set(err, ENOMEM, "nftables context");
    if (rc < 0) {
        nat_close(*nat);
        *nat = NULL;
        return -1;
    }
    (*nat)->library.buffer_output((*nat)->context);
    (*nat)->library.buffer_error((*nat)->context);
    return 0;
}

void nat_close(struct nat *nat)
{
    if (nat == NULL)
        return;
    if (nat->context != NULL)
        nat->library.ctx_free(nat->context);
    if (nat->library.handle != NULL)
        dlclose(nat->library.handle);
    free(nat);
}

/* Runs nft COMMANDS; on failure the error names the first line nft gave. */
static int run(struct nat *nat, int errno_value, husk_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int run(struct nat *nat, int errno_value, husk_error_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *commands = xvasprintf(fmt, ap);
    va_end(ap);
    if (nat->library.run_cmd_from_buffer(nat->context, commands) == 0)
        return 0;
    const char *text = nat->library.get_error_buffer(nat->context);
    char first[300] = "";
    if (text != NULL)
        sscanf(text, "%299[^\n]", first);
    return husk_error_set(err, errno_value, "nftables: %s", first[0] ? first : "failed");
}

static const char table_definition[] =
    "table ip husk {\n"
    "  set masquerade_sources { type ipv4_addr; flags interval; }\n"
    "  set bridges { type ifname; }\n"
    "  set bridge_pairs { type ifname . ifname; }\n"
    "  set internal_bridges { type ifname; }\n"
    "  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "  map ports_address { type ipv4_addr . inet_proto . inet_service :"
    " ipv4_addr . inet_service; }\n"
    /* Published ports, for packets from outside and from the host itself. */
    "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
    "    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_address\n"
    "    fib daddr type local dnat ip to meta l4proto . th dport map @ports_any\n"
    "  }\n"
    "  chain output { type nat hook output priority -100; policy accept;\n"
    "    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_address\n"
    "    fib daddr type local dnat ip to meta l4proto . th dport map @ports_any\n"
    "  }\n"
    /* Leaving a network for anywhere but a husk bridge: the host's address.
     * From 127.0.0.1 to a published port: the bridge's, or the reply could
     * not come back (with route_localnet on the bridge). */
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
    "    ip saddr @masquerade_sources oifname != @bridges masquerade\n"
    "    ip saddr 127.0.0.0/8 oifname @bridges masquerade\n"
    "  }\n"
    /* Networks are isolated from each other; internal ones from everything. */
    "  chain forward { type filter hook forward priority filter; policy accept;\n"
    "    iifname . oifname @bridge_pairs accept\n"
    "    iifname @internal_bridges drop\n"
    "    oifname @internal_bridges drop\n"
    "    iifname @bridges oifname @bridges drop\n"
    "  }\n"
    "}\n";

int nat_table_ensure(struct nat *nat, husk_error_t *err)
{
    if (nat->library.run_cmd_from_buffer(nat->context, "list table ip husk") == 0)
        return 0;
    return run(nat, 0, err, "%s", table_definition);
}

int nat_table_remove(struct nat *nat, husk_error_t *err)
{
    if (nat->library.run_cmd_from_buffer(nat->context, "list table ip husk") != 0)
        return 0;
    return run(nat, 0, err, "delete table ip husk");
}

static int network_elements(struct nat *nat, const char *verb, const char *bridge,
                            const struct ipv4_subnet *subnet, bool internal, husk_error_t *err)
{
    char cidr[IPV4_CIDR_TEXT_SIZE];
    ipv4_subnet_format(subnet, cidr);
    if (internal)
        return run(nat, 0, err,
                   "%s element ip husk bridges { \"%s\" }\n"
                   "%s element ip husk bridge_pairs { \"%s\" . \"%s\" }\n"
                   "%s element ip husk internal_bridges { \"%s\" }\n",
                   verb, bridge, verb, bridge, bridge, verb, bridge);
    return run(nat, 0, err,
               "%s element ip husk bridges { \"%s\" }\n"
               "%s element ip husk bridge_pairs { \"%s\" . \"%s\" }\n"
               "%s element ip husk masquerade_sources { %s }\n",
               verb, bridge, verb, bridge, bridge, verb, cidr);
}

int nat_network_add(struct nat *nat, const char *bridge, const struct ipv4_subnet *subnet,
                    bool internal, husk_error_t *err)
{
    return network_elements(nat, "add", bridge, subnet, internal, err);
}

int nat_network_remove(struct nat *nat, const char *bridge, const struct ipv4_subnet *subnet,
                       bool internal, husk_error_t *err)
{
    return network_elements(nat, "delete", bridge, subnet, internal, err);
}

/* "ports_address { 10.0.0.1 . tcp . 8080" or "ports_any { tcp . 8080". */
static void port_key(const struct nat_port *port, char *key, size_t size)
{
    char address[IPV4_TEXT_SIZE];
    ipv4_address_format(port->host_address, address);
    if (port->host_address != 0)
        snprintf(key, size, "ports_address { %s . %s . %u", address, port->protocol,
                 port->host_port);
    else
        snprintf(key, size, "ports_any { %s . %u", port->protocol, port->host_port);
}

int nat_port_add(struct nat *nat, const struct nat_port *port, husk_error_t *err)
{
    char key[96], target[IPV4_TEXT_SIZE];
    port_key(port, key, sizeof(key));
    ipv4_address_format(port->container_address, target);
    /* "create" fails on an existing key: two containers cannot share a port. */
    return run(nat, EEXIST, err, "create element ip husk %s : %s . %u }", key, target,
               port->container_port);
}

int nat_port_remove(struct nat *nat, const struct nat_port *port, husk_error_t *err)
{
    char key[96];
    port_key(port, key, sizeof(key));
    return run(nat, 0, err, "delete element ip husk %s }", key);
}

/* The elements of set or map NAME, as nft's JSON gives them; NULL when the
 * table (or NAME) is not there. */
static json_t *list_elements(struct nat *nat, const char *kind, const char *name)
{
    cleanup_free char *command = xasprintf("list %s ip husk %s", kind, name);
    /* The buffer holds what earlier commands printed until it is read. */
    nat->library.get_output_buffer(nat->context);
    unsigned flags = nat->library.output_get_flags(nat->context);
    nat->library.output_set_flags(nat->context, flags | NFT_CTX_OUTPUT_JSON);
    int rc = nat->library.run_cmd_from_buffer(nat->context, command);
    nat->library.output_set_flags(nat->context, flags);
    const char *text = nat->library.get_output_buffer(nat->context);
    if (rc != 0 || text == NULL)
        return NULL;
    json_t *document = json_loads(text, 0, NULL);
    if (document == NULL)
        return NULL;
    json_t *items = json_object_get(document, "nftables"), *item, *elements = NULL;
    size_t i;
    json_array_foreach(items, i, item)
    {
        json_t *object = json_object_get(item, kind);
        if (object != NULL)
            elements = json_incref(json_object_get(object, "elem"));
    }
    json_decref(document);
    return elements != NULL ? elements : json_array();
}

bool nat_table_exists(struct nat *nat)
{
    return nat->library.run_cmd_from_buffer(nat->context, "list table ip husk") == 0;
}

/* [{"concat": [KEY...]}, {"concat": [ADDRESS, PORT]}] -> PORT. */
static bool port_of_element(json_t *element, bool keyed_by_address, struct nat_port *port)
{
    json_t *key = json_object_get(json_array_get(element, 0), "concat");
    json_t *value = json_object_get(json_array_get(element, 1), "concat");
    size_t n = keyed_by_address ? 1 : 0;
    const char *protocol = json_string_value(json_array_get(key, n));
    const char *host = keyed_by_address ? json_string_value(json_array_get(key, 0)) : "0.0.0.0";
    const char *target = json_string_value(json_array_get(value, 0));
    if (protocol == NULL || host == NULL || target == NULL ||
        !ipv4_address_parse(host, &port->host_address) ||
        !ipv4_address_parse(target, &port->container_address))
        return false;
    port->protocol = strcmp(protocol, "udp") == 0 ? "udp" : "tcp";
    port->host_port = (uint16_t)json_integer_value(json_array_get(key, n + 1));
    port->container_port = (uint16_t)json_integer_value(json_array_get(value, 1));
    return true;
}

int nat_port_list(struct nat *nat, struct nat_port **ports, size_t *count, husk_error_t *err)
{
    *ports = NULL;
    *count = 0;
    if (!nat_table_exists(nat))
        return 0;
    static const char *const maps[] = {"ports_any", "ports_address"};
    for (size_t m = 0; m < 2; m++) {
        json_t *elements = list_elements(nat, "map", maps[m]), *element;
        if (elements == NULL)
            return husk_error_set(err, 0, "nftables: cannot list map %s", maps[m]);
        size_t i;
        json_array_foreach(elements, i, element)
        {
            struct nat_port port;
            if (!port_of_element(element, m == 1, &port))
                continue;
            *ports = xreallocarray(*ports, *count + 1, sizeof(**ports));
            (*ports)[(*count)++] = port;
        }
        json_decref(elements);
    }
    return 0;
}

int nat_bridge_list(struct nat *nat, char ***bridges, husk_error_t *err)
{
    *bridges = xcalloc(1, sizeof(char *));
    if (!nat_table_exists(nat))
        return 0;
    json_t *elements = list_elements(nat, "set", "bridges"), *element;
    if (elements == NULL)
        return husk_error_set(err, 0, "nftables: cannot list set bridges");
    size_t i, count = 0;
    json_array_foreach(elements, i, element)
    {
        if (!json_is_string(element))
            continue;
        *bridges = xreallocarray(*bridges, count + 2, sizeof(char *));
        (*bridges)[count++] = xstrdup(json_string_value(element));
        (*bridges)[count] = NULL;
    }
    json_decref(elements);
    return 0;
}
