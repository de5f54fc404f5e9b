/* A "cgroup" mount in a container's root: what the container sees of its
 * own cgroups at /sys/fs/cgroup. */
#ifndef HUSK_RUNTIME_CGROUP_MOUNT_H
#define HUSK_RUNTIME_CGROUP_MOUNT_H

#include <stdbool.h>

#include "../util/error.h"
#include "spec.h"

/* In the container's process, after it joined its cgroups: on a cgroup2
 * host a cgroup2 mount; on a v1 or hybrid host (where mounting "cgroup"
 * with no options would try to take every controller at once) a tmpfs with
 * each hierarchy's directory of the process bound in, the way runc lays
 * it out. M's flags (ro, nosuid, ...) apply to all of it. TARGET_FD is the
 * mount target in the root at ROOT_FD (O_PATH). OWN_NAMESPACE: the
 * process is in a cgroup namespace of the container's (new or joined):
 * each hierarchy is mounted anew, showing that namespace's root only. */
int cgroup_mount_into(int root_fd, int target_fd, const struct runtime_mount *m, bool own_namespace,
                      husk_error_t *err);

#endif
