#include "file.h"
#include "section.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

int file_read_all(int dirfd, const char *path, char **content, size_t *length, husk_error_t *err)
{
    /* An empty PATH reads DIRFD itself (a pipe, an fd from root_open). */
    cleanup_close int fd = path[0] == '\0' ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0)
                                           : openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    size_t capacity = 4096, used = 0;
    cleanup_free char *buffer = xmalloc(capacity);
    for (;;) {
        if (used + 1 >= capacity) {
            capacity *= 2;
            buffer = xrealloc(buffer, capacity);
        }
        ssize_t n = read(fd, buffer + used, capacity - used - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return husk_error_set(err, errno, "read %s", path);
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buffer[used] = '\0';
    if (length != NULL)
        *length = used;
    *content = steal_pointer(&buffer);
    return 0;
}

int fd_write_fully(int fd, const void *data, size_t length)
{
    const char *content = data;
    while (length > 0) {
        ssize_t n = write(fd, content, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        content += n;
        length -= (size_t)n;
    }
    return 0;
}

int fd_write_callback(void *fd, const void *block, size_t length)
{
    return fd_write_fully(*(int *)fd, block, length);
}

int file_write_all(int dirfd, const char *path, const char *content, size_t length, mode_t mode,
                   husk_error_t *err)
{
    cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    if (fd_write_fully(fd, content, length) < 0)
        return husk_error_set(err, errno, "write %s", path);
    return 0;
}

int file_write_atomic(const char *path, const char *content, size_t length, bool durable,
                      husk_error_t *err)
{
    cleanup_free char *temporary = xasprintf("%s.tmp.%d", path, getpid());
    /* A temp file left by a crashed writer with this pid keeps its old
     * mode under O_TRUNC: remove it and create anew, so the file is 0600. */
    unlink(temporary);
    cleanup_close int fd =
        open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "create %s", temporary);
    if (fd_write_fully(fd, content, length) < 0 || (durable && fsync(fd) < 0)) {
        int saved = errno;
        unlink(temporary);
        return husk_error_set(err, saved, "write %s", temporary);
    }
    if (rename(temporary, path) < 0) {
        int saved = errno;
        unlink(temporary);
        return husk_error_set(err, saved, "rename %s", temporary);
    }
    return 0;
}

int directory_create_parents(const char *path, mode_t mode, husk_error_t *err)
{
    char buffer[PATH_MAX];
    if (snprintf(buffer, sizeof(buffer), "%s", path) >= (int)sizeof(buffer))
        return husk_error_set(err, ENAMETOOLONG, "mkdir %s", path);
    for (char *slash = buffer + 1;; slash++) {
        bool end = *slash == '\0';
        if (*slash != '/' && !end)
            continue;
        *slash = '\0';
        if (mkdir(buffer, mode) < 0 && errno != EEXIST)
            return husk_error_set(err, errno, "mkdir %s", buffer);
        if (end)
            break;
        *slash = '/';
    }
    return 0;
}

/* One directory open per level: sizes are read of trees husk made or
 * that containers filled, whose depth PATH_MAX does not bound; past the
 * fd limit the rest is not counted. */
static unsigned long long tree_size(int directory, dev_t device)
{
    DIR *dir = fdopendir(directory);
    if (dir == NULL) {
        close(directory);
        return 0;
    }
    unsigned long long total = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        struct stat st;
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0 ||
            fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != device)
            continue;
        if (S_ISREG(st.st_mode))
            total += (unsigned long long)st.st_size;
        int child = S_ISDIR(st.st_mode) ? openat(dirfd(dir), entry->d_name,
                                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                        : -1;
        if (child >= 0)
            total += tree_size(child, device);
    }
    closedir(dir);
    return total;
}

unsigned long long directory_size(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    return tree_size(fd, st.st_dev);
}

/* A bind of a directory of the same file system has the same st_dev. */
static bool is_mount_point(int dirfd, const char *name)
{
    struct statx st;
    return statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) == 0 &&
           (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* A btrfs subvolume's root (inode 256, with a device number of its own):
 * part of the tree, not a mount, and removed by rmdir once empty (root may,
 * since Linux 4.18). */
static bool is_subvolume(int dirfd, const struct stat *st)
{
    struct statfs fs;
    return st->st_ino == 256 && fstatfs(dirfd, &fs) == 0 &&
           (unsigned long)fs.f_type == BTRFS_SUPER_MAGIC;
}

/* Removes what DIRFD holds but directories, whose names it returns
 * (NULL-terminated) in *SUBDIRECTORIES. */
static int remove_files(int dirfd, dev_t device, const char *path, char ***subdirectories,
                        husk_error_t *err)
{
    size_t count = 0, room = 1;
    *subdirectories = xcalloc(room, sizeof(char *));
    int listing = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    DIR *directory = listing < 0 ? NULL : fdopendir(listing);
    if (directory == NULL) {
        if (listing >= 0)
            close(listing);
        return husk_error_set(err, errno, "open %s", path);
    }
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(directory)) != NULL) {
        const char *name = entry->d_name;
        struct stat st;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || unlinkat(dirfd, name, 0) == 0 ||
            errno == ENOENT)
            continue;
        int saved = errno;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            rc = husk_error_set(err, saved, "remove %s: %s", path, name);
        else if ((st.st_dev != device && !is_subvolume(dirfd, &st)) || is_mount_point(dirfd, name))
            rc = husk_error_set(err, EBUSY, "remove %s: %s is still a mount point", path, name);
        else {
            /* Doubling: growing by one is quadratic wherever realloc
             * copies (AddressSanitizer's always does). */
            if (count + 2 > room) {
                room = 2 * (count + 2);
                *subdirectories = xreallocarray(*subdirectories, room, sizeof(char *));
            }
            (*subdirectories)[count++] = xstrdup(name);
            (*subdirectories)[count] = NULL;
        }
    }
    closedir(directory);
    return rc;
}

/* One directory on the way down: where it is (to check the way back up
 * through ".."), its name in its parent, and the subdirectories still to
 * remove. */
struct removal_level {
    dev_t device;
    ino_t inode;
    char *name;
    char **subdirectories;
    size_t next;
};

static void removal_level_free(struct removal_level *level)
{
    free(level->name);
    cleanup_strvp(&level->subdirectories);
}

static int climb(int *current, const struct removal_level *parent, const char *path,
                 husk_error_t *err)
{
    int up = openat(*current, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (up < 0 || fstat(up, &st) < 0 || st.st_dev != parent->device || st.st_ino != parent->inode) {
        if (up >= 0)
            close(up);
        return husk_error_set(err, up < 0 ? errno : ESTALE, "remove %s: a directory moved", path);
    }
    close(*current);
    *current = up;
    return 0;
}

/* Depth first with one directory open at a time, whatever the depth (a
 * container can nest directories beyond any fd limit); each directory is
 * read once. */
static int remove_entries(int top, dev_t device, const char *path, husk_error_t *err)
{
    struct removal_level *levels = xcalloc(1, sizeof(*levels));
    size_t depth = 1;
    int current = top;
    struct stat st;
    int rc = fstat(top, &st) < 0 ? husk_error_set(err, errno, "stat %s", path)
                                 : remove_files(top, device, path, &levels[0].subdirectories, err);
    levels[0].device = st.st_dev, levels[0].inode = st.st_ino;
    while (rc == 0) {
        struct removal_level *level = &levels[depth - 1];
        if (level->subdirectories[level->next] != NULL) {
            const char *name = level->subdirectories[level->next++];
            int child = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0 || fstat(child, &st) < 0) {
                rc = husk_error_set(err, errno, "remove %s: open %s", path, name);
                if (child >= 0)
                    close(child);
                break;
            }
            close(current);
            current = child;
            levels = xreallocarray(levels, depth + 1, sizeof(*levels));
            levels[depth++] = (struct removal_level){st.st_dev, st.st_ino, xstrdup(name), NULL, 0};
            /* Its own device: a subvolume's files have the subvolume's. */
            rc = remove_files(current, st.st_dev, path, &levels[depth - 1].subdirectories, err);
            continue;
        }
        if (depth == 1)
            break;
        if ((rc = climb(&current, &levels[depth - 2], path, err)) < 0)
            break;
        if (unlinkat(current, level->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            rc = husk_error_set(err, errno, "remove %s: %s", path, level->name);
        removal_level_free(level);
        depth--;
    }
    for (size_t i = 0; i < depth; i++)
        removal_level_free(&levels[i]);
    free(levels);
    close(current);
    return rc;
}

int directory_remove_tree(const char *path, husk_error_t *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : husk_error_set(err, errno, "open %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return husk_error_set(err, errno, "stat %s", path);
    }
    if (remove_entries(fd, st.st_dev, path, err) < 0)
        return -1;
    if (rmdir(path) < 0 && errno != ENOENT)
        return husk_error_set(err, errno, "remove %s", path);
    return 0;
}

int root_open(int root_fd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    while (*path == '/')
        path++;
    if (*path == '\0')
        path = ".";
    for (;;) {
        long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN)
            return (int)fd;
    }
}

/* A dangling symlink NAME in PARENT met while making PATH: the path it
 * stands for, DIRECTORY (the part of PATH before NAME) joined with its
 * target unless that is absolute, then REST. Resolving that from the root
 * again keeps it inside: RESOLVE_IN_ROOT clamps each "..". NULL when NAME
 * is not a symlink. */
static char *through_symlink(int parent, const char *name, const char *directory, size_t length,
                             const char *rest)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
    if (n <= 0)
        return NULL;
    target[n] = '\0';
    return xasprintf("%.*s/%s%s%s", target[0] == '/' ? 0 : (int)length, directory, target,
                     rest[0] ? "/" : "", rest);
}

/* Symlinks to missing paths are followed (inside the root) and what they
 * name is made, as runc and docker do for a mount target. */
#define ROOT_SYMLINK_LIMIT 40

static int directory_create_in_root(int root_fd, const char *path, mode_t mode, int links,
                                    husk_error_t *err);

/* Makes the last component of PREFIX (CURSOR) in PARENT. A dangling
 * symlink there is followed: the rest of PATH is made through it and
 * *COMPLETE says the fd returned is PATH's own. */
static int directory_step(int root_fd, int parent, char *prefix, char *cursor, const char *path,
                          mode_t mode, int links, bool *complete, husk_error_t *err)
{
    if (mkdirat(parent, cursor, mode) < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "mkdir %s", prefix);
    int fd = root_open(root_fd, prefix, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : husk_error_set(err, errno, "open %s", prefix);
    size_t done = strlen(prefix);
    const char *rest = path[done] == '\0' ? "" : path + done + 1;
    cleanup_free char *followed =
        through_symlink(parent, cursor, prefix, (size_t)(cursor - prefix), rest);
    if (followed == NULL)
        return husk_error_set(err, ENOENT, "open %s", prefix);
    if (links >= ROOT_SYMLINK_LIMIT)
        return husk_error_set(err, ELOOP, "open %s", path);
    *complete = true;
    return directory_create_in_root(root_fd, followed, mode, links + 1, err);
}

static int directory_create_in_root(int root_fd, const char *path, mode_t mode, int links,
                                    husk_error_t *err)
{
    int fd = root_open(root_fd, path, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : husk_error_set(err, errno, "open %s", path);

    char prefix[PATH_MAX];
    if (snprintf(prefix, sizeof(prefix), "%s", path) >= (int)sizeof(prefix))
        return husk_error_set(err, ENAMETOOLONG, "open %s", path);
    int parent = dup(root_fd);
    for (char *cursor = prefix; parent >= 0;) {
        while (*cursor == '/')
            cursor++;
        if (*cursor == '\0')
            return parent;
        char *end = strchr(cursor, '/');
        if (end != NULL)
            *end = '\0';
        /* Resolve the whole prefix from the root each time, so a symlink
         * met along the way is confined to the root too. */
        bool complete = false;
        fd = root_open(root_fd, prefix, O_PATH | O_DIRECTORY, 0);
        if (fd < 0 && errno == ENOENT)
            fd = directory_step(root_fd, parent, prefix, cursor, path, mode, links, &complete, err);
        else if (fd < 0)
            husk_error_set(err, errno, "open %s", prefix);
        close(parent);
        if (fd < 0 || complete || end == NULL)
            return fd;
        parent = fd;
        *end = '/';
        cursor = end + 1;
    }
    return husk_error_set(err, errno, "open %s", path);
}

int root_open_directory_create(int root_fd, const char *path, mode_t mode, husk_error_t *err)
{
    return directory_create_in_root(root_fd, path, mode, 0, err);
}

static int file_create_in_root(int root_fd, const char *path, int links, husk_error_t *err)
{
    int fd = root_open(root_fd, path, O_PATH, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : husk_error_set(err, errno, "open %s", path);

    char parent_path[PATH_MAX];
    if (snprintf(parent_path, sizeof(parent_path), "%s", path) >= (int)sizeof(parent_path))
        return husk_error_set(err, ENAMETOOLONG, "open %s", path);
    char *slash = strrchr(parent_path, '/');
    const char *name = path;
    if (slash != NULL) {
        *slash = '\0';
        name = slash + 1;
    } else {
        parent_path[0] = '\0';
    }
    cleanup_close int parent = root_open_directory_create(root_fd, parent_path, 0755, err);
    if (parent < 0)
        return -1;
    cleanup_close int created =
        openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (created < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "create %s", path);
    fd = root_open(root_fd, path, O_PATH, 0);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : husk_error_set(err, errno, "open %s", path);
    /* A dangling symlink: the file it names is made, inside the root. */
    cleanup_free char *followed =
        through_symlink(parent, name, parent_path, strlen(parent_path), "");
    if (followed == NULL)
        return husk_error_set(err, ENOENT, "open %s", path);
    if (links >= ROOT_SYMLINK_LIMIT)
        return husk_error_set(err, ELOOP, "open %s", path);
    return file_create_in_root(root_fd, followed, links + 1, err);
}

int root_open_mount_target(int root_fd, const char *path, bool as_directory, husk_error_t *err)
{
    if (as_directory)
        return root_open_directory_create(root_fd, path, 0755, err);
    return file_create_in_root(root_fd, path, 0, err);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **directory_names(const char *path, bool (*keep)(const char *name))
{
    size_t count = 0;
    char **names = xcalloc(1, sizeof(char *));
    DIR *dir = opendir(path);
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        if (!keep(entry->d_name))
            continue;
        names = xreallocarray(names, count + 2, sizeof(char *));
        names[count++] = xstrdup(entry->d_name);
        names[count] = NULL;
    }
    if (dir != NULL)
        closedir(dir);
    qsort(names, count, sizeof(char *), compare_names);
    return names;
}

/* Insertion sort: a handful of fds, and no libc call a monitor would
 * otherwise page in for it. */
MONITOR_PATH void fd_close_all_but(int *keep, size_t count)
{
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int larger = keep[j - 1];
            keep[j - 1] = keep[j];
            keep[j] = larger;
        }
    unsigned next = 3;
    for (size_t i = 0; i < count; i++) {
        if (keep[i] < (int)next)
            continue;
        if ((unsigned)keep[i] > next)
            syscall(SYS_close_range, next, (unsigned)keep[i] - 1, 0);
        next = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, next, ~0U, 0);
}

int node_open_made(int dir_fd, const char *name, mode_t type)
{
    int fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type)) {
        close(fd);
        errno = EEXIST;
        return -1;
    }
    return fd;
}

int path_fd_chmod(int fd, mode_t mode)
{
    char path[32];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return chmod(path, mode);
}
