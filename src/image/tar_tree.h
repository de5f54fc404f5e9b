/* A directory tree into a tar: names sorted, hard links kept as links,
 * mounts below the top not entered. In TAR_TREE_OVERLAY_UPPER mode the tree
 * is an overlayfs upper directory and its whiteouts and opaque directories
 * become the image format's (.wh.NAME, .wh..wh..opq): a new layer. */
#ifndef HUSK_IMAGE_TAR_TREE_H
#define HUSK_IMAGE_TAR_TREE_H

#include <jansson.h>

#include "../util/error.h"
#include "tar_writer.h"

enum tar_tree_mode { TAR_TREE_PLAIN, TAR_TREE_OVERLAY_UPPER };

int tar_tree_add(struct tar_writer *tar, int root_fd, enum tar_tree_mode mode, husk_error_t *err);

#endif
