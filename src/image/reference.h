/* Image references as docker reads them (distribution/reference):
 * [DOMAIN[:PORT]/]PATH[:TAG][@sha256:HEX]. "busybox" is
 * docker.io/library/busybox:latest; a first component is a domain only when
 * it has a "." or ":" or is "localhost". */
#ifndef HUSK_IMAGE_REFERENCE_H
#define HUSK_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "../util/error.h"

struct image_reference {
    char *domain; /* "docker.io", "localhost:5000" */
    char *path;   /* "library/busybox" */
    char *tag;    /* "latest" when neither tag nor digest was given; NULL with a digest only */
    char *digest; /* "sha256:<64 hex>" or NULL */
};

#define IMAGE_DEFAULT_DOMAIN "docker.io"

int image_reference_parse(const char *text, struct image_reference *reference, husk_error_t *err);
void image_reference_free(struct image_reference *reference);

/* "docker.io/library/busybox" */
char *image_reference_repository(const struct image_reference *reference);
/* The full form: "docker.io/library/busybox:latest", "...@sha256:..." (tag
 * and digest both when both were given). */
char *image_reference_canonical(const struct image_reference *reference);
/* What docker prints: "busybox" for docker.io/library/busybox, "user/x" for
 * docker.io/user/x, unchanged for other domains. */
char *image_repository_familiar(const char *repository);

/* "sha256:" and 64 lower-case hex digits. */
bool image_digest_valid(const char *digest);

#endif
