#include "cgroup_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "mount_fd.h"

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"

static int open_hierarchy_directory(int dir_fd, const char *name, husk_error_t *err)
{
    if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "cgroup mount: mkdir %s", name);
    int target = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (target < 0)
        return husk_error_set(err, errno, "cgroup mount: open %s", name);
    return target;
}

static unsigned long settable_flags(unsigned long flags)
{
    return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

static int bind_hierarchy(int dir_fd, const char *name, const char *host_dir, unsigned long flags,
                          husk_error_t *err)
{
    cleanup_close int target = open_hierarchy_directory(dir_fd, name, err);
    struct runtime_mount bind = {.destination = (char *)name, .flags = settable_flags(flags)};
    cleanup_close int tree = target < 0 ? -1 : mount_fd_bind(-1, host_dir, &bind, err);
    if (tree < 0 || mount_fd_attach(tree, target, 0, err) < 0)
        return husk_error_wrap(err, "cgroup mount: bind %s", host_dir);
    return 0;
}

/* "cpu,cpuacct" is also reached as "cpu" and "cpuacct". */
static void link_combined(int dir_fd, const char *name)
{
    if (strchr(name, ',') == NULL)
        return;
    char parts[256];
    snprintf(parts, sizeof(parts), "%s", name);
    for (char *save = NULL, *part = strtok_r(parts, ",", &save); part;
         part = strtok_r(NULL, ",", &save))
        symlinkat(name, dir_fd, part);
}

/* In a cgroup namespace of the container's own: each hierarchy mounted
 * anew, which shows the namespace's root (the container's cgroup) only. */
static int mount_hierarchy(int dir_fd, const char *name, const char *controllers,
                           unsigned long flags, husk_error_t *err)
{
    cleanup_close int target = open_hierarchy_directory(dir_fd, name, err);
    char options[256];
    bool unified = controllers[0] == '\0';
    snprintf(options, sizeof(options), "%s%s", strncmp(controllers, "name=", 5) == 0 ? "none," : "",
             controllers);
    const char *type = unified ? "cgroup2" : "cgroup";
    cleanup_close int mount = target < 0 ? -1
                                         : mount_fd_filesystem(type, type, unified ? NULL : options,
                                                               settable_flags(flags), err);
    if (mount < 0 || mount_fd_attach(mount, target, 0, err) < 0)
        return husk_error_wrap(err, "cgroup mount: mount %s", name);
    return 0;
}

/* A path of /proc/self/cgroup that stays below the hierarchy's root. */
static bool plain_path(const char *path)
{
    return path[0] == '/' && strstr(path, "/../") == NULL &&
           (strlen(path) < 3 || strcmp(path + strlen(path) - 3, "/..") != 0);
}

/* Each v1 hierarchy of /proc/self/cgroup ("4:cpu,cpuacct:/a/b"), and the
 * cgroup2 one ("0::/a/b") as "unified": in the host's cgroup namespace
 * bound from the host's directory of the process's cgroup, in one of the
 * container's own mounted anew. */
static int bind_own_cgroups(int dir_fd, unsigned long flags, bool own_namespace, husk_error_t *err)
{
    cleanup_fclose FILE *own = fopen("/proc/self/cgroup", "re");
    if (own == NULL)
        return husk_error_set(err, errno, "cgroup mount: read /proc/self/cgroup");
    char line[4096];
    while (fgets(line, sizeof(line), own) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *controllers = strchr(line, ':');
        char *path = controllers ? strchr(controllers + 1, ':') : NULL;
        if (path == NULL)
            continue;
        *path++ = '\0';
        controllers++;
        const char *name = controllers[0] == '\0'                  ? "unified"
                           : strncmp(controllers, "name=", 5) == 0 ? controllers + 5
                                                                   : controllers;
        if (own_namespace) {
            if (mount_hierarchy(dir_fd, name, controllers, flags, err) < 0)
                return -1;
            link_combined(dir_fd, name);
            continue;
        }
        /* Never a directory above the process's own (a joined namespace
         * shows paths relative to its root: "/../.."). */
        if (!plain_path(path))
            return husk_error_set(err, EINVAL, "cgroup mount: cgroup path %s of %s", path, name);
        char host_dir[4200];
        snprintf(host_dir, sizeof(host_dir), "%s/%s%s", HOST_CGROUP_ROOT, name, path);
        if (access(host_dir, F_OK) < 0)
            continue; /* a hierarchy mounted elsewhere: not shown */
        if (bind_hierarchy(dir_fd, name, host_dir, flags, err) < 0)
            return -1;
        link_combined(dir_fd, name);
    }
    return 0;
}

/* Every mount is made detached and attached through the target's fd; the
 * tmpfs holding v1's hierarchies is filled through its own mount's fd, so
 * no path is looked up again once the target is open. */
int cgroup_mount_into(int root_fd, int target_fd, const struct runtime_mount *m, bool own_namespace,
                      husk_error_t *err)
{
    (void)root_fd;
    unsigned long flags = m->flags & ~MS_REMOUNT;
    struct statfs host;
    bool unified = statfs(HOST_CGROUP_ROOT, &host) == 0 && host.f_type == CGROUP2_SUPER_MAGIC;
    cleanup_close int mount =
        unified ? mount_fd_filesystem("cgroup2", "cgroup2", NULL, flags, err)
                : mount_fd_filesystem("tmpfs", "tmpfs", "mode=755", flags & ~MS_RDONLY, err);
    if (mount < 0 || mount_fd_attach(mount, target_fd, m->propagation, err) < 0)
        return husk_error_wrap(err, "mount cgroups on %s", m->destination);
    if (unified)
        return 0;
    if (bind_own_cgroups(mount, flags, own_namespace, err) < 0)
        return -1;
    if ((flags & MS_RDONLY) && mount_fd_set_flags(mount, MS_RDONLY, 0, false, err) < 0)
        return husk_error_wrap(err, "make %s read-only", m->destination);
    return 0;
}
