/* HTTP for the registry client, through libcurl (HTTP/2, connection reuse
 * through one share handle, TLS with OpenSSL), loaded on first use: as a
 * shared object with its dependencies it cost every husk command 8 ms at
 * start, and only pull, push and login talk to registries. */
#ifndef HUSK_IMAGE_HTTP_H
#define HUSK_IMAGE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

struct http;

int http_open(struct http **http, husk_error_t *err);
/* Another holder of the same connection pool (a pull's layer thread); each
 * holder closes it once. */
struct http *http_ref(struct http *http);
void http_close(struct http *http);

struct http_request {
    const char *method; /* "GET" (NULL), "HEAD", "POST", "PUT", "PATCH" */
    const char *url;
    const char *const *headers; /* "Name: value", NULL-terminated, or NULL */
    const char *body;           /* for POST, PUT and PATCH */
    size_t body_length;
    bool insecure;             /* TLS without verification (--tls-verify=false) */
    const char *ca_file;       /* another CA than the system's, or NULL */
    const char *user_password; /* Basic authentication "user:password", or NULL */
    size_t limit;              /* the most body bytes kept in memory (0: 4 MiB) */
    /* When set, the body goes here (0 or -1) instead of into memory, and
     * only a 2xx status streams. */
    int (*write)(void *data, const void *block, size_t length);
    void *write_data;
    int64_t resume_from; /* > 0: a Range request from this byte */
    int upload_fd;       /* > 0: PUT the UPLOAD_SIZE bytes read from it */
    int64_t upload_size;
};

struct http_response {
    long status;
    char *body;
    size_t body_length;
    char *www_authenticate, *content_type, *docker_content_digest, *location, *range;
    char *content_length;
    int transport_code; /* libcurl's code when there was no answer, else 0 */
};

/* Performs R. -1 with ERR only when there was no HTTP answer (connection,
 * TLS, a body over the limit, a write that failed); any status is 0. */
int http_perform(struct http *http, const struct http_request *r, struct http_response *response,
                 husk_error_t *err);
void http_response_free(struct http_response *response);

#endif
