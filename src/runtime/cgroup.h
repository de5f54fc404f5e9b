/* The cgroup module as the rest of husk sees it. The module is layered, and
 * a file includes only the ones below it (no call goes upward):
 *   cgroup_layout   hierarchies from mountinfo; cgroup_path, cgroup_write
 *                   and cgroup_read, the only code that names cgroup files
 *   cgroup_devices  device rules (v1 files or a cgroup2 BPF program)
 *   cgroup_limits   resource limits, v1 and cgroup2
 *   cgroup_state    freezer, OOM kills, stats, members (reads)
 *   cgroup_setup    create, join, destroy; uses devices and limits
 * This header gathers the layout and setup for callers that start, join
 * and remove containers; the others include what they use. */
#ifndef HUSK_RUNTIME_CGROUP_H
#define HUSK_RUNTIME_CGROUP_H

#include "cgroup_layout.h"
#include "cgroup_setup.h"

#endif
