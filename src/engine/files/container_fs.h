/* A container's file system as `husk cp` reaches it: one directory fd that
 * stands for the container's "/", under the container's lock (so it can
 * neither start nor have its exit recorded meanwhile).
 *
 * Running, it is the root of PID 1 (/proc/PID/root, opened once and
 * checked against a pidfd): the container's own mount namespace, its
 * /etc/hosts and other binds included. Created or stopped, it is a
 * detached overlay of its layers made the way the runtime makes its root
 * (upper and work directory, idmapped for --userns private), read-only
 * unless the copy writes. Every path below it must then be resolved with
 * root_open() (openat2 RESOLVE_IN_ROOT), never joined to a host path. */
#ifndef HUSK_ENGINE_FILES_CONTAINER_FS_H
#define HUSK_ENGINE_FILES_CONTAINER_FS_H

#include <stdbool.h>

#include "../../util/error.h"
#include "../options.h"
#include "../record.h"
#include "copy_entry.h"

struct container_fs {
    struct container_handle handle; /* locked */
    int root_fd;                    /* O_PATH|O_DIRECTORY */
    bool running;
    bool read_only; /* HostConfig.ReadonlyRootfs */
    struct copy_id_map ids;
};

int container_fs_open(const struct engine_context *context, const char *reference, bool writable,
                      struct container_fs *fs, husk_error_t *err);
/* The container's layers as its spec gives them to overlayfs: *LOWER
 * "dir:dir:..." (top first) and *UPPER, and its user namespace's ids. */
int container_fs_layers(const char *directory, char **lower, char **upper, struct copy_id_map *ids,
                        husk_error_t *err);
/* Closes the root (unmounting a detached overlay) before the lock goes. */
void container_fs_close(struct container_fs *fs);

#endif
