#include "create.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "events/events.h"
#include "prepare.h"
#include "run.h"
#include "run_identity.h"
#include "store.h"
#include "../util/fault.h"

int container_create(const struct engine_context *context, const struct run_options *options,
                     bool sync_later, struct container_handle *handle, husk_error_t *err)
{
    memset(handle, 0, sizeof(*handle));
    handle->lock_fd = -1;
    if (run_options_validate(options, err) < 0)
        return -1;
    struct prepared_container c;
    if (prepare_container(context, options, &c, err) < 0)
        return -1;
    int rc = sync_later ? store_record_write(context, c.id, c.record, false, err)
                        : store_record_save(context, c.id, c.record, err);
    handle->name = strdup(c.name);
    if (rc == 0 && handle->name == NULL)
        rc = husk_error_set(err, ENOMEM, "create container");
    if (rc < 0) {
        prepared_container_discard(context, &c);
        prepared_container_free(&c);
        container_close(handle);
        return -1;
    }
    FAULT_POINT("create.record");
    snprintf(handle->id, sizeof(handle->id), "%s", c.id);
    handle->directory = steal_pointer(&c.directory);
    handle->record = steal_pointer(&c.record);
    handle->lock_fd = steal_fd(&c.lock_fd);
    prepared_container_free(&c);
    engine_event_container(context, "create", handle->record, NULL);
    return 0;
}

int engine_create(const struct engine_context *context, const struct run_options *options,
                  char id[HUSK_ID_SIZE], husk_error_t *err)
{
    struct container_handle handle;
    if (container_create(context, options, false, &handle, err) < 0)
        return -1;
    snprintf(id, HUSK_ID_SIZE, "%s", handle.id);
    run_identity_created(options, id);
    container_close(&handle);
    return 0;
}
