/* The image store under DATA/images, content-addressed as docker's:
 *
 *   blobs/sha256/HEX     manifests, image configs and layer tars, by digest
 *   layers/HEX/          each layer unpacked once (HEX of its diffID), an
 *                        overlayfs lower directory shared by every image and
 *                        container that uses it; layers/HEX.json names the
 *                        blob it came from
 *   images/HEX.json      one per image (HEX of its ID, the config's digest):
 *                        where it came from (manifest digest)
 *   repositories.json    references: "docker.io/library/busybox:latest" ->
 *                        image ID
 *   tmp/                 where everything is made before it is published
 *                        by rename, under the lock (DATA/images/lock)
 *
 * A killed husk leaves at most files in tmp/ (removed by the next writer)
 * and blobs or layers no image names yet (collected by image prune). */
#ifndef HUSK_IMAGE_STORE_H
#define HUSK_IMAGE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"
#include "byte_stream.h"
#include "digest.h"

struct image_store {
    char *root; /* DATA/images */
    int root_fd;
    int lock_fd; /* >= 0 while locked */
    int use_fd;  /* >= 0 while adding content (image_store_use) */
};

int image_store_open(const char *data_root, struct image_store **store, husk_error_t *err);
void image_store_close(struct image_store *store);
static inline void image_store_closep(struct image_store **store)
{
    image_store_close(*store);
}
#define cleanup_store __attribute__((cleanup(image_store_closep)))
/* The writers' lock: publishing, tagging, removing. Readers need none:
 * everything appears by rename. */
int image_store_lock(struct image_store *store, husk_error_t *err);
void image_store_unlock(struct image_store *store);

/* Blobs: DIGEST names them. put verifies nothing more than what it
 * computes; read verifies the content against its name. */
int image_store_blob_put(struct image_store *store, const void *data, size_t length,
                         char digest[DIGEST_TEXT_SIZE], husk_error_t *err);
int image_store_blob_read(struct image_store *store, const char *digest, char **data,
                          size_t *length, husk_error_t *err);
/* The same without checking the digest: for the image config every run and
 * exec reads (the store is husk's own, 0700, and checked what came in;
 * hashing would load libcrypto, a millisecond at every start). */
int image_store_config_read(struct image_store *store, const char *digest, char **data,
                            size_t *length, husk_error_t *err);
bool image_store_blob_exists(struct image_store *store, const char *digest);
char *image_store_blob_path(const struct image_store *store, const char *digest);

/* Layers, by diffID. */
bool image_store_layer_exists(struct image_store *store, const char *diff_id);
char *image_store_layer_path(const struct image_store *store, const char *diff_id);

/* The blob the layer DIFF_ID was unpacked from and its tar's size. */
int image_store_layer_blob(struct image_store *store, const char *diff_id,
                           char digest[DIGEST_TEXT_SIZE], uint64_t *size, husk_error_t *err);

struct layer_source {
    struct byte_stream *stream; /* the blob as it arrives, compressed or not */
    const char *digest;         /* expected blob digest, or NULL */
    int64_t size;               /* expected blob size, or -1 */
    const char *diff_id;        /* expected diffID, or NULL */
};
struct layer_added {
    char diff_id[DIGEST_TEXT_SIZE]; /* the uncompressed tar's digest */
    char digest[DIGEST_TEXT_SIZE];  /* the blob's, as it came */
    uint64_t size;                  /* the uncompressed tar's size */
};
/* Reads SOURCE to its end: keeps the blob, unpacks the layer, checks both
 * digests, then publishes blob and layer (a layer already there is kept).
 * The stream is the store's from then on (closed, and set to NULL).
 * ADDED (may be NULL) receives what was found. */
int image_store_layer_add(struct image_store *store, struct layer_source *source,
                          struct layer_added *added, husk_error_t *err);

/* An image whose config blob and layers are in the store. */
struct image_record {
    const char *config;       /* the config blob's digest: the image ID */
    const char *manifest;     /* the manifest it came from, NULL when made here */
    uint64_t size;            /* its layers' uncompressed size */
    const char **layer_blobs; /* its layers' blobs, kept for save and push */
    size_t layer_blob_count;
};
int image_store_image_add(struct image_store *store, const struct image_record *record,
                          husk_error_t *err);
int image_store_image_remove(struct image_store *store, const char *id, husk_error_t *err);
/* Removes every blob and layer no image record names; image operations that
 * are adding content hold image_store_use() meanwhile, which this waits
 * for. *RECLAIMED: bytes of the blobs removed. */
int image_store_collect(struct image_store *store, unsigned long long *reclaimed,
                        husk_error_t *err);
/* Held (shared) by a pull, load or import from its first blob to its image
 * record, so that a collection never takes what it is adding. */
int image_store_use(struct image_store *store, husk_error_t *err);
int image_store_untag(struct image_store *store, const char *reference, husk_error_t *err);
/* The image records: {"Config", "Manifest", "Size"} of image ID, or NULL. */
json_t *image_store_image_record(struct image_store *store, const char *id);
/* Every image ID in the store, sorted. */
char **image_store_image_ids(struct image_store *store);
/* Points REFERENCE (canonical, "repo:tag" or "repo@digest") at IMAGE_ID.
 * Needs the lock. */
int image_store_tag(struct image_store *store, const char *reference, const char *image_id,
                    husk_error_t *err);
/* The image ID REFERENCE (canonical) points at, or NULL. */
char *image_store_resolve(struct image_store *store, const char *reference);
/* All references, {"canonical reference": "image ID"}. */
json_t *image_store_references(struct image_store *store);

#endif
