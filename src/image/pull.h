/* `pull`: manifest (through an index to this platform's), config, then the
 * layers, several at once, each decompressed, verified and unpacked while it
 * streams from the registry; layers the store has are skipped, and a layer
 * another husk is pulling is waited for rather than fetched twice. */
#ifndef HUSK_IMAGE_PULL_H
#define HUSK_IMAGE_PULL_H

#include <stdbool.h>
#include <stdio.h>

#include "../util/error.h"
#include "registry.h"
#include "store.h"

struct pull_options {
    const char *reference;
    const char *os, *architecture, *variant; /* the platform: this machine's by default */
    struct registry_options registry;
    FILE *progress;       /* docker-style progress lines, or NULL */
    bool live;            /* PROGRESS is a terminal: one updating line per layer */
    const char *announce; /* a line printed once the registry has the image */
};

/* *ID receives the image ID, *CANONICAL the reference it was pulled as. */
int image_pull(struct image_store *store, const struct pull_options *o, char **id, char **canonical,
               husk_error_t *err);

#endif
