/* The source side of a copy: a file or a directory tree, read only through
 * file descriptors. Every entry is first opened O_PATH|O_NOFOLLOW relative
 * to its parent's fd and then read through that fd, never by name again:
 * a container that swaps a name for a symlink meanwhile (CVE-2018-15664)
 * gets its symlink copied as a symlink, and nothing outside the tree is
 * ever opened, since no ".." and no absolute path is resolved on the way. */
#ifndef HUSK_ENGINE_FILES_COPY_WALK_H
#define HUSK_ENGINE_FILES_COPY_WALK_H

#include <stdbool.h>

#include "../../util/error.h"
#include "copy_entry.h"

struct copy_walk_options {
    /* The ids of a container's files as it sees them; NULL: as they are. */
    const struct copy_id_map *ids;
    /* A running container's view has proc, sysfs and the like mounted:
     * their directories are copied empty, their files not at all. */
    bool skip_kernel_fs;
};

/* Hands TOP_FD (an O_PATH fd of any type; a symlink is the link itself)
 * and, for a directory, everything below it, names sorted, to SINK as
 * TOP_NAME, TOP_NAME/a, ... Sockets are left out, as docker's tar does. */
int copy_walk(int top_fd, const char *top_name, const struct copy_walk_options *options,
              struct copy_sink *sink, husk_error_t *err);

#endif
