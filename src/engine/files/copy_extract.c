#include "copy_extract.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "copy_path.h"

#define CAPABILITY_XATTR "security.capability"
#define IMPLIED_MODE     0755

/* Who an entry ends up owned by, and which privileges survive that. */
struct owner {
    bool change; /* chown to UID:GID (host ids), or leave the caller's */
    uid_t uid;
    gid_t gid;
    bool same_user;  /* the new owner is the entry's: setuid, capabilities kept */
    bool same_group; /* setgid kept */
};

static int add_entry(struct copy_sink *sink, const struct copy_entry *e, husk_error_t *err);

void copy_extract_init(struct copy_extract *x, const struct copy_extract_options *options)
{
    memset(x, 0, sizeof(*x));
    x->sink.add = add_entry;
    x->options = *options;
    x->parent_fd = -1;
}

void copy_extract_free(struct copy_extract *x)
{
    if (x->parent_fd >= 0)
        close(x->parent_fd);
    free(x->parent_name);
    for (size_t i = 0; i < x->directory_count; i++)
        free(x->directories[i]);
    free(x->directories);
    free(x->times);
    x->parent_fd = -1;
    x->parent_name = NULL;
    x->directories = NULL;
    x->times = NULL;
    x->directory_count = 0;
}

/* Below the destination only: RESOLVE_BENEATH refuses "..", absolute
 * symlinks and magic links instead of following them out. */
static int open_below(struct copy_extract *x, const char *path, int flags)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
                   (x->options.follow_symlinks_below ? 0 : RESOLVE_NO_SYMLINKS),
    };
    if (path[0] == '\0')
        path = ".";
    for (;;) {
        long fd = syscall(SYS_openat2, x->options.directory_fd, path, &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN)
            return (int)fd;
    }
}

/* The entry's name as it lands below the destination: the top renamed,
 * cleaned, "" for the top of a "DIR/." copy (the destination itself, left
 * as it is). NULL for a name that would climb out. */
static char *destination_name(const struct copy_extract *x, const char *raw, husk_error_t *err)
{
    const char *from = x->options.rename_from, *to = x->options.rename_to;
    cleanup_free char *renamed = NULL;
    size_t length = from ? strlen(from) : 0;
    if (to != NULL && strncmp(raw, from, length) == 0 &&
        (raw[length] == '\0' || raw[length] == '/'))
        renamed = xasprintf("%s%s", to, raw + length);
    else
        renamed = xstrdup(raw);
    const char *relative = renamed;
    while (*relative == '/')
        relative++;
    char *name = copy_path_clean(relative);
    if (strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0) {
        free(name);
        husk_error_set(err, 0, "invalid entry name \"%s\"", raw);
        return NULL;
    }
    if (strcmp(name, ".") == 0)
        name[0] = '\0';
    return name;
}

static int entry_owner(const struct copy_extract *x, const struct copy_entry *e, struct owner *o,
                       husk_error_t *err)
{
    const struct copy_id_map identity = {.active = false};
    const struct copy_id_map *ids = x->options.ids ? x->options.ids : &identity;
    uint32_t uid = e->uid, gid = e->gid;
    switch (x->options.owner) {
    case COPY_OWNER_CALLER:
        *o = (struct owner){false, geteuid(), getegid(), e->uid == geteuid(), e->gid == getegid()};
        return 0;
    case COPY_OWNER_ROOT:
        uid = gid = 0;
        break;
    case COPY_OWNER_ENTRY:
        break;
    }
    *o = (struct owner){.change = true, .same_user = uid == e->uid, .same_group = gid == e->gid};
    uint32_t host_uid, host_gid;
    if (copy_id_to_host(ids, uid, false, &host_uid) < 0 ||
        copy_id_to_host(ids, gid, true, &host_gid) < 0)
        return husk_error_set(err, 0, "%s: owner %u:%u cannot be mapped into the container",
                              e->name, uid, gid);
    o->uid = host_uid;
    o->gid = host_gid;
    return 0;
}

/* setuid and setgid go with an owner change, as GNU cp and the kernel's
 * chown drop them: a file of the container's uid 1000 must not become a
 * setuid binary of the host's root. */
static mode_t permissions(const struct copy_entry *e, const struct owner *o)
{
    mode_t mode = e->mode & 07777;
    if (!o->same_user)
        mode &= ~(mode_t)S_ISUID;
    if (!o->same_group && !S_ISDIR(e->mode))
        mode &= ~(mode_t)S_ISGID;
    return mode;
}

static int set_owner_mode(int fd, const struct copy_entry *e, const struct owner *o,
                          const char *name, husk_error_t *err)
{
    /* Owner first: chown clears setuid, the mode puts back what is kept. */
    if (o->change && fchown(fd, o->uid, o->gid) < 0)
        return husk_error_set(err, errno, "chown %s", name);
    if (fchmod(fd, permissions(e, o)) < 0)
        return husk_error_set(err, errno, "chmod %s", name);
    return 0;
}

static void entry_times(const struct copy_entry *e, struct timespec times[2])
{
    times[0] = e->atime.tv_sec || e->atime.tv_nsec ? e->atime : e->mtime;
    times[1] = e->mtime;
}

static void defer_times(struct copy_extract *x, const struct copy_entry *e, const char *name)
{
    x->directories = xreallocarray(x->directories, x->directory_count + 1, sizeof(char *));
    x->times = xreallocarray(x->times, x->directory_count + 1, sizeof(*x->times));
    x->directories[x->directory_count] = xstrdup(name);
    entry_times(e, x->times[x->directory_count]);
    x->directory_count++;
}

static int refuse_kernel_fs(const struct copy_extract *x, int fd, const char *name,
                            husk_error_t *err)
{
    /* A running container's /proc and /sys are the kernel's, not files:
     * writing there as the host's root could change the host. */
    if (x->options.container && copy_fd_on_kernel_fs(fd))
        return husk_error_set(err, 0, "cannot copy to %s: a kernel file system (proc, sysfs, ...)",
                              name);
    return 0;
}

/* Missing parents of a tar's entries, made as docker makes them: 0755,
 * owned by the destination's root. */
static int make_implied(struct copy_extract *x, const char *path, husk_error_t *err)
{
    cleanup_free char *prefix = xstrdup(path);
    for (char *slash = prefix;; slash++) {
        bool end = *slash == '\0';
        if (*slash != '/' && !end)
            continue;
        *slash = '\0';
        const char *name = strrchr(prefix, '/') ? strrchr(prefix, '/') + 1 : prefix;
        cleanup_free char *above = xstrndup(prefix, (size_t)(name - prefix));
        cleanup_close int parent = open_below(x, above, O_PATH | O_DIRECTORY);
        if (parent < 0)
            return husk_error_set(err, errno, "open %s/%s", x->options.directory, above);
        if (refuse_kernel_fs(x, parent, prefix, err) < 0)
            return -1;
        if (mkdirat(parent, name, IMPLIED_MODE) == 0) {
            struct copy_entry root = {.mode = S_IFDIR | IMPLIED_MODE};
            struct owner o;
            cleanup_close int made =
                openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (made < 0 || entry_owner(x, &root, &o, err) < 0 ||
                set_owner_mode(made, &root, &o, prefix, err) < 0)
                return made < 0 ? husk_error_set(err, errno, "open %s", prefix) : -1;
        } else if (errno != EEXIST) {
            return husk_error_set(err, errno, "mkdir %s", prefix);
        }
        if (end)
            return 0;
        *slash = '/';
    }
}

/* The parent directory of the next entry; walks hand over a directory's
 * entries one after another, so the last one is kept open. */
static int parent_directory(struct copy_extract *x, const char *parent, husk_error_t *err)
{
    if (x->parent_name != NULL && strcmp(x->parent_name, parent) == 0)
        return x->parent_fd;
    if (x->parent_fd >= 0)
        close(x->parent_fd);
    free(x->parent_name);
    x->parent_name = NULL;
    x->parent_fd = open_below(x, parent, O_PATH | O_DIRECTORY);
    if (x->parent_fd < 0 && errno == ENOENT && make_implied(x, parent, err) == 0)
        x->parent_fd = open_below(x, parent, O_PATH | O_DIRECTORY);
    if (x->parent_fd < 0)
        return *err ? -1 : husk_error_set(err, errno, "open %s/%s", x->options.directory, parent);
    if (refuse_kernel_fs(x, x->parent_fd, parent[0] ? parent : x->options.directory, err) < 0) {
        close(x->parent_fd);
        x->parent_fd = -1;
        return -1;
    }
    x->parent_name = xstrdup(parent);
    return x->parent_fd;
}

/* 1: a directory is there for a directory entry (merged), 0: the place is
 * free (what was there is unlinked), -1: docker refuses to replace a
 * directory with a non-directory or the reverse. */
static int clear_place(struct copy_extract *x, int parent, const char *base, const char *name,
                       bool directory, husk_error_t *err)
{
    struct stat st;
    if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : husk_error_set(err, errno, "stat %s", name);
    if (S_ISDIR(st.st_mode) && !directory)
        return husk_error_set(err, 0, "cannot overwrite directory \"%s\" with non-directory \"%s\"",
                              name, x->options.directory);
    if (!S_ISDIR(st.st_mode) && directory)
        return husk_error_set(err, 0, "cannot overwrite non-directory \"%s\" with directory \"%s\"",
                              name, x->options.directory);
    if (S_ISDIR(st.st_mode))
        return 1;
    if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
        return husk_error_set(err, errno, "remove %s", name);
    return 0;
}

static int copy_data(struct copy_extract *x, const struct copy_entry *e, int fd, const char *name,
                     husk_error_t *err)
{
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = e->read(e->source, buffer, sizeof(buffer));
        if (n < 0)
            return husk_error_set(err, errno, "read %s", e->name);
        if (n == 0)
            return 0;
        if (fd_write_fully(fd, buffer, (size_t)n) < 0)
            return husk_error_set(err, errno, "write %s", name);
        x->sink.bytes += (uint64_t)n;
    }
}

static int make_regular(struct copy_extract *x, const struct copy_entry *e, int parent,
                        const char *base, const char *name, const struct owner *o,
                        husk_error_t *err)
{
    cleanup_close int fd =
        openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "create %s", name);
    if (copy_data(x, e, fd, name, err) < 0 || set_owner_mode(fd, e, o, name, err) < 0)
        return -1;
    /* File capabilities are privileges, like setuid: kept with the owner. */
    if (e->capability != NULL && o->same_user &&
        fsetxattr(fd, CAPABILITY_XATTR, e->capability, e->capability_size, 0) < 0 &&
        errno != EOPNOTSUPP)
        return husk_error_set(err, errno, "set the capabilities of %s", name);
    struct timespec times[2];
    entry_times(e, times);
    if (futimens(fd, times) < 0)
        return husk_error_set(err, errno, "set the times of %s", name);
    return 0;
}

static int make_directory(struct copy_extract *x, const struct copy_entry *e, int parent,
                          const char *base, const char *name, bool merge, const struct owner *o,
                          husk_error_t *err)
{
    if (!merge && mkdirat(parent, base, 0700) < 0)
        return husk_error_set(err, errno, "mkdir %s", name);
    cleanup_close int fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", name);
    if (set_owner_mode(fd, e, o, name, err) < 0)
        return -1;
    defer_times(x, e, name);
    return 0;
}

static int make_symlink(const struct copy_entry *e, int parent, const char *base, const char *name,
                        const struct owner *o, husk_error_t *err)
{
    if (e->link_target == NULL || symlinkat(e->link_target, parent, base) < 0)
        return husk_error_set(err, e->link_target ? errno : EINVAL, "symlink %s", name);
    /* By name, never following: if the container swapped the link for
     * something else meanwhile, that is its own file below the target. */
    if (o->change && fchownat(parent, base, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return husk_error_set(err, errno, "chown %s", name);
    struct timespec times[2];
    entry_times(e, times);
    if (utimensat(parent, base, times, AT_SYMLINK_NOFOLLOW) < 0)
        return husk_error_set(err, errno, "set the times of %s", name);
    return 0;
}

/* Devices and FIFOs: made by name, then finished through an O_PATH fd of
 * what was made (chmod and utimes on a name would follow a symlink). */
static int make_node(const struct copy_entry *e, int parent, const char *base, const char *name,
                     const struct owner *o, husk_error_t *err)
{
    if (mknodat(parent, base, (e->mode & S_IFMT) | 0600, e->rdev) < 0)
        return husk_error_set(err, errno, "mknod %s", name);
    cleanup_close int fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return husk_error_set(err, errno, "open %s", name);
    if ((st.st_mode & S_IFMT) != (e->mode & S_IFMT))
        return husk_error_set(err, 0, "%s changed while it was made", name);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    struct timespec times[2];
    entry_times(e, times);
    if (o->change && fchownat(fd, "", o->uid, o->gid, AT_EMPTY_PATH) < 0)
        return husk_error_set(err, errno, "chown %s", name);
    if (chmod(path, permissions(e, o)) < 0 || utimensat(AT_FDCWD, path, times, 0) < 0)
        return husk_error_set(err, errno, "set the mode and times of %s", name);
    return 0;
}

static int make_hard_link(struct copy_extract *x, const struct copy_entry *e, int parent,
                          const char *base, const char *name, husk_error_t *err)
{
    cleanup_free char *target = destination_name(x, e->hard_link, err);
    if (target == NULL || target[0] == '\0')
        return target ? husk_error_set(err, 0, "invalid hard link %s", name) : -1;
    cleanup_free char *target_parent = NULL, *target_base = NULL;
    copy_path_split(target, &target_parent, &target_base);
    cleanup_close int from =
        open_below(x, strcmp(target_parent, ".") == 0 ? "" : target_parent, O_PATH | O_DIRECTORY);
    /* No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink. */
    if (from < 0 || linkat(from, target_base, parent, base, 0) < 0)
        return husk_error_set(err, errno, "hard link %s to %s", name, target);
    return 0;
}

static int add_entry(struct copy_sink *sink, const struct copy_entry *e, husk_error_t *err)
{
    struct copy_extract *x = (struct copy_extract *)sink;
    cleanup_free char *name = destination_name(x, e->name, err);
    if (name == NULL)
        return -1;
    if (name[0] == '\0' || S_ISSOCK(e->mode))
        return 0; /* the destination itself keeps its owner and mode */
    cleanup_free char *parent_name = NULL, *base = NULL;
    copy_path_split(name, &parent_name, &base);
    int parent = parent_directory(x, strcmp(parent_name, ".") == 0 ? "" : parent_name, err);
    if (parent < 0)
        return -1;
    bool directory = S_ISDIR(e->mode) && e->hard_link == NULL;
    int merge = clear_place(x, parent, base, name, directory, err);
    struct owner o;
    if (merge < 0 || entry_owner(x, e, &o, err) < 0)
        return -1;
    if (e->hard_link != NULL)
        return make_hard_link(x, e, parent, base, name, err);
    switch (e->mode & S_IFMT) {
    case S_IFREG:
        return make_regular(x, e, parent, base, name, &o, err);
    case S_IFDIR:
        return make_directory(x, e, parent, base, name, merge == 1, &o, err);
    case S_IFLNK:
        return make_symlink(e, parent, base, name, &o, err);
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
        return make_node(e, parent, base, name, &o, err);
    default:
        return 0;
    }
}

int copy_extract_finish(struct copy_extract *x, husk_error_t *err)
{
    /* Resolved again below the destination: a directory the container
     * moved meanwhile gets no times, or another of its own. */
    for (size_t i = 0; i < x->directory_count; i++) {
        cleanup_close int fd =
            open_below(x, x->directories[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
            continue;
        if (fd < 0 || futimens(fd, x->times[i]) < 0)
            return husk_error_set(err, errno, "set the times of %s", x->directories[i]);
    }
    return 0;
}
