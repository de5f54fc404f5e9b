/* `push`: the image's layer blobs as they are stored, its config, then an
 * OCI manifest naming them; blobs the registry has are not sent again. */
#ifndef HUSK_IMAGE_PUSH_H
#define HUSK_IMAGE_PUSH_H

#include <stdio.h>

#include "../util/error.h"
#include "registry.h"
#include "store.h"

struct push_options {
    const char *reference; /* a local tag, which also says where to push */
    struct registry_options registry;
    FILE *progress; /* docker-style lines, or NULL */
};

/* *DIGEST receives the pushed manifest's digest. */
int image_push(struct image_store *store, const struct push_options *o, char **digest,
               husk_error_t *err);

#endif
