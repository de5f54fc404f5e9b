#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "overlay.h"

static int write_map(pid_t pid, const char *file, const struct runtime_id_mapping *mappings,
                     size_t count, husk_error_t *err)
{
    char path[64], text[1024];
    size_t used = 0;
    for (size_t i = 0; i < count && used < sizeof(text); i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%u %u %u\n",
                                 mappings[i].container_id, mappings[i].host_id, mappings[i].size);
    if (used >= sizeof(text))
        return husk_error_set(err, E2BIG, "too many id mappings for %s", file);
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    /* The kernel takes the whole map in one write, or nothing. */
    if (fd < 0 || write(fd, text, used) != (ssize_t)used)
        return husk_error_set(err, errno, "write %s of the container's user namespace", file);
    return 0;
}

int idmap_write_mappings(pid_t pid, const struct runtime_spec *spec, husk_error_t *err)
{
    if (write_map(pid, "uid_map", spec->uid_mappings, spec->uid_mapping_count, err) < 0 ||
        write_map(pid, "gid_map", spec->gid_mappings, spec->gid_mapping_count, err) < 0)
        return -1;
    return 0;
}

/* Lower layers, each cloned and idmapped; their fds stay open until the
 * overlay holds them. */
struct idmapped_layers {
    int *fds;
    size_t count;
    int userns_fd;
};

static void idmapped_layers_close(struct idmapped_layers *layers)
{
    for (size_t i = 0; i < layers->count; i++)
        close(layers->fds[i]);
    free(layers->fds);
    layers->fds = NULL;
    layers->count = 0;
}

static char *idmap_layer(void *data, const char *directory, husk_error_t *err)
{
    struct idmapped_layers *layers = data;
    int tree =
        (int)open_tree(AT_FDCWD, directory, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) {
        husk_error_set(err, errno, "clone the mount of layer %s", directory);
        return NULL;
    }
    layers->fds = xrealloc(layers->fds, (layers->count + 1) * sizeof(*layers->fds));
    layers->fds[layers->count++] = tree;
    struct mount_attr attributes = {.attr_set = MOUNT_ATTR_IDMAP,
                                    .userns_fd = (__u64)layers->userns_fd};
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attributes, sizeof(attributes)) < 0) {
        husk_error_set(err, errno,
                       "idmap layer %s (its file system or this kernel has no idmapped "
                       "mounts, which --userns private needs)",
                       directory);
        return NULL;
    }
    return xasprintf("/proc/self/fd/%d", tree);
}

int idmap_root_overlay(const struct runtime_spec *spec, pid_t pid, husk_error_t *err)
{
    const struct runtime_mount *root = runtime_spec_root_mount(spec);
    if (root == NULL || !root->idmap)
        return -2;
    if (root->type == NULL || strcmp(root->type, "overlay") != 0)
        return husk_error_set(err, 0, "config.json: idmap is supported on an overlay root only");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
    cleanup_close int userns_fd = open(path, O_RDONLY | O_CLOEXEC);
    cleanup_close int context = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (userns_fd < 0 || context < 0)
        return husk_error_set(err, errno, "prepare the idmapped root");
    struct idmapped_layers layers = {.count = 0, .userns_fd = userns_fd};
    int mount_fd = -1;
    if (overlay_configure(context, root->data, idmap_layer, &layers, err) == 0) {
        if (syscall(SYS_fsconfig, context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
            husk_error_set(err, errno, "create the overlay root");
        else if ((mount_fd = (int)syscall(SYS_fsmount, context, FSMOUNT_CLOEXEC, 0)) < 0)
            husk_error_set(err, errno, "mount the overlay root");
    }
    idmapped_layers_close(&layers);
    return mount_fd;
}

int idmap_bind_mounts(const struct runtime_spec *spec, pid_t pid, int *fds, husk_error_t *err)
{
    int made = 0;
    cleanup_close int userns_fd = -1;
    for (size_t i = 0; i < spec->mount_count; i++) {
        const struct runtime_mount *m = &spec->mounts[i];
        fds[i] = -1;
        if (!m->idmap || !m->bind)
            continue;
        if (userns_fd < 0) {
            char path[64];
            snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
            if ((userns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                return husk_error_set(err, errno, "idmap %s", m->destination);
        }
        unsigned int recursive = m->recursive ? AT_RECURSIVE : 0;
        fds[i] =
            (int)open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursive);
        if (fds[i] < 0)
            return husk_error_set(err, errno, "clone %s for the idmapped mount %s", m->source,
                                  m->destination);
        made++;
        struct mount_attr attributes = {.attr_set = MOUNT_ATTR_IDMAP,
                                        .userns_fd = (__u64)userns_fd};
        unsigned int below = m->idmap_recursive ? AT_RECURSIVE : 0;
        if (syscall(SYS_mount_setattr, fds[i], "", AT_EMPTY_PATH | below, &attributes,
                    sizeof(attributes)) < 0)
            return husk_error_set(err, errno,
                                  "idmap the mount of %s on %s (its file system or this kernel "
                                  "has no idmapped mounts?)",
                                  m->source, m->destination);
    }
    return made;
}
