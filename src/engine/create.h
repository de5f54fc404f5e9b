/* `husk create`, and the creating half of `run -d`: from flags to a
 * container on disk (directory, name, files, spec and a record in status
 * "created"), nothing started yet. */
#ifndef HUSK_ENGINE_CREATE_H
#define HUSK_ENGINE_CREATE_H

#include <stdbool.h>

#include "../util/error.h"
#include "identity.h"
#include "options.h"
#include "record.h"

int engine_create(const struct engine_context *context, const struct run_options *options,
                  char id[HUSK_ID_SIZE], husk_error_t *err);
/* The same, with HANDLE left open and locked as container_open leaves it.
 * The lock has been held since the directory was made, so no other husk
 * saw the container half made or can start or remove it before the caller
 * lets go (container_close). With SYNC_LATER the record is not fsynced:
 * the caller does it (store_record_sync) once it has answered the user. */
int container_create(const struct engine_context *context, const struct run_options *options,
                     bool sync_later, struct container_handle *handle, husk_error_t *err);

#endif
