/* A container's cgroups: made (with device rules and limits), joined and
 * removed in every hierarchy of the layout, each the same way: a directory
 * at the same relative path ("/husk/ID", or under --cgroup-parent). */
#ifndef HUSK_RUNTIME_CGROUP_SETUP_H
#define HUSK_RUNTIME_CGROUP_SETUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"
#include "cgroup_layout.h"
#include "spec.h"

/* Creates PATH (relative to every hierarchy's root) and applies the device
 * rules and resource limits; SPEC may be NULL (directories only). */
int cgroup_create(const struct cgroup_layout *layout, const char *path,
                  const struct runtime_spec *spec, husk_error_t *err);
/* Kills whatever still runs in PATH (see kill_remaining), then removes PATH
 * everywhere, and its parent directories when they became empty (so a
 * default "husk" parent does not outlive the last container). A directory
 * the kernel still calls busy (a killed task not yet through its exit) is
 * waited for, about 2 s at most: callers need no retry loop of their own. */
int cgroup_destroy(const struct cgroup_layout *layout, const char *path, husk_error_t *err);

/* How a new process gets into a container's cgroups without the parent
 * migrating it. The parent opens these while it still sees the host's
 * /sys/fs/cgroup; the child uses them on itself before it execs. */
struct cgroup_join {
    /* PATH's directory in cgroup2 (O_PATH), for clone3's CLONE_INTO_CGROUP;
     * -1 on a pure v1 host. */
    int unified_fd;
    /* PATH's cgroup.procs in cgroup2, opened for writing: the way in for a
     * child that was not born there; -1 on a pure v1 host. */
    int unified_procs_fd;
    /* PATH's "tasks" in each v1 hierarchy, opened for writing. */
    int *tasks_fds;
    size_t tasks_count;
};
#define CGROUP_JOIN_INIT                                                                           \
    {                                                                                              \
        .unified_fd = -1, .unified_procs_fd = -1, .tasks_fds = NULL                                \
    }

/* Parent side: opens PATH's files (PATH made by cgroup_create). Every fd is
 * O_CLOEXEC. Release with cgroup_join_close once the child has started. */
int cgroup_join_open(const struct cgroup_layout *layout, const char *path, struct cgroup_join *join,
                     husk_error_t *err);
/* True when CLONE_INTO_CGROUP with unified_fd is the whole join (pure
 * cgroup2): only then may clone3 also carry CLONE_NEWCGROUP. */
bool cgroup_join_complete_at_birth(const struct cgroup_join *join);
/* Child side, on itself: joins every v1 hierarchy, and cgroup2 too unless
 * BORN_IN_UNIFIED (clone3 had CLONE_INTO_CGROUP with join->unified_fd),
 * then closes every fd of JOIN. The caller must be single-threaded, must
 * come before unshare(CLONE_NEWCGROUP), and needs no view of /sys/fs/cgroup
 * (the fds carry it), so it may already be in another mount namespace. */
int cgroup_join_self(struct cgroup_join *join, bool born_in_unified, husk_error_t *err);
void cgroup_join_close(struct cgroup_join *join);

#endif
