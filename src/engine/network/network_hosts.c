#include "network_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../identity_parse.h"
#include "network_attach.h"
#include "../record.h"
#include "../store.h"

/* "NAME ALIAS..." by which a container is known on NETWORK_NAME. */
static void print_peer_names(FILE *out, const struct container_handle *peer,
                             const char *network_name)
{
    json_t *networks =
        json_object_get(json_object_get(peer->record, "NetworkSettings"), "Networks");
    json_t *aliases = json_object_get(json_object_get(networks, network_name), "Aliases");
    size_t i;
    json_t *alias;
    fputs(peer->name, out);
    json_array_foreach(aliases, i, alias)
    {
        const char *text = json_string_value(alias);
        if (text != NULL && network_alias_valid(text))
            fprintf(out, " %s", text);
    }
}

/* Appends "ADDRESS\tNAME ALIAS..." for each other container on NETWORK. */
static void append_peers(const struct engine_context *context, const char *network_name,
                         const char *own_id, FILE *out)
{
    struct network network;
    if (strcmp(network_name, NETWORK_DEFAULT_NAME) == 0 ||
        network_load(context, network_name, &network, NULL) < 0)
        return;
    struct network_lease *leases = NULL;
    size_t count = network_lease_list(context, &network, &leases);
    for (size_t i = 0; i < count; i++) {
        struct container_handle peer;
        if (strcmp(leases[i].id, own_id) == 0 ||
            container_read(context, leases[i].id, &peer, NULL) < 0)
            continue;
        char address[IPV4_TEXT_SIZE];
        ipv4_address_format(leases[i].address, address);
        fprintf(out, "%s\t", address);
        print_peer_names(out, &peer, network_name);
        fputc('\n', out);
        container_close(&peer);
    }
    free(leases);
    network_free(&network);
}

/* host-gateway: the host's address on the container's network (its
 * gateway), or on the default network for a container on none or host. */
static bool host_gateway(const struct engine_context *context, json_t *record,
                         char text[IPV4_TEXT_SIZE])
{
    const char *mode =
        json_string_value(json_object_get(json_object_get(record, "HostConfig"), "NetworkMode"));
    struct network network;
    if (network_load(context, network_mode_is_bridge(mode) ? mode : NETWORK_DEFAULT_NAME, &network,
                     NULL) < 0)
        return false;
    ipv4_address_format(network.gateway, text);
    network_free(&network);
    return true;
}

/* localhost, then --add-host's entries, as docker's hosts files begin. */
static void print_head(const struct engine_context *context, json_t *record, FILE *out)
{
    fprintf(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    json_t *extra = json_object_get(json_object_get(record, "HostConfig"), "ExtraHosts");
    char gateway[IPV4_TEXT_SIZE] = "", name[256], address[46];
    size_t i;
    json_t *entry;
    json_array_foreach(extra, i, entry)
    {
        const char *text = json_string_value(entry);
        const char *colon = text ? strchr(text, ':') : NULL;
        if (colon != NULL && strcmp(colon + 1, EXTRA_HOST_GATEWAY) == 0 && gateway[0] == '\0' &&
            !host_gateway(context, record, gateway))
            continue;
        if (text != NULL &&
            extra_host_split(text, gateway[0] ? gateway : NULL, name, sizeof(name), address))
            fprintf(out, "%s\t%s\n", address, name);
    }
}

/* "HOSTNAME.DOMAIN HOSTNAME" (docker's pair, the first label of a dotted
 * host name alone too), then NAME when it is another. */
static void print_own_names(json_t *record, const char *name, FILE *out)
{
    json_t *config = json_object_get(record, "Config");
    const char *hostname = json_string_value(json_object_get(config, "Hostname"));
    const char *domain = json_string_value(json_object_get(config, "Domainname"));
    hostname = hostname ? hostname : "";
    bool has_domain = domain != NULL && domain[0] != '\0';
    fprintf(out, "%s%s%s", hostname, has_domain ? "." : "", has_domain ? domain : "");
    if (has_domain || strchr(hostname, '.') != NULL)
        fprintf(out, " %.*s", (int)strcspn(hostname, "."), hostname);
    if (name != NULL && strcmp(hostname, name) != 0)
        fprintf(out, " %s", name);
}

char *network_hosts_initial(const struct engine_context *context, json_t *record)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        xalloc_die();
    print_head(context, record, out);
    fprintf(out, "127.0.1.1\t");
    print_own_names(record, NULL, out);
    fputc('\n', out);
    fclose(out);
    return text;
}

bool network_hosts_have_extra(json_t *record)
{
    return json_array_size(json_object_get(json_object_get(record, "HostConfig"), "ExtraHosts")) >
           0;
}

int network_hosts_write(const struct engine_context *context, json_t *record, husk_error_t *err)
{
    const char *id = json_string_value(json_object_get(record, "Id"));
    const char *name = json_string_value(json_object_get(record, "Name"));
    json_t *settings = json_object_get(record, "NetworkSettings");
    const char *address = json_string_value(json_object_get(settings, "IPAddress"));
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (id == NULL)
        return husk_error_set(err, 0, "hosts file: the record has no Id");
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        xalloc_die();
    print_head(context, record, out);
    name = name && name[0] == '/' ? name + 1 : name ? name : "";
    bool has_address = address != NULL && address[0] != '\0';
    fprintf(out, "%s\t", has_address ? address : "127.0.1.1");
    print_own_names(record, name, out);
    fputc('\n', out);
    const char *network_name;
    json_t *endpoint;
    json_object_foreach(json_object_get(settings, "Networks"), network_name, endpoint)
        append_peers(context, network_name, id, out);
    fclose(out);
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_free char *path = xasprintf("%s/hosts", directory);
    return file_write_all(AT_FDCWD, path, text, length, 0644, err);
}

void network_hosts_refresh(const struct engine_context *context, const struct network *network,
                           const char *skip_id)
{
    if (strcmp(network->name, NETWORK_DEFAULT_NAME) == 0)
        return;
    struct network_lease *leases = NULL;
    size_t count = network_lease_list(context, network, &leases);
    for (size_t i = 0; i < count; i++) {
        struct container_handle peer;
        if ((skip_id && strcmp(leases[i].id, skip_id) == 0) ||
            container_read(context, leases[i].id, &peer, NULL) < 0)
            continue;
        network_hosts_write(context, peer.record, NULL);
        container_close(&peer);
    }
    free(leases);
}
