/* `save`: images as one tar that docker load, podman load and skopeo read:
 * docker's manifest.json over an OCI image layout (oci-layout, index.json,
 * blobs/sha256/), as docker 25 writes it, every layer an uncompressed tar
 * named by its diffID. */
#ifndef HUSK_IMAGE_ARCHIVE_SAVE_H
#define HUSK_IMAGE_ARCHIVE_SAVE_H

#include <jansson.h>

#include "../util/error.h"
#include "store.h"

/* IMAGES: [{"Id": "sha256:...", "RepoTags": ["canonical:tag", ...]}]. */
int image_archive_save(struct image_store *store, json_t *images, int fd, husk_error_t *err);

#endif
