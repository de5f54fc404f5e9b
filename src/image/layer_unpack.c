#include "layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
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
#include "tar_reader.h"

#define WHITEOUT_PREFIX      ".wh."
#define OPAQUE_MARKER        ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

/* A directory's times are set once its last entry is written (each new
 * entry changes them). */
struct deferred_times {
    char **paths;
    struct timespec (*times)[2];
    size_t count;
};

struct unpack {
    struct archive *archive;
    int root_fd;
    struct deferred_times directories;
    husk_error_t *err;
};

/* "./a//b/" -> "a/b"; "." and "./" -> "". NULL for an absolute name or one
 * with a ".." component: refused, not cleaned into something else. */
static char *clean_name(const char *raw)
{
    if (raw == NULL || raw[0] == '/')
        return NULL;
    char *copy = xstrdup(raw);
    char *out = xcalloc(1, strlen(raw) + 1);
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            free(copy);
            free(out);
            return NULL;
        }
        if (out[0] != '\0')
            strcat(out, "/");
        strcat(out, part);
    }
    free(copy);
    return out;
}

/* Opens directory PATH as if the root were "/", creating what is missing,
 * the way docker's unpacking does it chrooted into the layer: a symlink met
 * on the way is followed inside the root, and a directory it names that
 * does not exist yet is made there. */
static int open_directory_in_root(struct unpack *u, const char *path)
{
    return root_open_directory_create(u->root_fd, path, 0755, u->err);
}

/* Splits NAME into its parent (opened, created if missing, inside the
 * root) and its last component. */
static int open_parent(struct unpack *u, const char *name, const char **base)
{
    const char *slash = strrchr(name, '/');
    *base = slash ? slash + 1 : name;
    cleanup_free char *parent = slash ? xstrndup(name, (size_t)(slash - name)) : xstrdup("");
    return open_directory_in_root(u, parent);
}

/* Makes room for a new entry: a directory stays for a directory; anything
 * else in the way goes (an empty directory too). */
static int clear_place(struct unpack *u, int parent, const char *base, bool keep_directory,
                       const char *name)
{
    struct stat st;
    if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : husk_error_set(u->err, errno, "layer entry %s", name);
    if (S_ISDIR(st.st_mode)) {
        if (keep_directory)
            return 1;
        if (unlinkat(parent, base, AT_REMOVEDIR) < 0)
            return husk_error_set(u->err, errno, "layer entry %s replaces a directory", name);
        return 0;
    }
    if (unlinkat(parent, base, 0) < 0)
        return husk_error_set(u->err, errno, "layer entry %s", name);
    return 0;
}

static int copy_data(struct unpack *u, int fd, const char *name, int64_t size)
{
    const void *block;
    size_t length;
    la_int64_t offset;
    int rc;
    while ((rc = archive_read_data_block(u->archive, &block, &length, &offset)) == ARCHIVE_OK) {
        for (size_t done = 0; done < length;) {
            ssize_t n = pwrite(fd, (const char *)block + done, length - done, offset + (off_t)done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return husk_error_set(u->err, errno, "write %s", name);
            done += (size_t)n;
        }
    }
    if (rc != ARCHIVE_EOF)
        return husk_error_set(u->err, archive_errno(u->archive), "layer entry %s: %s", name,
                              archive_error_string(u->archive));
    /* A sparse file's trailing hole. */
    if (ftruncate(fd, size) < 0)
        return husk_error_set(u->err, errno, "size %s", name);
    return 0;
}

/* xattrs that steer overlayfs (redirects, metacopy, opacity) would let a
 * layer change how the stack above it is read: refused. */
static int set_xattrs(struct unpack *u, struct archive_entry *entry, int fd, const char *path,
                      const char *name)
{
    const char *key;
    const void *value;
    size_t size;
    archive_entry_xattr_reset(entry);
    while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK) {
        if (strncmp(key, "trusted.overlay.", 16) == 0)
            return husk_error_set(u->err, 0, "layer entry %s sets %s, which steers overlayfs", name,
                                  key);
        int rc =
            fd >= 0 ? fsetxattr(fd, key, value, size, 0) : lsetxattr(path, key, value, size, 0);
        if (rc < 0)
            return husk_error_set(u->err, errno, "set %s on %s", key, name);
    }
    return 0;
}

static void entry_times(struct archive_entry *entry, struct timespec times[2])
{
    times[0] = (struct timespec){archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
    if (!archive_entry_atime_is_set(entry))
        times[0] = (struct timespec){archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    times[1] = (struct timespec){archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
}

/* Owner before mode: chown clears setuid and setgid. */
static int set_owner_mode(struct unpack *u, struct archive_entry *entry, int parent,
                          const char *base, const char *name, bool symlink)
{
    if (fchownat(parent, base, (uid_t)archive_entry_uid(entry), (gid_t)archive_entry_gid(entry),
                 AT_SYMLINK_NOFOLLOW) < 0)
        return husk_error_set(u->err, errno, "chown %s", name);
    if (!symlink && fchmodat(parent, base, archive_entry_perm(entry) & 07777, 0) < 0)
        return husk_error_set(u->err, errno, "chmod %s", name);
    return 0;
}

static int write_regular(struct unpack *u, struct archive_entry *entry, int parent,
                         const char *base, const char *name)
{
    cleanup_close int fd =
        openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return husk_error_set(u->err, errno, "create %s", name);
    if (copy_data(u, fd, name, archive_entry_size(entry)) < 0)
        return -1;
    if (fchown(fd, (uid_t)archive_entry_uid(entry), (gid_t)archive_entry_gid(entry)) < 0 ||
        fchmod(fd, archive_entry_perm(entry) & 07777) < 0)
        return husk_error_set(u->err, errno, "owner and mode of %s", name);
    if (set_xattrs(u, entry, fd, NULL, name) < 0)
        return -1;
    struct timespec times[2];
    entry_times(entry, times);
    if (futimens(fd, times) < 0)
        return husk_error_set(u->err, errno, "times of %s", name);
    return 0;
}

static int write_hardlink(struct unpack *u, struct archive_entry *entry, int parent,
                          const char *base, const char *name)
{
    cleanup_free char *target = clean_name(archive_entry_hardlink(entry));
    if (target == NULL || target[0] == '\0')
        return husk_error_set(u->err, 0, "layer entry %s: hard link to %s leaves the layer", name,
                              archive_entry_hardlink(entry));
    const char *target_base;
    cleanup_close int target_parent = open_parent(u, target, &target_base);
    if (target_parent < 0)
        return -1;
    /* No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink. */
    if (linkat(target_parent, target_base, parent, base, 0) < 0)
        return husk_error_set(u->err, errno, "hard link %s to %s", name, target);
    return 0;
}

static int defer_directory_times(struct unpack *u, struct archive_entry *entry, const char *name)
{
    struct deferred_times *d = &u->directories;
    d->paths = xrealloc(d->paths, (d->count + 1) * sizeof(*d->paths));
    d->times = xrealloc(d->times, (d->count + 1) * sizeof(*d->times));
    d->paths[d->count] = xstrdup(name);
    entry_times(entry, d->times[d->count]);
    d->count++;
    return 0;
}

static int write_directory(struct unpack *u, struct archive_entry *entry, int parent,
                           const char *base, const char *name)
{
    int kept = clear_place(u, parent, base, true, name);
    if (kept < 0)
        return -1;
    if (!kept && mkdirat(parent, base, 0700) < 0)
        return husk_error_set(u->err, errno, "mkdir %s", name);
    if (set_owner_mode(u, entry, parent, base, name, false) < 0)
        return -1;
    cleanup_close int fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || set_xattrs(u, entry, fd, NULL, name) < 0)
        return fd < 0 ? husk_error_set(u->err, errno, "open %s", name) : -1;
    return defer_directory_times(u, entry, name);
}

/* Symlinks, devices and FIFOs: made by name, finished through the parent. */
static int write_node(struct unpack *u, struct archive_entry *entry, int parent, const char *base,
                      const char *name)
{
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(entry);
        if (target == NULL || symlinkat(target, parent, base) < 0)
            return husk_error_set(u->err, target ? errno : EINVAL, "symlink %s", name);
    } else if (mknodat(parent, base, type | (archive_entry_perm(entry) & 07777),
                       archive_entry_rdev(entry)) < 0) {
        return husk_error_set(u->err, errno, "mknod %s", name);
    }
    bool symlink = type == AE_IFLNK;
    if (set_owner_mode(u, entry, parent, base, name, symlink) < 0)
        return -1;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", parent, base);
    if (!symlink && set_xattrs(u, entry, -1, path, name) < 0)
        return -1;
    struct timespec times[2];
    entry_times(entry, times);
    if (utimensat(parent, base, times, AT_SYMLINK_NOFOLLOW) < 0)
        return husk_error_set(u->err, errno, "times of %s", name);
    return 0;
}

/* ".wh..wh..opq": the directory hides everything below it. ".wh.NAME":
 * NAME is deleted, for overlayfs a 0/0 character device. Other ".wh..wh."
 * names are aufs bookkeeping, ignored as docker does. */
static int write_whiteout(struct unpack *u, int parent, const char *base, const char *name)
{
    if (strcmp(base, OPAQUE_MARKER) == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", parent);
        cleanup_close int directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (directory < 0 || fsetxattr(directory, OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
            return husk_error_set(u->err, errno, "mark %s opaque", name);
        return 0;
    }
    if (strncmp(base, WHITEOUT_PREFIX WHITEOUT_PREFIX, 8) == 0)
        return 0;
    const char *hidden = base + strlen(WHITEOUT_PREFIX);
    if (hidden[0] == '\0' || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
        return husk_error_set(u->err, 0, "layer entry %s is a whiteout of nothing", name);
    if (clear_place(u, parent, hidden, false, name) < 0)
        return -1;
    if (mknodat(parent, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
        return husk_error_set(u->err, errno, "whiteout %s", name);
    return 0;
}

static int write_entry(struct unpack *u, struct archive_entry *entry)
{
    const char *raw = archive_entry_pathname(entry);
    cleanup_free char *name = clean_name(raw);
    if (name == NULL)
        return husk_error_set(u->err, 0, "layer entry \"%s\" is outside the layer (absolute or ..)",
                              raw ? raw : "");
    mode_t type = archive_entry_filetype(entry);
    if (name[0] == '\0') {
        /* The layer's root itself: its owner, mode and times. */
        if (type != AE_IFDIR)
            return husk_error_set(u->err, 0, "layer entry \"%s\" is not a directory", raw);
        if (fchown(u->root_fd, (uid_t)archive_entry_uid(entry), (gid_t)archive_entry_gid(entry)) <
                0 ||
            fchmod(u->root_fd, archive_entry_perm(entry) & 07777) < 0)
            return husk_error_set(u->err, errno, "owner and mode of the layer's root");
        return defer_directory_times(u, entry, ".");
    }
    const char *base;
    cleanup_close int parent = open_parent(u, name, &base);
    if (parent < 0)
        return husk_error_wrap(u->err, "layer entry %s", name);
    if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
        return write_whiteout(u, parent, base, name);
    if (type == AE_IFDIR)
        return write_directory(u, entry, parent, base, name);
    if (clear_place(u, parent, base, false, name) < 0)
        return -1;
    if (archive_entry_hardlink(entry) != NULL)
        return write_hardlink(u, entry, parent, base, name);
    switch (type) {
    case AE_IFREG:
        return write_regular(u, entry, parent, base, name);
    case AE_IFLNK:
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
        return write_node(u, entry, parent, base, name);
    default:
        return 0; /* sockets: nothing a layer can carry */
    }
}

static int apply_directory_times(struct unpack *u)
{
    struct deferred_times *d = &u->directories;
    /* Deepest first is not needed: setting a directory's times touches
     * nothing of its parent. */
    for (size_t i = 0; i < d->count; i++) {
        cleanup_close int fd = root_open(u->root_fd, d->paths[i], O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0 || futimens(fd, d->times[i]) < 0)
            return husk_error_set(u->err, errno, "times of %s", d->paths[i]);
    }
    return 0;
}

static void unpack_free(struct unpack *u)
{
    for (size_t i = 0; i < u->directories.count; i++)
        free(u->directories.paths[i]);
    free(u->directories.paths);
    free(u->directories.times);
    archive_read_free(u->archive);
}

int layer_unpack(struct byte_stream *tar, int root_fd, husk_error_t *err)
{
    struct unpack u = {
        .archive = tar_reader_open(tar, "the layer", err), .root_fd = root_fd, .err = err};
    if (u.archive == NULL)
        return -1;
    int rc = -1;
    struct archive_entry *entry;
    int status;
    while ((status = archive_read_next_header(u.archive, &entry)) == ARCHIVE_OK ||
           status == ARCHIVE_WARN)
        if (write_entry(&u, entry) < 0)
            goto out;
    if (status != ARCHIVE_EOF) {
        husk_error_set(err, archive_errno(u.archive), "read the layer: %s",
                       archive_error_string(u.archive));
        goto out;
    }
    rc = apply_directory_times(&u);
out:
    unpack_free(&u);
    return rc;
}
