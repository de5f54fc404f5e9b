/* Image manifests and indexes, OCI and Docker v2 schema 2, as registries
 * and archives hold them; everything that is not what it must be refused. */
#ifndef HUSK_IMAGE_MANIFEST_H
#define HUSK_IMAGE_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

#define MEDIA_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"
/* The Accept header a registry client sends. */
#define MANIFEST_ACCEPT                                                                            \
    MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST

/* Manifests and configs larger than this are refused (docker: 4 MiB). */
#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)

struct descriptor {
    char *media_type;
    char *digest;
    int64_t size;
};

struct manifest {
    struct descriptor config;
    struct descriptor *layers;
    size_t layer_count;
};

bool media_type_is_index(const char *media_type);
bool media_type_is_manifest(const char *media_type);

/* The media type of a manifest or index document: its mediaType, or what
 * its shape says (OCI allows it to be absent). NULL when neither. */
const char *manifest_kind(json_t *document);

/* An image manifest: a config and at least one layer, each a descriptor
 * with a sha256 digest and a size; layers gzip, zstd or uncompressed tar. */
int manifest_parse(json_t *document, struct manifest *manifest, husk_error_t *err);
void manifest_free(struct manifest *manifest);

/* From an index or manifest list: the digest of the manifest for OS,
 * ARCHITECTURE and VARIANT ("" matches any; "v8" also matches none for
 * arm64, as containerd does). */
int index_select(json_t *document, const char *os, const char *architecture, const char *variant,
                 char **digest, husk_error_t *err);

/* Checks an image config against the layers it was unpacked from: its
 * rootfs.diff_ids must be DIFF_IDS, in order. */
int config_check(json_t *config, const char *const *diff_ids, size_t count, husk_error_t *err);

#endif
