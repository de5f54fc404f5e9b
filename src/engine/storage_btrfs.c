#include "storage_btrfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

bool storage_btrfs_is(int fd)
{
    struct statfs st;
    return fstatfs(fd, &st) == 0 && (unsigned long)st.f_type == BTRFS_SUPER_MAGIC;
}

/* Turning quotas on starts a rescan and returns before it ends; until it
 * ends the kernel does not account the extents it has not reached, so a
 * limit is not enforced (measured: 25 MB written into a 10 MiB qgroup while
 * the rescan ran). Returns at once when no rescan runs; also waits out one
 * an administrator started or one resumed at mount. */
static int wait_for_rescan(int fd, const char *directory, husk_error_t *err)
{
    int rc;
    do
        rc = ioctl(fd, BTRFS_IOC_QUOTA_RESCAN_WAIT);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return husk_error_set(
            err, errno, "wait for the btrfs quota rescan on the file system of %s", directory);
    return 0;
}

/* Idempotent: the kernel returns 0 at once when quotas are already on. */
static int enable_quotas(int fd, const char *directory, husk_error_t *err)
{
    struct btrfs_ioctl_quota_ctl_args args = {.cmd = BTRFS_QUOTA_CTL_ENABLE};
    if (ioctl(fd, BTRFS_IOC_QUOTA_CTL, &args) < 0)
        return husk_error_set(err, errno, "enable btrfs quotas on the file system of %s",
                              directory);
    return wait_for_rescan(fd, directory, err);
}

/* The id of the subvolume FD is in: INO_LOOKUP with tree id 0 answers with
 * the tree of the file, on every kernel that has qgroups. */
static int subvolume_id(int fd, uint64_t *id)
{
    struct btrfs_ioctl_ino_lookup_args args = {.treeid = 0, .objectid = BTRFS_FIRST_FREE_OBJECTID};
    if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &args) < 0)
        return -1;
    *id = args.treeid;
    return 0;
}

static int create_subvolume(int parent, const char *directory, husk_error_t *err)
{
    struct btrfs_ioctl_vol_args args = {0};
    snprintf(args.name, sizeof(args.name), "%s", STORAGE_BTRFS_LAYER);
    if (ioctl(parent, BTRFS_IOC_SUBVOL_CREATE, &args) < 0)
        return husk_error_set(err, errno, "create the btrfs subvolume %s/%s", directory,
                              STORAGE_BTRFS_LAYER);
    return 0;
}

/* upper/ and work/ as store_container_create made them (empty, same modes),
 * now inside the subvolume. */
static int move_layer(int parent, int layer, const char *directory, husk_error_t *err)
{
    static const char *const names[] = {"upper", "work"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct stat st;
        if (fstatat(parent, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            mkdirat(layer, names[i], 0700) < 0 ||
            fchmodat(layer, names[i], st.st_mode & 07777, 0) < 0 ||
            unlinkat(parent, names[i], AT_REMOVEDIR) < 0)
            return husk_error_set(err, errno, "move %s/%s into %s/%s", directory, names[i],
                                  directory, STORAGE_BTRFS_LAYER);
    }
    return 0;
}

static int limit(int layer, uint64_t id, uint64_t bytes, const char *directory, husk_error_t *err)
{
    struct btrfs_ioctl_qgroup_limit_args args = {
        .qgroupid = id,
        .lim = {.flags = BTRFS_QGROUP_LIMIT_MAX_RFER, .max_rfer = bytes},
    };
    if (ioctl(layer, BTRFS_IOC_QGROUP_LIMIT, &args) < 0)
        return husk_error_set(err, errno, "limit btrfs qgroup 0/%llu (%s/%s) to %llu bytes",
                              (unsigned long long)id, directory, STORAGE_BTRFS_LAYER,
                              (unsigned long long)bytes);
    return 0;
}

int storage_btrfs_apply(const char *directory, uint64_t bytes, husk_error_t *err)
{
    cleanup_close int parent = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (parent < 0)
        return husk_error_set(err, errno, "open %s", directory);
    if (enable_quotas(parent, directory, err) < 0 || create_subvolume(parent, directory, err) < 0)
        return -1;
    /* The subvolume's root is 0755 as upper/ is: reached only through the
     * container's directory, and container root must pass it (userns). */
    cleanup_close int layer =
        openat(parent, STORAGE_BTRFS_LAYER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    uint64_t id = 0;
    if (layer < 0 || fchmod(layer, 0755) < 0 || subvolume_id(layer, &id) < 0)
        return husk_error_set(err, errno, "open the btrfs subvolume %s/%s", directory,
                              STORAGE_BTRFS_LAYER);
    /* A failed create removes the whole directory, subvolume included. */
    if (move_layer(parent, layer, directory, err) < 0 ||
        limit(layer, id, bytes, directory, err) < 0)
        return -1;
    return 0;
}

uint64_t storage_btrfs_layer_id(const char *directory)
{
    cleanup_free char *path = xasprintf("%s/%s", directory, STORAGE_BTRFS_LAYER);
    cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    uint64_t id = 0;
    /* Inode 256 on btrfs: a subvolume's root, not a directory someone made. */
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != BTRFS_FIRST_FREE_OBJECTID ||
        !storage_btrfs_is(fd) || subvolume_id(fd, &id) < 0)
        return 0;
    return id;
}

void storage_btrfs_forget(const char *path, uint64_t id)
{
    if (id == 0)
        return;
    cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct btrfs_ioctl_qgroup_create_args args = {.create = 0, .qgroupid = id};
    if (fd >= 0)
        ioctl(fd, BTRFS_IOC_QGROUP_CREATE, &args);
}
