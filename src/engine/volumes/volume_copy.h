/* docker's copy-up: a new volume mounted where the image has content starts
 * as a copy of it. */
#ifndef HUSK_ENGINE_VOLUMES_VOLUME_COPY_H
#define HUSK_ENGINE_VOLUMES_VOLUME_COPY_H

#include <sys/types.h>

#include "../../image/image.h"
#include "../../util/error.h"

/* Ownership as a user namespace will see it: host id = id + START for ids
 * below SIZE; SIZE 0 keeps ids as they are. */
struct id_shift {
    uid_t uid_start;
    gid_t gid_start;
    unsigned size;
};

/* Copies what IMAGE has at PATH (resolved inside the image, its symlinks
 * followed there as docker does) into the directory VOLUME_DATA when that
 * is empty, with owners, modes, times, extended attributes and hard links;
 * the volume's root takes the owner and mode of the image's directory.
 * Nothing to copy (no such path, not a directory, a volume not empty) is
 * not an error. */
int volume_copy_up(const struct image *image, const char *path, const char *volume_data,
                   const struct id_shift *shift, husk_error_t *err);

#endif
