#include "rename.h"

#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "events/events.h"
#include "../util/xalloc.h"
#include "identity.h"
#include "network/network_hosts.h"
#include "network/network_store.h"
#include "record.h"
#include "store.h"

bool rename_name_valid(const char *name)
{
    const char *bare = name[0] == '/' ? name + 1 : name;
    return strlen(bare) >= 2 && container_name_valid(bare) && !container_name_is_full_id(bare);
}

/* Names in the hosts files of the container and of its peers on user
 * networks (docker's embedded DNS answers to the new name at once). */
static void refresh_hosts(const struct engine_context *context, json_t *record)
{
    network_hosts_write(context, record, NULL);
    const char *name;
    json_t *endpoint;
    json_object_foreach(json_object_get(json_object_get(record, "NetworkSettings"), "Networks"),
                        name, endpoint)
    {
        struct network network;
        if (strcmp(name, NETWORK_DEFAULT_NAME) == 0)
            continue;
        int lock = network_lock(context, NULL);
        if (lock >= 0 && network_load(context, name, &network, NULL) == 0) {
            network_hosts_refresh(context, &network, NULL);
            network_free(&network);
        }
        network_unlock(lock);
    }
}

static int rename_locked(const struct engine_context *context, struct container_handle *handle,
                         const char *name, husk_error_t *err)
{
    if (strcmp(handle->name, name) == 0)
        return husk_error_set(err, 0,
                              "Renaming a container with the same name as its current name");
    if (!rename_name_valid(name))
        return husk_error_set(err, 0,
                              "Error when allocating new name: Invalid container name (/%s), only "
                              "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                              name);
    /* Both names lead to the container from here until the old one goes. */
    if (store_name_reserve(context, name, handle->id, err) < 0)
        return husk_error_wrap(err, "Error when allocating new name");
    cleanup_free char *old = xstrdup(handle->name);
    json_object_set_new(handle->record, "Name", json_sprintf("/%s", name));
    if (container_save(context, handle, err) < 0) {
        store_name_release(context, name, handle->id);
        return -1;
    }
    store_name_release(context, old, handle->id);
    engine_event_container(context, "rename", handle->record,
                           json_pack("{s:s+}", "oldName", "/", old));
    if (record_process_alive(handle->record))
        refresh_hosts(context, handle->record);
    return 0;
}

int engine_rename(const struct engine_context *context, const char *reference, const char *new_name,
                  husk_error_t *err)
{
    const char *name = new_name[0] == '/' ? new_name + 1 : new_name;
    const char *old = reference[0] == '/' ? reference + 1 : reference;
    if (old[0] == '\0' || name[0] == '\0')
        return husk_error_set(err, 0, "Neither old nor new names may be empty");
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    int rc = rename_locked(context, &handle, name, err);
    container_close(&handle);
    return rc;
}
