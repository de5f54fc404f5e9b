#include "mount_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static uint64_t attributes_of(unsigned long flags)
{
    static const struct {
        unsigned long flag;
        uint64_t attribute;
    } map[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
               {MS_NOSUID, MOUNT_ATTR_NOSUID},
               {MS_NODEV, MOUNT_ATTR_NODEV},
               {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
               {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}};
    uint64_t attributes = 0;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (flags & map[i].flag)
            attributes |= map[i].attribute;
    if (flags & MS_NOATIME)
        attributes |= MOUNT_ATTR_NOATIME;
    else if (flags & MS_STRICTATIME)
        attributes |= MOUNT_ATTR_STRICTATIME;
    return attributes;
}

static bool sets_atime(unsigned long flags)
{
    return flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
}

static long setattr(int mount, unsigned int at, uint64_t set, uint64_t clear)
{
    struct mount_attr attr = {.attr_set = set, .attr_clr = clear};
    if (set == 0 && clear == 0)
        return 0;
    return syscall(SYS_mount_setattr, mount, "", AT_EMPTY_PATH | at, &attr, sizeof(attr));
}

int mount_fd_set_flags(int mount, unsigned long set, unsigned long clear, bool recursive,
                       husk_error_t *err)
{
    /* The atime mode is one field: any change to it clears all of it. */
    uint64_t atime = sets_atime(set) || sets_atime(clear) ? MOUNT_ATTR__ATIME : 0;
    uint64_t cleared = (attributes_of(clear) & ~(uint64_t)MOUNT_ATTR__ATIME) | atime;
    unsigned int at = recursive ? AT_RECURSIVE : 0;
    long rc = setattr(mount, at, attributes_of(set), cleared);
    /* A user namespace cannot clear what its creator's mount locked
     * (nosuid, nodev, ...): as runc, keep those and set the rest. */
    if (rc < 0 && errno == EPERM && cleared != atime)
        rc = setattr(mount, at, attributes_of(set), atime);
    if (rc < 0)
        return husk_error_set(err, errno, "set the mount's flags");
    return 0;
}

/* The file system's own words for what it refused ("e tmpfs: Bad value
 * for 'size'"), else the errno alone. */
static int context_error(int context, int saved, const char *what, husk_error_t *err)
{
    char log[256];
    ssize_t n = read(context, log, sizeof(log) - 1);
    if (n > 2) {
        log[n] = '\0';
        log[strcspn(log, "\n")] = '\0';
        return husk_error_set(err, saved, "%s: %s", what, log + 2);
    }
    return husk_error_set(err, saved, "%s", what);
}

static int configure(int context, const char *source, const char *data, husk_error_t *err)
{
    if (source != NULL &&
        syscall(SYS_fsconfig, context, FSCONFIG_SET_STRING, "source", source, 0) < 0)
        return context_error(context, errno, "source", err);
    cleanup_free char *copy = xstrdup(data ? data : "");
    char *save = NULL;
    for (char *option = strtok_r(copy, ",", &save); option; option = strtok_r(NULL, ",", &save)) {
        char *value = strchr(option, '=');
        if (value != NULL)
            *value++ = '\0';
        long rc = value ? syscall(SYS_fsconfig, context, FSCONFIG_SET_STRING, option, value, 0)
                        : syscall(SYS_fsconfig, context, FSCONFIG_SET_FLAG, option, NULL, 0);
        if (rc < 0)
            return context_error(context, errno, option, err);
    }
    return 0;
}

/* What mount(2) set on the superblock from the MS_* flags. */
static int superblock_flags(int context, unsigned long flags, husk_error_t *err)
{
    static const struct {
        unsigned long flag;
        const char *word;
    } words[] = {{MS_RDONLY, "ro"}, {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if ((flags & words[i].flag) &&
            syscall(SYS_fsconfig, context, FSCONFIG_SET_FLAG, words[i].word, NULL, 0) < 0)
            return context_error(context, errno, words[i].word, err);
    return 0;
}

int mount_fd_filesystem(const char *type, const char *source, const char *data, unsigned long flags,
                        husk_error_t *err)
{
    cleanup_close int context = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
    if (context < 0)
        return husk_error_set(err, errno, "open a %s file system", type);
    if (configure(context, source, data, err) < 0 || superblock_flags(context, flags, err) < 0)
        return husk_error_wrap(err, "%s", type);
    if (syscall(SYS_fsconfig, context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return context_error(context, errno, type, err);
    unsigned int attributes = (unsigned int)attributes_of(flags);
    int mount = (int)syscall(SYS_fsmount, context, FSMOUNT_CLOEXEC, attributes);
    if (mount < 0)
        return husk_error_set(err, errno, "mount a %s file system", type);
    return mount;
}

int mount_fd_bind(int source_fd, const char *source, const struct runtime_mount *m,
                  husk_error_t *err)
{
    unsigned int how = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->recursive ? AT_RECURSIVE : 0);
    int tree = source_fd >= 0 ? (int)syscall(SYS_open_tree, source_fd, "", how | AT_EMPTY_PATH)
                              : (int)syscall(SYS_open_tree, AT_FDCWD, source, how);
    if (tree < 0)
        return husk_error_set(err, errno, "bind %s", source);
    if (mount_fd_set_flags(tree, m->recursive_set, m->recursive_cleared, true, err) < 0 ||
        mount_fd_set_flags(tree, m->flags & ~(unsigned long)MS_REMOUNT, m->cleared, false, err) <
            0) {
        close(tree);
        return husk_error_wrap(err, "bind %s", source);
    }
    return tree;
}

int mount_fd_attach(int mount, int target, unsigned long propagation, husk_error_t *err)
{
    if (syscall(SYS_move_mount, mount, "", target, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return husk_error_set(err, errno, "attach the mount");
    if (propagation == 0)
        return 0;
    /* MS_REC asks for the whole tree. */
    struct mount_attr attr = {.propagation = propagation & ~(unsigned long)MS_REC};
    unsigned int recursive = (propagation & MS_REC) ? AT_RECURSIVE : 0;
    if (syscall(SYS_mount_setattr, mount, "", AT_EMPTY_PATH | recursive, &attr, sizeof(attr)) < 0)
        return husk_error_set(err, errno, "set the mount's propagation");
    return 0;
}
