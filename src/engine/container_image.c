#include "container_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../image/image.h"
#include "../image/platform.h"
#include "../image/reference.h"
#include "../image/tar_tree.h"
#include "../runtime/overlay.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/json_text.h"
#include "../util/xalloc.h"
#include "image_changes.h"
#include "record.h"
#include "store.h"

/* The root overlay's options in the container's config.json:
 * "lowerdir=...", "upperdir=..." among them. */
static int root_layers(const char *directory, char **lower, char **upper, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/config.json", directory);
    cleanup_json json_t *spec = json_load_path(AT_FDCWD, path, NULL);
    size_t i, j;
    json_t *mount, *option;
    json_array_foreach(json_object_get(spec, "mounts"), i, mount)
    {
        const char *destination = json_string_value(json_object_get(mount, "destination"));
        if (destination == NULL || strcmp(destination, "/") != 0)
            continue;
        json_array_foreach(json_object_get(mount, "options"), j, option)
        {
            const char *text = json_string_value(option);
            if (text != NULL && strncmp(text, "lowerdir=", 9) == 0)
                *lower = xstrdup(text + 9);
            else if (text != NULL && strncmp(text, "upperdir=", 9) == 0)
                *upper = xstrdup(text + 9);
        }
    }
    if (*lower == NULL || *upper == NULL)
        return husk_error_set(err, 0, "the container's spec has no overlay root");
    return 0;
}

static int write_tree(int tree, enum tar_tree_mode mode, int fd, husk_error_t *err)
{
    struct tar_writer *tar;
    if (tar_writer_open(fd_write_callback, &fd, &tar, err) < 0)
        return -1;
    int rc = tar_tree_add(tar, tree, mode, err);
    if (tar_writer_close(tar, rc == 0 ? err : NULL) < 0)
        rc = -1;
    return rc;
}

int engine_export(const struct engine_context *context, const char *reference, int fd,
                  husk_error_t *err)
{
    struct container_handle handle;
    if (container_read(context, reference, &handle, err) < 0)
        return -1;
    cleanup_free char *lower = NULL, *upper = NULL;
    int rc = root_layers(handle.directory, &lower, &upper, err);
    container_close(&handle);
    if (rc < 0)
        return -1;
    /* The upper directory as the topmost of read-only layers: the view the
     * container has, without touching its work directory (in use while it
     * runs), and never attached anywhere. */
    cleanup_free char *data = xasprintf("lowerdir=%s:%s", upper, lower);
    cleanup_close int mount_fd = overlay_mount_fd(data, err);
    if (mount_fd < 0)
        return husk_error_wrap(err, "export %s", reference);
    cleanup_close int tree = openat(mount_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tree < 0)
        return husk_error_set(err, errno, "export %s", reference);
    return write_tree(tree, TAR_TREE_PLAIN, fd, err) < 0
               ? husk_error_wrap(err, "export %s", reference)
               : 0;
}

/* The container's upper directory as a layer tar in an unnamed file. */
static int upper_layer(struct image_store *store, const char *upper, int *out, husk_error_t *err)
{
    cleanup_close int tree = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *tmp = xasprintf("%s/tmp", store->root);
    int fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tree < 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, errno, "read the container's changes");
    }
    if (write_tree(tree, TAR_TREE_OVERLAY_UPPER, fd, err) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    *out = fd;
    return 0;
}

static json_t *committed_config(const struct image *base, const struct commit_options *o,
                                const struct layer_added *added, husk_error_t *err)
{
    json_t *document = json_deep_copy(base->document);
    json_t *config = json_object_get(document, "config");
    if (!json_is_object(config)) {
        config = json_object();
        json_object_set_new(document, "config", config);
    }
    for (char **change = o->changes; change && *change; change++)
        if (image_change_apply(config, *change, err) < 0) {
            json_decref(document);
            return NULL;
        }
    char created[64];
    store_timestamp_now(created, sizeof(created));
    json_object_set_new(document, "created", json_string(created));
    if (o->author != NULL)
        json_object_set_new(document, "author", json_string(o->author));
    json_t *rootfs = json_object_get(document, "rootfs");
    json_array_append_new(json_object_get(rootfs, "diff_ids"), json_string(added->diff_id));
    json_t *history = json_object_get(document, "history");
    if (!json_is_array(history)) {
        history = json_array();
        json_object_set_new(document, "history", history);
    }
    json_array_append_new(history,
                          json_pack("{s:s, s:s, s:s?, s:s?}", "created", created, "created_by",
                                    "husk commit", "comment", o->message, "author", o->author));
    return document;
}

static int record_commit(struct image_store *store, const struct image *base, json_t *document,
                         const struct layer_added *added, const char *canonical, char **id,
                         husk_error_t *err)
{
    cleanup_free char *text = json_dumps(document, JSON_COMPACT | JSON_SORT_KEYS);
    char config_digest[DIGEST_TEXT_SIZE];
    size_t count = base->layer_count + 1;
    const char *blobs[count];
    char base_blobs[base->layer_count + 1][DIGEST_TEXT_SIZE];
    uint64_t size = added->size;
    json_t *diff_ids = json_object_get(json_object_get(base->document, "rootfs"), "diff_ids");
    for (size_t i = 0; i < base->layer_count; i++) {
        uint64_t layer_size = 0;
        if (image_store_layer_blob(store, json_string_value(json_array_get(diff_ids, i)),
                                   base_blobs[i], &layer_size, NULL) < 0)
            snprintf(base_blobs[i], DIGEST_TEXT_SIZE, "%s", "");
        blobs[i] = base_blobs[i];
        size += layer_size;
    }
    blobs[count - 1] = added->digest;
    struct image_record record = {
        .config = config_digest, .size = size, .layer_blobs = blobs, .layer_blob_count = count};
    if (image_store_blob_put(store, text, strlen(text), config_digest, err) < 0 ||
        image_store_image_add(store, &record, err) < 0)
        return -1;
    if (canonical != NULL) {
        if (image_store_lock(store, err) < 0)
            return -1;
        int rc = image_store_tag(store, canonical, config_digest, err);
        image_store_unlock(store);
        if (rc < 0)
            return -1;
    }
    *id = xstrdup(config_digest);
    return 0;
}

int engine_commit(const struct engine_context *context, const struct commit_options *o, char **id,
                  husk_error_t *err)
{
    cleanup_free char *canonical = NULL;
    if (o->reference != NULL) {
        struct image_reference parsed;
        if (image_reference_parse(o->reference, &parsed, err) < 0)
            return -1;
        canonical = image_reference_canonical(&parsed);
        image_reference_free(&parsed);
    }
    struct container_handle handle;
    if (container_read(context, o->container, &handle, err) < 0)
        return -1;
    cleanup_free char *lower = NULL, *upper = NULL;
    cleanup_free char *base_id =
        xstrdup(json_string_value(json_object_get(handle.record, "Image")) ?: "");
    int rc = root_layers(handle.directory, &lower, &upper, err);
    container_close(&handle);
    if (rc < 0)
        return -1;
    cleanup_store struct image_store *store = NULL;
    struct image *base = NULL;
    if (image_store_open(context->data_root, &store, err) < 0 || image_store_use(store, err) < 0 ||
        image_load(store, base_id, base_id, &base, err) < 0)
        return husk_error_wrap(err, "commit %s", o->container);
    int fd = -1;
    struct layer_added added;
    rc = upper_layer(store, upper, &fd, err);
    if (rc == 0) {
        struct layer_source source = {.stream = fd_stream_new(fd, true), .size = -1};
        rc = image_store_layer_add(store, &source, &added, err);
    }
    json_t *document = rc == 0 ? committed_config(base, o, &added, err) : NULL;
    if (document != NULL)
        rc = record_commit(store, base, document, &added, canonical, id, err);
    else
        rc = -1;
    json_decref(document);
    image_free(base);
    return rc < 0 ? husk_error_wrap(err, "commit %s", o->container) : 0;
}
