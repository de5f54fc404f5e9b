#include "container_diff.h"

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

#include "../../runtime/overlay.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../record.h"
#include "container_fs.h"
#include "copy_entry.h"

#define OPAQUE_XATTR     "trusted.overlay.opaque"
#define CAPABILITY_XATTR "security.capability"

struct diff {
    json_t *changes;
    const struct copy_id_map *ids; /* the upper layer's owners as the host sees them */
    husk_error_t *err;
};

/* Mount points the runtime makes: docker keeps them in its init layer,
 * below the container's, so its diff never shows them. */
static bool excluded(const char *path)
{
    static const char *const paths[] = {"/proc",      "/sys",          "/dev",
                                        "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (strcmp(path, paths[i]) == 0)
            return true;
    return false;
}

static void record_change(struct diff *d, size_t at, const char *path, enum container_change kind)
{
    json_array_insert_new(d->changes, at, json_pack("{s:s, s:i}", "Path", path, "Kind", kind));
}

static bool is_entry(const char *name)
{
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static char **names_of(int fd)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return directory_names(path, is_entry);
}

static bool has_name(char **names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

static bool opaque(int fd)
{
    char value[2];
    return fgetxattr(fd, OPAQUE_XATTR, value, sizeof(value)) == 1 && value[0] == 'y';
}

/* docker's sameFsTime: equal, or the same second with one side rounded. */
static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && (a.tv_nsec == b.tv_nsec || a.tv_nsec == 0 || b.tv_nsec == 0);
}

static bool same_capabilities(int upper, int lower, const char *name)
{
    char upper_path[PATH_MAX], lower_path[PATH_MAX];
    snprintf(upper_path, sizeof(upper_path), "/proc/self/fd/%d/%s", upper, name);
    snprintf(lower_path, sizeof(lower_path), "/proc/self/fd/%d/%s", lower, name);
    char value_a[256], value_b[256];
    ssize_t size_a = lgetxattr(upper_path, CAPABILITY_XATTR, value_a, sizeof(value_a));
    ssize_t size_b = lgetxattr(lower_path, CAPABILITY_XATTR, value_b, sizeof(value_b));
    if (size_a < 0 || size_b < 0)
        return size_a < 0 && size_b < 0;
    return size_a == size_b && memcmp(value_a, value_b, (size_t)size_a) == 0;
}

/* docker's statDifferent: sizes and times of directories say nothing. */
static bool changed(const struct diff *d, const struct stat *upper, const struct stat *lower)
{
    uid_t uid = copy_id_to_container(d->ids, upper->st_uid, false);
    gid_t gid = copy_id_to_container(d->ids, upper->st_gid, true);
    return upper->st_mode != lower->st_mode || uid != lower->st_uid || gid != lower->st_gid ||
           upper->st_rdev != lower->st_rdev ||
           (!S_ISDIR(lower->st_mode) &&
            (!same_time(upper->st_mtim, lower->st_mtim) || upper->st_size != lower->st_size));
}

static int diff_directory(struct diff *d, int upper, int lower, bool hides_lower, const char *path);

/* An entry of the upper layer that is no whiteout: added, or compared with
 * the lower layers' entry of that name. */
static int diff_upper_entry(struct diff *d, int upper, int lower, const char *name,
                            const struct stat *st, const char *path)
{
    struct stat below;
    bool in_lower = lower >= 0 && fstatat(lower, name, &below, AT_SYMLINK_NOFOLLOW) == 0;
    size_t start = json_array_size(d->changes);
    bool is_changed = !in_lower || changed(d, st, &below) ||
                      (S_ISREG(st->st_mode) && !same_capabilities(upper, lower, name));
    if (is_changed)
        record_change(d, start, path, in_lower ? CHANGE_MODIFIED : CHANGE_ADDED);
    if (!S_ISDIR(st->st_mode))
        return 0;
    cleanup_close int upper_child =
        openat(upper, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (upper_child < 0)
        return errno == ENOENT ? 0 : husk_error_set(d->err, errno, "open %s", path);
    cleanup_close int lower_child =
        in_lower && S_ISDIR(below.st_mode)
            ? openat(lower, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            : -1;
    if (diff_directory(d, upper_child, lower_child, opaque(upper_child), path) < 0)
        return -1;
    /* A directory that holds changes shows as changed itself, first. */
    if (!is_changed && json_array_size(d->changes) > start)
        record_change(d, start, path, CHANGE_MODIFIED);
    return 0;
}

static int diff_entry(struct diff *d, int upper, int lower, char **upper_names, const char *name,
                      const char *path)
{
    if (excluded(path))
        return 0;
    /* Only an opaque directory lists the lower layers' names: it hides
     * every one of them the upper layer does not hold. */
    if (!has_name(upper_names, name)) {
        record_change(d, json_array_size(d->changes), path, CHANGE_DELETED);
        return 0;
    }
    struct stat st, below;
    if (fstatat(upper, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : husk_error_set(d->err, errno, "stat %s", path);
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        /* A whiteout: deleted, if there was anything to delete. */
        if (lower >= 0 && fstatat(lower, name, &below, AT_SYMLINK_NOFOLLOW) == 0)
            record_change(d, json_array_size(d->changes), path, CHANGE_DELETED);
        return 0;
    }
    return diff_upper_entry(d, upper, lower, name, &st, path);
}

static int diff_directory(struct diff *d, int upper, int lower, bool hides_lower, const char *path)
{
    cleanup_strv char **upper_names = names_of(upper);
    cleanup_strv char **lower_names = lower >= 0 && hides_lower ? names_of(lower) : NULL;
    char **lists[] = {upper_names, lower_names};
    /* Both lists are sorted: merge them, each name once. */
    size_t at[2] = {0, 0};
    for (;;) {
        const char *next = NULL;
        for (int i = 0; i < 2; i++)
            if (lists[i] && lists[i][at[i]] && (!next || strcmp(lists[i][at[i]], next) < 0))
                next = lists[i][at[i]];
        if (next == NULL)
            return 0;
        cleanup_free char *name = xstrdup(next);
        for (int i = 0; i < 2; i++)
            if (lists[i] && lists[i][at[i]] && strcmp(lists[i][at[i]], name) == 0)
                at[i]++;
        cleanup_free char *child = xasprintf("%s/%s", path, name);
        if (diff_entry(d, upper, lower, upper_names, name, child) < 0)
            return -1;
    }
}

/* The image's layers alone, read-only: what the container started from. */
static int open_lower(const char *lower, husk_error_t *err)
{
    if (strchr(lower, ':') == NULL) {
        int fd = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : husk_error_set(err, errno, "open %s", lower);
    }
    cleanup_free char *data = xasprintf("lowerdir=%s", lower);
    cleanup_close int mount_fd = overlay_mount_fd(data, err);
    if (mount_fd < 0)
        return -1;
    int fd = openat(mount_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : husk_error_set(err, errno, "open the image's layers");
}

int engine_container_diff(const struct engine_context *context, const char *reference,
                          json_t **changes, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    cleanup_free char *lower = NULL, *upper = NULL;
    struct copy_id_map ids;
    int rc = container_fs_layers(handle.directory, &lower, &upper, &ids, err);
    cleanup_close int upper_fd = -1, lower_fd = -1;
    if (rc == 0 && (upper_fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        rc = husk_error_set(err, errno, "open %s", upper);
    if (rc == 0 && (lower_fd = open_lower(lower, err)) < 0)
        rc = -1;
    struct diff d = {json_array(), &ids, err};
    if (rc == 0)
        rc = diff_directory(&d, upper_fd, lower_fd, false, "");
    container_close(&handle);
    if (rc < 0) {
        json_decref(d.changes);
        return husk_error_wrap(err, "diff %s", reference);
    }
    *changes = d.changes;
    return 0;
}
