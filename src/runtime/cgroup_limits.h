/* Resource limits into cgroup files, for whichever version holds each
 * controller: v1 hierarchies, cgroup2, or both on a hybrid host. */
#ifndef HUSK_RUNTIME_CGROUP_LIMITS_H
#define HUSK_RUNTIME_CGROUP_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "cgroup_layout.h"
#include "spec.h"

#define CGROUP_WRITES_MAX 16

struct cgroup_write {
    const char *controller; /* "memory", "cpu", "cpuset", "pids", "blkio"/"io" */
    const char *file;       /* relative to the container's cgroup directory */
    char value[64];
};

/* The files and values that set R, in the order to write them; UNIFIED
 * says whether CONTROLLER lives in cgroup2 on this host. Pure, for tests. */
int cgroup_limit_writes(const struct runtime_resources *r,
                        bool (*unified)(const char *controller, const void *data), const void *data,
                        struct cgroup_write writes[CGROUP_WRITES_MAX], size_t *count,
                        husk_error_t *err);
/* Writes R to PATH's cgroups (made by cgroup_create); used at create and
 * by `update`. */
int cgroup_apply_limits(const struct cgroup_layout *layout, const char *path,
                        const struct runtime_resources *r, husk_error_t *err);

#endif
