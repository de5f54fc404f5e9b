#include "copy_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"

#define CAPABILITY_XATTR "security.capability"

struct walk {
    const struct copy_walk_options *options;
    struct copy_sink *sink;
    json_t *inodes; /* "dev:ino" -> the first name, for hard links */
    husk_error_t *err;
};

static ssize_t read_fd(void *source, void *buffer, size_t size)
{
    ssize_t n;
    do
        n = read(*(int *)source, buffer, size);
    while (n < 0 && errno == EINTR);
    return n;
}

static bool is_entry(const char *name)
{
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int walk_entry(struct walk *w, int fd, const char *name, const struct stat *parent);

/* The directory's own entry comes first, then its children in name order
 * (the same tree always gives the same archive). */
static int walk_children(struct walk *w, int fd, const char *name, const struct stat *st)
{
    cleanup_close int directory = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0)
        return husk_error_set(w->err, errno, "open %s", name);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", directory);
    cleanup_strv char **names = directory_names(path, is_entry);
    for (char **child = names; *child != NULL; child++) {
        /* One name, relative to the directory's fd, not followed: nothing
         * the container does to the tree meanwhile can lead outside it. */
        cleanup_close int child_fd = openat(directory, *child, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (child_fd < 0 && errno == ENOENT)
            continue; /* gone since the listing */
        cleanup_free char *child_name = xasprintf("%s/%s", name, *child);
        if (child_fd < 0)
            return husk_error_set(w->err, errno, "open %s", child_name);
        if (walk_entry(w, child_fd, child_name, st) < 0)
            return -1;
    }
    return 0;
}

/* A second name of an inode already copied becomes a hard link to it. */
static bool as_hard_link(struct walk *w, const struct stat *st, const char *name,
                         struct copy_entry *e)
{
    if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
        return false;
    char key[64];
    snprintf(key, sizeof(key), "%lu:%lu", (unsigned long)st->st_dev, (unsigned long)st->st_ino);
    const char *first = json_string_value(json_object_get(w->inodes, key));
    if (first == NULL) {
        json_object_set_new(w->inodes, key, json_string(name));
        return false;
    }
    e->hard_link = first;
    return true;
}

static void fill_entry(struct walk *w, const struct stat *st, const char *name,
                       struct copy_entry *e)
{
    const struct copy_id_map *ids = w->options->ids;
    *e = (struct copy_entry){
        .name = name,
        .mode = st->st_mode,
        .uid = ids ? copy_id_to_container(ids, st->st_uid, false) : st->st_uid,
        .gid = ids ? copy_id_to_container(ids, st->st_gid, true) : st->st_gid,
        .mtime = st->st_mtim,
        .atime = st->st_atim,
        .rdev = st->st_rdev,
        .size = S_ISREG(st->st_mode) ? st->st_size : 0,
        .data_fd = -1,
    };
}

static int add_regular(struct walk *w, int fd, struct copy_entry *e)
{
    /* Reopened through the O_PATH fd, which pins the very inode that was
     * checked to be a regular file: no FIFO or device can take its place. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    cleanup_close int data = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (data < 0)
        return husk_error_set(w->err, errno, "open %s", e->name);
    char capability[256];
    ssize_t size = fgetxattr(data, CAPABILITY_XATTR, capability, sizeof(capability));
    if (size > 0) {
        e->capability = capability;
        e->capability_size = (size_t)size;
    }
    e->data_fd = data;
    e->read = read_fd;
    e->source = &e->data_fd;
    return w->sink->add(w->sink, e, w->err);
}

static int walk_entry(struct walk *w, int fd, const char *name, const struct stat *parent)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return husk_error_set(w->err, errno, "stat %s", name);
    /* A mount of the kernel's (a running container's /proc, /sys) is no
     * file the container holds: its directory is kept, empty. */
    bool kernel = w->options->skip_kernel_fs && (parent == NULL || parent->st_dev != st.st_dev) &&
                  copy_fd_on_kernel_fs(fd);
    if (S_ISSOCK(st.st_mode) || (kernel && !S_ISDIR(st.st_mode)))
        return 0;
    struct copy_entry e;
    fill_entry(w, &st, name, &e);
    if (as_hard_link(w, &st, name, &e))
        return w->sink->add(w->sink, &e, w->err);
    if (S_ISREG(st.st_mode))
        return add_regular(w, fd, &e);
    char target[PATH_MAX];
    if (S_ISLNK(st.st_mode)) {
        ssize_t length = readlinkat(fd, "", target, sizeof(target) - 1);
        if (length < 0)
            return husk_error_set(w->err, errno, "read the link %s", name);
        target[length] = '\0';
        e.link_target = target;
    }
    if (w->sink->add(w->sink, &e, w->err) < 0)
        return -1;
    return S_ISDIR(st.st_mode) && !kernel ? walk_children(w, fd, name, &st) : 0;
}

int copy_walk(int top_fd, const char *top_name, const struct copy_walk_options *options,
              struct copy_sink *sink, husk_error_t *err)
{
    struct walk w = {options, sink, json_object(), err};
    int rc = walk_entry(&w, top_fd, top_name, NULL);
    json_decref(w.inodes);
    return rc;
}
