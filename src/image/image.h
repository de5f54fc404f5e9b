/* An image as a container uses it: its layers (overlayfs lower
 * directories) and its config. */
#ifndef HUSK_IMAGE_IMAGE_H
#define HUSK_IMAGE_IMAGE_H

#include <jansson.h>
#include <stddef.h>

#include "../util/error.h"
#include "store.h"

struct image {
    char *id;      /* "sha256:HEX", the config's digest */
    char *name;    /* as the user named it */
    char **layers; /* layer directories, top first (overlayfs's lowerdir order) */
    size_t layer_count;
    char *init_layer; /* above every image: empty /etc/hostname, hosts, resolv.conf */
    json_t *document; /* the image config blob */
    json_t *config;   /* its "config": Env, Cmd, Entrypoint, WorkingDir, User, ... */
};

/* REFERENCE is a name ("busybox", "localhost:5000/x:1", "x@sha256:...") or an
 * image ID or a unique prefix of one. The default busybox image is built
 * here the first time it is needed. */
int image_open(const char *data_root, const char *reference, struct image **image,
               husk_error_t *err);
int image_load(struct image_store *store, const char *id, const char *name, struct image **image,
               husk_error_t *err);
void image_free(struct image *image);

/* The image ID REFERENCE names in STORE: by reference, else by ID or a
 * unique ID prefix. NULL with ERR set when there is none. */
char *image_find_id(struct image_store *store, const char *reference, husk_error_t *err);

/* PATH read from the image's layers as the container will see it (the
 * topmost layer that has it, unless a layer above deletes it), when it is a
 * regular file of at most 1 MiB; NULL otherwise. */
char *image_read_file(const struct image *image, const char *path);

/* Builds the default busybox image into STORE from the static busybox at
 * BUSYBOX and points docker.io/library/busybox:latest at it. */
int image_busybox_install(struct image_store *store, const char *busybox, husk_error_t *err);

#endif
