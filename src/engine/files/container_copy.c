#include "container_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "container_fs.h"
#include "copy_archive.h"
#include "copy_extract.h"
#include "copy_path.h"
#include "copy_walk.h"

#define SYMLINK_LIMIT 255

/* --- the host's side: the user's own paths, followed as they are ---------- */

/* Absolute and cleaned, trailing "/" or "/." kept (docker's resolveLocalPath). */
static char *local_absolute(const char *path)
{
    char cwd[PATH_MAX] = "/";
    if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
        snprintf(cwd, sizeof(cwd), "/");
    cleanup_free char *joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
    cleanup_free char *cleaned = copy_path_clean(joined);
    return copy_path_preserve_trailing(cleaned, path);
}

/* docker's ValidateOutputPath: the parent must exist, and what is there
 * must be a directory or a regular file. */
static int validate_output_path(const char *path, husk_error_t *err)
{
    cleanup_free char *cleaned = copy_path_clean(path);
    cleanup_free char *directory = NULL, *base = NULL;
    copy_path_split(cleaned, &directory, &base);
    struct stat st;
    if (stat(directory, &st) < 0 && errno == ENOENT)
        return husk_error_set(err, 0, "invalid output path: directory \"%s\" does not exist",
                              directory);
    if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        return husk_error_set(err, 0,
                              "invalid output path: \"%s\" must be a directory or a regular "
                              "file: got a device",
                              path);
    return 0;
}

/* docker's CopyInfoDestinationPath: a symlink at PATH is followed (to at
 * most 10 links); a missing destination needs an existing parent. */
static int local_destination(const char *path, struct copy_destination *d, char **resolved,
                             husk_error_t *err)
{
    cleanup_free char *current = xstrdup(path);
    struct stat st;
    int rc = lstat(current, &st);
    for (int links = 0; rc == 0 && S_ISLNK(st.st_mode); links++) {
        char target[PATH_MAX];
        ssize_t length = readlink(current, target, sizeof(target) - 1);
        if (links >= 10 || length < 0)
            return husk_error_set(err, length < 0 ? errno : 0, "too many symlinks in %s", path);
        target[length] = '\0';
        cleanup_free char *parent = NULL, *base = NULL;
        copy_path_split(current, &parent, &base);
        cleanup_free char *joined =
            target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", parent, target);
        free(current);
        current = copy_path_clean(joined);
        rc = lstat(current, &st);
    }
    *d = (struct copy_destination){.exists = rc == 0,
                                   .is_directory = rc == 0 && S_ISDIR(st.st_mode)};
    if (rc < 0) {
        if (errno != ENOENT)
            return husk_error_set(err, errno, "lstat %s", current);
        cleanup_free char *parent = NULL, *base = NULL;
        copy_path_split(current, &parent, &base);
        if (stat(parent, &st) < 0)
            return husk_error_set(err, errno, "stat %s", parent);
        if (!S_ISDIR(st.st_mode))
            return husk_error_set(err, 0, "not a directory");
    }
    *resolved = steal_pointer(&current);
    d->path = *resolved;
    return 0;
}

static int open_local_source(const char *path, bool follow, husk_error_t *err)
{
    int flags = O_PATH | O_CLOEXEC;
    if (!follow && !copy_path_asserts_directory(path))
        flags |= O_NOFOLLOW;
    int fd = open(path, flags);
    return fd >= 0 ? fd : husk_error_set(err, errno, "lstat %s", path);
}

/* --- the container's side: every path resolved inside its root ----------- */

static int not_found(const struct copy_request *r, const char *path, husk_error_t *err)
{
    return husk_error_set(err, 0, "Could not find the file %s in container %s", path, r->container);
}

/* The source: its last symlink kept unless -L or a trailing "/" or "/."
 * says otherwise. Under a running container's kernel file systems there
 * is nothing to copy (docker's view has none), but for their mount points
 * themselves, copied as empty directories. */
static int open_container_source(const struct container_fs *fs, const char *source,
                                 const struct copy_request *r, husk_error_t *err)
{
    int flags = O_PATH;
    if (!r->follow_link && !copy_path_asserts_directory(source))
        flags |= O_NOFOLLOW;
    int fd = root_open(fs->root_fd, source, flags, 0);
    if (fd < 0)
        return errno == ENOENT ? not_found(r, r->container_path, err)
                               : husk_error_set(err, errno, "%s in container %s", r->container_path,
                                                r->container);
    struct statx sx;
    if (fs->running && copy_fd_on_kernel_fs(fd) &&
        (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &sx) < 0 || !S_ISDIR(sx.stx_mode) ||
         !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))) {
        close(fd);
        return not_found(r, r->container_path, err);
    }
    return fd;
}

/* docker's FollowSymlinkInScope: PATH with every symlink on it evaluated
 * inside the container, as a string (a missing tail is kept as it is). It
 * only names things: what is then opened by that name is resolved inside
 * the root again, so a link changed meanwhile cannot lead out. */
static int follow_in_root(int root_fd, const char *path, char **out, husk_error_t *err)
{
    cleanup_free char *resolved = xstrdup("");
    cleanup_free char *pending = xstrdup(path);
    for (int links = 0;;) {
        char *cursor = pending;
        while (*cursor == '/')
            cursor++;
        if (*cursor == '\0')
            break;
        char *end = strchrnul(cursor, '/');
        cleanup_free char *name = xstrndup(cursor, (size_t)(end - cursor));
        cleanup_free char *rest = xstrdup(end);
        free(pending);
        pending = steal_pointer(&rest);
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            char *slash = strrchr(resolved, '/');
            if (name[1] == '.')
                *(slash ? slash : resolved) = '\0';
            continue;
        }
        cleanup_free char *candidate = xasprintf("%s/%s", resolved, name);
        cleanup_close int fd = root_open(root_fd, candidate, O_PATH | O_NOFOLLOW, 0);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
            free(resolved);
            resolved = steal_pointer(&candidate);
            if (fd < 0) { /* missing: the rest is kept as it is */
                char *whole = xasprintf("%s%s", resolved, pending);
                free(resolved);
                resolved = whole;
                break;
            }
            continue;
        }
        char target[PATH_MAX];
        ssize_t length = readlinkat(fd, "", target, sizeof(target) - 1);
        if (length < 0 || ++links > SYMLINK_LIMIT)
            return husk_error_set(err, length < 0 ? errno : ELOOP, "resolve %s", path);
        target[length] = '\0';
        char *joined = xasprintf("%s/%s", target, pending);
        free(pending);
        pending = joined;
        if (target[0] == '/')
            resolved[0] = '\0';
    }
    cleanup_free char *rooted = xasprintf("/%s", resolved);
    *out = copy_path_clean(rooted);
    return 0;
}

/* What docker's client learns from stat before it sends a tar: whether
 * the destination exists (a symlink there stands for what it names) and
 * is a directory. */
static int container_destination(const struct container_fs *fs, const char *target,
                                 const struct copy_request *r, struct copy_destination *d,
                                 char **resolved, husk_error_t *err)
{
    *resolved = xstrdup(target);
    cleanup_close int fd = root_open(fs->root_fd, target, O_PATH | O_NOFOLLOW, 0);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
        free(*resolved);
        *resolved = NULL;
        if (follow_in_root(fs->root_fd, target, resolved, err) < 0)
            return -1;
        close(fd);
        fd = root_open(fs->root_fd, *resolved, O_PATH | O_NOFOLLOW, 0);
    }
    *d = (struct copy_destination){.path = *resolved};
    if (fd < 0 || fstat(fd, &st) < 0)
        return 0;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return husk_error_set(err, 0,
                              "destination \"%s:%s\" must be a directory or a regular file: got "
                              "a device",
                              r->container, r->container_path);
    d->exists = true;
    d->is_directory = S_ISDIR(st.st_mode);
    return 0;
}

static int open_extraction_point(const struct container_fs *fs, const char *directory,
                                 const struct copy_request *r, husk_error_t *err)
{
    cleanup_close int fd = root_open(fs->root_fd, directory, O_PATH, 0);
    struct stat st;
    if (fd < 0)
        return errno == ENOENT
                   ? not_found(r, directory, err)
                   : husk_error_set(err, errno, "%s in container %s", directory, r->container);
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
        return husk_error_set(err, 0, "extraction point is not a directory");
    if (fs->read_only)
        return husk_error_set(err, 0, "container rootfs is marked read-only");
    /* Its /proc and /sys: writing there as the host's root could change the
     * host (/proc/sys is the kernel's, whoever writes it). */
    if (copy_fd_on_kernel_fs(fd))
        return husk_error_set(err, 0, "cannot copy to %s in container %s: a kernel file system",
                              directory, r->container);
    return steal_fd(&fd);
}

/* --- the two directions ----------------------------------------------------- */

static int extract_walk(int top, const char *top_name, const struct copy_walk_options *walk,
                        const struct copy_extract_options *options, struct copy_result *result,
                        husk_error_t *err)
{
    struct copy_extract x;
    copy_extract_init(&x, options);
    int rc = copy_walk(top, top_name, walk, &x.sink, err);
    if (rc == 0)
        rc = copy_extract_finish(&x, err);
    result->bytes = x.sink.bytes;
    copy_extract_free(&x);
    return rc;
}

static int extract_tar(int fd, const struct copy_extract_options *options,
                       struct copy_result *result, husk_error_t *err)
{
    struct copy_extract x;
    copy_extract_init(&x, options);
    int rc = copy_tar_read(fd, &x.sink, err);
    if (rc == 0)
        rc = copy_extract_finish(&x, err);
    result->bytes = x.sink.bytes;
    copy_extract_free(&x);
    return rc;
}

static int stream_out(int top, const char *top_name, const struct copy_walk_options *walk, int fd,
                      struct copy_result *result, husk_error_t *err)
{
    struct copy_tar_sink tar;
    if (copy_tar_sink_open(&tar, fd, err) < 0)
        return -1;
    int rc = copy_walk(top, top_name, walk, &tar.sink, err);
    if (copy_tar_sink_close(&tar, rc == 0 ? err : NULL) < 0)
        rc = -1;
    result->bytes = tar.sink.bytes;
    return rc;
}

static int copy_out(const struct container_fs *fs, const struct copy_request *r, const char *local,
                    struct copy_result *result, husk_error_t *err)
{
    cleanup_free char *source = copy_path_in_container(r->container_path);
    cleanup_close int top = open_container_source(fs, source, r, err);
    struct stat st;
    if (top < 0 || fstat(top, &st) < 0)
        return top < 0 ? -1 : husk_error_set(err, errno, "stat %s", source);
    cleanup_free char *top_name = copy_path_top_name(source);
    struct copy_walk_options walk = {.ids = &fs->ids, .skip_kernel_fs = fs->running};
    if (local == NULL)
        return stream_out(top, top_name, &walk, r->stream_fd, result, err);
    struct copy_destination d;
    cleanup_free char *resolved = NULL, *directory = NULL, *rename = NULL;
    const char *problem = NULL;
    if (local_destination(local, &d, &resolved, err) < 0)
        return -1;
    if (copy_plan(S_ISDIR(st.st_mode), top_name, &d, &directory, &rename, &problem) < 0)
        return husk_error_set(err, 0, "%s", problem);
    cleanup_close int directory_fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    result->destination = xstrdup(local);
    struct copy_extract_options options = {
        .directory_fd = directory_fd,
        .directory = directory,
        .rename_from = top_name,
        .rename_to = rename,
        .owner = r->archive ? COPY_OWNER_ENTRY : COPY_OWNER_CALLER,
    };
    return extract_walk(top, top_name, &walk, &options, result, err);
}

int engine_copy_from_container(const struct engine_context *context,
                               const struct copy_request *request, struct copy_result *result,
                               husk_error_t *err)
{
    *result = (struct copy_result){0};
    cleanup_free char *local = NULL;
    if (strcmp(request->local_path, "-") != 0) {
        local = local_absolute(request->local_path);
        if (validate_output_path(local, err) < 0)
            return -1;
    }
    struct container_fs fs;
    if (container_fs_open(context, request->container, false, &fs, err) < 0)
        return -1;
    int rc = copy_out(&fs, request, local, result, err);
    container_fs_close(&fs);
    return rc;
}

/* The local source, what it is, and where docker's rules put it. */
struct local_source {
    int fd;
    char *name;
    char *directory, *rename;
};

static int plan_local_source(const struct copy_request *r, const struct copy_destination *d,
                             struct local_source *s, husk_error_t *err)
{
    cleanup_free char *local = local_absolute(r->local_path);
    struct stat st;
    s->fd = open_local_source(local, r->follow_link, err);
    if (s->fd < 0 || fstat(s->fd, &st) < 0)
        return s->fd < 0 ? -1 : husk_error_set(err, errno, "stat %s", local);
    s->name = copy_path_top_name(local);
    const char *problem = NULL;
    if (copy_plan(S_ISDIR(st.st_mode), s->name, d, &s->directory, &s->rename, &problem) < 0)
        return husk_error_set(err, 0, "%s", problem);
    return 0;
}

static int copy_in(const struct container_fs *fs, const struct copy_request *r,
                   struct copy_result *result, husk_error_t *err)
{
    bool from_stream = strcmp(r->local_path, "-") == 0;
    cleanup_free char *target = copy_path_in_container(r->container_path), *resolved = NULL;
    struct copy_destination d;
    if (container_destination(fs, target, r, &d, &resolved, err) < 0)
        return -1;
    if (from_stream && !d.is_directory)
        return husk_error_set(err, 0, "destination \"%s:%s\" must be a directory", r->container,
                              r->container_path);
    struct local_source s = {.fd = -1, .directory = from_stream ? xstrdup(d.path) : NULL};
    int rc = from_stream ? 0 : plan_local_source(r, &d, &s, err);
    cleanup_close int directory_fd = rc == 0 ? open_extraction_point(fs, s.directory, r, err) : -1;
    if (directory_fd >= 0) {
        result->destination = xasprintf("%s:%s", r->container, d.path);
        struct copy_extract_options options = {
            .directory_fd = directory_fd,
            .directory = s.directory,
            .rename_from = s.name,
            .rename_to = s.rename,
            .owner = r->archive ? COPY_OWNER_ENTRY : COPY_OWNER_ROOT,
            .ids = &fs->ids,
            .container = true,
            .follow_symlinks_below = from_stream,
        };
        struct copy_walk_options walk = {.ids = NULL};
        rc = from_stream ? extract_tar(r->stream_fd, &options, result, err)
                         : extract_walk(s.fd, s.name, &walk, &options, result, err);
    }
    if (s.fd >= 0)
        close(s.fd);
    free(s.name);
    free(s.directory);
    free(s.rename);
    return directory_fd < 0 ? -1 : rc;
}

int engine_copy_to_container(const struct engine_context *context,
                             const struct copy_request *request, struct copy_result *result,
                             husk_error_t *err)
{
    *result = (struct copy_result){0};
    struct container_fs fs;
    if (container_fs_open(context, request->container, true, &fs, err) < 0)
        return -1;
    int rc = copy_in(&fs, request, result, err);
    container_fs_close(&fs);
    return rc;
}
