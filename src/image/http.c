#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../util/xalloc.h"

#define DEFAULT_LIMIT (4 * 1024 * 1024)

struct curl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLSH *(*share_init)(void);
    CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
    CURLSHcode (*share_cleanup)(CURLSH *);
};

struct http {
    void *handle;
    struct curl_api api;
    CURLSH *share;
    /* The share is used by a pull's threads at once: libcurl takes these
     * around each kind of shared data. */
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    int references;
};

static void share_lock(CURL *curl, curl_lock_data data, curl_lock_access access, void *context)
{
    (void)curl;
    (void)access;
    struct http *h = context;
    if (data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&h->locks[data]);
}

static void share_unlock(CURL *curl, curl_lock_data data, void *context)
{
    (void)curl;
    struct http *h = context;
    if (data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&h->locks[data]);
}

static int load(struct http *h, husk_error_t *err)
{
    h->handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (h->handle == NULL)
        return husk_error_set(err, 0, "load libcurl (package libcurl4): %s", dlerror());
    struct curl_api *a = &h->api;
    struct {
        void **slot;
        const char *name;
    } symbols[] = {
        {(void **)&a->global_init, "curl_global_init"},
        {(void **)&a->easy_init, "curl_easy_init"},
        {(void **)&a->easy_setopt, "curl_easy_setopt"},
        {(void **)&a->easy_perform, "curl_easy_perform"},
        {(void **)&a->easy_getinfo, "curl_easy_getinfo"},
        {(void **)&a->easy_cleanup, "curl_easy_cleanup"},
        {(void **)&a->easy_strerror, "curl_easy_strerror"},
        {(void **)&a->slist_append, "curl_slist_append"},
        {(void **)&a->slist_free_all, "curl_slist_free_all"},
        {(void **)&a->share_init, "curl_share_init"},
        {(void **)&a->share_setopt, "curl_share_setopt"},
        {(void **)&a->share_cleanup, "curl_share_cleanup"},
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if ((*symbols[i].slot = dlsym(h->handle, symbols[i].name)) == NULL)
            return husk_error_set(err, 0, "libcurl has no %s", symbols[i].name);
    return 0;
}

int http_open(struct http **out, husk_error_t *err)
{
    struct http *h = xcalloc(1, sizeof(*h));
    if (load(h, err) < 0 || h->api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        if (err && !*err)
            husk_error_set(err, 0, "start libcurl");
        http_close(h);
        return -1;
    }
    /* Connections, TLS sessions and DNS answers shared by every request of
     * a pull, its layer threads included: one connection pool; the layers
     * reuse the connection the manifest opened when it is free. */
    for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&h->locks[i], NULL);
    h->references = 1;
    h->share = h->api.share_init();
    if (h->share != NULL) {
        h->api.share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
        h->api.share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
        h->api.share_setopt(h->share, CURLSHOPT_USERDATA, h);
        h->api.share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        h->api.share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        h->api.share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
    *out = h;
    return 0;
}

struct http *http_ref(struct http *h)
{
    __atomic_add_fetch(&h->references, 1, __ATOMIC_SEQ_CST);
    return h;
}

void http_close(struct http *h)
{
    if (h == NULL || __atomic_sub_fetch(&h->references, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    if (h->share != NULL)
        h->api.share_cleanup(h->share);
    if (h->handle != NULL)
        dlclose(h->handle);
    free(h);
}

struct transfer {
    const struct http_request *request;
    struct http_response *response;
    size_t limit;
    bool over_limit, write_failed;
};

static size_t on_body(char *data, size_t size, size_t count, void *context)
{
    struct transfer *t = context;
    size_t length = size * count;
    long status = t->response->status;
    if (t->request->write != NULL && status >= 200 && status < 300) {
        if (t->request->write(t->request->write_data, data, length) < 0) {
            t->write_failed = true;
            return 0;
        }
        return length;
    }
    struct http_response *r = t->response;
    if (r->body_length + length > t->limit) {
        t->over_limit = true;
        return 0;
    }
    r->body = xrealloc(r->body, r->body_length + length + 1);
    memcpy(r->body + r->body_length, data, length);
    r->body_length += length;
    r->body[r->body_length] = '\0';
    return length;
}

static void keep_header(char **slot, const char *value, size_t length)
{
    while (length > 0 &&
           (value[length - 1] == '\r' || value[length - 1] == '\n' || value[length - 1] == ' '))
        length--;
    free(*slot);
    *slot = xstrndup(value, length);
}

static size_t on_header(char *data, size_t size, size_t count, void *context)
{
    struct transfer *t = context;
    struct http_response *r = t->response;
    size_t length = size * count;
    /* A new status line (a redirect, a 100) starts a new set of headers. */
    if (length > 5 && strncmp(data, "HTTP/", 5) == 0) {
        const char *space = memchr(data, ' ', length);
        r->status = space ? strtol(space + 1, NULL, 10) : 0;
        return length;
    }
    static const struct {
        const char *name;
        size_t offset;
    } wanted[] = {
        {"www-authenticate:", offsetof(struct http_response, www_authenticate)},
        {"content-type:", offsetof(struct http_response, content_type)},
        {"docker-content-digest:", offsetof(struct http_response, docker_content_digest)},
        {"location:", offsetof(struct http_response, location)},
        {"range:", offsetof(struct http_response, range)},
        {"content-length:", offsetof(struct http_response, content_length)},
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        size_t name_length = strlen(wanted[i].name);
        if (length > name_length && strncasecmp(data, wanted[i].name, name_length) == 0) {
            const char *value = data + name_length;
            while (*value == ' ' && value < data + length)
                value++;
            keep_header((char **)((char *)r + wanted[i].offset), value,
                        (size_t)(data + length - value));
        }
    }
    return length;
}

static size_t on_upload(char *buffer, size_t size, size_t count, void *context)
{
    const struct http_request *r = context;
    ssize_t n;
    while ((n = read(r->upload_fd, buffer, size * count)) < 0 && errno == EINTR)
        ;
    return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static void configure(struct http *h, CURL *curl, const struct http_request *r, struct transfer *t,
                      struct curl_slist *headers)
{
    const struct curl_api *a = &h->api;
    a->easy_setopt(curl, CURLOPT_URL, r->url);
    a->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    a->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    a->easy_setopt(curl, CURLOPT_WRITEDATA, t);
    a->easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    a->easy_setopt(curl, CURLOPT_HEADERDATA, t);
    a->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    a->easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    a->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    a->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled transfer (below 1 byte/s for 60 s) is a cut connection. */
    a->easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    a->easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    a->easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    a->easy_setopt(curl, CURLOPT_USERAGENT, "husk/0.1.0");
    a->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    a->easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (h->share != NULL)
        a->easy_setopt(curl, CURLOPT_SHARE, h->share);
    if (r->insecure) {
        a->easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        a->easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (r->ca_file != NULL)
        a->easy_setopt(curl, CURLOPT_CAINFO, r->ca_file);
    if (r->user_password != NULL) {
        a->easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        a->easy_setopt(curl, CURLOPT_USERPWD, r->user_password);
    }
    const char *method = r->method ? r->method : "GET";
    if (r->upload_fd > 0) {
        a->easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        a->easy_setopt(curl, CURLOPT_READFUNCTION, on_upload);
        a->easy_setopt(curl, CURLOPT_READDATA, (void *)r);
        a->easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->upload_size);
    } else if (strcmp(method, "HEAD") == 0) {
        a->easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        a->easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        a->easy_setopt(curl, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        a->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_length);
    }
    if (r->resume_from > 0)
        a->easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)r->resume_from);
}

int http_perform(struct http *h, const struct http_request *r, struct http_response *response,
                 husk_error_t *err)
{
    memset(response, 0, sizeof(*response));
    const struct curl_api *a = &h->api;
    CURL *curl = a->easy_init();
    if (curl == NULL)
        return husk_error_set(err, ENOMEM, "start an HTTP request");
    struct curl_slist *headers = NULL;
    for (const char *const *header = r->headers; header && *header; header++)
        headers = a->slist_append(headers, *header);
    struct transfer t = {r, response, r->limit ? r->limit : DEFAULT_LIMIT, false, false};
    configure(h, curl, r, &t, headers);
    CURLcode code = a->easy_perform(curl);
    long status = 0;
    a->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response->status = status;
    int rc = 0;
    if (t.over_limit)
        rc = husk_error_set(err, 0, "%s: the answer is larger than %zu bytes", r->url, t.limit);
    else if (t.write_failed)
        rc = husk_error_set(err, errno, "%s: keeping what arrived", r->url);
    else if (code != CURLE_OK)
        rc = husk_error_set(err, 0, "%s: %s", r->url, a->easy_strerror(code));
    a->slist_free_all(headers);
    a->easy_cleanup(curl);
    if (rc < 0) {
        http_response_free(response);
        response->transport_code = (int)code;
    }
    return rc;
}

void http_response_free(struct http_response *r)
{
    free(r->body);
    free(r->www_authenticate);
    free(r->content_type);
    free(r->docker_content_digest);
    free(r->location);
    free(r->range);
    free(r->content_length);
    memset(r, 0, sizeof(*r));
}
