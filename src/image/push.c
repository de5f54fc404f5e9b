#include "push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "manifest.h"

/* The layer media type a stored blob needs, from its first bytes. */
static const char *layer_media_type(int fd)
{
    unsigned char magic[4] = {0};
    ssize_t n = pread(fd, magic, sizeof(magic), 0);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return "application/vnd.oci.image.layer.v1.tar+gzip";
    if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return "application/vnd.oci.image.layer.v1.tar+zstd";
    return "application/vnd.oci.image.layer.v1.tar";
}

static int push_blob(struct image_store *store, struct registry *registry, const char *digest,
                     FILE *progress, const char **media_type, int64_t *size, husk_error_t *err)
{
    cleanup_free char *path = image_store_blob_path(store, digest);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return husk_error_set(err, errno, "blob %s is not in the store", digest);
    *size = st.st_size;
    if (media_type != NULL)
        *media_type = layer_media_type(fd);
    bool exists = false;
    if (registry_blob_exists(registry, digest, &exists, err) < 0)
        return -1;
    if (!exists && registry_upload_blob(registry, digest, fd, st.st_size, err) < 0)
        return -1;
    if (progress != NULL && media_type != NULL)
        fprintf(progress, "%.12s: %s\n", digest + 7, exists ? "Layer already exists" : "Pushed");
    return 0;
}

static int put_manifest(struct registry *registry, const char *config_digest, int64_t config_size,
                        json_t *layers, const char *tag, FILE *progress, char **digest_out,
                        husk_error_t *err)
{
    cleanup_json json_t *manifest =
        json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
                  MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG, "digest",
                  config_digest, "size", (json_int_t)config_size, "layers", layers);
    cleanup_free char *text = json_dumps(manifest, JSON_COMPACT);
    char digest[DIGEST_TEXT_SIZE];
    digest_of(text, strlen(text), digest);
    if (registry_put_manifest(registry, tag, MEDIA_OCI_MANIFEST, text, strlen(text), err) < 0)
        return -1;
    if (progress != NULL)
        fprintf(progress, "%s: digest: %s size: %zu\n", tag, digest, strlen(text));
    *digest_out = xstrdup(digest);
    return 0;
}

int image_push(struct image_store *store, const struct push_options *o, char **digest_out,
               husk_error_t *err)
{
    struct image_reference ref;
    if (image_reference_parse(o->reference, &ref, err) < 0)
        return -1;
    cleanup_free char *canonical = image_reference_canonical(&ref);
    cleanup_free char *id = image_store_resolve(store, canonical);
    struct registry *registry = NULL;
    int rc = -1;
    json_t *config = NULL, *layers = json_array();
    char *config_text = NULL;
    size_t config_length = 0;
    if (id == NULL) {
        husk_error_set(err, 0, "No such image: %s", o->reference);
        goto out;
    }
    if (image_store_blob_read(store, id, &config_text, &config_length, err) < 0 ||
        registry_open(&ref, &o->registry, &registry, err) < 0)
        goto out;
    config = json_loadb(config_text, config_length, 0, NULL);
    if (o->progress != NULL)
        fprintf(o->progress, "The push refers to repository [%s/%s]\n", ref.domain, ref.path);
    size_t i;
    json_t *diff_id;
    json_array_foreach(json_object_get(json_object_get(config, "rootfs"), "diff_ids"), i, diff_id)
    {
        char blob[DIGEST_TEXT_SIZE];
        uint64_t tar_size;
        const char *media_type = NULL;
        int64_t size = 0;
        if (image_store_layer_blob(store, json_string_value(diff_id), blob, &tar_size, err) < 0 ||
            push_blob(store, registry, blob, o->progress, &media_type, &size, err) < 0)
            goto out;
        json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", media_type,
                                                "digest", blob, "size", (json_int_t)size));
    }
    int64_t config_size = 0;
    if (push_blob(store, registry, id, NULL, NULL, &config_size, err) < 0)
        goto out;
    const char *tag = ref.digest ? ref.digest : ref.tag;
    if (put_manifest(registry, id, config_size, layers, tag, o->progress, digest_out, err) < 0)
        goto out;
    rc = 0;
out:
    json_decref(layers);
    json_decref(config);
    free(config_text);
    registry_close(registry);
    image_reference_free(&ref);
    return rc;
}
