/* What flows through a copy: entries in the order a tar would hold them,
 * from a source (a directory walk, a tar read from stdin) to a sink (files
 * made under a directory, a tar written to stdout). docker's cp sends a tar
 * between its two sides; husk hands entries over in memory instead. */
#ifndef HUSK_ENGINE_FILES_COPY_ENTRY_H
#define HUSK_ENGINE_FILES_COPY_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../../util/error.h"

/* A user namespace's id mappings as seen from the host: a container's ids
 * 0..size-1 are the host's start..start+size-1. Inactive: the identity. */
struct copy_id_map {
    bool active;
    uint32_t uid_start, gid_start, size;
};

/* Host id -> the container's (the overflow id 65534 when not mapped). */
uid_t copy_id_to_container(const struct copy_id_map *map, uint32_t host, bool group);
/* The container's id -> the host's; -1 when the map has no such id. */
int copy_id_to_host(const struct copy_id_map *map, uint32_t id, bool group, uint32_t *host);

struct copy_entry {
    /* "TOP" or "TOP/a/b" (TOP is the copied tree's name, "." for its
     * contents), or whatever name a tar read from stdin holds. */
    const char *name;
    mode_t mode; /* type and permission bits */
    uid_t uid;   /* as the side the entry comes from sees them */
    gid_t gid;
    struct timespec mtime, atime;
    dev_t rdev;
    int64_t size;
    const char *link_target; /* a symlink's */
    const char *hard_link;   /* the name of an earlier entry it is a hard link to */
    /* security.capability (file capabilities), or NULL. */
    const void *capability;
    size_t capability_size;
    /* A regular file's content: an fd to read (a walk), or -1 and READ. */
    int data_fd;
    ssize_t (*read)(void *source, void *buffer, size_t size);
    void *source;
};

struct copy_sink {
    int (*add)(struct copy_sink *sink, const struct copy_entry *entry, husk_error_t *err);
    /* Regular-file bytes the sink has taken, for the summary line. */
    uint64_t bytes;
};

/* Whether the file system of FD is one of the kernel's interfaces (proc,
 * sysfs, cgroup, devpts, mqueue, securityfs, ...) rather than one that holds
 * files: a running container's view has them mounted, docker's has not. */
bool copy_fd_on_kernel_fs(int fd);

#endif
