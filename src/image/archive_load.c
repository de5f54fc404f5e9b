#include "archive_load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "manifest.h"
#include "platform.h"
#include "reference.h"
#include "../util/fault.h"

#define PEEK_SIZE  4096
#define MAX_LAYERS 500
/* A JSON entry (manifest, index, config) kept in memory: at most this. */
#define JSON_ENTRY_MAX (16 * 1024 * 1024)

struct kept {
    char *data;
    size_t length;
};

struct loading {
    struct image_store *store;
    struct archive *archive;
    json_t *layers;  /* entry name -> {"Digest", "DiffID", "Size"} */
    json_t *aliases; /* entry name -> the entry it links to */
    json_t *kept;    /* entry name -> index into documents */
    struct kept *documents;
    size_t document_count;
    husk_error_t *err;
};

/* --- the archive itself, read through a byte stream --- */

struct outer_source {
    struct byte_stream *stream;
    char buffer[64 * 1024];
};

static la_ssize_t outer_read(struct archive *archive, void *data, const void **block)
{
    struct outer_source *source = data;
    ssize_t n = byte_stream_read(source->stream, source->buffer, sizeof(source->buffer));
    if (n < 0) {
        archive_set_error(archive, errno, "%s", strerror(errno));
        return -1;
    }
    *block = source->buffer;
    return n;
}

/* One entry's data: the bytes already peeked at, then the rest of INNER. */
struct prefixed_stream {
    struct byte_stream base;
    struct byte_stream *inner;
    char peeked[PEEK_SIZE];
    size_t peeked_length, offset;
};

static ssize_t prefixed_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct prefixed_stream *s = (struct prefixed_stream *)stream;
    if (s->offset < s->peeked_length) {
        size_t n = s->peeked_length - s->offset < size ? s->peeked_length - s->offset : size;
        memcpy(buffer, s->peeked + s->offset, n);
        s->offset += n;
        return (ssize_t)n;
    }
    return byte_stream_read(s->inner, buffer, size);
}

static void prefixed_close(struct byte_stream *stream)
{
    struct prefixed_stream *s = (struct prefixed_stream *)stream;
    byte_stream_close(s->inner);
    free(s);
}

/* The current entry of an archive being read. */
struct archive_data_stream {
    struct byte_stream base;
    struct archive *archive;
};

static ssize_t archive_data_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct archive_data_stream *s = (struct archive_data_stream *)stream;
    la_ssize_t n = archive_read_data(s->archive, buffer, size);
    if (n < 0) {
        errno = archive_errno(s->archive) ? archive_errno(s->archive) : EIO;
        return -1;
    }
    return n;
}

static void archive_data_close(struct byte_stream *stream)
{
    free(stream);
}

static struct byte_stream *archive_data_stream_new(struct archive *archive)
{
    struct archive_data_stream *s = xcalloc(1, sizeof(*s));
    *s = (struct archive_data_stream){{archive_data_read, archive_data_close}, archive};
    return &s->base;
}

/* --- entries --- */

static char *entry_name(const char *raw)
{
    while (raw[0] == '.' && raw[1] == '/')
        raw += 2;
    while (raw[0] == '/')
        raw++;
    return xstrdup(raw);
}

/* "blobs/sha256/HEX" names its digest; other names (docker's
 * "HEX/layer.tar") say nothing checkable. */
static char *digest_of_name(const char *name)
{
    if (strncmp(name, "blobs/sha256/", 13) != 0)
        return NULL;
    char *digest = xasprintf("sha256:%s", name + 13);
    if (!image_digest_valid(digest)) {
        free(digest);
        return NULL;
    }
    return digest;
}

static int keep_document(struct loading *l, const char *name, struct byte_stream *stream,
                         int64_t size)
{
    char *data = xmalloc((size_t)size + 1);
    size_t used = 0;
    for (;;) {
        ssize_t n = byte_stream_read(stream, data + used, (size_t)size + 1 - used);
        if (n < 0) {
            free(data);
            return husk_error_set(l->err, errno, "read %s from the archive", name);
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > (size_t)size)
            break;
    }
    data[used < (size_t)size ? used : (size_t)size] = '\0';
    l->documents = xrealloc(l->documents, (l->document_count + 1) * sizeof(*l->documents));
    l->documents[l->document_count] = (struct kept){data, used};
    json_object_set_new(l->kept, name, json_integer((json_int_t)l->document_count++));
    return 0;
}

/* Takes STREAM. */
static int unpack_layer(struct loading *l, const char *name, struct byte_stream *stream,
                        int64_t size)
{
    cleanup_free char *digest = digest_of_name(name);
    struct layer_source source = {.stream = stream, .digest = digest, .size = size};
    struct layer_added added;
    if (image_store_layer_add(l->store, &source, &added, l->err) < 0)
        return husk_error_wrap(l->err, "archive entry %s", name);
    FAULT_POINT("load.layer");
    json_object_set_new(l->layers, name,
                        json_pack("{s:s, s:s, s:I}", "Digest", added.digest, "DiffID",
                                  added.diff_id, "Size", (json_int_t)added.size));
    return 0;
}

/* A file of the archive or layout: JSON is kept in memory, a layer (an
 * OCI blob or docker's ".tar") unpacked as it streams, anything else
 * (docker's "VERSION") skipped. Takes INNER. */
static int take_file(struct loading *l, const char *name, int64_t size, struct byte_stream *inner)
{
    struct prefixed_stream *s = xcalloc(1, sizeof(*s));
    s->base = (struct byte_stream){prefixed_read, prefixed_close};
    s->inner = inner;
    for (ssize_t n = 1; n > 0 && s->peeked_length < sizeof(s->peeked);) {
        n = byte_stream_read(inner, s->peeked + s->peeked_length,
                             sizeof(s->peeked) - s->peeked_length);
        if (n < 0) {
            int saved = errno;
            prefixed_close(&s->base);
            return husk_error_set(l->err, saved, "read %s", name);
        }
        s->peeked_length += (size_t)n;
    }
    const char *p = s->peeked;
    size_t length = s->peeked_length, skip = 0;
    while (skip < length && strchr(" \t\r\n", p[skip]) && p[skip] != '\0')
        skip++;
    bool json = skip < length && (p[skip] == '{' || p[skip] == '[') && size <= JSON_ENTRY_MAX;
    size_t name_length = strlen(name);
    bool layer_name = strncmp(name, "blobs/", 6) == 0 ||
                      (name_length > 4 && strcmp(name + name_length - 4, ".tar") == 0);
    if (!json && layer_name)
        return unpack_layer(l, name, &s->base, size);
    int rc = json ? keep_document(l, name, &s->base, size) : 0;
    prefixed_close(&s->base);
    return rc;
}

static int read_entry(struct loading *l, struct archive_entry *entry)
{
    cleanup_free char *name = entry_name(archive_entry_pathname(entry));
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != NULL) {
        const char *target = archive_entry_hardlink(entry) ?: archive_entry_symlink(entry);
        cleanup_free char *resolved = NULL;
        const char *slash = strrchr(name, '/');
        if (type == AE_IFLNK && slash != NULL && strncmp(target, "../", 3) == 0)
            resolved = entry_name(target + 3); /* docker's "../HEX/layer.tar" */
        else
            resolved = entry_name(target);
        json_object_set_new(l->aliases, name, json_string(resolved));
        return 0;
    }
    if (type != AE_IFREG)
        return 0;
    return take_file(l, name, archive_entry_size(entry), archive_data_stream_new(l->archive));
}

/* --- what the manifests say --- */

static const char *resolve_alias(struct loading *l, const char *name)
{
    for (int hops = 0; hops < 8; hops++) {
        const char *target = json_string_value(json_object_get(l->aliases, name));
        if (target == NULL)
            return name;
        name = target;
    }
    return name;
}

static const struct kept *document(struct loading *l, const char *name)
{
    json_t *index = json_object_get(l->kept, resolve_alias(l, name));
    return index ? &l->documents[json_integer_value(index)] : NULL;
}

/* The layer at NAME: unpacked as it streamed by, or, if it looked like JSON
 * (it cannot really be), unpacked now from memory. */
static json_t *layer(struct loading *l, const char *name)
{
    name = resolve_alias(l, name);
    json_t *found = json_object_get(l->layers, name);
    const struct kept *kept = found ? NULL : document(l, name);
    if (found == NULL && kept != NULL) {
        struct byte_stream *stream = memory_stream_new(kept->data, kept->length);
        if (unpack_layer(l, name, stream, (int64_t)kept->length) < 0)
            return NULL;
        found = json_object_get(l->layers, name);
    }
    if (found == NULL)
        husk_error_set(l->err, 0, "the archive has no layer %s", name);
    return found;
}

static int finish_image(struct loading *l, const struct kept *config, const char *manifest,
                        json_t *layers, json_t *references, json_t *loaded)
{
    size_t count = json_array_size(layers);
    /* overlayfs stacks at most 500 lower layers; a manifest listing more
     * (one name repeated millions of times fits in 16 MiB) is hostile. */
    if (count > MAX_LAYERS)
        return husk_error_set(l->err, 0, "the archive's image has %zu layers, more than %d", count,
                              MAX_LAYERS);
    const char *diff_ids[count + 1], *blobs[count + 1];
    json_int_t size = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get(layers, i);
        diff_ids[i] = json_string_value(json_object_get(item, "DiffID"));
        blobs[i] = json_string_value(json_object_get(item, "Digest"));
        size += json_integer_value(json_object_get(item, "Size"));
    }
    cleanup_json json_t *parsed = json_loadb(config->data, config->length, 0, NULL);
    if (!json_is_object(parsed))
        return husk_error_set(l->err, 0, "the archive's image config is not JSON");
    if (config_check(parsed, diff_ids, count, l->err) < 0)
        return -1;
    char id[DIGEST_TEXT_SIZE];
    struct image_record record = {.config = id,
                                  .manifest = manifest,
                                  .size = (uint64_t)size,
                                  .layer_blobs = blobs,
                                  .layer_blob_count = count};
    if (image_store_blob_put(l->store, config->data, config->length, id, l->err) < 0 ||
        image_store_image_add(l->store, &record, l->err) < 0)
        return -1;
    FAULT_POINT("load.image");
    if (image_store_lock(l->store, l->err) < 0)
        return -1;
    size_t i;
    json_t *reference;
    int rc = 0;
    json_array_foreach(references, i, reference)
    {
        if (rc == 0)
            rc = image_store_tag(l->store, json_string_value(reference), id, l->err);
    }
    image_store_unlock(l->store);
    json_array_append_new(loaded, json_pack("{s:s, s:O}", "Id", id, "RepoTags", references));
    return rc;
}

static json_t *canonical_references(json_t *names)
{
    json_t *references = json_array();
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name)
    {
        struct image_reference parsed;
        if (!json_is_string(name) ||
            image_reference_parse(json_string_value(name), &parsed, NULL) < 0)
            continue;
        cleanup_free char *canonical = image_reference_canonical(&parsed);
        json_array_append_new(references, json_string(canonical));
        image_reference_free(&parsed);
    }
    return references;
}

static int load_docker_archive(struct loading *l, const struct kept *manifest, json_t *loaded)
{
    cleanup_json json_t *items = json_loadb(manifest->data, manifest->length, 0, NULL);
    if (!json_is_array(items) || json_array_size(items) == 0)
        return husk_error_set(l->err, 0, "the archive's manifest.json lists no image");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *config_name = json_string_value(json_object_get(item, "Config"));
        const struct kept *config = config_name ? document(l, config_name) : NULL;
        if (config == NULL)
            return husk_error_set(l->err, 0, "the archive has no image config %s",
                                  config_name ? config_name : "(none named)");
        cleanup_json json_t *layers = json_array();
        size_t j;
        json_t *name;
        if (json_array_size(json_object_get(item, "Layers")) > MAX_LAYERS)
            return husk_error_set(l->err, 0, "the archive's image has more than %d layers",
                                  MAX_LAYERS);
        json_array_foreach(json_object_get(item, "Layers"), j, name)
        {
            json_t *found = json_is_string(name) ? layer(l, json_string_value(name)) : NULL;
            if (found == NULL)
                return -1;
            json_array_append(layers, found);
        }
        cleanup_json json_t *references = canonical_references(json_object_get(item, "RepoTags"));
        if (finish_image(l, config, NULL, layers, references, loaded) < 0)
            return -1;
    }
    return 0;
}

/* A blob of the OCI layout, checked against its descriptor's digest. */
static const struct kept *oci_blob(struct loading *l, const char *digest)
{
    if (!image_digest_valid(digest)) {
        husk_error_set(l->err, 0, "the archive's index names a blob without a sha256 digest");
        return NULL;
    }
    cleanup_free char *name = xasprintf("blobs/sha256/%s", digest + 7);
    const struct kept *kept = document(l, name);
    char found[DIGEST_TEXT_SIZE];
    if (kept != NULL)
        digest_of(kept->data, kept->length, found);
    if (kept == NULL || strcmp(found, digest) != 0) {
        husk_error_set(l->err, 0, "the archive's blob %s is %s", digest,
                       kept ? "not what its digest says" : "missing");
        return NULL;
    }
    return kept;
}

static json_t *oci_names(json_t *descriptor)
{
    json_t *annotations = json_object_get(descriptor, "annotations");
    const char *full = json_string_value(json_object_get(annotations, "io.containerd.image.name"));
    const char *ref =
        json_string_value(json_object_get(annotations, "org.opencontainers.image.ref.name"));
    json_t *names = json_array();
    /* A bare tag ("latest") names no repository: the image stays untagged. */
    if (full != NULL)
        json_array_append_new(names, json_string(full));
    else if (ref != NULL && (strchr(ref, ':') || strchr(ref, '/')))
        json_array_append_new(names, json_string(ref));
    return names;
}

static int load_oci_manifest(struct loading *l, const char *digest, json_t *names, json_t *loaded)
{
    const struct kept *kept = oci_blob(l, digest);
    if (kept == NULL)
        return -1;
    cleanup_json json_t *document_json = json_loadb(kept->data, kept->length, 0, NULL);
    const char *kind = manifest_kind(document_json);
    if (media_type_is_index(kind)) {
        cleanup_free char *chosen = NULL;
        if (index_select(document_json, "linux", platform_architecture(), platform_variant(),
                         &chosen, l->err) < 0)
            return -1;
        return load_oci_manifest(l, chosen, names, loaded);
    }
    struct manifest m;
    if (manifest_parse(document_json, &m, l->err) < 0)
        return -1;
    const struct kept *config = oci_blob(l, m.config.digest);
    cleanup_json json_t *layers = json_array();
    for (size_t i = 0; config != NULL && i < m.layer_count; i++) {
        cleanup_free char *name = xasprintf("blobs/sha256/%s", m.layers[i].digest + 7);
        json_t *found = layer(l, name);
        if (found == NULL) {
            config = NULL;
            break;
        }
        json_array_append(layers, found);
    }
    manifest_free(&m);
    char stored[DIGEST_TEXT_SIZE];
    if (config == NULL ||
        image_store_blob_put(l->store, kept->data, kept->length, stored, l->err) < 0)
        return -1;
    cleanup_json json_t *references = canonical_references(names);
    return finish_image(l, config, stored, layers, references, loaded);
}

static int load_oci_archive(struct loading *l, const struct kept *index, json_t *loaded)
{
    cleanup_json json_t *document_json = json_loadb(index->data, index->length, 0, NULL);
    json_t *manifests = json_object_get(document_json, "manifests");
    if (!json_is_array(manifests) || json_array_size(manifests) == 0)
        return husk_error_set(l->err, 0, "the archive's index.json lists no image");
    size_t i;
    json_t *descriptor;
    json_array_foreach(manifests, i, descriptor)
    {
        cleanup_json json_t *names = oci_names(descriptor);
        const char *digest = json_string_value(json_object_get(descriptor, "digest"));
        if (load_oci_manifest(l, digest ? digest : "", names, loaded) < 0)
            return -1;
    }
    return 0;
}

static void loading_free(struct loading *l)
{
    for (size_t i = 0; i < l->document_count; i++)
        free(l->documents[i].data);
    free(l->documents);
    json_decref(l->layers);
    json_decref(l->aliases);
    json_decref(l->kept);
    if (l->archive != NULL)
        archive_read_free(l->archive);
}

static int read_archive(struct loading *l, struct outer_source *source)
{
    archive_read_support_format_tar(l->archive);
    if (archive_read_open(l->archive, source, NULL, outer_read, NULL) != ARCHIVE_OK)
        return husk_error_set(l->err, archive_errno(l->archive), "read the archive: %s",
                              archive_error_string(l->archive));
    struct archive_entry *entry;
    int status;
    while ((status = archive_read_next_header(l->archive, &entry)) == ARCHIVE_OK ||
           status == ARCHIVE_WARN)
        if (read_entry(l, entry) < 0)
            return -1;
    if (status != ARCHIVE_EOF)
        return husk_error_set(l->err, archive_errno(l->archive), "read the archive: %s",
                              archive_error_string(l->archive));
    return 0;
}

static int finish_loading(struct loading *l, json_t *loaded)
{
    const struct kept *manifest = document(l, "manifest.json");
    const struct kept *index = document(l, "index.json");
    if (manifest != NULL)
        return load_docker_archive(l, manifest, loaded);
    if (index != NULL)
        return load_oci_archive(l, index, loaded);
    return husk_error_set(l->err, 0,
                          "not an image archive: it has neither manifest.json "
                          "(docker-archive) nor index.json (oci-archive)");
}

int image_archive_load(struct image_store *store, int fd, json_t **loaded, husk_error_t *err)
{
    struct outer_source *source = xmalloc(sizeof(*source));
    source->stream = decompress_stream_new(fd_stream_new(fd, false));
    struct loading l = {.store = store,
                        .archive = archive_read_new(),
                        .layers = json_object(),
                        .aliases = json_object(),
                        .kept = json_object(),
                        .err = err};
    *loaded = json_array();
    int rc = image_store_use(store, err) < 0 ? -1 : read_archive(&l, source);
    if (rc == 0)
        rc = finish_loading(&l, *loaded);
    loading_free(&l);
    byte_stream_close(source->stream);
    free(source);
    if (rc < 0) {
        json_decref(*loaded);
        *loaded = NULL;
    }
    return rc;
}

static int take_path(struct loading *l, int directory, const char *name)
{
    int fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return saved == ENOENT ? 0 : husk_error_set(l->err, saved, "read %s", name);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return 0;
    }
    return take_file(l, name, st.st_size, fd_stream_new(fd, true));
}

static bool is_blob_name(const char *name)
{
    return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

int image_directory_load(struct image_store *store, int directory, json_t **loaded,
                         husk_error_t *err)
{
    struct loading l = {.store = store,
                        .layers = json_object(),
                        .aliases = json_object(),
                        .kept = json_object(),
                        .err = err};
    *loaded = json_array();
    int rc = image_store_use(store, err);
    static const char *const files[] = {"oci-layout", "index.json", "manifest.json"};
    for (size_t i = 0; rc == 0 && i < sizeof(files) / sizeof(files[0]); i++)
        rc = take_path(&l, directory, files[i]);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/blobs/sha256", directory);
    char **blobs = directory_names(path, is_blob_name);
    for (char **blob = blobs; rc == 0 && blob && *blob; blob++) {
        cleanup_free char *name = xasprintf("blobs/sha256/%s", *blob);
        rc = take_path(&l, directory, name);
    }
    cleanup_strvp(&blobs);
    if (rc == 0)
        rc = finish_loading(&l, *loaded);
    loading_free(&l);
    if (rc < 0) {
        json_decref(*loaded);
        *loaded = NULL;
    }
    return rc;
}
