/* What a container's cgroups say and do besides limits: freezing (pause),
 * OOM kills, and the counters `stats` shows, from v1 or cgroup2 files. */
#ifndef HUSK_RUNTIME_CGROUP_STATE_H
#define HUSK_RUNTIME_CGROUP_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"
#include "cgroup_layout.h"

/* v1 freezer.state or cgroup2 cgroup.freeze; returns once the kernel says
 * every task is frozen (or thawed). */
int cgroup_freeze(const struct cgroup_layout *layout, const char *path, bool frozen,
                  husk_error_t *err);
/* Whether PATH's cgroup is frozen (paused); false when unknown. */
bool cgroup_is_frozen(const struct cgroup_layout *layout, const char *path);
/* How many processes the kernel's OOM killer killed in PATH's memory cgroup
 * (memory.oom_control or memory.events "oom_kill"); 0 when unknown. */
uint64_t cgroup_oom_kills(const struct cgroup_layout *layout, const char *path);

struct cgroup_stats {
    uint64_t cpu_ns;       /* CPU time used, all CPUs */
    uint64_t memory_usage; /* bytes, minus inactive file cache as docker shows it */
    uint64_t memory_limit; /* bytes; UINT64_MAX when unlimited */
    uint64_t io_read, io_write;
    uint64_t pids;
};
int cgroup_read_stats(const struct cgroup_layout *layout, const char *path,
                      struct cgroup_stats *stats, husk_error_t *err);

/* The processes in PATH's cgroup (its pids hierarchy, or cgroup2), as the
 * kernel lists them; *COUNT of them, NULL when none or unreadable. */
pid_t *cgroup_processes(const struct cgroup_layout *layout, const char *path, size_t *count);

#endif
