#include "archive_save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "manifest.h"
#include "reference.h"
#include "tar_writer.h"

#define LAYER_MEDIA_TYPE "application/vnd.oci.image.layer.v1.tar"

struct saving {
    struct image_store *store;
    struct tar_writer *tar;
    json_t *written; /* blob names already in the archive */
    int64_t mtime;
    husk_error_t *err;
};

static int add_file(struct saving *s, const char *name, const char *data, size_t length)
{
    struct tar_member m = {.name = name,
                           .mode = S_IFREG | 0644,
                           .mtime = s->mtime,
                           .data = data,
                           .size = length,
                           .data_fd = -1};
    return tar_writer_add(s->tar, &m, s->err);
}

static int add_directory(struct saving *s, const char *name)
{
    struct tar_member m = {.name = name, .mode = S_IFDIR | 0755, .mtime = s->mtime, .data_fd = -1};
    return tar_writer_add(s->tar, &m, s->err);
}

static int add_blob(struct saving *s, const char *digest, const char *data, size_t length)
{
    cleanup_free char *name = xasprintf("blobs/sha256/%s", digest + 7);
    if (json_object_get(s->written, name) != NULL)
        return 0;
    json_object_set_new(s->written, name, json_true());
    return add_file(s, name, data, length);
}

/* The layer's uncompressed tar, from the blob it came from: its digest is
 * the diffID, which is what the config lists. */
static int add_layer(struct saving *s, const char *diff_id, int64_t *size)
{
    char blob[DIGEST_TEXT_SIZE];
    uint64_t tar_size = 0;
    if (image_store_layer_blob(s->store, diff_id, blob, &tar_size, s->err) < 0)
        return -1;
    *size = (int64_t)tar_size;
    cleanup_free char *name = xasprintf("blobs/sha256/%s", diff_id + 7);
    if (json_object_get(s->written, name) != NULL)
        return 0;
    json_object_set_new(s->written, name, json_true());
    cleanup_free char *path = image_store_blob_path(s->store, blob);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(s->err, errno, "open layer blob %s", blob);
    struct byte_stream *tar = digest_stream_new(decompress_stream_new(fd_stream_new(fd, true)),
                                                diff_id, (int64_t)tar_size);
    struct tar_member m = {.name = name,
                           .mode = S_IFREG | 0644,
                           .mtime = s->mtime,
                           .size = tar_size,
                           .data_fd = -1,
                           .data_stream = tar};
    int rc = tar_writer_add(s->tar, &m, s->err);
    /* The tar that went out must be the layer the config names. */
    if (rc == 0 && byte_stream_drain(tar) < 0)
        rc =
            husk_error_set(s->err, 0, "layer %s: its blob %s does not give it back", diff_id, blob);
    byte_stream_close(tar);
    return rc;
}

static char *familiar_tag(const char *canonical)
{
    const char *slash = strrchr(canonical, '/');
    const char *colon = strrchr(slash ? slash : canonical, ':');
    cleanup_free char *repository =
        colon ? xstrndup(canonical, (size_t)(colon - canonical)) : xstrdup(canonical);
    cleanup_free char *familiar = image_repository_familiar(repository);
    return xasprintf("%s%s", familiar, colon ? colon : ":latest");
}

static int save_image(struct saving *s, json_t *image, json_t *manifests, json_t *index)
{
    const char *id = json_string_value(json_object_get(image, "Id"));
    cleanup_free char *config_text = NULL;
    size_t config_length = 0;
    if (image_store_blob_read(s->store, id, &config_text, &config_length, s->err) < 0)
        return -1;
    cleanup_json json_t *config = json_loadb(config_text, config_length, 0, NULL);
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    json_t *layer_names = json_array(), *descriptors = json_array();
    size_t i;
    json_t *diff_id;
    json_array_foreach(diff_ids, i, diff_id)
    {
        int64_t size = 0;
        if (add_layer(s, json_string_value(diff_id), &size) < 0) {
            json_decref(layer_names);
            json_decref(descriptors);
            return -1;
        }
        cleanup_free char *name = xasprintf("blobs/sha256/%s", json_string_value(diff_id) + 7);
        json_array_append_new(layer_names, json_string(name));
        json_array_append_new(descriptors,
                              json_pack("{s:s, s:O, s:I}", "mediaType", LAYER_MEDIA_TYPE, "digest",
                                        diff_id, "size", (json_int_t)size));
    }
    cleanup_json json_t *manifest =
        json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
                  MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG, "digest", id, "size",
                  (json_int_t)config_length, "layers", descriptors);
    cleanup_free char *manifest_text = json_dumps(manifest, JSON_COMPACT);
    char manifest_digest[DIGEST_TEXT_SIZE];
    digest_of(manifest_text, strlen(manifest_text), manifest_digest);
    if (add_blob(s, id, config_text, config_length) < 0 ||
        add_blob(s, manifest_digest, manifest_text, strlen(manifest_text)) < 0) {
        json_decref(layer_names);
        return -1;
    }
    json_t *tags = json_array();
    json_t *reference;
    json_array_foreach(json_object_get(image, "RepoTags"), i, reference)
    {
        cleanup_free char *familiar = familiar_tag(json_string_value(reference));
        json_array_append_new(tags, json_string(familiar));
        json_array_append_new(index, json_pack("{s:s, s:s, s:I, s:{s:O, s:s}}", "mediaType",
                                               MEDIA_OCI_MANIFEST, "digest", manifest_digest,
                                               "size", (json_int_t)strlen(manifest_text),
                                               "annotations", "io.containerd.image.name", reference,
                                               "org.opencontainers.image.ref.name",
                                               strrchr(json_string_value(reference), ':') + 1));
    }
    if (json_array_size(tags) == 0)
        json_array_append_new(index, json_pack("{s:s, s:s, s:I}", "mediaType", MEDIA_OCI_MANIFEST,
                                               "digest", manifest_digest, "size",
                                               (json_int_t)strlen(manifest_text)));
    cleanup_free char *config_name = xasprintf("blobs/sha256/%s", id + 7);
    json_array_append_new(manifests, json_pack("{s:s, s:o, s:o}", "Config", config_name, "RepoTags",
                                               tags, "Layers", layer_names));
    return 0;
}

int image_archive_save(struct image_store *store, json_t *images, int fd, husk_error_t *err)
{
    struct saving s = {.store = store, .written = json_object(), .mtime = 0, .err = err};
    if (tar_writer_open(fd_write_callback, &fd, &s.tar, err) < 0) {
        json_decref(s.written);
        return -1;
    }
    cleanup_json json_t *manifests = json_array();
    cleanup_json json_t *index = json_array();
    int rc = add_directory(&s, "blobs") < 0 || add_directory(&s, "blobs/sha256") < 0 ? -1 : 0;
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image)
    {
        if (rc == 0)
            rc = save_image(&s, image, manifests, index);
    }
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    cleanup_json json_t *index_document = json_pack(
        "{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", MEDIA_OCI_INDEX, "manifests", index);
    cleanup_free char *index_text = json_dumps(index_document, JSON_COMPACT);
    cleanup_free char *manifest_text = json_dumps(manifests, JSON_COMPACT);
    if (rc == 0 && (add_file(&s, "oci-layout", layout, strlen(layout)) < 0 ||
                    add_file(&s, "index.json", index_text, strlen(index_text)) < 0 ||
                    add_file(&s, "manifest.json", manifest_text, strlen(manifest_text)) < 0))
        rc = -1;
    if (tar_writer_close(s.tar, rc == 0 ? err : NULL) < 0)
        rc = -1;
    json_decref(s.written);
    return rc;
}
