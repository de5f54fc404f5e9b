/* Building a container's files and runtime spec from flags and image. */
#ifndef HUSK_ENGINE_PREPARE_H
#define HUSK_ENGINE_PREPARE_H

#include <jansson.h>

#include "../image/image.h"
#include "../util/error.h"
#include "identity.h"
#include "options.h"
#include "security_plan.h"
#include "storage_opt.h"
#include "user.h"
#include "userns.h"
#include "volumes/container_mounts.h"

struct prepared_container {
    char id[CONTAINER_ID_LENGTH + 1];
    char name[160];
    char *directory;
    struct image *image;
    struct resolved_user user;
    json_t *spec;
    json_t *record;
    /* "container:ID" for each --pid/--ipc/--network container:NAME given. */
    char *joined_modes[3];
    /* --userns private: the host ids container ids 0.. map to. */
    bool private_userns;
    json_t *sysctls;   /* checked --sysctl values */
    json_t *resources; /* linux.resources from --memory, --cpus, ... */
    struct id_range uid_range, gid_range;
    struct container_mounts mounts; /* -v, --mount, --tmpfs, ... resolved */
    bool name_reserved;
    bool directory_created;
    /* The container directory, flock()ed from just after its mkdir: a
     * directory without a record is removed by rm and prune only once its
     * lock is free (whoever was making it died). Closing it lets others at
     * the container; prepared_container_free does. */
    int lock_fd;
    struct security_plan security; /* --security-opt, --device, ..., --init */
    struct storage_opt storage;    /* --storage-opt size= */
    json_t *storage_record;        /* HostConfig.StorageOpt, or NULL */
};

/* Creates the container's directory (locked), name, files and config.json.
 * On failure everything made so far is removed again. */
int prepare_container(const struct engine_context *context, const struct run_options *options,
                      struct prepared_container *container, husk_error_t *err);
/* Removes the container's directory and name (failure or --rm). */
void prepared_container_discard(const struct engine_context *context,
                                struct prepared_container *container);
void prepared_container_free(struct prepared_container *container);

#endif
