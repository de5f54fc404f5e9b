#include "registry.h"

#include <curl/curl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/json_text.h"
#include "../util/xalloc.h"
#include "digest.h"

#define DEFAULT_CERTS "/etc/husk/certs.d"
#define RETRIES       5

struct registry {
    struct http *http;
    char *domain;     /* as the reference names it: "docker.io", "localhost:5000" */
    char *host;       /* where requests go: "registry-1.docker.io", "localhost:5000" */
    char *repository; /* "library/busybox" */
    char *scheme;     /* "https", or "http" once plain HTTP answered */
    bool insecure, may_use_http;
    char *ca_file;
    char *credentials; /* "user:password" */
    char *token;       /* the Bearer token, once a realm gave one */
};

/* localhost, 127.0.0.0/8 or [::1], with or without a port: exactly, so
 * that "localhost.example.com" or "127.example.net" are not local. */
static bool is_local(const char *domain)
{
    char host[256];
    const char *end = domain[0] == '[' ? strchr(domain, ']') : strrchr(domain, ':');
    size_t length = end ? (size_t)(end - domain) + (domain[0] == '[') : strlen(domain);
    if (length >= sizeof(host))
        return false;
    memcpy(host, domain, length);
    host[length] = '\0';
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return true;
    struct in_addr address;
    return inet_pton(AF_INET, host, &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

/* --- credentials: docker's config.json, then podman's auth.json --- */

static char *auth_from_file(const char *path, const char *domain)
{
    cleanup_json json_t *config = path ? json_load_path(AT_FDCWD, path, NULL) : NULL;
    json_t *auths = json_object_get(config, "auths");
    const char *keys[] = {domain, NULL, NULL};
    cleanup_free char *https = xasprintf("https://%s", domain);
    keys[1] = https;
    if (strcmp(domain, "docker.io") == 0)
        keys[2] = "https://index.docker.io/v1/";
    for (size_t i = 0; i < 3; i++) {
        const char *auth =
            keys[i] ? json_string_value(json_object_get(json_object_get(auths, keys[i]), "auth"))
                    : NULL;
        if (auth != NULL) {
            char *decoded = base64_decode(auth);
            if (decoded != NULL && strchr(decoded, ':') != NULL)
                return decoded;
            free(decoded);
        }
    }
    return NULL;
}

char *registry_credentials(const char *domain)
{
    const char *home = getenv("HOME");
    const char *docker = getenv("DOCKER_CONFIG");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    cleanup_free char *docker_file = docker ? xasprintf("%s/config.json", docker)
                                     : home ? xasprintf("%s/.docker/config.json", home)
                                            : NULL;
    cleanup_free char *podman_runtime =
        runtime ? xasprintf("%s/containers/auth.json", runtime) : NULL;
    cleanup_free char *podman_home =
        home ? xasprintf("%s/.config/containers/auth.json", home) : NULL;
    const char *files[] = {docker_file, getenv("REGISTRY_AUTH_FILE"), podman_runtime, podman_home};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *found = auth_from_file(files[i], domain);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* --- opening --- */

#define REGISTRIES_CONF "/etc/husk/registries.json"

/* docker's daemon.json key in husk's own file ($HUSK_REGISTRIES_CONF moves
 * it): {"insecure-registries": ["host:port", ...]}, registries reached
 * without TLS verification, over plain HTTP when they speak no TLS. */
static bool listed_insecure(const char *domain)
{
    const char *path =
        getenv("HUSK_REGISTRIES_CONF") ? getenv("HUSK_REGISTRIES_CONF") : REGISTRIES_CONF;
    cleanup_json json_t *conf = json_load_path(AT_FDCWD, path, NULL);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(conf, "insecure-registries"), i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), domain) == 0)
            return true;
    }
    return false;
}

int registry_open(const struct image_reference *reference, const struct registry_options *o,
                  struct registry **out, husk_error_t *err)
{
    struct registry *r = xcalloc(1, sizeof(*r));
    if (http_open(&r->http, err) < 0) {
        free(r);
        return -1;
    }
    r->domain = xstrdup(reference->domain);
    r->host = xstrdup(strcmp(r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain);
    r->repository = xstrdup(reference->path);
    bool listed = listed_insecure(r->domain);
    r->insecure = o->tls_verify_off || listed;
    r->may_use_http = r->insecure || is_local(r->domain);
    r->scheme = xstrdup("https");
    const char *certs = o->certs_directory ? o->certs_directory : getenv("HUSK_CERTS_D");
    cleanup_free char *ca = xasprintf("%s/%s/ca.crt", certs ? certs : DEFAULT_CERTS, r->domain);
    if (access(ca, R_OK) == 0)
        r->ca_file = steal_pointer(&ca);
    r->credentials = registry_credentials(r->domain);
    *out = r;
    return 0;
}

void registry_close(struct registry *r)
{
    if (r == NULL)
        return;
    http_close(r->http);
    free(r->domain);
    free(r->host);
    free(r->repository);
    free(r->scheme);
    free(r->ca_file);
    free(r->credentials);
    free(r->token);
    free(r);
}

int registry_clone(const struct registry *from, struct registry **out, husk_error_t *err)
{
    (void)err;
    struct registry *r = xcalloc(1, sizeof(*r));
    r->http = http_ref(from->http);
    r->domain = xstrdup(from->domain);
    r->host = xstrdup(from->host);
    r->repository = xstrdup(from->repository);
    r->scheme = xstrdup(from->scheme);
    r->insecure = from->insecure;
    r->may_use_http = from->may_use_http;
    r->ca_file = from->ca_file ? xstrdup(from->ca_file) : NULL;
    r->credentials = from->credentials ? xstrdup(from->credentials) : NULL;
    r->token = from->token ? xstrdup(from->token) : NULL;
    *out = r;
    return 0;
}

/* --- authentication --- */

/* One parameter of a "Bearer realm=\"...\",service=\"...\"" challenge. */
static char *challenge_parameter(const char *challenge, const char *name)
{
    cleanup_free char *pattern = xasprintf("%s=\"", name);
    const char *start = strcasestr(challenge, pattern);
    if (start == NULL)
        return NULL;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    return end ? xstrndup(start, (size_t)(end - start)) : NULL;
}

static char *url_escape(const char *text)
{
    char *out = xmalloc(3 * strlen(text) + 1), *p = out;
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.~", c))
            *p++ = (char)c;
        else
            p += sprintf(p, "%%%02X", c);
    }
    *p = '\0';
    return out;
}

static int fetch_token(struct registry *r, const char *challenge, husk_error_t *err)
{
    cleanup_free char *realm = challenge_parameter(challenge, "realm");
    cleanup_free char *service = challenge_parameter(challenge, "service");
    cleanup_free char *scope = challenge_parameter(challenge, "scope");
    if (realm == NULL)
        return husk_error_set(err, 0, "%s asked for a token but named no realm", r->domain);
    cleanup_free char *default_scope = xasprintf("repository:%s:pull", r->repository);
    cleanup_free char *service_part = service ? url_escape(service) : xstrdup("");
    cleanup_free char *scope_part = url_escape(scope ? scope : default_scope);
    /* A login asks for no scope: the realm only checks the credentials. */
    bool scoped = scope != NULL || r->repository[0] != '\0';
    cleanup_free char *url =
        xasprintf("%s%sservice=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", service_part,
                  scoped ? "&scope=" : "", scoped ? scope_part : "");
    struct http_request request = {.url = url,
                                   .insecure = r->insecure,
                                   .ca_file = r->ca_file,
                                   .user_password = r->credentials,
                                   .limit = 1 << 20};
    struct http_response response;
    if (http_perform(r->http, &request, &response, err) < 0)
        return husk_error_wrap(err, "get a token from %s", realm);
    if (response.status != 200) {
        long status = response.status;
        http_response_free(&response);
        return husk_error_set(err, 0, "%s refused a token (HTTP %ld)%s", realm, status,
                              status == 401 ? ": wrong or missing credentials (husk login)" : "");
    }
    cleanup_json json_t *answer = json_loadb(response.body, response.body_length, 0, NULL);
    http_response_free(&response);
    const char *token = json_string_value(json_object_get(answer, "token"));
    if (token == NULL)
        token = json_string_value(json_object_get(answer, "access_token"));
    if (token == NULL)
        return husk_error_set(err, 0, "%s answered without a token", realm);
    free(r->token);
    r->token = xstrdup(token);
    return 0;
}

/* --- requests --- */

/* "manifest unknown: ..." from {"errors": [{"code", "message"}]}, or the status. */
static int registry_error(struct registry *r, const struct http_response *response,
                          const char *what, husk_error_t *err)
{
    cleanup_json json_t *body =
        response->body ? json_loadb(response->body, response->body_length, 0, NULL) : NULL;
    json_t *first = json_array_get(json_object_get(body, "errors"), 0);
    const char *message = json_string_value(json_object_get(first, "message"));
    const char *code = json_string_value(json_object_get(first, "code"));
    static const struct {
        long status;
        const char *words;
    } plain[] = {
        {401, "unauthorized: authentication required (husk login)"},
        {403, "denied: the registry refuses access"},
        {404, "not found"},
        {429, "too many requests: the registry limits this client"},
    };
    const char *words = response->status >= 500 ? "the registry failed" : "refused";
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (plain[i].status == response->status)
            words = plain[i].words;
    return husk_error_set(err, 0, "%s/%s: %s: %s (HTTP %ld%s%s%s%s)", r->domain, r->repository,
                          what, words, response->status, code ? ", " : "", code ? code : "",
                          message ? ": " : "", message ? message : "");
}

static void backoff(int attempt)
{
    struct timespec pause = {.tv_sec = attempt, .tv_nsec = 250000000L * attempt};
    nanosleep(&pause, NULL);
}

/* PATH under /v2/REPOSITORY/, with the token (fetched on a 401 challenge),
 * over HTTPS, or HTTP where allowed and TLS is not spoken. */
static int request(struct registry *r, const char *path, const char *accept,
                   struct http_request *base, struct http_response *response, husk_error_t *err)
{
    for (int attempt = 0;; attempt++) {
        /* PATH is under the repository, or absolute ("/v2/", an upload's
         * Location, which may also be a whole URL). */
        cleanup_free char *url =
            strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0 ? xstrdup(path)
            : path[0] == '/'
                ? xasprintf("%s://%s%s", r->scheme, r->host, path)
                : xasprintf("%s://%s/v2/%s/%s", r->scheme, r->host, r->repository, path);
        cleanup_free char *authorization =
            r->token ? xasprintf("Authorization: Bearer %s", r->token) : NULL;
        cleanup_free char *accept_header = accept == NULL ? NULL
                                           : strchr(accept, ':')
                                               ? xstrdup(accept) /* a whole header: Content-Type */
                                               : xasprintf("Accept: %s", accept);
        const char *headers[3] = {NULL, NULL, NULL};
        size_t count = 0;
        if (authorization)
            headers[count++] = authorization;
        if (accept_header)
            headers[count++] = accept_header;
        if (base->upload_fd > 0 && lseek(base->upload_fd, 0, SEEK_SET) < 0)
            return husk_error_set(err, errno, "rewind an upload");
        struct http_request req = *base;
        req.url = url;
        req.headers = headers;
        req.insecure = r->insecure;
        req.ca_file = r->ca_file;
        req.user_password = r->token ? NULL : r->credentials;
        husk_error_t transport = NULL;
        if (http_perform(r->http, &req, response, &transport) < 0) {
            /* Plain HTTP only where allowed, and only when the server does
             * not speak TLS at all: a certificate it fails is an error. */
            if (strcmp(r->scheme, "https") == 0 && r->may_use_http && attempt == 0 &&
                response->transport_code == CURLE_SSL_CONNECT_ERROR) {
                free(r->scheme);
                r->scheme = xstrdup("http");
                husk_error_free(&transport);
                continue;
            }
            *err = transport;
            return -1;
        }
        if (response->status == 401 && response->www_authenticate != NULL &&
            strncasecmp(response->www_authenticate, "Bearer", 6) == 0 && attempt < 2) {
            cleanup_free char *challenge = xstrdup(response->www_authenticate);
            http_response_free(response);
            if (fetch_token(r, challenge, err) < 0)
                return -1;
            continue;
        }
        if ((response->status == 429 || response->status >= 500) && attempt < RETRIES &&
            base->write == NULL) {
            http_response_free(response);
            backoff(attempt + 1);
            continue;
        }
        return 0;
    }
}

int registry_get_manifest(struct registry *r, const char *reference, struct http_response *response,
                          husk_error_t *err)
{
    cleanup_free char *path = xasprintf("manifests/%s", reference);
    struct http_request base = {.limit = 4 * 1024 * 1024};
    if (request(r, path,
                "application/vnd.oci.image.index.v1+json, "
                "application/vnd.oci.image.manifest.v1+json, "
                "application/vnd.docker.distribution.manifest.list.v2+json, "
                "application/vnd.docker.distribution.manifest.v2+json",
                &base, response, err) < 0)
        return -1;
    if (response->status != 200) {
        int rc = registry_error(r, response, reference, err);
        http_response_free(response);
        return rc;
    }
    return 0;
}

int registry_get_blob(struct registry *r, const char *digest, size_t limit,
                      struct http_response *response, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("blobs/%s", digest);
    struct http_request base = {.limit = limit};
    if (request(r, path, NULL, &base, response, err) < 0)
        return -1;
    if (response->status != 200) {
        int rc = registry_error(r, response, digest, err);
        http_response_free(response);
        return rc;
    }
    return 0;
}

struct counted_write {
    int (*write)(void *data, const void *block, size_t length);
    void *data;
    int64_t written;
    bool failed; /* the reader went away: no retry can help */
};

static int count_write(void *data, const void *block, size_t length)
{
    struct counted_write *c = data;
    if (c->write(c->data, block, length) < 0) {
        c->failed = true;
        return -1;
    }
    c->written += (int64_t)length;
    return 0;
}

int registry_stream_blob(struct registry *r, const char *digest,
                         int (*write)(void *data, const void *block, size_t length), void *data,
                         husk_error_t *err)
{
    cleanup_free char *path = xasprintf("blobs/%s", digest);
    struct counted_write counted = {write, data, 0, false};
    for (int attempt = 0;; attempt++) {
        struct http_request base = {
            .write = count_write, .write_data = &counted, .resume_from = counted.written};
        struct http_response response;
        husk_error_t failure = NULL;
        int rc = request(r, path, NULL, &base, &response, &failure);
        bool ok = rc == 0 && (response.status == 200 || response.status == 206);
        /* A registry that ignores Range sends the whole blob again: only a
         * 206 may continue where the cut came. */
        if (rc == 0 && counted.written > 0 && attempt > 0 && response.status == 200) {
            http_response_free(&response);
            return husk_error_set(err, 0,
                                  "%s: the connection was cut and the registry cannot "
                                  "resume (no Range support)",
                                  digest);
        }
        if (ok) {
            http_response_free(&response);
            husk_error_free(&failure);
            return 0;
        }
        bool retry = attempt < RETRIES && !counted.failed &&
                     (rc < 0 || response.status == 429 || response.status >= 500);
        if (!retry) {
            if (rc == 0) {
                rc = registry_error(r, &response, digest, err);
                http_response_free(&response);
                return rc;
            }
            *err = failure;
            return -1;
        }
        if (rc == 0)
            http_response_free(&response);
        husk_error_free(&failure);
        backoff(attempt + 1);
    }
}

int registry_ping(struct registry *r, husk_error_t *err)
{
    struct http_request base = {.limit = 1 << 20};
    struct http_response response;
    if (request(r, "/v2/", NULL, &base, &response, err) < 0)
        return -1;
    long status = response.status;
    http_response_free(&response);
    if (status == 200)
        return 0;
    if (status == 401)
        return husk_error_set(err, 0, "%s: unauthorized: wrong user name or password", r->domain);
    return husk_error_set(err, 0, "%s: the registry answered HTTP %ld", r->domain, status);
}

int registry_blob_exists(struct registry *r, const char *digest, bool *exists, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("blobs/%s", digest);
    struct http_request base = {.method = "HEAD"};
    struct http_response response;
    if (request(r, path, NULL, &base, &response, err) < 0)
        return -1;
    long status = response.status;
    http_response_free(&response);
    *exists = status == 200;
    if (status != 200 && status != 404) {
        struct http_response shown = {.status = status};
        return registry_error(r, &shown, digest, err);
    }
    return 0;
}

int registry_upload_blob(struct registry *r, const char *digest, int fd, int64_t size,
                         husk_error_t *err)
{
    struct http_request start = {.method = "POST"};
    struct http_response response;
    if (request(r, "blobs/uploads/", NULL, &start, &response, err) < 0)
        return -1;
    if (response.status != 202 || response.location == NULL) {
        int rc = registry_error(r, &response, "start an upload", err);
        http_response_free(&response);
        return rc;
    }
    cleanup_free char *location = xasprintf("%s%sdigest=%s", response.location,
                                            strchr(response.location, '?') ? "&" : "?", digest);
    http_response_free(&response);
    struct http_request put = {
        .method = "PUT", .upload_fd = fd, .upload_size = size, .limit = 1 << 20};
    if (lseek(fd, 0, SEEK_SET) < 0)
        return husk_error_set(err, errno, "read blob %s", digest);
    if (request(r, location, "Content-Type: application/octet-stream", &put, &response, err) < 0)
        return -1;
    int rc = response.status == 201 ? 0 : registry_error(r, &response, digest, err);
    http_response_free(&response);
    return rc;
}

int registry_put_manifest(struct registry *r, const char *reference, const char *media_type,
                          const char *text, size_t length, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("manifests/%s", reference);
    cleanup_free char *content_type = xasprintf("Content-Type: %s", media_type);
    struct http_request put = {.method = "PUT", .body = text, .body_length = length};
    struct http_response response;
    if (request(r, path, content_type, &put, &response, err) < 0)
        return -1;
    int rc = response.status == 201 ? 0 : registry_error(r, &response, reference, err);
    http_response_free(&response);
    return rc;
}

void registry_use_credentials(struct registry *r, const char *user_password)
{
    free(r->credentials);
    r->credentials = user_password ? xstrdup(user_password) : NULL;
}

/* docker's key for Docker Hub; other registries by host[:port]. */
static const char *auth_key(const char *domain)
{
    return strcmp(domain, "docker.io") == 0 ? "https://index.docker.io/v1/" : domain;
}

static char *docker_config_path(void)
{
    const char *docker = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    if (docker != NULL)
        return xasprintf("%s/config.json", docker);
    return home ? xasprintf("%s/.docker/config.json", home) : NULL;
}

static int config_update(const char *domain, const char *user_password, husk_error_t *err)
{
    cleanup_free char *path = docker_config_path();
    if (path == NULL)
        return husk_error_set(err, 0, "no HOME or DOCKER_CONFIG to keep credentials in");
    cleanup_json json_t *config = json_load_path(AT_FDCWD, path, NULL);
    if (!json_is_object(config)) {
        json_decref(config);
        config = json_object();
    }
    json_t *auths = json_object_get(config, "auths");
    if (!json_is_object(auths)) {
        auths = json_object();
        json_object_set_new(config, "auths", auths);
    }
    if (user_password == NULL) {
        if (json_object_del(auths, auth_key(domain)) < 0 && json_object_del(auths, domain) < 0)
            return husk_error_set(err, 0, "not logged in to %s", domain);
    } else {
        cleanup_free char *encoded = base64_encode(user_password);
        json_object_set_new(auths, auth_key(domain), json_pack("{s:s}", "auth", encoded));
    }
    cleanup_free char *directory = xstrdup(path);
    *strrchr(directory, '/') = '\0';
    cleanup_free char *text = json_dumps(config, JSON_INDENT(1));
    if (directory_create_parents(directory, 0700, err) < 0 ||
        file_write_atomic(path, text, strlen(text), true, err) < 0)
        return husk_error_wrap(err, "save credentials in %s", path);
    return 0;
}

int registry_credentials_save(const char *domain, const char *user_password, husk_error_t *err)
{
    return config_update(domain, user_password, err);
}

int registry_credentials_remove(const char *domain, husk_error_t *err)
{
    return config_update(domain, NULL, err);
}
