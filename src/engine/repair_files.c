#include "repair_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "storage_btrfs.h"
#include "record.h"
#include "store.h"

static bool is_name(const char *entry)
{
    return entry[0] != '.';
}

/* Why NAME -> HOLDER is no reservation, or NULL when it is one (or the
 * holder is busy: a rename or create in progress holds its lock). */
static const char *stale_name(const struct engine_context *context, const char *name,
                              const char *holder)
{
    cleanup_free char *directory = store_container_directory(context, holder);
    cleanup_close int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? "its container does not exist" : NULL;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        return NULL;
    struct container_handle handle;
    if (container_read(context, holder, &handle, NULL) < 0)
        return NULL; /* no record: the container's own finding */
    bool named = handle.name != NULL && strcmp(handle.name, name) == 0;
    container_close(&handle);
    return named ? NULL : "its container has another name";
}

void names_repair(struct repair *r)
{
    cleanup_free char *path = xasprintf("%s/names", r->context->data_root);
    cleanup_strv char **names = directory_names(path, is_name);
    for (char **name = names; name && *name; name++) {
        cleanup_free char *link = xasprintf("%s/%s", path, *name);
        char holder[128];
        ssize_t n = readlink(link, holder, sizeof(holder) - 1);
        if (n <= 0)
            continue;
        holder[n] = '\0';
        const char *why = stale_name(r->context, *name, holder);
        if (why == NULL)
            continue;
        if (r->fix)
            store_name_release(r->context, *name, holder);
        repair_notef(r, "name", 0, NULL, *name, "reserved for %.12s, but %s", holder, why);
    }
}

/* "NAME.tmp.PID" -> PID, or 0. */
static pid_t temporary_writer(const char *name)
{
    const char *mark = strstr(name, ".tmp.");
    if (mark == NULL)
        return 0;
    char *end = NULL;
    long pid = strtol(mark + 5, &end, 10);
    return end != mark + 5 && *end == '\0' && pid > 0 ? (pid_t)pid : 0;
}

/* What the walk does not enter: containers' and volumes' own files (a
 * container may name a file anything), image layers, and the image
 * store's tmp, which image prune collects under the store's lock. */
static bool skipped_directory(const char *name)
{
    static const char *const skipped[] = {"upper", "work", "rootfs", "_data", "layers",
                                          "blobs", "tmp",  "merged", "diff",  STORAGE_BTRFS_LAYER};
    for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
        if (strcmp(name, skipped[i]) == 0)
            return true;
    return false;
}

static void walk(struct repair *r, const char *path, int depth)
{
    DIR *listing = opendir(path);
    struct dirent *entry;
    while (listing != NULL && (entry = readdir(listing)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        cleanup_free char *child = xasprintf("%s/%s", path, entry->d_name);
        if (entry->d_type == DT_DIR) {
            if (depth > 0 && !skipped_directory(entry->d_name))
                walk(r, child, depth - 1);
            continue;
        }
        pid_t writer = temporary_writer(entry->d_name);
        if (entry->d_type != DT_REG || writer == 0 || kill(writer, 0) == 0 || errno != ESRCH)
            continue;
        husk_error_t err = NULL;
        int rc = r->fix && unlink(child) < 0 && errno != ENOENT
                     ? husk_error_set(&err, errno, "remove %s", child)
                     : 0;
        repair_notef(r, "file", rc, err, child, "temporary file of process %d, which is gone",
                     (int)writer);
    }
    if (listing != NULL)
        closedir(listing);
}

void temporary_files_repair(struct repair *r)
{
    walk(r, r->context->data_root, 4);
}
