#include "tar_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"

/* A file's extended attributes, for its tar entry; overlayfs's own
 * (trusted.overlay.*) stay behind: an image layer may not carry them. */
struct xattrs {
    char names[4096];
    const char *name[32], *value[32];
    size_t size[32], count;
    char values[32][4096];
};

struct walk {
    struct tar_writer *tar;
    enum tar_tree_mode mode;
    dev_t device;   /* the tree's file system: mounts below are not entered */
    json_t *inodes; /* "dev:ino" -> first name, for hard links */
    husk_error_t *err;
    struct xattrs *xattrs; /* one entry's at a time, reused */
};

static bool is_entry(const char *name)
{
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int add(struct walk *w, struct tar_member *m)
{
    return tar_writer_add(w->tar, m, w->err);
}

static bool opaque(int parent, const char *name)
{
    char path[PATH_MAX], value[2];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", parent, name);
    return lgetxattr(path, "trusted.overlay.opaque", value, sizeof(value)) == 1 && value[0] == 'y';
}

static int walk_directory(struct walk *w, int directory, const char *prefix);

static void read_xattrs(int parent, const char *base, struct xattrs *x)
{
    x->count = 0;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", parent, base);
    ssize_t length = llistxattr(path, x->names, sizeof(x->names));
    for (ssize_t at = 0; length > 0 && at < length && x->count < 32;) {
        const char *name = x->names + at;
        at += (ssize_t)strlen(name) + 1;
        if (strncmp(name, "trusted.overlay.", 16) == 0)
            continue;
        ssize_t size = lgetxattr(path, name, x->values[x->count], sizeof(x->values[0]));
        if (size < 0)
            continue;
        x->name[x->count] = name;
        x->value[x->count] = x->values[x->count];
        x->size[x->count] = (size_t)size;
        x->count++;
    }
}

static int add_entry_as(struct walk *w, int parent, const char *name, const char *path,
                        const struct stat *stp, struct tar_member *mp);

static int add_entry(struct walk *w, int parent, const char *name, const char *path)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : husk_error_set(w->err, errno, "read %s", path);
    struct tar_member m = {.name = path,
                           .mode = st.st_mode,
                           .uid = st.st_uid,
                           .gid = st.st_gid,
                           .mtime = st.st_mtime,
                           .data_fd = -1};
    struct xattrs *x = w->xattrs;
    if (!S_ISLNK(st.st_mode)) {
        read_xattrs(parent, name, x);
        m.xattr_names = x->name;
        m.xattr_values = x->value;
        m.xattr_sizes = x->size;
        m.xattr_count = x->count;
    }
    /* The entry is written before any child is read: the buffer is free
     * again when the walk goes down. */
    return add_entry_as(w, parent, name, path, &st, &m);
}

static int add_entry_as(struct walk *w, int parent, const char *name, const char *path,
                        const struct stat *stp, struct tar_member *mp)
{
    struct stat st = *stp;
    struct tar_member m = *mp;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) && w->mode == TAR_TREE_OVERLAY_UPPER) {
        /* overlayfs's whiteout becomes the image format's. */
        const char *slash = strrchr(path, '/');
        cleanup_free char *whiteout =
            slash ? xasprintf("%.*s/.wh.%s", (int)(slash - path), path, slash + 1)
                  : xasprintf(".wh.%s", path);
        struct tar_member marker = {.name = whiteout, .mode = S_IFREG | 0644, .data_fd = -1};
        return add(w, &marker);
    }
    if (S_ISSOCK(st.st_mode))
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (add(w, &m) < 0)
            return -1;
        if (w->mode == TAR_TREE_OVERLAY_UPPER && opaque(parent, name)) {
            cleanup_free char *marker_name = xasprintf("%s/.wh..wh..opq", path);
            struct tar_member marker = {.name = marker_name, .mode = S_IFREG | 0644, .data_fd = -1};
            if (add(w, &marker) < 0)
                return -1;
        }
        /* A mount inside (a running container's /proc) is not the container's. */
        if (st.st_dev != w->device)
            return 0;
        cleanup_close int fd =
            openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat opened;
        if (fd < 0 || fstat(fd, &opened) < 0)
            return husk_error_set(w->err, errno, "open %s", path);
        if (opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
            return husk_error_set(w->err, 0, "%s changed while it was archived", path);
        return walk_directory(w, fd, path);
    }
    char key[64];
    snprintf(key, sizeof(key), "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
    const char *first = json_string_value(json_object_get(w->inodes, key));
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && first != NULL) {
        m.hardlink_name = first;
        return add(w, &m);
    }
    if (st.st_nlink > 1)
        json_object_set_new(w->inodes, key, json_string(path));
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t length = readlinkat(parent, name, target, sizeof(target) - 1);
        if (length < 0)
            return husk_error_set(w->err, errno, "read link %s", path);
        target[length] = '\0';
        m.link_target = target;
        return add(w, &m);
    }
    if (S_ISREG(st.st_mode)) {
        /* A running container may swap the file for a device or a FIFO
         * between the stat and the open: only the same regular file is read
         * (O_NONBLOCK: a FIFO cannot hang husk meanwhile). */
        cleanup_close int fd =
            openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat opened;
        if (fd < 0 || fstat(fd, &opened) < 0)
            return husk_error_set(w->err, errno, "open %s", path);
        if (!S_ISREG(opened.st_mode) || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
            return husk_error_set(w->err, 0, "%s changed while it was archived", path);
        m.data_fd = fd;
        m.size = (size_t)st.st_size;
        return add(w, &m);
    }
    m.rdev = st.st_rdev;
    return add(w, &m);
}

/* Entries sorted by name: the same tree always gives the same tar. */
static int walk_directory(struct walk *w, int directory, const char *prefix)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", directory);
    char **names = directory_names(path, is_entry);
    int rc = 0;
    for (char **name = names; rc == 0 && name && *name; name++) {
        cleanup_free char *entry = prefix[0] ? xasprintf("%s/%s", prefix, *name) : xstrdup(*name);
        rc = add_entry(w, directory, *name, entry);
    }
    cleanup_strvp(&names);
    return rc;
}

int tar_tree_add(struct tar_writer *tar, int root_fd, enum tar_tree_mode mode, husk_error_t *err)
{
    struct stat st;
    if (fstat(root_fd, &st) < 0)
        return husk_error_set(err, errno, "read the tree to archive");
    struct walk w = {tar, mode, st.st_dev, json_object(), err, xmalloc(sizeof(struct xattrs))};
    int rc = walk_directory(&w, root_fd, "");
    json_decref(w.inodes);
    free(w.xattrs);
    return rc;
}
