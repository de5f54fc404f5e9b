/* The OCI distribution API as a client speaks it: one repository of one
 * registry, anonymous Bearer tokens and Basic credentials (docker's
 * config.json, podman's auth.json), HTTPS with the system's CAs plus
 * /etc/husk/certs.d/HOST:PORT/ca.crt, plain HTTP only for localhost or
 * when TLS verification is off. */
#ifndef HUSK_IMAGE_REGISTRY_H
#define HUSK_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"
#include "http.h"
#include "reference.h"

struct registry;

struct registry_options {
    bool tls_verify_off;         /* --tls-verify=false: TLS unverified, plain HTTP allowed */
    const char *certs_directory; /* default $HUSK_CERTS_D, else /etc/husk/certs.d */
};

int registry_open(const struct image_reference *reference, const struct registry_options *o,
                  struct registry **registry, husk_error_t *err);
void registry_close(struct registry *registry);
/* The same repository, connection pool and token, for a thread of its own
 * (its token may then change apart). */
int registry_clone(const struct registry *registry, struct registry **clone, husk_error_t *err);

/* GET /v2/REPOSITORY/manifests/REFERENCE into RESPONSE (4 MiB at most).
 * Registry errors (401, 403, 404, 429, 5xx) become one plain line in ERR. */
int registry_get_manifest(struct registry *registry, const char *reference,
                          struct http_response *response, husk_error_t *err);
/* GET /v2/REPOSITORY/blobs/DIGEST into memory (configs). */
int registry_get_blob(struct registry *registry, const char *digest, size_t limit,
                      struct http_response *response, husk_error_t *err);
/* GET /v2/REPOSITORY/blobs/DIGEST into WRITE, resuming with a Range request
 * after a cut connection and retrying 429 and 5xx answers with backoff. */
int registry_stream_blob(struct registry *registry, const char *digest,
                         int (*write)(void *data, const void *block, size_t length), void *data,
                         husk_error_t *err);

/* GET /v2/ with the registry's credentials (and a token for them when it
 * wants one): whether it accepts them. */
int registry_ping(struct registry *registry, husk_error_t *err);
int registry_blob_exists(struct registry *registry, const char *digest, bool *exists,
                         husk_error_t *err);
/* A monolithic upload: POST an upload, PUT the SIZE bytes of FD with DIGEST. */
int registry_upload_blob(struct registry *registry, const char *digest, int fd, int64_t size,
                         husk_error_t *err);
int registry_put_manifest(struct registry *registry, const char *reference, const char *media_type,
                          const char *text, size_t length, husk_error_t *err);
/* Replaces the credentials found in the files with "user:password". */
void registry_use_credentials(struct registry *registry, const char *user_password);

/* The credentials husk would send to DOMAIN, "user:password", or NULL. */
char *registry_credentials(const char *domain);
/* login and logout: docker's config.json ($DOCKER_CONFIG or ~/.docker),
 * written whole, 0600; other keys kept. */
int registry_credentials_save(const char *domain, const char *user_password, husk_error_t *err);
int registry_credentials_remove(const char *domain, husk_error_t *err);

#endif
