/* Local images as users name them. For now one layer per image; the
 * default "busybox" is built from the host's busybox-static on first use. */
#ifndef HUSK_IMAGE_STORE_H
#define HUSK_IMAGE_STORE_H

#include <jansson.h>

#include "../util/error.h"

struct image {
    char *name;       /* normalised: "busybox" */
    char *rootfs;     /* the layer directory, overlayfs's lowerdir */
    char *init_layer; /* layered above rootfs for every container (image_init_layer) */
    json_t *config;   /* the image config's "config" object: Env, Cmd, WorkingDir, User */
};

/* "busybox", "busybox:latest", "docker.io/library/busybox:latest" -> "busybox".
 * Returns NULL for a malformed reference. */
char *image_reference_normalise(const char *reference);
int image_store_open(const char *data_root, const char *reference, struct image **image,
                     husk_error_t *err);
void image_free(struct image *image);

/* Builds the busybox image in DESTINATION from the busybox binary at BUSYBOX. */
int image_busybox_build(const char *busybox, const char *destination, husk_error_t *err);

#endif
