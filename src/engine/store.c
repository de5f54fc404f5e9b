#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/timestamp.h"
#include "../util/xalloc.h"
#include "../util/fault.h"
#include "identity.h"
#include "record_reserve.h"
#include "storage_btrfs.h"
#include "storage_quota.h"

char *store_container_directory(const struct engine_context *context, const char *id)
{
    return xasprintf("%s/containers/%s", context->data_root, id);
}

/* containers/ holds every record (and -e values in them): owner only, and
 * at most search (x) for the gid of --userns private roots, which
 * userns_make_reachable() grants. Others' bits go, also those an older
 * husk added. */
static int make_private(const char *path, husk_error_t *err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return husk_error_set(err, errno, "open %s", path);
    mode_t mode = S_IRWXU | (st.st_mode & S_IXGRP);
    if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
        return husk_error_set(err, errno, "chmod %s", path);
    return 0;
}

/* The modes are set with chmod, not left to the caller's umask: upper/ is
 * 0755 because the container's "/" takes its mode (a 0700 "/" would lock
 * out the container's own non-root users), and it is reached only through
 * the container directory; work/ and rootfs/ are husk's alone. */
static const struct {
    const char *name;
    mode_t mode;
} subdirectories[] = {{"upper", 0755}, {"work", 0700}, {"rootfs", 0700}};

int store_container_create(const struct engine_context *context, const char *id, husk_error_t *err)
{
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_free char *containers = xasprintf("%s/containers", context->data_root);
    if (directory_create_parents(containers, 0700, err) < 0 || make_private(containers, err) < 0)
        return -1;
    if (mkdir(directory, 0700) < 0)
        return husk_error_set(err, errno, "create %s", directory);
    for (size_t i = 0; i < sizeof(subdirectories) / sizeof(subdirectories[0]); i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", directory, subdirectories[i].name);
        if (mkdir(path, 0700) < 0 || chmod(path, subdirectories[i].mode) < 0) {
            husk_error_set(err, errno, "create %s", path);
            directory_remove_tree(directory, NULL);
            return -1;
        }
    }
    return 0;
}

char *store_container_layer_path(const char *directory, const char *name)
{
    cleanup_free char *layer = xasprintf("%s/%s", directory, STORAGE_BTRFS_LAYER);
    struct stat st;
    if (lstat(layer, &st) == 0 && S_ISDIR(st.st_mode))
        return xasprintf("%s/%s", layer, name);
    return xasprintf("%s/%s", directory, name);
}

/* The tree, then the qgroup of its btrfs subvolume (if it has one), which
 * the kernel may keep after the subvolume is gone. */
static int remove_container_tree(const struct engine_context *context, const char *directory,
                                 husk_error_t *err)
{
    uint64_t qgroup = storage_btrfs_layer_id(directory);
    int rc = directory_remove_tree(directory, err);
    if (rc == 0 && qgroup != 0) {
        cleanup_free char *containers = xasprintf("%s/containers", context->data_root);
        storage_btrfs_forget(containers, qgroup);
    }
    return rc;
}

static char *name_link(const struct engine_context *context, const char *name)
{
    return xasprintf("%s/names/%s", context->data_root, name);
}

int store_container_abandoned(const struct engine_context *context, const char *id, bool wait,
                              husk_error_t *err)
{
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_close int fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : husk_error_set(err, errno, "open %s", directory);
    if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0)
        return errno == EWOULDBLOCK ? 0 : husk_error_set(err, errno, "lock %s", directory);
    if (faccessat(fd, "container.json", F_OK, 0) == 0 || errno != ENOENT)
        return 0;
    return remove_container_tree(context, directory, err) < 0 ? -1 : 1;
}

/* A name whose container never came to be is free: its directory is gone
 * (husk killed mid-run), or it has no record and nobody creates it any
 * more (husk killed before the first record was written). */
static bool name_is_stale(const struct engine_context *context, const char *holder)
{
    return container_name_is_full_id(holder) &&
           store_container_abandoned(context, holder, false, NULL) == 1;
}

int store_name_reserve(const struct engine_context *context, const char *name, const char *id,
                       husk_error_t *err)
{
    cleanup_free char *names = xasprintf("%s/names", context->data_root);
    cleanup_free char *link = name_link(context, name);
    if (directory_create_parents(names, 0700, err) < 0)
        return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (symlink(id, link) == 0)
            return 0;
        if (errno != EEXIST)
            return husk_error_set(err, errno, "reserve name %s", name);
        char holder[128] = "";
        ssize_t n = readlink(link, holder, sizeof(holder) - 1);
        if (n > 0)
            holder[n] = '\0';
        if (attempt == 0 && n > 0 && name_is_stale(context, holder)) {
            /* Rename-over keeps the stale check and removal atomic together
             * with respect to other husk processes doing the same. */
            cleanup_free char *temporary = xasprintf("%s.stale.%d", link, getpid());
            if (rename(link, temporary) == 0)
                unlink(temporary);
            continue;
        }
        /* docker's words, so scripts that look for them find them. */
        return husk_error_set(err, 0,
                              "Conflict. The container name \"/%s\" is already in use by "
                              "container \"%s\". You have to remove (or rename) that container "
                              "to be able to reuse that name.",
                              name, holder);
    }
    return husk_error_set(err, EEXIST, "reserve name %s", name);
}

void store_name_release(const struct engine_context *context, const char *name, const char *id)
{
    cleanup_free char *link = name_link(context, name);
    char holder[128];
    ssize_t n = readlink(link, holder, sizeof(holder) - 1);
    if (n <= 0)
        return;
    holder[n] = '\0';
    if (strcmp(holder, id) == 0)
        unlink(link);
}

void store_name_release_stale(const struct engine_context *context, const char *name)
{
    cleanup_free char *link = name_link(context, name[0] == '/' ? name + 1 : name);
    char holder[128];
    ssize_t n = strchr(name + 1, '/') == NULL ? readlink(link, holder, sizeof(holder) - 1) : -1;
    if (n <= 0)
        return;
    holder[n] = '\0';
    if (name_is_stale(context, holder))
        store_name_release(context, name[0] == '/' ? name + 1 : name, holder);
}

static bool is_name_entry(const char *entry)
{
    return entry[0] != '.';
}

void store_names_release_stale(const struct engine_context *context)
{
    cleanup_free char *path = xasprintf("%s/names", context->data_root);
    cleanup_strv char **names = directory_names(path, is_name_entry);
    for (char **name = names; name && *name; name++)
        store_name_release_stale(context, *name);
}

/* fsync only where a crash would lose what the user asked for: the
 * configuration of a container that is kept (status "created"). State
 * changes (running, exited, pids) are re-derived from the kernel after a
 * crash anyway (a pid counts only together with its start time), and a --rm
 * container's record goes with the container; rename() alone keeps every
 * write atomic. The fsyncs cost ~2 ms of each `run` here. */
static bool record_needs_fsync(json_t *record)
{
    const char *status =
        json_string_value(json_object_get(json_object_get(record, "State"), "Status"));
    bool auto_remove =
        json_is_true(json_object_get(json_object_get(record, "HostConfig"), "AutoRemove"));
    return !auto_remove && (status == NULL || strcmp(status, "created") == 0);
}

int store_record_save(const struct engine_context *context, const char *id, json_t *record,
                      husk_error_t *err)
{
    return store_record_write(context, id, record, record_needs_fsync(record), err);
}

int store_record_write(const struct engine_context *context, const char *id, json_t *record,
                       bool durable, husk_error_t *err)
{
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_free char *path = xasprintf("%s/container.json", directory);
    cleanup_free char *text = json_dumps(record, JSON_COMPACT);
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "save container record");
    /* 0600 (file_write_atomic's mode): the record holds the -e values. */
    husk_error_t full = NULL;
    if (file_write_atomic(path, text, strlen(text), durable, &full) == 0) {
        record_reserve_renew(directory, record);
        return 0;
    }
    bool no_space = full->errno_value == ENOSPC || full->errno_value == EDQUOT;
    if (!no_space || !record_reserve_release(directory, record)) {
        if (err != NULL)
            *err = steal_pointer(&full);
        husk_error_free(&full);
        return -1;
    }
    husk_error_free(&full);
    free(text);
    text = json_dumps(record, JSON_COMPACT);
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "save container record");
    return file_write_atomic(path, text, strlen(text), durable, err);
}

void store_record_sync(const struct engine_context *context, const char *id)
{
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_free char *path = xasprintf("%s/container.json", directory);
    cleanup_close int file = open(path, O_RDONLY | O_CLOEXEC);
    cleanup_close int dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (file >= 0)
        fsync(file);
    if (dir >= 0)
        fsync(dir); /* the rename that put it there */
}

int store_container_remove(const struct engine_context *context, const char *id, const char *name,
                           husk_error_t *err)
{
    cleanup_free char *directory = store_container_directory(context, id);
    int rc = remove_container_tree(context, directory, err);
    if (rc == 0) /* only once no file of it counts any more */
        storage_quota_release(context, id);
    FAULT_POINT("rm.directory");
    if (name != NULL)
        store_name_release(context, name, id);
    return rc;
}

void store_timestamp_now(char *buffer, size_t size)
{
    timestamp_now(buffer, size);
}
