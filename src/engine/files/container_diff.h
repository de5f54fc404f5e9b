/* `husk diff`: what a container changed in its file system, read from its
 * overlay upper directory and compared with its image's layers as docker
 * compares a container with its image: "A" added, "C" changed (mode,
 * owner, device, or for non-directories size and mtime, or file
 * capabilities), "D" deleted (an overlay whiteout, or what an opaque
 * directory hides). A directory with changes below it is "C" unless it is
 * itself added; "/" never shows. The mount points husk makes (/proc, /sys,
 * /dev, /etc/hosts, /etc/hostname, /etc/resolv.conf) are left out, as
 * docker's init layer leaves them out. */
#ifndef HUSK_ENGINE_FILES_CONTAINER_DIFF_H
#define HUSK_ENGINE_FILES_CONTAINER_DIFF_H

#include <jansson.h>

#include "../../util/error.h"
#include "../options.h"

/* docker's change kinds, as its API numbers them. */
enum container_change { CHANGE_MODIFIED = 0, CHANGE_ADDED = 1, CHANGE_DELETED = 2 };

/* *CHANGES: [{"Path": "/etc", "Kind": 0}, ...], a directory before what
 * changed in it, names sorted. */
int engine_container_diff(const struct engine_context *context, const char *reference,
                          json_t **changes, husk_error_t *err);

#endif
