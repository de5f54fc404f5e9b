/* Volumes as docker's "local" driver keeps them: DATA_ROOT/volumes/NAME
 * holds volume.json (what `volume inspect` shows), _data/ (the content, or
 * the mount point of a volume with -o type=,device=) and users/ (one empty
 * file per container that mounts it: what makes `volume rm` refuse). */
#ifndef HUSK_ENGINE_VOLUMES_VOLUME_STORE_H
#define HUSK_ENGINE_VOLUMES_VOLUME_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "../../util/error.h"
#include "../options.h"

#define VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

char *volume_mountpoint(const struct engine_context *context, const char *name);
/* Creates volume NAME (NULL: an anonymous one, named by 64 random hex
 * digits) unless it exists; LABELS and OPTIONS ({type, device, o}, as
 * `volume create -o`) may be NULL. *NAME_OUT (may be NULL) gets its name,
 * *CREATED whether this call made it. */
int volume_create(const struct engine_context *context, const char *name, json_t *labels,
                  json_t *options, char **name_out, bool *created, husk_error_t *err);
/* volume.json, with Mountpoint filled in: `volume inspect`'s document. */
int volume_load(const struct engine_context *context, const char *name, json_t **document,
                husk_error_t *err);
char **volume_names(const struct engine_context *context);
/* Marks CONTAINER_ID as a user of NAME, which must exist. */
int volume_use(const struct engine_context *context, const char *name, const char *container_id,
               husk_error_t *err);
void volume_release(const struct engine_context *context, const char *name,
                    const char *container_id);
/* The containers that use NAME and still exist, sorted. */
char **volume_users(const struct engine_context *context, const char *name);
/* Removes what removals that died left behind. */
void volume_sweep_removals(const struct engine_context *context);
/* Refused while a container uses it; a mounted device is unmounted. */
int volume_remove(const struct engine_context *context, const char *name, husk_error_t *err);
/* A volume made with -o type=,device= gets its file system mounted on
 * _data if it is not: 1 when mounted now, 0 when nothing was to do. */
int volume_mount_device(const struct engine_context *context, const char *name, husk_error_t *err);

#endif
