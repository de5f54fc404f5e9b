/* The bottom of the cgroup module: which hierarchies this host mounts where
 * (v1, cgroup2, or both on a hybrid host), and the one place that turns a
 * container's cgroup path into a file name and reads or writes a cgroup
 * file. It includes no other cgroup header; the files above it are
 * cgroup_devices, cgroup_limits and cgroup_state, then cgroup_setup. */
#ifndef HUSK_RUNTIME_CGROUP_LAYOUT_H
#define HUSK_RUNTIME_CGROUP_LAYOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

struct cgroup_hierarchy {
    char *mount_point;
    char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
    bool unified;      /* cgroup2 */
};

/* One entry per distinct hierarchy. On a hybrid host the cgroup2 mount
 * (/sys/fs/cgroup/unified) is an entry like the v1 ones, with unified set
 * and no controllers: a container gets a directory there too. */
struct cgroup_layout {
    struct cgroup_hierarchy *hierarchies;
    size_t count;
};

/* Parses /proc/self/mountinfo text. */
int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *layout, husk_error_t *err);
int cgroup_layout_discover(struct cgroup_layout *layout, husk_error_t *err);
void cgroup_layout_free(struct cgroup_layout *layout);
/* LAYOUT as [{"mount": ..., "controllers": ..., "unified": ...}, ...] and
 * back, for a container that keeps the layout it was made in. */
json_t *cgroup_layout_to_json(const struct cgroup_layout *layout);
int cgroup_layout_from_json(json_t *list, struct cgroup_layout *layout, husk_error_t *err);

/* Whether H's comma-separated controller list names CONTROLLER exactly. */
bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller);
/* The v1 hierarchy holding CONTROLLER, or NULL. */
const struct cgroup_hierarchy *cgroup_layout_find(const struct cgroup_layout *layout,
                                                  const char *controller);
/* The cgroup2 hierarchy, or NULL on a pure v1 host. */
const struct cgroup_hierarchy *cgroup_layout_unified(const struct cgroup_layout *layout);
/* Where CONTROLLER's files are: its v1 hierarchy, else cgroup2 (which has
 * every controller v1 did not take), else NULL. */
const struct cgroup_hierarchy *cgroup_layout_controller(const struct cgroup_layout *layout,
                                                        const char *controller);

/* "MOUNT_POINT/RELPATH/FILE", malloc()ed; NULL without memory. RELPATH is
 * relative to the hierarchy's root with or without a leading '/' (OCI
 * writes cgroupsPath as "/husk/ID"); "" or NULL is the root itself. FILE
 * NULL gives the directory. */
char *cgroup_path(const struct cgroup_hierarchy *h, const char *relpath, const char *file);
/* Writes VALUE to an existing FILE of RELPATH's cgroup in one write(2): a
 * cgroup file takes one value per write. On failure the error's
 * errno_value is open(2)'s or write(2)'s (ENOENT: no such file). */
int cgroup_write(const struct cgroup_hierarchy *h, const char *relpath, const char *file,
                 const char *value, husk_error_t *err);
int cgroup_read(const struct cgroup_hierarchy *h, const char *relpath, const char *file,
                char **text, husk_error_t *err);

#endif
