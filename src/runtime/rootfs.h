/* Builds the container's root file system inside its new mount namespace. */
#ifndef HUSK_RUNTIME_ROOTFS_H
#define HUSK_RUNTIME_ROOTFS_H

#include "../util/error.h"
#include "spec.h"

#include <stddef.h>

/* A mount that exists already, detached (open_tree), for DESTINATION. */
struct runtime_attached_mount {
    const char *destination;
    int fd;
};

/* What husk made outside the container for its root: a ready root mount
 * (the idmapped overlay of a user namespace), or -1 to mount the spec's,
 * and mounts to move in. */
struct rootfs_handover {
    int root_mount_fd;
    /* Per spec mount, a detached tree to move in (an idmapped bind), or -1;
     * NULL for none at all. */
    const int *mount_fds;
    const struct runtime_attached_mount *attached;
    size_t attached_count;
    /* Called once everything is mounted, before the pivot into the root:
     * the createContainer hooks. NULL: nothing. */
    int (*before_pivot)(void *data, husk_error_t *err);
    void *before_pivot_data;
};

/* Makes mounts private, mounts the root and every spec mount, moves the
 * attached ones in, creates devices, and pivots into the new root. */
int rootfs_prepare(const struct runtime_spec *spec, const struct rootfs_handover *handover,
                   husk_error_t *err);
/* After sysctls are written: masked paths, read-only paths, read-only root. */
int rootfs_finalize(const struct runtime_spec *spec, husk_error_t *err);

#endif
