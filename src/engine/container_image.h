/* A container's file system as images see it: export (the merged tree as a
 * tar) and commit (its changes as a new layer on its image). */
#ifndef HUSK_ENGINE_CONTAINER_IMAGE_H
#define HUSK_ENGINE_CONTAINER_IMAGE_H

#include "../util/error.h"
#include "options.h"

int engine_export(const struct engine_context *context, const char *reference, int fd,
                  husk_error_t *err);

struct commit_options {
    const char *container;
    const char *reference; /* NULL: untagged */
    char **changes;        /* Dockerfile instructions, NULL-terminated */
    const char *message, *author;
};
/* The container's upper directory (its changes, whiteouts included) as a
 * layer above its image's; *ID gets the new image's ID. The container is not
 * paused: what it writes meanwhile may or may not be in the layer. */
int engine_commit(const struct engine_context *context, const struct commit_options *o, char **id,
                  husk_error_t *err);

#endif
