/* Images as users see them: import, list, inspect, tag, remove, prune. */
#ifndef HUSK_ENGINE_IMAGES_H
#define HUSK_ENGINE_IMAGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "../util/error.h"
#include "options.h"

struct image_import_options {
    const char *source;    /* a file, or "-" for standard input */
    const char *reference; /* NULL: untagged */
    char **changes;        /* Dockerfile instructions, NULL-terminated */
    const char *message;
};

/* A root file system tarball (plain, gzip or zstd) as a one-layer image;
 * *ID receives its ID. */
int engine_image_import(const struct engine_context *context,
                        const struct image_import_options *options, char **id, husk_error_t *err);

/* `load`: SOURCE is a file, or "-" for standard input. *LOADED gets one
 * {"Id", "RepoTags"} per image, in the familiar form. */
int engine_image_load(const struct engine_context *context, const char *source, json_t **loaded,
                      husk_error_t *err);

/* `save`: REFERENCES (names or IDs) as one archive into FD. */
int engine_image_save(const struct engine_context *context, char **references, int fd,
                      husk_error_t *err);

struct image_pull_options {
    const char *reference;
    const char *platform; /* "os/arch[/variant]", NULL for this machine */
    FILE *progress;       /* docker-style progress lines, or NULL */
    const char *announce; /* printed before the progress, once there is an image */
    bool tls_verify_off;
};
/* Pulls from the registry the reference names; *CANONICAL gets the full
 * reference. */
int engine_image_pull(const struct engine_context *context, const struct image_pull_options *o,
                      char **canonical, husk_error_t *err);

struct image_push_options {
    const char *reference;
    FILE *progress;
    bool tls_verify_off;
};
int engine_image_push(const struct engine_context *context, const struct image_push_options *o,
                      char **digest, husk_error_t *err);

struct login_options {
    const char *server; /* "localhost:5000", NULL or "docker.io" for Docker Hub */
    const char *user, *password;
    bool tls_verify_off;
};
/* Checks the credentials with the registry, then keeps them. */
int engine_login(const struct login_options *o, husk_error_t *err);
int engine_logout(const char *server, husk_error_t *err);

/* `history`: one row per config history entry, newest first: {"ID",
 * "Created", "CreatedBy", "Size", "Comment"}. */
int engine_image_history(const struct engine_context *context, const char *reference, json_t **rows,
                         husk_error_t *err);

/* One row per image: {"Id", "RepoTags", "RepoDigests", "Created", "Size",
 * "Dangling"} (docker's ImageSummary shape), newest first. */
int engine_image_list(const struct engine_context *context, json_t **rows, husk_error_t *err);
/* docker's image inspect document. */
int engine_image_inspect(const struct engine_context *context, const char *reference,
                         json_t **document, husk_error_t *err);
int engine_image_tag(const struct engine_context *context, const char *source, const char *target,
                     husk_error_t *err);
/* docker's rmi: untags REFERENCE, and deletes the image once no reference
 * is left. Refused while a container (running or not) uses the image;
 * FORCE then only untags. *REPORT gets [{"Untagged": ...}, {"Deleted": ...}]. */
int engine_image_remove(const struct engine_context *context, const char *reference, bool force,
                        json_t **report, husk_error_t *err);
/* Removes dangling images (ALL: every image no container uses), then blobs
 * and layers no image needs. *REPORT as rmi's; *RECLAIMED in bytes. */
int engine_image_prune(const struct engine_context *context, bool all, json_t **report,
                       unsigned long long *reclaimed, husk_error_t *err);

#endif
