#include "rootfs.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "cgroup_mount.h"
#include "mount_fd.h"
#include "overlay.h"

/* The root is either a file system the spec mounts on "/" (husk's overlay)
 * or root.path bound onto itself, because pivot_root needs a mount point. */
static int mount_root(const struct runtime_spec *spec, int root_mount_fd, husk_error_t *err)
{
    if (root_mount_fd >= 0) {
        if (move_mount(root_mount_fd, "", AT_FDCWD, spec->root_path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return husk_error_set(err, errno, "attach the root on %s", spec->root_path);
        return 0;
    }
    const struct runtime_mount *root = runtime_spec_root_mount(spec);
    if (root == NULL) {
        if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
            return husk_error_set(err, errno, "bind root %s", spec->root_path);
        return 0;
    }
    if (root->type != NULL && strcmp(root->type, "overlay") == 0) {
        cleanup_close int overlay = overlay_mount_fd(root->data, err);
        if (overlay < 0 ||
            move_mount(overlay, "", AT_FDCWD, spec->root_path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return overlay < 0
                       ? husk_error_wrap(err, "root on %s", spec->root_path)
                       : husk_error_set(err, errno, "attach the root on %s", spec->root_path);
        return 0;
    }
    if (mount(root->source, spec->root_path, root->type, root->flags & ~MS_RDONLY, root->data) < 0)
        return husk_error_set(err, errno, "mount %s root on %s", root->type ? root->type : "",
                              spec->root_path);
    return 0;
}

/* What lxcfs and runc allow over the container's procfs; anything else
 * there, whether its destination says /proc or a symlink in the image led
 * there, is refused (runc's check against CVE-2019-16884's class). */
static bool proc_target_allowed(const char *destination)
{
    static const char *const allowed[] = {"/proc/cpuinfo", "/proc/diskstats",
                                          "/proc/meminfo", "/proc/stat",
                                          "/proc/swaps",   "/proc/uptime",
                                          "/proc/loadavg", "/proc/slabinfo",
                                          "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcmp(destination, allowed[i]) == 0)
            return true;
    return false;
}

static int check_target(int target, const struct runtime_mount *m, husk_error_t *err)
{
    struct statfs st;
    bool proc_mount = m->type != NULL && strcmp(m->type, "proc") == 0;
    if (fstatfs(target, &st) < 0)
        return husk_error_set(err, errno, "mount %s", m->destination);
    if (st.f_type == PROC_SUPER_MAGIC && !proc_mount && !proc_target_allowed(m->destination))
        return husk_error_set(err, 0,
                              "mount %s: the target is inside /proc, where husk mounts "
                              "nothing but the files lxcfs provides",
                              m->destination);
    return 0;
}

/* An idmapped bind, made by husk outside (idmap_bind_mounts). */
static int attach_tree(int root_fd, const struct runtime_mount *m, int tree, husk_error_t *err)
{
    cleanup_close int target = root_open_mount_target(root_fd, m->destination, true, err);
    if (target < 0)
        return husk_error_wrap(err, "mount %s", m->destination);
    if (check_target(target, m, err) < 0 ||
        mount_fd_set_flags(tree, m->recursive_set, m->recursive_cleared, true, err) < 0 ||
        mount_fd_set_flags(tree, m->flags & ~MS_REMOUNT, m->cleared, false, err) < 0 ||
        mount_fd_attach(tree, target, m->propagation, err) < 0)
        return husk_error_wrap(err, "mount %s", m->destination);
    return 0;
}

static bool is_cgroup(const struct runtime_mount *m)
{
    return m->type != NULL && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0);
}

/* The mount, made detached, its flags set, attached through the target's
 * fd and given its propagation through its own: no path is looked up again
 * once the target is open. *MOUNTED (may be NULL) keeps the mount's fd. */
static int mount_entry(int root_fd, const struct runtime_mount *m, bool cgroup_namespace,
                       int *mounted, husk_error_t *err)
{
    bool directory = true;
    if (m->bind) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            return husk_error_set(err, errno, "bind mount source %s", m->source);
        directory = S_ISDIR(st.st_mode);
    }
    cleanup_close int target = root_open_mount_target(root_fd, m->destination, directory, err);
    if (target < 0)
        return husk_error_wrap(err, "mount %s", m->destination);
    if (check_target(target, m, err) < 0)
        return -1;
    if (is_cgroup(m))
        return cgroup_mount_into(root_fd, target, m, cgroup_namespace, err);
    unsigned long flags = m->flags & ~MS_REMOUNT;
    const char *type = m->type ? m->type : m->source;
    cleanup_close int mount =
        m->bind ? mount_fd_bind(-1, m->source, m, err)
                : mount_fd_filesystem(type, m->source ? m->source : type, m->data, flags, err);
    if (mount < 0 || mount_fd_attach(mount, target, m->propagation, err) < 0)
        return husk_error_wrap(err, "mount %s", m->destination);
    if (mounted != NULL)
        *mounted = steal_fd(&mount);
    return 0;
}

static const struct runtime_device default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

/* mknod applies the umask; the spec's mode is what counts. Set through an
 * O_PATH fd of the node itself (chmod by its /proc/self/fd link). */
static int set_node_owner_mode(int dir_fd, const char *name, const struct runtime_device *device,
                               mode_t type, husk_error_t *err)
{
    cleanup_close int made = node_open_made(dir_fd, name, type);
    if (made < 0 || path_fd_chmod(made, device->mode & 07777) < 0 ||
        fchownat(made, "", device->uid, device->gid, AT_EMPTY_PATH) < 0)
        return husk_error_set(err, errno, "set owner and mode of %s", device->path);
    return 0;
}

/* In a user namespace mknod is refused: the host's node is bound instead,
 * but only a node of the very type and numbers the spec names (the host's
 * file at that path may be anything). */
static int bind_host_node(int dir_fd, const char *name, const struct runtime_device *device,
                          mode_t type, husk_error_t *err)
{
    cleanup_close int node = open(device->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (node < 0 || fstat(node, &st) < 0)
        return husk_error_set(err, errno, "bind the host's %s", device->path);
    if ((st.st_mode & S_IFMT) != type ||
        st.st_rdev != makedev((unsigned)device->major, (unsigned)device->minor))
        return husk_error_set(err, 0,
                              "device %s: cannot mknod it in a user namespace, and the host's "
                              "%s is not that device",
                              device->path, device->path);
    struct runtime_mount bind = {.destination = device->path, .bind = true};
    cleanup_close int tree = mount_fd_bind(node, device->path, &bind, err);
    cleanup_close int target =
        tree < 0 ? -1 : openat(dir_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (tree < 0)
        return -1;
    if (target < 0 || mount_fd_attach(tree, target, 0, err) < 0)
        return husk_error_set(err, errno, "bind the host's %s", device->path);
    return 0;
}

/* The initial user namespace maps every id to itself in one line. */
static bool in_user_namespace(void)
{
    cleanup_fclose FILE *map = fopen("/proc/self/uid_map", "re");
    unsigned long inside, outside, count;
    if (map == NULL || fscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3)
        return false;
    return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

/* DEV_FD is husk's own /dev tmpfs: device nodes are made there and only
 * there, whatever the image's /dev is or leads to. */
static int create_device(int dev_fd, const struct runtime_device *device, husk_error_t *err)
{
    if (strncmp(device->path, "/dev/", 5) != 0 || device->path[5] == '\0')
        return husk_error_set(err, 0, "device %s: husk makes device nodes only under /dev",
                              device->path);
    cleanup_free char *relative = xstrdup(device->path + 4);
    char *slash = strrchr(relative, '/');
    cleanup_free char *directory = xstrndup(relative, (size_t)(slash - relative));
    const char *name = slash + 1;
    cleanup_close int dir_fd = root_open_directory_create(dev_fd, directory, 0755, err);
    if (dir_fd < 0)
        return -1;
    mode_t type = device->type == 'b' ? S_IFBLK : device->type == 'p' ? S_IFIFO : S_IFCHR;
    dev_t number = makedev((unsigned)device->major, (unsigned)device->minor);
    unlinkat(dir_fd, name, 0);
    if (mknodat(dir_fd, name, type | (device->mode & 07777), number) == 0)
        return set_node_owner_mode(dir_fd, name, device, type, err);
    if (errno != EPERM || type == S_IFIFO || !in_user_namespace())
        return husk_error_set(err, errno, "mknod %s", device->path);
    return bind_host_node(dir_fd, name, device, type, err);
}

static bool device_listed(const struct runtime_spec *spec, const char *path)
{
    for (size_t i = 0; i < spec->device_count; i++)
        if (strcmp(spec->devices[i].path, path) == 0)
            return true;
    return false;
}

static int create_devices(int dev_fd, const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
        if (!device_listed(spec, default_devices[i].path) &&
            create_device(dev_fd, &default_devices[i], err) < 0)
            return -1;
    for (size_t i = 0; i < spec->device_count; i++)
        if (create_device(dev_fd, &spec->devices[i], err) < 0)
            return -1;
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},         {"/proc/kcore", "core"},
    };
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        if (symlinkat(links[i][0], dev_fd, links[i][1]) < 0 && errno != EEXIST)
            return husk_error_set(err, errno, "symlink /dev/%s", links[i][1]);
    return 0;
}

/* Devices are made only in a /dev that is a tmpfs of husk's: a spec that
 * binds the host's /dev gets none (as runc). */
static bool is_own_tmpfs(int fd)
{
    struct statfs st;
    return fd >= 0 && fstatfs(fd, &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static int pivot_into(int root_fd, husk_error_t *err)
{
    if (fchdir(root_fd) < 0)
        return husk_error_set(err, errno, "chdir into the root");
    /* pivot_root(".", ".") stacks the old root on the new one; detaching
     * "." then drops the old root without needing a directory for it. */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return husk_error_set(err, errno, "pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        return husk_error_set(err, errno, "detach the old root");
    if (chdir("/") < 0)
        return husk_error_set(err, errno, "chdir /");
    return 0;
}

static int attach_mount(int root_fd, const struct runtime_attached_mount *m, husk_error_t *err)
{
    cleanup_close int target = root_open_mount_target(root_fd, m->destination, true, err);
    if (target < 0)
        return husk_error_wrap(err, "mount %s", m->destination);
    if (move_mount(m->fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return husk_error_set(err, errno, "move the mount for %s in", m->destination);
    return 0;
}

int rootfs_prepare(const struct runtime_spec *spec, const struct rootfs_handover *handover,
                   husk_error_t *err)
{
    /* pivot_root refuses shared mounts, and an unbindable root cannot be
     * bound onto itself: those two are set once in the new root. A shared
     * root is first a slave, so it still gets the host's mounts but never
     * sends its own back. */
    unsigned long propagation = spec->rootfs_propagation;
    bool after_pivot = propagation & (MS_SHARED | MS_UNBINDABLE);
    unsigned long before = !after_pivot                ? propagation
                           : (propagation & MS_SHARED) ? MS_SLAVE | MS_REC
                                                       : MS_PRIVATE | MS_REC;
    if (mount(NULL, "/", NULL, before, NULL) < 0)
        return husk_error_set(err, errno, "make / %s", (before & MS_SLAVE) ? "a slave" : "private");
    if (mount_root(spec, handover->root_mount_fd, err) < 0)
        return -1;
    cleanup_close int root_fd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return husk_error_set(err, errno, "open root %s", spec->root_path);
    cleanup_close int dev_fd = -1;
    bool cgroup_namespace = runtime_spec_has_namespace(spec, CLONE_NEWCGROUP);
    for (size_t i = 0; i < spec->mount_count; i++) {
        const struct runtime_mount *m = &spec->mounts[i];
        if (strcmp(m->destination, "/") == 0)
            continue;
        int tree = handover->mount_fds ? handover->mount_fds[i] : -1;
        /* Only a tmpfs of husk's: not a bind of the host's /dev (docker -v
         * /dev:/dev), which is devtmpfs and reports TMPFS_MAGIC too. */
        bool dev = strcmp(m->destination, "/dev") == 0 && dev_fd < 0 && !m->bind &&
                   m->type != NULL && strcmp(m->type, "tmpfs") == 0;
        if ((tree >= 0 ? attach_tree(root_fd, m, tree, err)
                       : mount_entry(root_fd, m, cgroup_namespace, dev ? &dev_fd : NULL, err)) < 0)
            return -1;
    }
    for (size_t i = 0; i < handover->attached_count; i++)
        if (attach_mount(root_fd, &handover->attached[i], err) < 0)
            return -1;
    /* Devices go into husk's own /dev tmpfs only, never into an image's /dev. */
    if (is_own_tmpfs(dev_fd) && create_devices(dev_fd, spec, err) < 0)
        return -1;
    if (handover->before_pivot != NULL &&
        handover->before_pivot(handover->before_pivot_data, err) < 0)
        return -1;
    if (pivot_into(root_fd, err) < 0)
        return -1;
    if (after_pivot && mount(NULL, "/", NULL, propagation, NULL) < 0)
        return husk_error_set(err, errno, "make the root %s",
                              (propagation & MS_SHARED) ? "shared" : "unbindable");
    return 0;
}

static int mask_path(const char *path, husk_error_t *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : husk_error_set(err, errno, "mask %s", path);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") < 0)
            return husk_error_set(err, errno, "mask %s", path);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
        return husk_error_set(err, errno, "mask %s", path);
    }
    return 0;
}

/* A bind remount replaces the mount's flags: carry the existing ones over. */
static unsigned long current_mount_flags(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) < 0)
        return 0;
    return st.f_flag &
           (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
}

static int make_readonly(const char *path, bool must_exist, husk_error_t *err)
{
    if (!must_exist && access(path, F_OK) < 0)
        return 0;
    if (strcmp(path, "/") != 0 && mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return husk_error_set(err, errno, "bind %s read-only", path);
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | current_mount_flags(path);
    if (mount(NULL, path, NULL, flags, NULL) < 0)
        return husk_error_set(err, errno, "remount %s read-only", path);
    return 0;
}

int rootfs_finalize(const struct runtime_spec *spec, husk_error_t *err)
{
    for (char **path = spec->masked_paths; path && *path; path++)
        if (mask_path(*path, err) < 0)
            return -1;
    for (char **path = spec->readonly_paths; path && *path; path++)
        if (make_readonly(*path, false, err) < 0)
            return -1;
    if (spec->root_readonly && make_readonly("/", true, err) < 0)
        return -1;
    return 0;
}
