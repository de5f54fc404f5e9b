#include "images.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../image/archive_load.h"
#include "../image/archive_save.h"
#include "../image/http.h"
#include "../image/image.h"
#include "../image/platform.h"
#include "../image/pull.h"
#include "../image/push.h"
#include "../image/registry.h"
#include "../image/reference.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "events/events.h"
#include "identity.h"
#include "image_changes.h"
#include "record.h"
#include "store.h"

static char *canonical_of(const char *text, husk_error_t *err)
{
    struct image_reference reference;
    if (image_reference_parse(text, &reference, err) < 0)
        return NULL;
    char *canonical = image_reference_canonical(&reference);
    image_reference_free(&reference);
    return canonical;
}

/* "docker.io/library/busybox:latest" -> "busybox:latest", as docker prints. */
static char *familiar_of(const char *canonical)
{
    const char *at = strchr(canonical, '@');
    const char *slash = strrchr(canonical, '/');
    const char *colon = strrchr(slash ? slash : canonical, ':');
    const char *cut = at ? at : colon;
    cleanup_free char *repository =
        cut ? xstrndup(canonical, (size_t)(cut - canonical)) : xstrdup(canonical);
    cleanup_free char *familiar = image_repository_familiar(repository);
    return xasprintf("%s%s", familiar, cut ? cut : "");
}

static json_t *config_document(struct image_store *store, const char *id)
{
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (image_store_config_read(store, id, &text, &length, NULL) < 0)
        return NULL;
    return json_loadb(text, length, 0, NULL);
}

static int apply_changes(json_t *config, char **changes, husk_error_t *err)
{
    for (char **change = changes; change && *change; change++)
        if (image_change_apply(config, *change, err) < 0)
            return -1;
    return 0;
}

/* import's URL: fetched whole into an unnamed file of the store's tmp/. */
static int open_url(struct image_store *store, const char *url, husk_error_t *err)
{
    cleanup_free char *tmp = xasprintf("%s/tmp", store->root);
    int fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "import %s", url);
    struct http *http;
    if (http_open(&http, err) < 0) {
        close(fd);
        return -1;
    }
    struct http_request request = {.url = url, .write = fd_write_callback, .write_data = &fd};
    struct http_response response;
    int rc = http_perform(http, &request, &response, err);
    http_close(http);
    if (rc == 0 && response.status != 200)
        rc = husk_error_set(err, 0, "import %s: HTTP %ld", url, response.status);
    http_response_free(&response); /* also an error page's (a failed transfer's is empty) */
    if (rc < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int open_source(const char *source, husk_error_t *err)
{
    int fd = strcmp(source, "-") == 0 ? dup(STDIN_FILENO) : open(source, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "open %s", source);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return husk_error_set(err, EISDIR, "%s: a tarball is needed, not a directory", source);
    }
    return fd;
}

static int tag_image(struct image_store *store, const char *canonical, const char *id,
                     husk_error_t *err)
{
    if (image_store_lock(store, err) < 0)
        return -1;
    int rc = image_store_tag(store, canonical, id, err);
    image_store_unlock(store);
    return rc;
}

int engine_image_import(const struct engine_context *context, const struct image_import_options *o,
                        char **id, husk_error_t *err)
{
    cleanup_json json_t *config = json_object();
    if (apply_changes(config, o->changes, err) < 0)
        return -1;
    cleanup_free char *canonical = NULL;
    if (o->reference != NULL && (canonical = canonical_of(o->reference, err)) == NULL)
        return -1;
    if (canonical != NULL && strchr(canonical, '@') != NULL)
        return husk_error_set(err, 0, "import %s: a digest cannot name a new image", o->reference);
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0 || image_store_use(store, err) < 0)
        return -1;
    bool url = strncmp(o->source, "http://", 7) == 0 || strncmp(o->source, "https://", 8) == 0;
    int fd = url ? open_url(store, o->source, err) : open_source(o->source, err);
    if (fd < 0)
        return -1;
    struct layer_source source = {.stream = fd_stream_new(fd, true), .size = -1};
    struct layer_added added;
    int rc = image_store_layer_add(store, &source, &added, err);
    byte_stream_close(source.stream);
    if (rc < 0)
        return husk_error_wrap(err, "import %s", o->source);
    char created[64];
    store_timestamp_now(created, sizeof(created));
    cleanup_json json_t *document =
        json_pack("{s:s, s:s, s:s, s:O, s:{s:s, s:[s]}, s:[{s:s, s:s, s:s?}]}", "architecture",
                  platform_architecture(), "os", "linux", "created", created, "config", config,
                  "rootfs", "type", "layers", "diff_ids", added.diff_id, "history", "created",
                  created, "created_by", "husk import", "comment", o->message);
    cleanup_free char *text = json_dumps(document, JSON_COMPACT | JSON_SORT_KEYS);
    char config_digest[DIGEST_TEXT_SIZE];
    const char *blobs[] = {added.digest};
    struct image_record record = {
        .config = config_digest, .size = added.size, .layer_blobs = blobs, .layer_blob_count = 1};
    if (image_store_blob_put(store, text, strlen(text), config_digest, err) < 0 ||
        image_store_image_add(store, &record, err) < 0 ||
        (canonical != NULL && tag_image(store, canonical, config_digest, err) < 0))
        return -1;
    cleanup_free char *familiar = canonical ? familiar_of(canonical) : NULL;
    engine_event_image(context, "import", config_digest, familiar);
    if (familiar != NULL)
        engine_event_image(context, "tag", config_digest, familiar);
    *id = xstrdup(config_digest);
    return 0;
}

int engine_image_load(const struct engine_context *context, const char *source, json_t **loaded,
                      husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_json json_t *canonical = NULL;
    int rc;
    int directory =
        strcmp(source, "-") == 0 ? -1 : open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory >= 0) {
        rc = image_directory_load(store, directory, &canonical, err);
        close(directory);
    } else {
        int fd = open_source(source, err);
        if (fd < 0)
            return husk_error_wrap(err, "load");
        rc = image_archive_load(store, fd, &canonical, err);
        close(fd);
    }
    if (rc < 0)
        return husk_error_wrap(err, "load %s", strcmp(source, "-") == 0 ? "from stdin" : source);
    *loaded = json_array();
    size_t i;
    json_t *image;
    json_array_foreach(canonical, i, image)
    {
        json_t *tags = json_array();
        size_t j;
        json_t *reference;
        json_array_foreach(json_object_get(image, "RepoTags"), j, reference)
        {
            cleanup_free char *familiar = familiar_of(json_string_value(reference));
            json_array_append_new(tags, json_string(familiar));
        }
        engine_event_image(context, "load", json_string_value(json_object_get(image, "Id")),
                           json_string_value(json_array_get(tags, 0)));
        json_array_append_new(
            *loaded, json_pack("{s:O, s:o}", "Id", json_object_get(image, "Id"), "RepoTags", tags));
    }
    return 0;
}

int engine_image_save(const struct engine_context *context, char **references, int fd,
                      husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_json json_t *images = json_array();
    cleanup_json json_t *known = image_store_references(store);
    for (char **reference = references; *reference; reference++) {
        cleanup_free char *id = image_find_id(store, *reference, err);
        if (id == NULL)
            return -1;
        husk_error_t ignored = NULL;
        cleanup_free char *canonical = canonical_of(*reference, &ignored);
        husk_error_free(&ignored);
        json_t *tags = json_array();
        if (canonical != NULL && strchr(canonical, '@') == NULL &&
            json_object_get(known, canonical) != NULL)
            json_array_append_new(tags, json_string(canonical));
        json_array_append_new(images, json_pack("{s:s, s:o}", "Id", id, "RepoTags", tags));
    }
    if (image_store_use(store, err) < 0)
        return -1;
    if (image_archive_save(store, images, fd, err) < 0)
        return husk_error_wrap(err, "save");
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image)
    {
        const char *tag = json_string_value(json_array_get(json_object_get(image, "RepoTags"), 0));
        cleanup_free char *familiar = tag ? familiar_of(tag) : NULL;
        engine_event_image(context, "save", json_string_value(json_object_get(image, "Id")),
                           familiar);
    }
    return 0;
}

int engine_image_push(const struct engine_context *context, const struct image_push_options *o,
                      char **digest, husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    struct push_options push = {.reference = o->reference,
                                .registry = {.tls_verify_off = o->tls_verify_off},
                                .progress = o->progress};
    if (image_push(store, &push, digest, err) < 0)
        return husk_error_wrap(err, "push %s", o->reference);
    return 0;
}

/* "localhost:5000" or "https://localhost:5000/" -> "localhost:5000". */
static char *server_domain(const char *server)
{
    if (server == NULL || strcmp(server, "https://index.docker.io/v1/") == 0)
        return xstrdup("docker.io");
    const char *start = strstr(server, "://") ? strstr(server, "://") + 3 : server;
    size_t length = strcspn(start, "/");
    return xstrndup(start, length);
}

int engine_login(const struct login_options *o, husk_error_t *err)
{
    if (o->user == NULL || o->user[0] == '\0' || o->password == NULL || o->password[0] == '\0')
        return husk_error_set(err, 0, "login needs a user name and a password");
    cleanup_free char *domain = server_domain(o->server);
    struct image_reference reference = {.domain = domain, .path = ""};
    struct registry_options options = {.tls_verify_off = o->tls_verify_off};
    struct registry *registry;
    if (registry_open(&reference, &options, &registry, err) < 0)
        return -1;
    cleanup_free char *credentials = xasprintf("%s:%s", o->user, o->password);
    registry_use_credentials(registry, credentials);
    int rc = registry_ping(registry, err);
    registry_close(registry);
    if (rc < 0)
        return husk_error_wrap(err, "login to %s", domain);
    return registry_credentials_save(domain, credentials, err);
}

int engine_logout(const char *server, husk_error_t *err)
{
    cleanup_free char *domain = server_domain(server);
    return registry_credentials_remove(domain, err);
}

int engine_image_history(const struct engine_context *context, const char *reference, json_t **out,
                         husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_free char *id = image_find_id(store, reference, err);
    cleanup_json json_t *document = id ? config_document(store, id) : NULL;
    if (document == NULL)
        return id ? husk_error_set(err, 0, "image %s: its config is unreadable", reference) : -1;
    json_t *history = json_object_get(document, "history");
    json_t *diff_ids = json_object_get(json_object_get(document, "rootfs"), "diff_ids");
    size_t layer = 0, i;
    json_t *entry;
    json_t *rows = json_array();
    json_array_foreach(history, i, entry)
    {
        json_int_t size = 0;
        if (!json_is_true(json_object_get(entry, "empty_layer"))) {
            char blob[DIGEST_TEXT_SIZE];
            uint64_t layer_size = 0;
            const char *diff_id = json_string_value(json_array_get(diff_ids, layer++));
            if (diff_id && image_store_layer_blob(store, diff_id, blob, &layer_size, NULL) == 0)
                size = (json_int_t)layer_size;
        }
        json_array_insert_new(
            rows, 0,
            json_pack("{s:s, s:s, s:s, s:I, s:s}", "ID", "<missing>", "Created",
                      json_string_value(json_object_get(entry, "created")) ?: "", "CreatedBy",
                      json_string_value(json_object_get(entry, "created_by")) ?: "", "Size", size,
                      "Comment", json_string_value(json_object_get(entry, "comment")) ?: ""));
    }
    if (json_array_size(rows) > 0)
        json_object_set_new(json_array_get(rows, 0), "ID", json_string(id));
    *out = rows;
    return 0;
}

static int parse_platform(const char *text, struct pull_options *p, char **copy, husk_error_t *err)
{
    p->os = "linux";
    p->architecture = platform_architecture();
    p->variant = platform_variant();
    if (text == NULL)
        return 0;
    *copy = xstrdup(text);
    char *architecture = strchr(*copy, '/');
    if (architecture == NULL || architecture == *copy || architecture[1] == '\0')
        return husk_error_set(err, 0, "invalid platform \"%s\": it is OS/ARCH[/VARIANT]", text);
    *architecture++ = '\0';
    char *variant = strchr(architecture, '/');
    if (variant != NULL)
        *variant++ = '\0';
    p->os = *copy;
    p->architecture = architecture;
    p->variant = variant ? variant : "";
    return 0;
}

int engine_image_pull(const struct engine_context *context, const struct image_pull_options *o,
                      char **canonical, husk_error_t *err)
{
    struct pull_options pull = {
        .reference = o->reference,
        .registry = {.tls_verify_off = o->tls_verify_off},
        .progress = o->progress,
        .live = o->progress != NULL && isatty(fileno(o->progress)),
        .announce = o->announce,
    };
    cleanup_free char *platform = NULL;
    if (parse_platform(o->platform, &pull, &platform, err) < 0)
        return -1;
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_free char *id = NULL;
    if (image_pull(store, &pull, &id, canonical, err) < 0)
        return husk_error_wrap(err, "pull %s", o->reference);
    cleanup_free char *familiar = *canonical ? familiar_of(*canonical) : xstrdup(o->reference);
    engine_event_image(context, "pull", familiar, familiar);
    if (o->progress != NULL)
        fflush(o->progress);
    return 0;
}

/* References that point at ID, split into tags and digests (familiar). */
static void references_of(json_t *references, const char *id, json_t *tags, json_t *digests)
{
    const char *reference;
    json_t *value;
    json_object_foreach(references, reference, value)
    {
        if (strcmp(json_string_value(value) ?: "", id) != 0)
            continue;
        cleanup_free char *familiar = familiar_of(reference);
        json_array_append_new(strchr(reference, '@') ? digests : tags, json_string(familiar));
    }
}

static long long created_seconds(const char *created)
{
    struct tm tm = {0};
    if (created == NULL || strptime(created, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return 0;
    return (long long)timegm(&tm);
}

static int newest_first(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "Created"));
    json_int_t cy = json_integer_value(json_object_get(y, "Created"));
    return cx < cy ? 1 : cx > cy ? -1 : 0;
}

int engine_image_list(const struct engine_context *context, json_t **out, husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_json json_t *references = image_store_references(store);
    cleanup_strv char **ids = image_store_image_ids(store);
    size_t count = 0;
    for (char **id = ids; *id; id++)
        count++;
    json_t **rows = xcalloc(count + 1, sizeof(json_t *));
    size_t used = 0;
    for (char **id = ids; *id; id++) {
        cleanup_json json_t *record = image_store_image_record(store, *id);
        cleanup_json json_t *document = config_document(store, *id);
        if (record == NULL || document == NULL)
            continue;
        json_t *tags = json_array(), *digests = json_array();
        references_of(references, *id, tags, digests);
        const char *created = json_string_value(json_object_get(document, "created"));
        bool dangling = json_array_size(tags) == 0;
        rows[used++] =
            json_pack("{s:s, s:o, s:o, s:I, s:s, s:I, s:b}", "Id", *id, "RepoTags", tags,
                      "RepoDigests", digests, "Created", (json_int_t)created_seconds(created),
                      "CreatedAt", created ? created : "", "Size",
                      json_integer_value(json_object_get(record, "Size")), "Dangling", dangling);
    }
    qsort(rows, used, sizeof(json_t *), newest_first);
    *out = json_array();
    for (size_t i = 0; i < used; i++)
        json_array_append_new(*out, rows[i]);
    free(rows);
    return 0;
}

static json_t *graph_driver(const struct image *image)
{
    /* Top layer first, as docker's overlay2 prints UpperDir and LowerDir. */
    json_t *data = json_pack("{s:s}", "UpperDir", image->layers[0]);
    if (image->layer_count > 1) {
        size_t length = 1;
        for (size_t i = 1; i < image->layer_count; i++)
            length += strlen(image->layers[i]) + 1;
        cleanup_free char *lower = xcalloc(1, length);
        for (size_t i = 1; i < image->layer_count; i++) {
            if (i > 1)
                strcat(lower, ":");
            strcat(lower, image->layers[i]);
        }
        json_object_set_new(data, "LowerDir", json_string(lower));
    }
    return json_pack("{s:s, s:o}", "Name", "overlay", "Data", data);
}

int engine_image_inspect(const struct engine_context *context, const char *reference, json_t **out,
                         husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_free char *id = image_find_id(store, reference, err);
    struct image *image = NULL;
    if (id == NULL || image_load(store, id, reference, &image, err) < 0)
        return -1;
    cleanup_json json_t *references = image_store_references(store);
    cleanup_json json_t *record = image_store_image_record(store, id);
    json_t *tags = json_array(), *digests = json_array();
    references_of(references, id, tags, digests);
    json_t *doc = image->document;
    json_t *history = json_object_get(doc, "history");
    json_t *first = json_array_get(history, json_array_size(history) - 1);
    *out =
        json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:I, s:o, s:{s:s, s:O}}",
                  "Id", id, "RepoTags", tags, "RepoDigests", digests, "Parent", "", "Comment",
                  json_string_value(json_object_get(first, "comment")) ?: "", "Created",
                  json_string_value(json_object_get(doc, "created")) ?: "", "Author",
                  json_string_value(json_object_get(doc, "author")) ?: "", "Config", image->config,
                  "Architecture", json_string_value(json_object_get(doc, "architecture")) ?: "",
                  "Variant", json_string_value(json_object_get(doc, "variant")) ?: "", "Os",
                  json_string_value(json_object_get(doc, "os")) ?: "", "Size",
                  json_integer_value(json_object_get(record, "Size")), "GraphDriver",
                  graph_driver(image), "RootFS", "Type", "layers", "Layers",
                  json_object_get(json_object_get(doc, "rootfs"), "diff_ids"));
    image_free(image);
    return *out ? 0 : husk_error_set(err, ENOMEM, "image inspect");
}

int engine_image_tag(const struct engine_context *context, const char *source, const char *target,
                     husk_error_t *err)
{
    cleanup_free char *canonical = canonical_of(target, err);
    if (canonical == NULL)
        return -1;
    if (strchr(canonical, '@') != NULL)
        return husk_error_set(err, 0, "refusing to create a tag with a digest reference");
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_free char *id = image_find_id(store, source, err);
    if (id == NULL || tag_image(store, canonical, id, err) < 0)
        return -1;
    cleanup_free char *familiar = familiar_of(canonical);
    engine_event_image(context, "tag", id, familiar);
    return 0;
}

/* A container, running or not, whose image is ID: its ID, or NULL. */
static char *container_using(const struct engine_context *context, const char *id)
{
    cleanup_strv char **containers = container_list_ids(context);
    for (char **container = containers; container && *container; container++) {
        struct container_handle handle;
        if (container_read(context, *container, &handle, NULL) < 0)
            continue;
        const char *image = json_string_value(json_object_get(handle.record, "Image"));
        bool uses = image != NULL && strcmp(image, id) == 0;
        container_close(&handle);
        if (uses)
            return xstrdup(*container);
    }
    return NULL;
}

struct removal {
    struct image_store *store;
    json_t *references, *report;
    const char *id;
    const struct engine_context *context;
};

static int untag(struct removal *r, const char *reference, husk_error_t *err)
{
    if (image_store_untag(r->store, reference, err) < 0)
        return -1;
    json_object_del(r->references, reference);
    cleanup_free char *familiar = familiar_of(reference);
    json_array_append_new(r->report, json_pack("{s:s}", "Untagged", familiar));
    engine_event_image(r->context, "untag", r->id, familiar);
    return 0;
}

static size_t count_references(json_t *references, const char *id)
{
    size_t count = 0;
    const char *key;
    json_t *value;
    json_object_foreach(references, key, value) count +=
        strcmp(json_string_value(value) ?: "", id) == 0;
    return count;
}

static int untag_all(struct removal *r, husk_error_t *err)
{
    cleanup_json json_t *copy = json_deep_copy(r->references);
    const char *key;
    json_t *value;
    json_object_foreach(copy, key, value)
    {
        if (strcmp(json_string_value(value) ?: "", r->id) == 0 && untag(r, key, err) < 0)
            return -1;
    }
    return 0;
}

static int delete_image(struct removal *r, husk_error_t *err)
{
    if (image_store_image_remove(r->store, r->id, err) < 0)
        return -1;
    json_array_append_new(r->report, json_pack("{s:s}", "Deleted", r->id));
    engine_event_image(r->context, "delete", r->id, r->id);
    return 0;
}

static int remove_locked(const struct engine_context *context, struct removal *r,
                         const char *reference, bool force, husk_error_t *err)
{
    husk_error_t ignored = NULL;
    cleanup_free char *canonical = canonical_of(reference, &ignored);
    husk_error_free(&ignored);
    bool by_name = canonical != NULL && json_object_get(r->references, canonical) != NULL;
    size_t names = count_references(r->references, r->id);
    cleanup_free char *user = container_using(context, r->id);
    if (by_name) {
        if (user != NULL && names == 1 && !force)
            return husk_error_set(err, 0,
                                  "conflict: unable to remove repository reference \"%s\" (must "
                                  "force) - container %.12s is using its referenced image %.12s",
                                  reference, user, r->id + 7);
        if (untag(r, canonical, err) < 0)
            return -1;
        return names > 1 || user != NULL ? 0 : delete_image(r, err);
    }
    if (user != NULL && !force)
        return husk_error_set(err, 0,
                              "conflict: unable to delete %.12s (must be forced) - image is being "
                              "used by container %.12s",
                              r->id + 7, user);
    if (names > 1 && !force)
        return husk_error_set(err, 0,
                              "conflict: unable to delete %.12s (must be forced) - image is "
                              "referenced in multiple repositories",
                              r->id + 7);
    if (untag_all(r, err) < 0)
        return -1;
    return user != NULL ? 0 : delete_image(r, err);
}

int engine_image_remove(const struct engine_context *context, const char *reference, bool force,
                        json_t **report, husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0)
        return -1;
    cleanup_free char *id = image_find_id(store, reference, err);
    if (id == NULL || image_store_lock(store, err) < 0)
        return -1;
    cleanup_json json_t *references = image_store_references(store);
    *report = json_array();
    struct removal r = {store, references, *report, id, context};
    int rc = remove_locked(context, &r, reference, force, err);
    image_store_unlock(store);
    unsigned long long reclaimed = 0;
    if (rc == 0 && image_store_collect(store, &reclaimed, err) < 0)
        rc = -1;
    return rc;
}

int engine_image_prune(const struct engine_context *context, bool all, json_t **report,
                       unsigned long long *reclaimed, husk_error_t *err)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, err) < 0 || image_store_lock(store, err) < 0)
        return -1;
    cleanup_json json_t *references = image_store_references(store);
    cleanup_strv char **ids = image_store_image_ids(store);
    *report = json_array();
    int rc = 0;
    for (char **id = ids; rc == 0 && *id; id++) {
        bool tagged = count_references(references, *id) > 0;
        if (tagged && !all)
            continue;
        cleanup_free char *user = container_using(context, *id);
        if (user != NULL)
            continue;
        struct removal r = {store, references, *report, *id, context};
        rc = untag_all(&r, err) < 0 ? -1 : delete_image(&r, err);
    }
    image_store_unlock(store);
    if (rc == 0)
        rc = image_store_collect(store, reclaimed, err);
    return rc;
}
