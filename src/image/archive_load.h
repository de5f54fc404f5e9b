/* `load`: image archives, read in one pass from a file or a pipe, plain or
 * gzip/zstd-compressed: docker-archive (`docker save`: manifest.json, and
 * layer.tar files or OCI blobs) and oci-archive (an OCI image layout:
 * index.json and blobs/sha256/). Each layer is unpacked as its entry
 * streams by; small JSON entries are kept in memory until the manifests,
 * which may come last, say what they are. */
#ifndef HUSK_IMAGE_ARCHIVE_LOAD_H
#define HUSK_IMAGE_ARCHIVE_LOAD_H

#include <jansson.h>

#include "../util/error.h"
#include "store.h"

/* Loads every image of the archive read from FD. *LOADED gets one
 * {"Id": ..., "RepoTags": [canonical references]} per image. */
int image_archive_load(struct image_store *store, int fd, json_t **loaded, husk_error_t *err);

/* The same from an OCI image layout directory (oci-layout, index.json,
 * blobs/sha256/), as skopeo's oci: and umoci write it. */
int image_directory_load(struct image_store *store, int directory, json_t **loaded,
                         husk_error_t *err);

#endif
