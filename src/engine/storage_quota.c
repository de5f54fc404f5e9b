#include "storage_quota.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "storage_btrfs.h"
#include "store.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443 /* Linux 5.14; the same number on every architecture */
#endif

/* Ids looked at before giving up: far more than containers a host keeps. */
#define PROJECT_SEARCH_LIMIT 65536u

/* quotactl_fd takes any file of the file system, where quotactl wants its
 * block device: no device node to find or make (docker mknods one). */
static int project_quotactl(int fd, int command, uint32_t project, void *data)
{
    return (int)syscall(SYS_quotactl_fd, (unsigned)fd, QCMD(command, PRJQUOTA), project, data);
}

static const char *file_system_name(int fd, char *buffer, size_t size)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } known[] = {
        {XFS_SUPER_MAGIC, "xfs"},     {EXT4_SUPER_MAGIC, "ext4"},         {TMPFS_MAGIC, "tmpfs"},
        {BTRFS_SUPER_MAGIC, "btrfs"}, {OVERLAYFS_SUPER_MAGIC, "overlay"}, {NFS_SUPER_MAGIC, "nfs"},
    };
    struct statfs st;
    if (fstatfs(fd, &st) < 0)
        return "an unknown file system";
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if ((unsigned long)st.f_type == known[i].magic)
            return known[i].name;
    snprintf(buffer, size, "a file system of type 0x%lx", (unsigned long)st.f_type);
    return buffer;
}

/* docker refuses --storage-opt where quotas cannot be enforced, rather
 * than let a container believe it is limited; so does husk. */
static int check_enforced(int containers_fd, const char *path, husk_error_t *err)
{
    struct fs_quota_statv state = {.qs_version = FS_QSTATV_VERSION1};
    const char *why = NULL;
    if (project_quotactl(containers_fd, Q_XGETQSTATV, 0, &state) < 0)
        why = errno == ESRCH ? "its quotas are off"
                             : "it has no quotas (not made or mounted with them, or not in this "
                               "kernel)";
    else if (!(state.qs_flags & FS_QUOTA_PDQ_ACCT))
        why = "project quotas are off";
    else if (!(state.qs_flags & FS_QUOTA_PDQ_ENFD))
        why = "project quotas are counted but not enforced";
    if (why == NULL)
        return 0;
    char buffer[64];
    return husk_error_set(err, 0,
                          "--storage-opt is supported only on btrfs and where project quotas "
                          "are enforced (xfs mounted with pquota, ext4 with the project feature "
                          "mounted with prjquota): %s is on %s, and %s",
                          path, file_system_name(containers_fd, buffer, sizeof(buffer)), why);
}

/* HUSK_ROOT/quota/projects.json, read and written under quota/lock. */
struct projects {
    json_t *map; /* {"PROJECT ID": "CONTAINER ID"} */
    char *path;
    int lock_fd;
    int containers_fd; /* any file of the file system, for quotactl */
};

static void projects_close(struct projects *p)
{
    json_decref(p->map);
    free(p->path);
    if (p->lock_fd >= 0)
        close(p->lock_fd);
    if (p->containers_fd >= 0)
        close(p->containers_fd);
    memset(p, 0, sizeof(*p));
    p->lock_fd = p->containers_fd = -1;
}

/* 1 (and nothing opened) when !CREATE and no container ever had a quota. */
static int projects_open(const struct engine_context *context, bool create, struct projects *p,
                         husk_error_t *err)
{
    memset(p, 0, sizeof(*p));
    p->lock_fd = p->containers_fd = -1;
    cleanup_free char *directory = xasprintf("%s/quota", context->data_root);
    cleanup_free char *lock = xasprintf("%s/lock", directory);
    cleanup_free char *containers = xasprintf("%s/containers", context->data_root);
    if (!create && access(directory, F_OK) < 0 && errno == ENOENT)
        return 1;
    if (create && directory_create_parents(directory, 0700, err) < 0)
        return -1;
    p->path = xasprintf("%s/projects.json", directory);
    p->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (p->lock_fd < 0 || flock(p->lock_fd, LOCK_EX) < 0) {
        husk_error_set(err, errno, "lock %s", lock);
        goto fail;
    }
    p->containers_fd = open(containers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (p->containers_fd < 0) {
        husk_error_set(err, errno, "open %s", containers);
        goto fail;
    }
    cleanup_free char *text = NULL;
    if (file_read_all(AT_FDCWD, p->path, &text, NULL, NULL) < 0)
        text = xstrdup("{}");
    p->map = json_loads(text, 0, NULL);
    if (json_is_object(p->map))
        return 0;
    husk_error_set(err, 0, "%s is damaged", p->path);
fail:
    projects_close(p);
    return -1;
}

static int projects_save(const struct projects *p, husk_error_t *err)
{
    cleanup_free char *text = json_dumps(p->map, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "save %s", p->path);
    return file_write_atomic(p->path, text, strlen(text), true, err);
}

/* Hard limit BYTES (0: none), soft limit none: a reused id keeps nothing of
 * its last owner's. */
static int set_limit(int fd, uint32_t project, uint64_t bytes)
{
    struct fs_disk_quota quota = {
        .d_version = FS_DQUOT_VERSION,
        .d_flags = FS_PROJ_QUOTA,
        .d_fieldmask = FS_DQ_BHARD | FS_DQ_BSOFT,
        .d_id = project,
        .d_blk_hardlimit = (bytes + 511) / 512, /* 512-byte basic blocks */
    };
    return project_quotactl(fd, Q_XSETQLIM, project, &quota);
}

static uint32_t project_of_key(const char *key)
{
    return (uint32_t)strtoul(key, NULL, 10);
}

/* Entries of containers whose directory is gone: a remove killed between
 * the directory and this file. Their ids are free again. */
static void reclaim_stale(const struct engine_context *context, struct projects *p)
{
    const char *key;
    json_t *value;
    void *next;
    json_object_foreach_safe(p->map, next, key, value)
    {
        const char *id = json_string_value(value);
        cleanup_free char *directory = store_container_directory(context, id ? id : "");
        if (id != NULL && id[0] != '\0' && (access(directory, F_OK) == 0 || errno != ENOENT))
            continue;
        set_limit(p->containers_fd, project_of_key(key), 0);
        json_object_del(p->map, key);
    }
}

/* Counted or limited by the file system: another user's project. */
static int project_taken(int fd, uint32_t project, bool *taken, husk_error_t *err)
{
    struct fs_disk_quota quota = {0};
    *taken = false;
    if (project_quotactl(fd, Q_XGETQUOTA, project, &quota) < 0)
        return errno == ENOENT ? 0 : husk_error_set(err, errno, "read project %u's quota", project);
    *taken = quota.d_bcount || quota.d_icount || quota.d_blk_hardlimit || quota.d_blk_softlimit ||
             quota.d_ino_hardlimit || quota.d_ino_softlimit;
    return 0;
}

static int allocate(struct projects *p, const char *id, uint32_t *project, husk_error_t *err)
{
    struct fsxattr attr;
    if (ioctl(p->containers_fd, FS_IOC_FSGETXATTR, &attr) < 0)
        return husk_error_set(err, errno, "read the project id of the containers' directory");
    uint32_t base = attr.fsx_projid + 1;
    for (uint32_t n = 0; n < PROJECT_SEARCH_LIMIT; n++) {
        uint32_t candidate = base + n;
        char key[16];
        bool taken;
        if (candidate < base || candidate == UINT32_MAX)
            break; /* wrapped; and (uint32_t)-1 means "no id" to the kernel */
        snprintf(key, sizeof(key), "%u", candidate);
        if (json_object_get(p->map, key) != NULL)
            continue;
        if (project_taken(p->containers_fd, candidate, &taken, err) < 0)
            return -1;
        if (taken)
            continue;
        json_object_set_new(p->map, key, json_string(id));
        *project = candidate;
        return projects_save(p, err);
    }
    return husk_error_set(err, 0, "no free project id from %u on", base);
}

/* PROJINHERIT: what is made below takes the project too. The directories
 * are still empty, so nothing already there escapes the count. */
static int join_project(const char *directory, const char *name, uint32_t project,
                        husk_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/%s", directory, name);
    cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct fsxattr attr;
    if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &attr) < 0)
        return husk_error_set(err, errno, "read the project id of %s", path);
    attr.fsx_projid = project;
    attr.fsx_xflags |= FS_XFLAG_PROJINHERIT;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &attr) < 0)
        return husk_error_set(err, errno, "put %s in project %u", path, project);
    return 0;
}

static int limit_layer(const struct projects *p, const char *directory, uint32_t project,
                       uint64_t bytes, husk_error_t *err)
{
    if (set_limit(p->containers_fd, project, bytes) < 0)
        return husk_error_set(err, errno, "limit project %u to %llu bytes", project,
                              (unsigned long long)bytes);
    if (join_project(directory, "upper", project, err) < 0 ||
        join_project(directory, "work", project, err) < 0)
        return -1;
    return 0;
}

int storage_quota_apply(const struct engine_context *context, const char *id, const char *directory,
                        uint64_t bytes, husk_error_t *err)
{
    cleanup_free char *containers = xasprintf("%s/containers", context->data_root);
    cleanup_close int containers_fd = open(containers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (containers_fd < 0)
        return husk_error_set(err, errno, "open %s", containers);
    /* btrfs can always enforce: qgroups are turned on when first needed. */
    if (storage_btrfs_is(containers_fd))
        return bytes == 0 || storage_btrfs_apply(directory, bytes, err) == 0
                   ? 0
                   : husk_error_wrap(err, "--storage-opt size=");
    if (check_enforced(containers_fd, containers, err) < 0)
        return -1;
    if (bytes == 0)
        return 0; /* docker's size=0: no limit */
    struct projects p;
    if (projects_open(context, true, &p, err) < 0)
        return husk_error_wrap(err, "--storage-opt size=");
    reclaim_stale(context, &p);
    uint32_t project = 0;
    int rc = allocate(&p, id, &project, err);
    if (rc == 0 && limit_layer(&p, directory, project, bytes, err) < 0) {
        /* The directory goes with the failed create; the id goes now. */
        char key[16];
        snprintf(key, sizeof(key), "%u", project);
        set_limit(p.containers_fd, project, 0);
        json_object_del(p.map, key);
        projects_save(&p, NULL);
        rc = -1;
    }
    projects_close(&p);
    return rc < 0 ? husk_error_wrap(err, "--storage-opt size=") : 0;
}

void storage_quota_release(const struct engine_context *context, const char *id)
{
    struct projects p;
    if (projects_open(context, false, &p, NULL) != 0)
        return;
    const char *key;
    json_t *value;
    void *next;
    bool changed = false;
    json_object_foreach_safe(p.map, next, key, value)
    {
        if (!json_is_string(value) || strcmp(json_string_value(value), id) != 0)
            continue;
        set_limit(p.containers_fd, project_of_key(key), 0);
        json_object_del(p.map, key);
        changed = true;
    }
    if (changed)
        projects_save(&p, NULL);
    projects_close(&p);
}
