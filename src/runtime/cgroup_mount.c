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

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"

static const char *fd_path(char buffer[32], int fd)
{
    snprintf(buffer, 32, "/proc/self/fd/%d", fd);
    return buffer;
}

static int bind_hierarchy(int dir_fd, const char *name, const char *host_dir, unsigned long flags,
                          husk_error_t *err)
{
    if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "cgroup mount: mkdir %s", name);
    cleanup_close int target = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    char path[32];
    if (target < 0 || mount(host_dir, fd_path(path, target), NULL, MS_BIND, NULL) < 0)
        return husk_error_set(err, errno, "cgroup mount: bind %s", host_dir);
    unsigned long settable = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    /* Reopened: the first fd still names the directory under the bind. */
    cleanup_close int bound =
        settable ? openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    if (settable && (bound < 0 || mount(NULL, fd_path(path, bound), NULL,
                                        MS_BIND | MS_REMOUNT | settable, NULL) < 0))
        return husk_error_set(err, errno, "cgroup mount: remount %s", host_dir);
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
    if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
        return husk_error_set(err, errno, "cgroup mount: mkdir %s", name);
    cleanup_close int target = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    char path[32], options[256];
    bool unified = controllers[0] == '\0';
    snprintf(options, sizeof(options), "%s%s", strncmp(controllers, "name=", 5) == 0 ? "none," : "",
             controllers);
    unsigned long settable = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (target < 0 || mount(unified ? "cgroup2" : "cgroup", fd_path(path, target),
                            unified ? "cgroup2" : "cgroup", settable, unified ? NULL : options) < 0)
        return husk_error_set(err, errno, "cgroup mount: mount %s", name);
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

int cgroup_mount_into(int root_fd, int target_fd, const struct runtime_mount *m, bool own_namespace,
                      husk_error_t *err)
{
    char path[32];
    fd_path(path, target_fd);
    unsigned long flags = m->flags & ~MS_REMOUNT;
    struct statfs host;
    if (statfs(HOST_CGROUP_ROOT, &host) == 0 && host.f_type == CGROUP2_SUPER_MAGIC) {
        if (mount("cgroup2", path, "cgroup2", flags, NULL) < 0)
            return husk_error_set(err, errno, "mount cgroup2 on %s", m->destination);
        return 0;
    }
    if (mount("tmpfs", path, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
        return husk_error_set(err, errno, "mount a tmpfs for cgroups on %s", m->destination);
    /* The new tmpfs, not the directory the fd was opened on. */
    cleanup_close int dir_fd = root_open(root_fd, m->destination, O_RDONLY | O_DIRECTORY, 0);
    if (dir_fd < 0)
        return husk_error_set(err, errno, "open %s", m->destination);
    if (bind_own_cgroups(dir_fd, flags, own_namespace, err) < 0)
        return -1;
    if ((flags & MS_RDONLY) &&
        mount(NULL, fd_path(path, dir_fd), NULL, MS_REMOUNT | flags, "mode=755") < 0)
        return husk_error_set(err, errno, "remount %s read-only", m->destination);
    return 0;
}
