#include "network_commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "../events/events.h"
#include "network_attach.h"
#include "network_store.h"
#include "../record.h"

int engine_network_create(const struct engine_context *context,
                          const struct network_create_options *options, char id[HUSK_ID_SIZE],
                          husk_error_t *err)
{
    int lock = network_lock(context, err);
    if (lock < 0)
        return -1;
    struct network network;
    int rc = network_define(context, options->name, options->subnet, options->gateway,
                            options->internal, &network, err);
    if (rc == 0) {
        rc = network_bridge_up(context, &network, err);
        if (rc < 0)
            network_undefine(context, network.name, NULL);
        else
            snprintf(id, HUSK_ID_SIZE, "%s", network.id);
        if (rc == 0)
            engine_event_network(context, "create", network.id, network.name, NULL);
        network_free(&network);
    }
    network_unlock(lock);
    return rc;
}

int engine_network_remove(const struct engine_context *context, const char *name, husk_error_t *err)
{
    if (strcmp(name, NETWORK_DEFAULT_NAME) == 0)
        return husk_error_set(err, 0, "%s is a pre-defined network and cannot be removed", name);
    int lock = network_lock(context, err);
    if (lock < 0)
        return -1;
    struct network network;
    int rc = network_load(context, name, &network, err);
    if (rc == 0) {
        struct network_lease *leases = NULL;
        size_t count = network_lease_list(context, &network, &leases);
        if (count > 0) {
            struct container_handle holder;
            bool named = container_read(context, leases[0].id, &holder, NULL) == 0;
            rc =
                husk_error_set(err, 0, "network %s is in use by %zu running container%s (%s)", name,
                               count, count == 1 ? "" : "s", named ? holder.name : leases[0].id);
            if (named)
                container_close(&holder);
        } else {
            network_bridge_down(context, &network);
            rc = network_undefine(context, name, err);
            if (rc == 0)
                engine_event_network(context, "destroy", network.id, network.name, NULL);
        }
        free(leases);
        network_free(&network);
    }
    network_unlock(lock);
    return rc;
}

json_t *engine_network_list(const struct engine_context *context)
{
    json_t *list = json_array();
    cleanup_strv char **names = network_names(context);
    for (char **name = names; *name; name++) {
        struct network network;
        if (network_load(context, *name, &network, NULL) < 0)
            continue;
        json_array_append(list, network.document);
        network_free(&network);
    }
    return list;
}

int engine_network_inspect(const struct engine_context *context, const char *name,
                           json_t **document, husk_error_t *err)
{
    struct network network;
    if (network_load(context, name, &network, err) < 0)
        return -1;
    *document = json_deep_copy(network.document);
    json_t *containers = json_object();
    struct network_lease *leases = NULL;
    size_t count = network_lease_list(context, &network, &leases);
    for (size_t i = 0; i < count; i++) {
        struct container_handle holder;
        char address[IPV4_CIDR_TEXT_SIZE + 4];
        char text[IPV4_TEXT_SIZE];
        ipv4_address_format(leases[i].address, text);
        snprintf(address, sizeof(address), "%s/%d", text, network.subnet.prefix);
        bool named = container_read(context, leases[i].id, &holder, NULL) == 0;
        json_object_set_new(
            containers, leases[i].id,
            json_pack("{s:s, s:s}", "Name", named ? holder.name : "", "IPv4Address", address));
        if (named)
            container_close(&holder);
    }
    json_object_set_new(*document, "Containers", containers);
    free(leases);
    network_free(&network);
    return 0;
}

/* The container, locked, with its PID 1 when it runs (0 otherwise). */
static int open_member(const struct engine_context *context, const char *reference,
                       struct container_handle *handle, pid_t *pid, husk_error_t *err)
{
    if (container_open(context, reference, handle, err) < 0)
        return -1;
    const char *mode = json_string_value(
        json_object_get(json_object_get(handle->record, "HostConfig"), "NetworkMode"));
    if (!network_mode_is_bridge(mode)) {
        husk_error_set(err, 0, "container %s uses --network %s: it cannot join bridge networks",
                       reference, mode ? mode : "none");
        container_close(handle);
        return -1;
    }
    *pid = 0;
    if (record_is_paused(handle->record) && record_process_alive(handle->record)) {
        husk_error_set(err, 0, "container %s is paused: unpause it first", reference);
        container_close(handle);
        return -1;
    }
    if (strcmp(record_status(handle->record), "running") == 0)
        *pid = (pid_t)json_integer_value(
            json_object_get(json_object_get(handle->record, "State"), "Pid"));
    return 0;
}

int engine_network_connect(const struct engine_context *context, const char *name,
                           const char *container, const char *ip, husk_error_t *err)
{
    struct network network;
    uint32_t wanted = 0;
    if (network_load(context, name, &network, err) < 0)
        return -1;
    bool inside =
        ip == NULL || (ipv4_address_parse(ip, &wanted) &&
                       ipv4_subnet_contains(&network.subnet, wanted) && wanted != network.gateway);
    char subnet[IPV4_CIDR_TEXT_SIZE], network_id[HUSK_ID_SIZE];
    ipv4_subnet_format(&network.subnet, subnet);
    snprintf(network_id, sizeof(network_id), "%s", network.id);
    network_free(&network);
    if (!inside)
        return husk_error_set(err, 0, "invalid --ip \"%s\": not a free host address of %s", ip,
                              subnet);
    struct container_handle handle;
    pid_t pid;
    if (open_member(context, container, &handle, &pid, err) < 0)
        return -1;
    json_t *networks =
        json_object_get(json_object_get(handle.record, "NetworkSettings"), "Networks");
    int rc = -1;
    if (json_object_get(networks, name) != NULL)
        husk_error_set(err, 0, "container %s is already connected to network %s", container, name);
    else if (network_attach_one(context, handle.record, pid, name, wanted, err) == 0)
        rc = container_save(context, &handle, err);
    if (rc == 0)
        engine_event_network(context, "connect", network_id, name, handle.id);
    container_close(&handle);
    return rc;
}

int engine_network_disconnect(const struct engine_context *context, const char *name,
                              const char *container, husk_error_t *err)
{
    struct container_handle handle;
    pid_t pid;
    if (open_member(context, container, &handle, &pid, err) < 0)
        return -1;
    int rc = network_detach_one(context, handle.record, name, err);
    if (rc == 0)
        rc = container_save(context, &handle, err);
    struct network network;
    if (rc == 0 && network_load(context, name, &network, NULL) == 0) {
        engine_event_network(context, "disconnect", network.id, network.name, handle.id);
        network_free(&network);
    }
    container_close(&handle);
    return rc;
}

static bool network_referenced(const struct engine_context *context, const char *name)
{
    cleanup_strv char **ids = container_list_ids(context);
    for (char **id = ids; *id; id++) {
        struct container_handle handle;
        if (container_read(context, *id, &handle, NULL) < 0)
            continue;
        json_t *networks =
            json_object_get(json_object_get(handle.record, "NetworkSettings"), "Networks");
        bool used = json_object_get(networks, name) != NULL;
        container_close(&handle);
        if (used)
            return true;
    }
    return false;
}

int engine_network_prune(const struct engine_context *context, char ***removed, husk_error_t *err)
{
    (void)err;
    cleanup_strv char **names = network_names(context);
    size_t count = 0;
    *removed = xcalloc(1, sizeof(char *));
    for (char **name = names; *name; name++) {
        if (strcmp(*name, NETWORK_DEFAULT_NAME) == 0 || network_referenced(context, *name) ||
            engine_network_remove(context, *name, NULL) < 0)
            continue;
        *removed = xreallocarray(*removed, count + 2, sizeof(char *));
        (*removed)[count++] = xstrdup(*name);
        (*removed)[count] = NULL;
    }
    return 0;
}

int engine_port(const struct engine_context *context, const char *container, json_t **ports,
                husk_error_t *err)
{
    struct container_handle handle;
    if (container_read(context, container, &handle, err) < 0)
        return -1;
    int rc = 0;
    if (strcmp(record_status(handle.record), "running") != 0)
        rc = husk_error_set(err, 0, "container %s is not running", container);
    else
        *ports = json_deep_copy(
            json_object_get(json_object_get(handle.record, "NetworkSettings"), "Ports"));
    container_close(&handle);
    return rc;
}
