#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/json_text.h"
#include "../util/xalloc.h"
#include "layer_unpack.h"
#include "reference.h"

#define REFERENCES_FILE "repositories.json"

static const char *hex_of(const char *digest)
{
    return digest + strlen("sha256:");
}

int image_store_open(const char *data_root, struct image_store **out, husk_error_t *err)
{
    cleanup_free char *root = xasprintf("%s/images", data_root);
    /* Made whole the first time; every later command only opens it. */
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    static const char *const directories[] = {"blobs/sha256", "layers", "images", "tmp"};
    for (size_t i = 0; fd < 0 && i < sizeof(directories) / sizeof(directories[0]); i++) {
        cleanup_free char *path = xasprintf("%s/%s", root, directories[i]);
        if (directory_create_parents(path, 0700, err) < 0)
            return husk_error_wrap(err, "image store");
    }
    if (fd < 0)
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", root);
    struct image_store *store = xcalloc(1, sizeof(*store));
    store->root = steal_pointer(&root);
    store->root_fd = fd;
    store->lock_fd = -1;
    store->use_fd = -1;
    *out = store;
    return 0;
}

void image_store_close(struct image_store *store)
{
    if (store == NULL)
        return;
    image_store_unlock(store);
    if (store->use_fd >= 0)
        close(store->use_fd);
    close(store->root_fd);
    free(store->root);
    free(store);
}

int image_store_lock(struct image_store *store, husk_error_t *err)
{
    if (store->lock_fd >= 0)
        return 0;
    int fd = openat(store->root_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "lock the image store");
    }
    store->lock_fd = fd;
    return 0;
}

void image_store_unlock(struct image_store *store)
{
    if (store->lock_fd >= 0)
        close(store->lock_fd);
    store->lock_fd = -1;
}

char *image_store_blob_path(const struct image_store *store, const char *digest)
{
    return xasprintf("%s/blobs/sha256/%s", store->root, hex_of(digest));
}

bool image_store_blob_exists(struct image_store *store, const char *digest)
{
    cleanup_free char *name = xasprintf("blobs/sha256/%s", hex_of(digest));
    return faccessat(store->root_fd, name, F_OK, 0) == 0;
}

/* A file made in tmp/ under a name no other writer uses. */
static char *temporary_name(const char *what)
{
    static unsigned counter; /* per process, shared by a pull's threads: names only */
    return xasprintf("tmp/%s.%d.%u", what, (int)getpid(),
                     __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
}

static int publish(struct image_store *store, const char *temporary, const char *final,
                   husk_error_t *err)
{
    if (renameat(store->root_fd, temporary, store->root_fd, final) < 0) {
        int saved = errno;
        unlinkat(store->root_fd, temporary, 0);
        return husk_error_set(err, saved, "publish %s", final);
    }
    return 0;
}

int image_store_blob_put(struct image_store *store, const void *data, size_t length,
                         char digest[DIGEST_TEXT_SIZE], husk_error_t *err)
{
    digest_of(data, length, digest);
    if (image_store_blob_exists(store, digest))
        return 0;
    cleanup_free char *temporary = temporary_name("blob");
    cleanup_free char *final = xasprintf("blobs/sha256/%s", hex_of(digest));
    if (file_write_all(store->root_fd, temporary, data, length, 0600, err) < 0)
        return husk_error_wrap(err, "store blob %s", digest);
    return publish(store, temporary, final, err);
}

static int blob_read(struct image_store *store, const char *digest, bool verify, char **data,
                     size_t *length, husk_error_t *err)
{
    cleanup_free char *name = xasprintf("blobs/sha256/%s", hex_of(digest));
    cleanup_free char *content = NULL;
    size_t size = 0;
    if (file_read_all(store->root_fd, name, &content, &size, NULL) < 0)
        return husk_error_set(err, errno, "blob %s is not in the store", digest);
    char found[DIGEST_TEXT_SIZE];
    if (verify)
        digest_of(content, size, found);
    if (verify && strcmp(found, digest) != 0)
        return husk_error_set(err, 0, "blob %s is damaged (its content is %s)", digest, found);
    *data = steal_pointer(&content);
    if (length != NULL)
        *length = size;
    return 0;
}

int image_store_blob_read(struct image_store *store, const char *digest, char **data,
                          size_t *length, husk_error_t *err)
{
    return blob_read(store, digest, true, data, length, err);
}

int image_store_config_read(struct image_store *store, const char *digest, char **data,
                            size_t *length, husk_error_t *err)
{
    return blob_read(store, digest, false, data, length, err);
}

char *image_store_layer_path(const struct image_store *store, const char *diff_id)
{
    return xasprintf("%s/layers/%s", store->root, hex_of(diff_id));
}

bool image_store_layer_exists(struct image_store *store, const char *diff_id)
{
    cleanup_free char *name = xasprintf("layers/%s", hex_of(diff_id));
    return faccessat(store->root_fd, name, F_OK, 0) == 0;
}

/* Copies every byte that passes into a file: the blob is kept as it came. */
struct tee_stream {
    struct byte_stream base;
    struct byte_stream *inner;
    int fd;
};

static ssize_t tee_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct tee_stream *t = (struct tee_stream *)stream;
    ssize_t n = byte_stream_read(t->inner, buffer, size);
    for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t written = write(t->fd, (char *)buffer + done, (size_t)(n - done));
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            return -1;
        done += written;
    }
    return n;
}

static void tee_close(struct byte_stream *stream)
{
    struct tee_stream *t = (struct tee_stream *)stream;
    byte_stream_close(t->inner);
    free(t);
}

static struct byte_stream *tee_stream_new(struct byte_stream *inner, int fd)
{
    struct tee_stream *t = xcalloc(1, sizeof(*t));
    *t = (struct tee_stream){{tee_read, tee_close}, inner, fd};
    return &t->base;
}

static int describe_stream_error(int error, const struct layer_source *source,
                                 const char *blob_found, const char *diff_found, husk_error_t *err)
{
    if (error == EBADMSG && source->digest && strcmp(blob_found, source->digest) != 0)
        return husk_error_set(err, 0, "layer blob %s does not match its digest (got %s)",
                              source->digest, blob_found);
    if (error == EBADMSG && source->diff_id && strcmp(diff_found, source->diff_id) != 0)
        return husk_error_set(err, 0, "layer %s does not match its diffID (got %s)",
                              source->diff_id, diff_found);
    if (error == EFBIG || error == EBADMSG)
        return husk_error_set(err, 0, "layer blob %s: %s", source->digest ? source->digest : "",
                              error == EFBIG ? "longer than its size"
                                             : "truncated or not what it claims to be");
    return husk_error_set(err, error, "read layer blob %s", source->digest ? source->digest : "");
}

struct layer_work {
    char *blob_temporary, *layer_temporary;
    int blob_fd, layer_fd;
    struct byte_stream *blob, *diff;
};

static void layer_work_end(struct image_store *store, struct layer_work *w)
{
    byte_stream_close(w->diff);
    if (w->blob_fd >= 0)
        close(w->blob_fd);
    if (w->layer_fd >= 0)
        close(w->layer_fd);
    if (w->blob_temporary != NULL)
        unlinkat(store->root_fd, w->blob_temporary, 0);
    if (w->layer_temporary != NULL) {
        cleanup_free char *path = xasprintf("%s/%s", store->root, w->layer_temporary);
        directory_remove_tree(path, NULL);
    }
    free(w->blob_temporary);
    free(w->layer_temporary);
}

static int layer_work_begin(struct image_store *store, struct layer_source *source,
                            struct layer_work *w, husk_error_t *err)
{
    *w = (struct layer_work){.blob_fd = -1, .layer_fd = -1};
    w->blob_temporary = temporary_name("layer-blob");
    w->layer_temporary = temporary_name("layer");
    w->blob_fd = openat(store->root_fd, w->blob_temporary,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (w->blob_fd < 0 || mkdirat(store->root_fd, w->layer_temporary, 0755) < 0 ||
        (w->layer_fd =
             openat(store->root_fd, w->layer_temporary, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        int saved = errno;
        byte_stream_close(source->stream);
        source->stream = NULL;
        return husk_error_set(err, saved, "make room for a layer in %s/tmp", store->root);
    }
    w->blob =
        digest_stream_new(tee_stream_new(source->stream, w->blob_fd), source->digest, source->size);
    source->stream = NULL; /* the chain owns it now */
    w->diff = digest_stream_new(decompress_stream_new(w->blob), source->diff_id, -1);
    return 0;
}

/* layers/HEX.json: the blob a layer came from and its tar's size, so that
 * save and push find an exact tar for every layer whatever image named it. */
static int layer_meta_write(struct image_store *store, const char *diff_id, const char *blob,
                            uint64_t size, husk_error_t *err)
{
    cleanup_json json_t *meta = json_pack("{s:s, s:I}", "Blob", blob, "Size", (json_int_t)size);
    cleanup_free char *text = json_dumps(meta, JSON_COMPACT);
    cleanup_free char *temporary = temporary_name("layer-meta");
    cleanup_free char *final = xasprintf("layers/%s.json", hex_of(diff_id));
    if (file_write_all(store->root_fd, temporary, text, strlen(text), 0600, err) < 0)
        return -1;
    return publish(store, temporary, final, err);
}

int image_store_layer_blob(struct image_store *store, const char *diff_id,
                           char digest[DIGEST_TEXT_SIZE], uint64_t *size, husk_error_t *err)
{
    cleanup_free char *name = xasprintf("layers/%s.json", hex_of(diff_id));
    cleanup_json json_t *meta = json_load_path(store->root_fd, name, NULL);
    const char *blob = json_string_value(json_object_get(meta, "Blob"));
    if (blob == NULL || !image_digest_valid(blob) || !image_store_blob_exists(store, blob))
        return husk_error_set(err, 0, "layer %s: its tar is not in the store", diff_id);
    snprintf(digest, DIGEST_TEXT_SIZE, "%s", blob);
    *size = (uint64_t)json_integer_value(json_object_get(meta, "Size"));
    return 0;
}

int image_store_layer_add(struct image_store *store, struct layer_source *source,
                          struct layer_added *added, husk_error_t *err)
{
    struct layer_work w;
    int rc = layer_work_begin(store, source, &w, err);
    if (rc == 0 && (rc = layer_unpack(w.diff, w.layer_fd, err)) == 0)
        rc = byte_stream_drain(w.diff);
    /* A blob that fails to decompress or unpack may simply not be what its
     * digest says: read it to its end to know. */
    if (rc < 0 && w.blob != NULL && digest_stream_error(w.blob) == 0)
        byte_stream_drain(w.blob);
    /* A digest or size that did not match explains any failure best: the
     * unpacker only saw its read fail. */
    int stream_error = rc == 0 || w.blob == NULL     ? 0
                       : digest_stream_error(w.blob) ? digest_stream_error(w.blob)
                                                     : digest_stream_error(w.diff);
    if (rc < 0 && (stream_error != 0 || (err && *err == NULL))) {
        char blob_found[DIGEST_TEXT_SIZE] = "", diff_found[DIGEST_TEXT_SIZE] = "";
        digest_stream_result(w.blob, blob_found, NULL);
        digest_stream_result(w.diff, diff_found, NULL);
        husk_error_free(err);
        describe_stream_error(stream_error ? stream_error : errno, source, blob_found, diff_found,
                              err);
    }
    char blob_found[DIGEST_TEXT_SIZE], diff_found[DIGEST_TEXT_SIZE];
    uint64_t diff_size = 0;
    if (rc == 0) {
        digest_stream_result(w.blob, blob_found, NULL);
        digest_stream_result(w.diff, diff_found, &diff_size);
        cleanup_free char *blob_final = xasprintf("blobs/sha256/%s", hex_of(blob_found));
        cleanup_free char *layer_final = xasprintf("layers/%s", hex_of(diff_found));
        bool had_lock = store->lock_fd >= 0;
        if (fsync(w.blob_fd) < 0)
            rc = husk_error_set(err, errno, "store layer blob %s", blob_found);
        else if ((rc = image_store_lock(store, err)) == 0) {
            if (!image_store_blob_exists(store, blob_found) &&
                (rc = publish(store, w.blob_temporary, blob_final, err)) == 0) {
                free(w.blob_temporary);
                w.blob_temporary = NULL;
            }
            if (rc == 0 && !image_store_layer_exists(store, diff_found) &&
                (rc = layer_meta_write(store, diff_found, blob_found, diff_size, err)) == 0 &&
                (rc = publish(store, w.layer_temporary, layer_final, err)) == 0) {
                free(w.layer_temporary);
                w.layer_temporary = NULL;
            }
            if (!had_lock)
                image_store_unlock(store);
        }
    }
    layer_work_end(store, &w);
    if (rc == 0 && added != NULL) {
        memcpy(added->diff_id, diff_found, DIGEST_TEXT_SIZE);
        memcpy(added->digest, blob_found, DIGEST_TEXT_SIZE);
        added->size = diff_size;
    }
    return rc;
}

int image_store_image_add(struct image_store *store, const struct image_record *image,
                          husk_error_t *err)
{
    json_t *blobs = json_array();
    for (size_t i = 0; i < image->layer_blob_count; i++)
        json_array_append_new(blobs, json_string(image->layer_blobs[i]));
    cleanup_json json_t *record =
        json_pack("{s:s, s:s?, s:I, s:o}", "Config", image->config, "Manifest", image->manifest,
                  "Size", (json_int_t)image->size, "LayerBlobs", blobs);
    cleanup_free char *text = json_dumps(record, JSON_COMPACT);
    cleanup_free char *temporary = temporary_name("image");
    cleanup_free char *final = xasprintf("images/%s.json", hex_of(image->config));
    if (file_write_all(store->root_fd, temporary, text, strlen(text), 0600, err) < 0)
        return husk_error_wrap(err, "record image %s", image->config);
    return publish(store, temporary, final, err);
}

int image_store_image_remove(struct image_store *store, const char *id, husk_error_t *err)
{
    cleanup_free char *name = xasprintf("images/%s.json", hex_of(id));
    if (unlinkat(store->root_fd, name, 0) < 0 && errno != ENOENT)
        return husk_error_set(err, errno, "remove image %s", id);
    return 0;
}

int image_store_use(struct image_store *store, husk_error_t *err)
{
    if (store->use_fd >= 0)
        return 0;
    int fd = openat(store->root_fd, "use.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_SH) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "lock the image store for use");
    }
    store->use_fd = fd;
    return 0;
}

json_t *image_store_references(struct image_store *store)
{
    json_t *references = json_load_path(store->root_fd, REFERENCES_FILE, NULL);
    if (!json_is_object(references)) {
        json_decref(references);
        references = json_object();
    }
    return references;
}

char *image_store_resolve(struct image_store *store, const char *reference)
{
    cleanup_json json_t *references = image_store_references(store);
    const char *id = json_string_value(json_object_get(references, reference));
    return id ? xstrdup(id) : NULL;
}

static int references_save(struct image_store *store, json_t *references, husk_error_t *err)
{
    cleanup_free char *text = json_dumps(references, JSON_INDENT(2) | JSON_SORT_KEYS);
    cleanup_free char *temporary = temporary_name("references");
    if (file_write_all(store->root_fd, temporary, text, strlen(text), 0600, err) < 0)
        return husk_error_wrap(err, "save the image references");
    return publish(store, temporary, REFERENCES_FILE, err);
}

int image_store_tag(struct image_store *store, const char *reference, const char *image_id,
                    husk_error_t *err)
{
    if (store->lock_fd < 0)
        return husk_error_set(err, 0, "internal: tag without the store lock");
    cleanup_json json_t *references = image_store_references(store);
    json_object_set_new(references, reference, json_string(image_id));
    return references_save(store, references, err);
}

json_t *image_store_image_record(struct image_store *store, const char *id)
{
    if (!image_digest_valid(id))
        return NULL;
    cleanup_free char *name = xasprintf("images/%s.json", hex_of(id));
    json_t *record = json_load_path(store->root_fd, name, NULL);
    if (!json_is_object(record)) {
        json_decref(record);
        return NULL;
    }
    return record;
}

static bool is_image_record(const char *name)
{
    size_t length = strlen(name);
    return length == 64 + 5 && strcmp(name + 64, ".json") == 0;
}

char **image_store_image_ids(struct image_store *store)
{
    cleanup_free char *directory = xasprintf("%s/images", store->root);
    char **names = directory_names(directory, is_image_record);
    for (char **name = names; name && *name; name++) {
        char *id = xasprintf("sha256:%.64s", *name);
        free(*name);
        *name = id;
    }
    return names;
}

int image_store_untag(struct image_store *store, const char *reference, husk_error_t *err)
{
    if (store->lock_fd < 0)
        return husk_error_set(err, 0, "internal: untag without the store lock");
    cleanup_json json_t *references = image_store_references(store);
    if (json_object_del(references, reference) < 0)
        return husk_error_set(err, 0, "No such image: %s", reference);
    return references_save(store, references, err);
}

/* Adds the digests of everything image ID needs to KEEP (objects used as
 * sets). An image whose record or config cannot be read stops the whole
 * collection: keeping nothing of it would delete what it still uses. */
static int keep_image(struct image_store *store, const char *id, json_t *blobs, json_t *layers,
                      husk_error_t *err)
{
    cleanup_json json_t *record = image_store_image_record(store, id);
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (record == NULL || image_store_config_read(store, id, &text, &length, NULL) < 0)
        return husk_error_set(err, 0, "image %s is unreadable: nothing was collected", id);
    cleanup_json json_t *config = json_loadb(text, length, 0, NULL);
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    if (!json_is_array(diff_ids))
        return husk_error_set(err, 0, "image %s has no layer list: nothing was collected", id);
    json_object_set_new(blobs, id, json_true());
    const char *manifest = json_string_value(json_object_get(record, "Manifest"));
    if (manifest != NULL)
        json_object_set_new(blobs, manifest, json_true());
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(record, "LayerBlobs"), i, item)
    {
        if (json_is_string(item))
            json_object_set_new(blobs, json_string_value(item), json_true());
    }
    json_array_foreach(diff_ids, i, item)
    {
        if (!json_is_string(item))
            continue;
        json_object_set_new(layers, json_string_value(item), json_true());
        char blob[DIGEST_TEXT_SIZE];
        uint64_t size;
        if (image_store_layer_blob(store, json_string_value(item), blob, &size, NULL) == 0)
            json_object_set_new(blobs, blob, json_true());
    }
    return 0;
}

static bool is_entry(const char *name)
{
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static bool is_hex_name(const char *name)
{
    return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

static void sweep(struct image_store *store, const char *directory, json_t *keep, bool trees,
                  unsigned long long *reclaimed)
{
    cleanup_free char *path = xasprintf("%s/%s", store->root, directory);
    char **names = directory_names(path, is_hex_name);
    for (char **name = names; name && *name; name++) {
        cleanup_free char *digest = xasprintf("sha256:%s", *name);
        if (json_object_get(keep, digest) != NULL)
            continue;
        cleanup_free char *entry = xasprintf("%s/%s", path, *name);
        struct stat st;
        if (!trees && stat(entry, &st) == 0)
            *reclaimed += (unsigned long long)st.st_size;
        if (trees) {
            cleanup_free char *meta = xasprintf("%s.json", entry);
            unlink(meta);
            directory_remove_tree(entry, NULL);
        } else {
            unlink(entry);
        }
    }
    cleanup_strvp(&names);
}

int image_store_collect(struct image_store *store, unsigned long long *reclaimed, husk_error_t *err)
{
    *reclaimed = 0;
    int fd = openat(store->root_fd, "use.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return husk_error_set(err, saved, "wait for image operations in progress");
    }
    cleanup_json json_t *blobs = json_object();
    cleanup_json json_t *layers = json_object();
    /* An unlistable images/ would look like a store with no image. */
    cleanup_free char *images = xasprintf("%s/images", store->root);
    DIR *listing = opendir(images);
    if (listing == NULL) {
        int saved = errno;
        close(fd);
        return husk_error_set(err, saved, "list %s: nothing was collected", images);
    }
    closedir(listing);
    char **ids = image_store_image_ids(store);
    int kept = 0;
    for (char **id = ids; kept == 0 && id && *id; id++)
        kept = keep_image(store, *id, blobs, layers, err);
    cleanup_strvp(&ids);
    if (kept < 0) {
        close(fd);
        return -1;
    }
    sweep(store, "blobs/sha256", blobs, false, reclaimed);
    sweep(store, "layers", layers, true, reclaimed);
    /* What killed writers left; none runs now (the use lock is ours). */
    cleanup_free char *tmp = xasprintf("%s/tmp", store->root);
    char **leftovers = directory_names(tmp, is_entry);
    for (char **name = leftovers; name && *name; name++) {
        cleanup_free char *entry = xasprintf("%s/%s", tmp, *name);
        if (unlink(entry) < 0 && errno == EISDIR)
            directory_remove_tree(entry, NULL);
    }
    cleanup_strvp(&leftovers);
    close(fd);
    return 0;
}
