/* A container's own mounts: -v, --mount, --tmpfs, --volumes-from and the
 * image's Volumes, turned at create into volumes (made, marked in use and
 * filled from the image), the spec's mount entries and docker's record
 * fields (Mounts, HostConfig.Binds/Mounts/Tmpfs/VolumesFrom). */
#ifndef HUSK_ENGINE_VOLUMES_CONTAINER_MOUNTS_H
#define HUSK_ENGINE_VOLUMES_CONTAINER_MOUNTS_H

#include <jansson.h>

#include "../../image/image.h"
#include "../../util/error.h"
#include "../options.h"
#include "volume_copy.h"

struct container_mounts {
    json_t *spec_mounts;   /* OCI mount entries, parents before children */
    json_t *record_mounts; /* docker's "Mounts" */
    json_t *host_config;   /* Binds, Mounts, Tmpfs, VolumesFrom as given */
    char **created;        /* volumes this create made */
    char **used;           /* volumes marked in use by the container */
};

/* Checks every flag before it makes anything; on failure nothing it made
 * is left. */
int container_mounts_resolve(const struct engine_context *context, const struct run_options *o,
                             const struct image *image, const char *container_id,
                             const struct id_shift *shift, struct container_mounts *mounts,
                             husk_error_t *err);
/* Undoes a create that failed: every volume it made is removed. */
void container_mounts_undo(const struct engine_context *context, struct container_mounts *mounts,
                           const char *container_id);
void container_mounts_free(struct container_mounts *mounts);
/* Before each start: volumes made with -o type=,device= are mounted. */
int container_mounts_ready(const struct engine_context *context, json_t *record, husk_error_t *err);
/* The container RECORD is going away: its volumes are no longer in use by
 * it; with REMOVE_ANONYMOUS (rm -v, --rm) its anonymous volumes that no
 * other container uses are removed. */
void container_mounts_release(const struct engine_context *context, json_t *record,
                              bool remove_anonymous);

#endif
