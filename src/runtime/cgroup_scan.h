/* Reading the cgroup tree for `husk system check`: which cgroups exist
 * under a parent, and what each holds. Nothing here changes a cgroup. */
#ifndef HUSK_RUNTIME_CGROUP_SCAN_H
#define HUSK_RUNTIME_CGROUP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cgroup_layout.h"

/* The names of the directories right under PARENT ("/husk") in any
 * hierarchy, each once; a NULL-terminated list the caller frees. */
char **cgroup_scan_children(const struct cgroup_layout *layout, const char *parent);

struct cgroup_presence {
    bool exists;      /* in at least one hierarchy */
    size_t processes; /* the most any of its hierarchies lists */
    time_t changed;   /* the newest status change of its directories */
};
void cgroup_scan_path(const struct cgroup_layout *layout, const char *path,
                      struct cgroup_presence *presence);

#endif
