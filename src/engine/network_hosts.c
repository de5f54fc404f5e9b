#include "network_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "record.h"
#include "store.h"

/* Appends "ADDRESS\tNAME" for each other container on NETWORK. */
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
        fprintf(out, "%s\t%s\n", address, peer.name);
        container_close(&peer);
    }
    free(leases);
    network_free(&network);
}

int network_hosts_write(const struct engine_context *context, json_t *record, husk_error_t *err)
{
    const char *id = json_string_value(json_object_get(record, "Id"));
    const char *name = json_string_value(json_object_get(record, "Name"));
    const char *hostname =
        json_string_value(json_object_get(json_object_get(record, "Config"), "Hostname"));
    json_t *settings = json_object_get(record, "NetworkSettings");
    const char *address = json_string_value(json_object_get(settings, "IPAddress"));
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (id == NULL)
        return husk_error_set(err, 0, "hosts file: the record has no Id");
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        xalloc_die();
    fprintf(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    name = name && name[0] == '/' ? name + 1 : name ? name : "";
    hostname = hostname ? hostname : "";
    bool has_address = address != NULL && address[0] != '\0';
    fprintf(out, "%s\t%s%s%s\n", has_address ? address : "127.0.1.1", hostname,
            strcmp(hostname, name) != 0 ? " " : "", strcmp(hostname, name) != 0 ? name : "");
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
