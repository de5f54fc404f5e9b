#include "volume_copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../runtime/overlay.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"

/* Deeper than any image path PATH_MAX lets tar write. */
#define COPY_MAX_DEPTH 512

struct linked_file {
    dev_t device;
    ino_t inode;
    int directory_fd; /* where its first copy went (a dup) */
    char *name;
};

struct copy_state {
    const struct id_shift *shift;
    struct linked_file *links;
    size_t link_count;
};

static uid_t shifted_uid(const struct copy_state *s, uid_t uid)
{
    return s->shift->size && uid < s->shift->size ? uid + s->shift->uid_start : uid;
}

static gid_t shifted_gid(const struct copy_state *s, gid_t gid)
{
    return s->shift->size && gid < s->shift->size ? gid + s->shift->gid_start : gid;
}

static void copy_xattrs(int from, int to)
{
    char names[4096], value[4096];
    ssize_t length = flistxattr(from, names, sizeof(names));
    for (ssize_t at = 0; at < length; at += (ssize_t)strlen(names + at) + 1) {
        ssize_t size = fgetxattr(from, names + at, value, sizeof(value));
        if (size >= 0)
            fsetxattr(to, names + at, value, (size_t)size, 0);
    }
}

/* Owner, then mode (chown clears set-id bits), then times. */
static int copy_metadata(const struct copy_state *s, int fd, const struct stat *st)
{
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (fchown(fd, shifted_uid(s, st->st_uid), shifted_gid(s, st->st_gid)) < 0 ||
        fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, times) < 0)
        return -1;
    return 0;
}

/* Bytes AT..END of FROM to the same offsets of TO: copy_file_range where
 * the two file systems allow it (EXDEV across them on older kernels). */
static int copy_extent(int from, int to, off_t at, off_t end)
{
    while (at < end) {
        loff_t in = at, out = at;
        ssize_t n = copy_file_range(from, &in, to, &out, (size_t)(end - at), 0);
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP)) {
            char buffer[65536];
            size_t want = (size_t)(end - at) < sizeof(buffer) ? (size_t)(end - at) : sizeof(buffer);
            n = pread(from, buffer, want, at);
            if (n > 0 && pwrite(to, buffer, (size_t)n, at) != n)
                return -1;
        }
        if (n <= 0)
            return n == 0 ? 0 : -1;
        at += n;
    }
    return 0;
}

/* The data extents only: a hole stays a hole, so a sparse file of a few
 * KiB in the image cannot fill the disk here. */
static int copy_bytes(int from, int to, off_t size)
{
    off_t data = 0;
    while ((data = lseek(from, data, SEEK_DATA)) >= 0) {
        off_t hole = lseek(from, data, SEEK_HOLE);
        if (hole < 0 || copy_extent(from, to, data, hole) < 0)
            return -1;
        data = hole;
    }
    if (errno != ENXIO)
        return -1;
    return ftruncate(to, size);
}

/* A second name of a file already copied becomes a hard link to the copy. */
static bool link_known(struct copy_state *s, const struct stat *st, int to_dir, const char *name)
{
    for (size_t i = 0; i < s->link_count; i++)
        if (s->links[i].device == st->st_dev && s->links[i].inode == st->st_ino)
            return linkat(s->links[i].directory_fd, s->links[i].name, to_dir, name, 0) == 0;
    return false;
}

static void link_remember(struct copy_state *s, const struct stat *st, int to_dir, const char *name)
{
    s->links = xrealloc(s->links, (s->link_count + 1) * sizeof(*s->links));
    s->links[s->link_count++] = (struct linked_file){
        st->st_dev, st->st_ino, fcntl(to_dir, F_DUPFD_CLOEXEC, 0), xstrdup(name)};
}

static int copy_file(struct copy_state *s, int from_dir, int to_dir, const char *name,
                     const struct stat *st)
{
    if (st->st_nlink > 1 && link_known(s, st, to_dir, name))
        return 0;
    cleanup_close int from = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int to =
        from < 0 ? -1
                 : openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (to < 0 || copy_bytes(from, to, st->st_size) < 0)
        return -1;
    copy_xattrs(from, to);
    if (copy_metadata(s, to, st) < 0)
        return -1;
    if (st->st_nlink > 1)
        link_remember(s, st, to_dir, name);
    return 0;
}

static int copy_special(const struct copy_state *s, int from_dir, int to_dir, const char *name,
                        const struct stat *st)
{
    if (S_ISLNK(st->st_mode)) {
        char target[4097];
        ssize_t n = readlinkat(from_dir, name, target, sizeof(target) - 1);
        if (n < 0)
            return -1;
        target[n] = '\0';
        if (symlinkat(target, to_dir, name) < 0)
            return -1;
    } else if (mknodat(to_dir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
        return -1;
    }
    cleanup_close int made = node_open_made(to_dir, name, st->st_mode & S_IFMT);
    if (made < 0)
        return -1;
    /* Through /proc/self/fd: chmod and utimensat of an O_PATH fd. */
    char path[32];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", made);
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (fchownat(made, "", shifted_uid(s, st->st_uid), shifted_gid(s, st->st_gid), AT_EMPTY_PATH) <
        0)
        return -1;
    if (S_ISLNK(st->st_mode))
        return utimensat(to_dir, name, times, AT_SYMLINK_NOFOLLOW) == 0 || errno == ENOENT ? 0 : -1;
    if (chmod(path, st->st_mode & 07777) < 0 || utimensat(AT_FDCWD, path, times, 0) < 0)
        return -1;
    return 0;
}

static int copy_tree(struct copy_state *s, int from, int to, int depth);

static int copy_directory(struct copy_state *s, int from_dir, int to_dir, const char *name,
                          const struct stat *st, int depth)
{
    if (mkdirat(to_dir, name, 0700) < 0)
        return -1;
    cleanup_close int from =
        openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int to =
        from < 0 ? -1 : openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (to < 0 || copy_tree(s, from, to, depth + 1) < 0)
        return -1;
    copy_xattrs(from, to);
    return copy_metadata(s, to, st);
}

static int copy_entry(struct copy_state *s, int from, int to, const char *name, int depth)
{
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        return copy_directory(s, from, to, name, &st, depth);
    if (S_ISREG(st.st_mode))
        return copy_file(s, from, to, name, &st);
    return copy_special(s, from, to, name, &st);
}

static int copy_tree(struct copy_state *s, int from, int to, int depth)
{
    if (depth > COPY_MAX_DEPTH) {
        errno = ELOOP;
        return -1;
    }
    int listing = fcntl(from, F_DUPFD_CLOEXEC, 0);
    DIR *dir = listing < 0 ? NULL : fdopendir(listing);
    if (dir == NULL) {
        if (listing >= 0)
            close(listing);
        return -1;
    }
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(dir)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            rc = copy_entry(s, from, to, entry->d_name, depth);
    int saved = errno;
    closedir(dir);
    errno = saved;
    return rc;
}

static bool directory_empty(int fd)
{
    int listing = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *dir = listing < 0 ? NULL : fdopendir(listing);
    if (dir == NULL)
        return false;
    struct dirent *entry;
    bool empty = true;
    while (empty && (entry = readdir(dir)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(dir);
    return empty;
}

/* The image as the container will first see it: its layers alone, read
 * only, in a mount no path names. */
static int image_view(const struct image *image, husk_error_t *err)
{
    size_t length = strlen("lowerdir=") + strlen(image->init_layer) + 1;
    for (size_t i = 0; i < image->layer_count; i++)
        length += strlen(image->layers[i]) + 1;
    cleanup_free char *data = xmalloc(length);
    strcpy(data, "lowerdir=");
    strcat(data, image->init_layer);
    for (size_t i = 0; i < image->layer_count; i++) {
        strcat(data, ":");
        strcat(data, image->layers[i]);
    }
    return overlay_mount_fd(data, err);
}

static void copy_state_free(struct copy_state *s)
{
    for (size_t i = 0; i < s->link_count; i++) {
        close(s->links[i].directory_fd);
        free(s->links[i].name);
    }
    free(s->links);
}

int volume_copy_up(const struct image *image, const char *path, const char *volume_data,
                   const struct id_shift *shift, husk_error_t *err)
{
    cleanup_close int to = open(volume_data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (to < 0)
        return husk_error_set(err, errno, "open %s", volume_data);
    if (!directory_empty(to))
        return 0;
    cleanup_close int view = image_view(image, err);
    if (view < 0)
        return husk_error_wrap(err, "copy %s into its volume", path);
    cleanup_close int from = root_open(view, path, O_RDONLY | O_DIRECTORY, 0);
    if (from < 0)
        return errno == ENOENT || errno == ENOTDIR
                   ? 0
                   : husk_error_set(err, errno, "copy %s into its volume", path);
    struct copy_state state = {.shift = shift};
    struct stat st;
    int rc =
        fstat(from, &st) < 0 || copy_tree(&state, from, to, 0) < 0 ||
                copy_metadata(&state, to, &st) < 0
            ? husk_error_set(err, errno, "copy %s of image %s into its volume", path, image->name)
            : 0;
    copy_state_free(&state);
    return rc;
}
