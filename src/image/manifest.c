#include "manifest.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "reference.h"

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

bool media_type_is_index(const char *media_type)
{
    return media_type != NULL &&
           (strcmp(media_type, MEDIA_OCI_INDEX) == 0 || strcmp(media_type, MEDIA_DOCKER_LIST) == 0);
}

bool media_type_is_manifest(const char *media_type)
{
    return media_type != NULL && (strcmp(media_type, MEDIA_OCI_MANIFEST) == 0 ||
                                  strcmp(media_type, MEDIA_DOCKER_MANIFEST) == 0);
}

const char *manifest_kind(json_t *document)
{
    const char *media_type = json_string_value(json_object_get(document, "mediaType"));
    if (media_type != NULL)
        return media_type_is_index(media_type) || media_type_is_manifest(media_type) ? media_type
                                                                                     : NULL;
    if (json_integer_value(json_object_get(document, "schemaVersion")) != 2)
        return NULL;
    if (json_is_array(json_object_get(document, "manifests")))
        return MEDIA_OCI_INDEX;
    if (json_is_object(json_object_get(document, "config")))
        return MEDIA_OCI_MANIFEST;
    return NULL;
}

static int descriptor_parse(json_t *object, const char *what, struct descriptor *d,
                            husk_error_t *err)
{
    const char *media_type = json_string_value(json_object_get(object, "mediaType"));
    const char *digest = json_string_value(json_object_get(object, "digest"));
    json_t *size = json_object_get(object, "size");
    if (!image_digest_valid(digest))
        return husk_error_set(err, 0, "manifest: %s has no sha256 digest (%s)", what,
                              digest ? digest : "none");
    if (!json_is_integer(size) || json_integer_value(size) < 0)
        return husk_error_set(err, 0, "manifest: %s %s has no size", what, digest);
    d->media_type = xstrdup(media_type ? media_type : "");
    d->digest = xstrdup(digest);
    d->size = json_integer_value(size);
    return 0;
}

static bool is_layer_type(const char *media_type)
{
    for (size_t i = 0; i < sizeof(layer_types) / sizeof(layer_types[0]); i++)
        if (strcmp(media_type, layer_types[i]) == 0)
            return true;
    return false;
}

int manifest_parse(json_t *document, struct manifest *m, husk_error_t *err)
{
    memset(m, 0, sizeof(*m));
    const char *kind = manifest_kind(document);
    if (!media_type_is_manifest(kind))
        return husk_error_set(err, 0, "not an image manifest (media type %s)",
                              kind ? kind : "unknown");
    if (descriptor_parse(json_object_get(document, "config"), "the config", &m->config, err) < 0)
        return -1;
    if (m->config.size > MANIFEST_MAX_SIZE) {
        manifest_free(m);
        return husk_error_set(err, 0, "manifest: the config is %lld bytes, more than 4 MiB",
                              (long long)m->config.size);
    }
    json_t *layers = json_object_get(document, "layers");
    size_t count = json_array_size(layers);
    if (count == 0) {
        manifest_free(m);
        return husk_error_set(err, 0, "manifest: no layers");
    }
    /* overlayfs stacks at most 500 lower layers. */
    if (count > 500) {
        manifest_free(m);
        return husk_error_set(err, 0, "manifest: %zu layers, more than overlayfs stacks (500)",
                              count);
    }
    m->layers = xcalloc(count, sizeof(*m->layers));
    for (size_t i = 0; i < count; i++) {
        if (descriptor_parse(json_array_get(layers, i), "a layer", &m->layers[i], err) < 0) {
            manifest_free(m);
            return -1;
        }
        m->layer_count++;
        if (!is_layer_type(m->layers[i].media_type)) {
            husk_error_set(err, 0, "manifest: layer %s has media type %s, which husk cannot unpack",
                           m->layers[i].digest, m->layers[i].media_type);
            manifest_free(m);
            return -1;
        }
    }
    return 0;
}

static void descriptor_free(struct descriptor *d)
{
    free(d->media_type);
    free(d->digest);
}

void manifest_free(struct manifest *m)
{
    descriptor_free(&m->config);
    for (size_t i = 0; i < m->layer_count; i++)
        descriptor_free(&m->layers[i]);
    free(m->layers);
    memset(m, 0, sizeof(*m));
}

static bool variant_matches(const char *architecture, const char *wanted, const char *found)
{
    if (wanted[0] == '\0' || strcmp(wanted, found) == 0)
        return true;
    /* arm64 images rarely say "v8", which is what this machine is. */
    return strcmp(architecture, "arm64") == 0 && strcmp(wanted, "v8") == 0 && found[0] == '\0';
}

int index_select(json_t *document, const char *os, const char *architecture, const char *variant,
                 char **digest, husk_error_t *err)
{
    json_t *manifests = json_object_get(document, "manifests");
    size_t i;
    json_t *item;
    json_array_foreach(manifests, i, item)
    {
        json_t *platform = json_object_get(item, "platform");
        const char *item_os = json_string_value(json_object_get(platform, "os")) ?: "";
        const char *item_arch = json_string_value(json_object_get(platform, "architecture")) ?: "";
        const char *item_variant = json_string_value(json_object_get(platform, "variant")) ?: "";
        const char *found = json_string_value(json_object_get(item, "digest"));
        if (strcmp(item_os, os) == 0 && strcmp(item_arch, architecture) == 0 &&
            variant_matches(architecture, variant, item_variant) && image_digest_valid(found)) {
            *digest = xstrdup(found);
            return 0;
        }
    }
    return husk_error_set(err, 0, "no image for %s/%s%s%s in the manifest list", os, architecture,
                          variant[0] ? "/" : "", variant);
}

int config_check(json_t *config, const char *const *diff_ids, size_t count, husk_error_t *err)
{
    json_t *listed = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    if (!json_is_array(listed) || json_array_size(listed) != count)
        return husk_error_set(err, 0,
                              "image config: rootfs.diff_ids lists %zu layers, the image "
                              "has %zu",
                              json_array_size(listed), count);
    for (size_t i = 0; i < count; i++) {
        const char *expected = json_string_value(json_array_get(listed, i));
        if (expected == NULL || strcmp(expected, diff_ids[i]) != 0)
            return husk_error_set(err, 0, "image config: layer %zu is %s, its config says %s",
                                  i + 1, diff_ids[i], expected ? expected : "nothing");
    }
    return 0;
}
