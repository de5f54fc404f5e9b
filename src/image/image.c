#include "image.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <limits.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "reference.h"

#define DEFAULT_BUSYBOX   "/bin/busybox"
#define BUSYBOX_REFERENCE "docker.io/library/busybox:latest"
#define READ_LIMIT        (1 << 20)

/* The init layer, as docker has one: a lower layer above every image with
 * empty /etc/hostname, /etc/hosts and /etc/resolv.conf. husk bind-mounts
 * the container's own files on those paths; where an image lacks them, the
 * mount points would otherwise have to be created in the container's upper
 * layer, and creating them copies /etc up (0.5-6 ms per start here). It is
 * the same for every container, so it is made once, atomically. */
static int ensure_init_layer(struct image_store *store, char **path, husk_error_t *err)
{
    *path = xasprintf("%s/.init", store->root);
    if (access(*path, F_OK) == 0)
        return 0;
    cleanup_free char *temporary = xasprintf("%s/tmp/init.%d", store->root, getpid());
    cleanup_free char *etc = xasprintf("%s/etc", temporary);
    directory_remove_tree(temporary, NULL);
    if (directory_create_parents(etc, 0755, err) < 0)
        return -1;
    static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        cleanup_free char *file = xasprintf("%s/%s", etc, files[i]);
        if (file_write_all(AT_FDCWD, file, "", 0, 0644, err) < 0 || chmod(file, 0644) < 0) {
            directory_remove_tree(temporary, NULL);
            return husk_error_wrap(err, "build the init layer");
        }
    }
    if (chmod(temporary, 0755) < 0 || chmod(etc, 0755) < 0 ||
        (rename(temporary, *path) < 0 && errno != EEXIST && errno != ENOTEMPTY)) {
        int saved = errno;
        directory_remove_tree(temporary, NULL);
        return husk_error_set(err, saved, "install the init layer");
    }
    directory_remove_tree(temporary, NULL); /* another husk installed it first */
    return 0;
}

static bool is_hex(const char *text, size_t min, size_t max)
{
    size_t length = strlen(text);
    if (length < min || length > max)
        return false;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
            return false;
    return true;
}

/* An image ID or a unique prefix of one (with or without "sha256:"). */
static char *find_by_id(struct image_store *store, const char *text)
{
    const char *hex = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
    if (!is_hex(hex, 1, 64))
        return NULL;
    cleanup_free char *directory = xasprintf("%s/images", store->root);
    DIR *listing = opendir(directory);
    if (listing == NULL)
        return NULL;
    char *found = NULL;
    int matches = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (strncmp(entry->d_name, hex, strlen(hex)) != 0 || strlen(entry->d_name) != 64 + 5)
            continue;
        if (matches++ == 0)
            found = xasprintf("sha256:%.64s", entry->d_name);
    }
    closedir(listing);
    if (matches == 1)
        return found;
    free(found);
    return NULL;
}

char *image_find_id(struct image_store *store, const char *text, husk_error_t *err)
{
    struct image_reference reference;
    husk_error_t parse_error = NULL;
    if (image_reference_parse(text, &reference, &parse_error) == 0) {
        cleanup_free char *canonical = image_reference_canonical(&reference);
        image_reference_free(&reference);
        char *id = image_store_resolve(store, canonical);
        if (id != NULL) {
            husk_error_free(&parse_error);
            return id;
        }
    }
    char *id = find_by_id(store, text);
    if (id == NULL && parse_error != NULL) {
        *err = parse_error;
        return NULL;
    }
    husk_error_free(&parse_error);
    if (id == NULL)
        husk_error_set(err, 0, "No such image: %s", text);
    return id;
}

int image_load(struct image_store *store, const char *id, const char *name, struct image **out,
               husk_error_t *err)
{
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (image_store_config_read(store, id, &text, &length, err) < 0)
        return husk_error_wrap(err, "image %s", name);
    json_error_t parse_error;
    json_t *document = json_loadb(text, length, 0, &parse_error);
    json_t *diff_ids = json_object_get(json_object_get(document, "rootfs"), "diff_ids");
    if (!json_is_array(diff_ids) || json_array_size(diff_ids) == 0) {
        json_decref(document);
        return husk_error_set(err, 0, "image %s: its config has no layers", name);
    }
    struct image *image = xcalloc(1, sizeof(*image));
    image->id = xstrdup(id);
    image->name = xstrdup(name);
    image->document = document;
    json_t *config = json_object_get(document, "config");
    image->config = json_is_object(config) ? config : json_object_get(document, "container_config");
    if (!json_is_object(image->config)) {
        json_object_set_new(document, "config", json_object());
        image->config = json_object_get(document, "config");
    }
    size_t count = json_array_size(diff_ids);
    image->layers = xcalloc(count, sizeof(char *));
    for (size_t i = 0; i < count; i++) {
        const char *diff_id = json_string_value(json_array_get(diff_ids, count - 1 - i));
        if (diff_id == NULL || !image_digest_valid(diff_id) ||
            !image_store_layer_exists(store, diff_id)) {
            image_free(image);
            return husk_error_set(err, 0, "image %s: layer %s is missing from the store", name,
                                  diff_id ? diff_id : "(not a digest)");
        }
        image->layers[image->layer_count++] = image_store_layer_path(store, diff_id);
    }
    if (ensure_init_layer(store, &image->init_layer, err) < 0) {
        image_free(image);
        return -1;
    }
    *out = image;
    return 0;
}

static bool is_default_busybox(const char *text)
{
    struct image_reference reference;
    if (image_reference_parse(text, &reference, NULL) < 0)
        return false;
    cleanup_free char *canonical = image_reference_canonical(&reference);
    image_reference_free(&reference);
    return strcmp(canonical, BUSYBOX_REFERENCE) == 0;
}

int image_open(const char *data_root, const char *reference, struct image **out, husk_error_t *err)
{
    struct image_store *store;
    if (image_store_open(data_root, &store, err) < 0)
        return -1;
    husk_error_t find_error = NULL;
    cleanup_free char *id = image_find_id(store, reference, &find_error);
    if (id == NULL && is_default_busybox(reference)) {
        husk_error_free(&find_error);
        const char *busybox = getenv("HUSK_BUSYBOX") ? getenv("HUSK_BUSYBOX") : DEFAULT_BUSYBOX;
        if (image_busybox_install(store, busybox, err) < 0) {
            image_store_close(store);
            return husk_error_wrap(err, "build the default busybox image");
        }
        id = image_find_id(store, reference, &find_error);
    }
    int rc = id ? image_load(store, id, reference, out, err) : -1;
    if (id == NULL) {
        *err = find_error;
        find_error = NULL;
    }
    image_store_close(store);
    return rc;
}

void image_free(struct image *image)
{
    if (image == NULL)
        return;
    free(image->id);
    free(image->name);
    for (size_t i = 0; i < image->layer_count; i++)
        free(image->layers[i]);
    free(image->layers);
    free(image->init_layer);
    json_decref(image->document);
    free(image);
}

static bool is_whiteout(int layer_fd, const char *path)
{
    struct stat st;
    return fstatat(layer_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
           st.st_rdev == makedev(0, 0);
}

static bool is_opaque(int layer_fd, const char *directory)
{
    char path[PATH_MAX], value[2];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", layer_fd, directory);
    return lgetxattr(path, "trusted.overlay.opaque", value, sizeof(value)) == 1 && value[0] == 'y';
}

/* Whether a layer that lacks PATH hides the layers below it: a whiteout at
 * PATH or a directory above it, or an opaque directory above it. A missing
 * ancestor ends the question at once: nothing below it is in this layer. */
static bool hides_below(int layer_fd, const char *path)
{
    cleanup_free char *copy = xstrdup(path);
    for (char *slash = strchr(copy, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        struct stat st;
        bool exists = fstatat(layer_fd, copy, &st, AT_SYMLINK_NOFOLLOW) == 0;
        bool hidden = exists && ((S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) ||
                                 (S_ISDIR(st.st_mode) && is_opaque(layer_fd, copy)));
        *slash = '/';
        if (!exists || hidden)
            return hidden;
    }
    return is_whiteout(layer_fd, path);
}

static char *read_regular(int opened)
{
    struct stat st;
    if (fstat(opened, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > READ_LIMIT)
        return NULL;
    char reopen[64];
    snprintf(reopen, sizeof(reopen), "/proc/self/fd/%d", opened);
    cleanup_close int fd = open(reopen, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    char *content = NULL;
    if (fd < 0 || file_read_all(fd, "", &content, NULL, NULL) < 0)
        return NULL;
    return content;
}

char *image_read_file(const struct image *image, const char *path)
{
    while (*path == '/')
        path++;
    for (size_t i = 0; i < image->layer_count; i++) {
        cleanup_close int layer = open(image->layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (layer < 0)
            return NULL;
        /* Symlinks resolve inside this layer only: enough for the flat
         * files (/etc/passwd, /etc/group) this serves. */
        cleanup_close int opened = root_open(layer, path, O_PATH, 0);
        if (opened >= 0 && !is_whiteout(layer, path))
            return read_regular(opened);
        if (hides_below(layer, path))
            return NULL;
    }
    return NULL;
}
