#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/json_text.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"

#define DEFAULT_BUSYBOX "/bin/busybox"

static bool lower_alnum(char c)
{
    return islower((unsigned char)c) || isdigit((unsigned char)c);
}

/* docker's path component: [a-z0-9]+ joined by ".", "_", "__" or "-"+. So no
 * component can be "..", ".", empty or start with a separator. */
static bool component_valid(const char *component, size_t length)
{
    if (length == 0 || !lower_alnum(component[0]) || !lower_alnum(component[length - 1]))
        return false;
    for (size_t i = 1; i < length; i++) {
        char c = component[i], previous = component[i - 1];
        if (lower_alnum(c))
            continue;
        if (c != '.' && c != '_' && c != '-')
            return false;
        if (lower_alnum(previous) || (c == '-' && previous == '-') ||
            (c == '_' && previous == '_' && (i < 2 || lower_alnum(component[i - 2]))))
            continue;
        return false;
    }
    return true;
}

char *image_reference_normalise(const char *reference)
{
    if (reference == NULL || reference[0] == '\0')
        return NULL;
    const char *name = reference;
    static const char *const prefixes[] = {"docker.io/library/", "docker.io/", "library/"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
            name = name + strlen(prefixes[i]);
            break;
        }
    const char *colon = strrchr(name, ':');
    size_t length = colon ? (size_t)(colon - name) : strlen(name);
    if (colon != NULL && strcmp(colon + 1, "latest") != 0)
        return NULL; /* tags arrive with the image store issue */
    for (size_t start = 0; start <= length;) {
        const char *slash = memchr(name + start, '/', length - start);
        size_t end = slash ? (size_t)(slash - name) : length;
        if (!component_valid(name + start, end - start))
            return NULL;
        start = end + 1;
        if (slash == NULL)
            break;
    }
    return xstrndup(name, length);
}

/* Builds into a private temporary directory and renames it into place, so
 * concurrent first runs never see a half-built image. */
static int ensure_busybox(const char *images, const char *directory, husk_error_t *err)
{
    if (access(directory, F_OK) == 0)
        return 0;
    const char *busybox = getenv("HUSK_BUSYBOX") ? getenv("HUSK_BUSYBOX") : DEFAULT_BUSYBOX;
    if (access(busybox, X_OK) < 0)
        return husk_error_set(
            err, errno, "build the default busybox image: %s (install busybox-static)", busybox);
    cleanup_free char *temporary = xasprintf("%s/.busybox.%d", images, getpid());
    directory_remove_tree(temporary, NULL);
    if (image_busybox_build(busybox, temporary, err) < 0) {
        directory_remove_tree(temporary, NULL);
        return husk_error_wrap(err, "build the default busybox image");
    }
    if (rename(temporary, directory) < 0) {
        int saved = errno;
        directory_remove_tree(temporary, NULL);
        if (saved != EEXIST && saved != ENOTEMPTY)
            return husk_error_set(err, saved, "install the busybox image");
    }
    return 0;
}

static int load_config(const char *directory, json_t **config, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/config.json", directory);
    json_error_t parse_error;
    cleanup_json json_t *document = json_load_path(AT_FDCWD, path, &parse_error);
    if (document == NULL)
        return husk_error_set(err, 0, "image config %s: %s", path, parse_error.text);
    json_t *section = json_object_get(document, "config");
    *config = json_is_object(section) ? json_incref(section) : json_object();
    return 0;
}

/* The init layer, as docker has one: a lower layer above every image with
 * empty /etc/hostname, /etc/hosts and /etc/resolv.conf. husk bind-mounts
 * the container's own files on those paths; where an image lacks them, the
 * mount points would otherwise have to be created in the container's upper
 * layer, and creating them copies /etc up (0.5-6 ms per start here). It is
 * the same for every container, so it is made once, atomically. ".init"
 * can never be an image's name (a name cannot start with '.'). */
static int ensure_init_layer(const char *images, const char *directory, husk_error_t *err)
{
    if (access(directory, F_OK) == 0)
        return 0;
    cleanup_free char *temporary = xasprintf("%s/.init.%d", images, getpid());
    cleanup_free char *etc = xasprintf("%s/etc", temporary);
    directory_remove_tree(temporary, NULL);
    if (directory_create_parents(etc, 0755, err) < 0)
        return -1;
    static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        cleanup_free char *path = xasprintf("%s/%s", etc, files[i]);
        if (file_write_all(AT_FDCWD, path, "", 0, 0644, err) < 0 || chmod(path, 0644) < 0) {
            directory_remove_tree(temporary, NULL);
            return husk_error_wrap(err, "build the init layer");
        }
    }
    if (chmod(temporary, 0755) < 0 || chmod(etc, 0755) < 0 ||
        (rename(temporary, directory) < 0 && errno != EEXIST && errno != ENOTEMPTY)) {
        int saved = errno;
        directory_remove_tree(temporary, NULL);
        return husk_error_set(err, saved, "install the init layer");
    }
    directory_remove_tree(temporary, NULL); /* another husk installed it first */
    return 0;
}

int image_store_open(const char *data_root, const char *reference, struct image **out,
                     husk_error_t *err)
{
    cleanup_free char *name = image_reference_normalise(reference);
    if (name == NULL)
        return husk_error_set(err, 0, "invalid image reference \"%s\"", reference);
    cleanup_free char *images = xasprintf("%s/images", data_root);
    cleanup_free char *directory = xasprintf("%s/%s", images, name);
    if (strcmp(name, "busybox") == 0) {
        if (directory_create_parents(images, 0700, err) < 0 ||
            ensure_busybox(images, directory, err) < 0)
            return -1;
    } else if (access(directory, F_OK) < 0) {
        return husk_error_set(err, 0,
                              "image \"%s\" not found (pulling arrives later; local "
                              "images: busybox)",
                              reference);
    }
    cleanup_free char *init_layer = xasprintf("%s/.init", images);
    if (ensure_init_layer(images, init_layer, err) < 0)
        return -1;
    struct image *image = xcalloc(1, sizeof(*image));
    image->name = steal_pointer(&name);
    image->rootfs = xasprintf("%s/rootfs", directory);
    image->init_layer = steal_pointer(&init_layer);
    if (load_config(directory, &image->config, err) < 0) {
        image_free(image);
        return -1;
    }
    *out = image;
    return 0;
}

void image_free(struct image *image)
{
    if (image == NULL)
        return;
    free(image->name);
    free(image->rootfs);
    free(image->init_layer);
    json_decref(image->config);
    free(image);
}
