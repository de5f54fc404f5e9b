/* One cgroup driver for v1, v2 and hybrid hosts: it finds every mounted
 * hierarchy and treats each the same way (a directory per container). */
#ifndef HUSK_RUNTIME_CGROUP_H
#define HUSK_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"
#include "spec.h"

struct cgroup_hierarchy {
    char *mount_point;
    char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
    bool unified;      /* cgroup2 */
};

struct cgroup_layout {
    struct cgroup_hierarchy *hierarchies;
    size_t count;
};

/* Parses /proc/self/mountinfo text; one entry per distinct hierarchy. */
int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *layout, husk_error_t *err);
int cgroup_layout_discover(struct cgroup_layout *layout, husk_error_t *err);
void cgroup_layout_free(struct cgroup_layout *layout);
const struct cgroup_hierarchy *cgroup_layout_find(const struct cgroup_layout *layout,
                                                  const char *controller);

/* The cgroup2 hierarchy, or NULL on a pure v1 host. */
const struct cgroup_hierarchy *cgroup_layout_unified(const struct cgroup_layout *layout);
/* Creates PATH (relative to every hierarchy's root) and applies the device
 * rules and resource limits. */
int cgroup_create(const struct cgroup_layout *layout, const char *path,
                  const struct runtime_spec *spec, husk_error_t *err);
int cgroup_enter(const struct cgroup_layout *layout, const char *path, pid_t pid,
                 husk_error_t *err);
/* Removes PATH everywhere, and its parent directories when they became empty
 * (so a default "husk" parent does not outlive the last container). */
int cgroup_destroy(const struct cgroup_layout *layout, const char *path, husk_error_t *err);

#endif
