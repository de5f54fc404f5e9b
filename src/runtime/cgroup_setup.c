#include "cgroup_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "cgroup_devices.h"
#include "cgroup_limits.h"

/* RELPATH's parent ("a/b" -> "a", "a" -> ""), malloc()ed. */
static char *parent_of(const char *relpath)
{
    while (*relpath == '/')
        relpath++;
    const char *slash = strrchr(relpath, '/');
    return strndup(relpath, slash ? (size_t)(slash - relpath) : 0);
}

/* A v1 cpuset cgroup starts with no CPUs and memory nodes, and refuses tasks
 * until both are copied down from its parent. */
static int cpuset_inherit(const struct cgroup_hierarchy *h, const char *relpath, husk_error_t *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    cleanup_free char *parent = parent_of(relpath);
    if (parent == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *mine = NULL, *inherited = NULL;
        if (cgroup_read(h, relpath, files[i], &mine, err) < 0)
            return -1;
        if (mine[0] != '\n' && mine[0] != '\0')
            continue;
        if (cgroup_read(h, parent, files[i], &inherited, err) < 0 ||
            cgroup_write(h, relpath, files[i], inherited, err) < 0)
            return -1;
    }
    return 0;
}

/* Down one level at a time ("husk", then "husk/ID"): cpuset needs each
 * level initialised. -1 with errno ENOENT when a level vanished under us:
 * a concurrent cgroup_destroy removes the shared parent the moment it is
 * empty, between our mkdir of "husk" and our mkdir of "husk/ID". */
static int create_levels(const struct cgroup_hierarchy *h, char *relpath, bool cpuset,
                         husk_error_t *err)
{
    for (char *cut = relpath;; cut++) {
        bool end = *cut == '\0';
        if (*cut != '/' && !end)
            continue;
        *cut = '\0';
        cleanup_free char *directory = cgroup_path(h, relpath, NULL);
        if (directory == NULL)
            return husk_error_set(err, ENOMEM, "cgroup");
        if ((mkdir(directory, 0755) < 0 && errno != EEXIST))
            return husk_error_set(err, errno, "create cgroup %s", directory);
        if (cpuset && cpuset_inherit(h, relpath, err) < 0)
            return -1;
        if (end)
            return 0;
        *cut = '/';
    }
}

static int create_in_hierarchy(const struct cgroup_hierarchy *h, const char *path,
                               husk_error_t *err)
{
    bool cpuset = !h->unified && cgroup_hierarchy_has(h, "cpuset");
    while (*path == '/')
        path++;
    /* A parent removed under us is made again from the top; another
     * container's cgroup below it keeps it from going a second time, so
     * this ends unless a destroy wins every round (then we report it). */
    for (int round = 0;; round++) {
        cleanup_free char *relpath = strdup(path);
        if (relpath == NULL)
            return husk_error_set(err, ENOMEM, "cgroup");
        husk_error_t attempt = NULL;
        if (create_levels(h, relpath, cpuset, &attempt) == 0)
            return 0;
        if (attempt->errno_value != ENOENT || round == 8) {
            if (err != NULL)
                *err = attempt;
            else
                husk_error_free(&attempt);
            return -1;
        }
        husk_error_free(&attempt);
    }
}

int cgroup_create(const struct cgroup_layout *layout, const char *path,
                  const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < layout->count; i++)
        if (create_in_hierarchy(&layout->hierarchies[i], path, err) < 0)
            goto fail;
    if (cgroup_devices_apply(layout, path, spec, err) < 0 ||
        (spec != NULL && cgroup_apply_limits(layout, path, &spec->resources, err) < 0))
        goto fail;
    return 0;
fail:
    cgroup_destroy(layout, path, NULL);
    return -1;
}

/* husk's own parent goes once empty (rmdir refuses a cgroup with children);
 * a --cgroup-parent is the user's and stays. */
static void remove_husk_parent(const struct cgroup_hierarchy *h, const char *path)
{
    cleanup_free char *parent = parent_of(path);
    if (parent == NULL || parent[0] == '\0')
        return;
    const char *slash = strrchr(parent, '/');
    if (strcmp(slash ? slash + 1 : parent, "husk") != 0)
        return;
    cleanup_free char *directory = cgroup_path(h, parent, NULL);
    if (directory != NULL)
        rmdir(directory);
}

/* cgroup2: cgroup.kill, then wait (poll(POLLPRI) on cgroup.events, no
 * sleeping) until the kernel says the cgroup is empty. */
static void kill_unified(const struct cgroup_hierarchy *h, const char *path)
{
    cleanup_free char *events = cgroup_path(h, path, "cgroup.events");
    cleanup_close int fd = events ? open(events, O_RDONLY | O_CLOEXEC) : -1;
    for (int round = 0; fd >= 0; round++) {
        char text[256];
        ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
        if (n <= 0)
            return;
        text[n] = '\0';
        if (strstr(text, "populated 0") != NULL)
            return;
        if (round == 0 && cgroup_write(h, path, "cgroup.kill", "1", NULL) < 0)
            return; /* a kernel before 5.14: the v1 way below still runs */
        struct pollfd changed = {.fd = fd, .events = POLLPRI};
        if (poll(&changed, 1, 2000) <= 0)
            return;
    }
}

/* PID's /proc/PID/cgroup names PATH ("/husk/ID") in some hierarchy. */
static bool process_in_cgroup(pid_t pid, const char *path)
{
    char file[64], text[4096];
    snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    cleanup_close int fd = open(file, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
    if (n <= 0)
        return false;
    text[n] = '\0';
    while (*path == '/')
        path++;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *colon = strchr(line, ':');
        colon = colon ? strchr(colon + 1, ':') : NULL;
        if (colon != NULL && colon[1] == '/' && strcmp(colon + 2, path) == 0)
            return true;
    }
    return false;
}

/* cgroup v1: SIGKILL every member through a pidfd and wait for each to
 * exit, for as long as members are found (a fork may race the kill). */
static void kill_v1(const struct cgroup_hierarchy *h, const char *path)
{
    for (int round = 0; round < 16; round++) {
        cleanup_free char *procs = NULL;
        if (cgroup_read(h, path, "cgroup.procs", &procs, NULL) < 0 || procs[0] == '\0')
            return;
        for (char *line = procs; *line != '\0';) {
            pid_t pid = (pid_t)strtol(line, &line, 10);
            while (*line == '\n')
                line++;
            cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
            /* The pid was read a moment ago: with the pidfd holding the
             * process, make sure it is still one of the container's. */
            if (pidfd < 0 || !process_in_cgroup(pid, path) ||
                syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
                continue;
            struct pollfd died = {.fd = pidfd, .events = POLLIN};
            poll(&died, 1, 2000);
        }
    }
}

/* Processes still in the container's cgroups once PID 1 is gone: with a PID
 * namespace of its own the kernel killed them already, but one that shares
 * the host's or another container's (--pid host) may have left background
 * processes. As runc does for such containers, they are killed: otherwise
 * they would outlive the container and keep its cgroups. */
static void kill_remaining(const struct cgroup_layout *layout, const char *path)
{
    const struct cgroup_hierarchy *unified = cgroup_layout_unified(layout);
    if (unified != NULL)
        kill_unified(unified, path);
    const struct cgroup_hierarchy *v1 = cgroup_layout_controller(layout, "pids");
    if (v1 == NULL || v1->unified)
        v1 = cgroup_layout_controller(layout, "freezer");
    if (v1 != NULL && !v1->unified)
        kill_v1(v1, path);
}

/* rmdir of PATH in H, again while the kernel says EBUSY: a task still
 * counts as a member until it has passed cgroup_exit(), and a process we
 * did not wait for ourselves (a PID 1 of a killed husk, a background
 * process of --pid host, one killed a moment ago by kill_remaining) may
 * still be on its way there. Without the wait the directory is left for
 * good: nothing else comes back for it. ROUND counts sleeps across
 * hierarchies, so the whole destroy waits about 2 s at most. */
static int remove_directory(const struct cgroup_layout *layout, const struct cgroup_hierarchy *h,
                            const char *path, int *round, husk_error_t *err)
{
    cleanup_free char *directory = cgroup_path(h, path, NULL);
    if (directory == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    while (rmdir(directory) < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || *round >= 40)
            return husk_error_set(err, errno, "remove cgroup %s", directory);
        /* A member that joined after the first kill is killed too. */
        if ((*round)++ == 0)
            kill_remaining(layout, path);
        else
            usleep(50 * 1000);
    }
    return 0;
}

int cgroup_destroy(const struct cgroup_layout *layout, const char *path, husk_error_t *err)
{
    int rc = 0, round = 0;
    kill_remaining(layout, path);
    for (size_t i = 0; i < layout->count; i++) {
        husk_error_t failure = NULL;
        if (remove_directory(layout, &layout->hierarchies[i], path, &round, &failure) < 0 &&
            rc == 0) {
            rc = -1;
            if (err != NULL)
                *err = failure;
            failure = NULL;
        }
        husk_error_free(&failure);
        remove_husk_parent(&layout->hierarchies[i], path);
    }
    return rc;
}

static int open_in(const struct cgroup_hierarchy *h, const char *path, const char *file, int flags,
                   husk_error_t *err)
{
    cleanup_free char *name = cgroup_path(h, path, file);
    if (name == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    int fd = open(name, flags | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", name);
    return fd;
}

int cgroup_join_open(const struct cgroup_layout *layout, const char *path, struct cgroup_join *join,
                     husk_error_t *err)
{
    *join = (struct cgroup_join)CGROUP_JOIN_INIT;
    join->tasks_fds = calloc(layout->count ? layout->count : 1, sizeof(*join->tasks_fds));
    if (join->tasks_fds == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    for (size_t i = 0; i < layout->count; i++) {
        const struct cgroup_hierarchy *h = &layout->hierarchies[i];
        bool opened;
        if (h->unified) {
            join->unified_fd = open_in(h, path, NULL, O_PATH | O_DIRECTORY, err);
            if (join->unified_fd >= 0)
                join->unified_procs_fd = open_in(h, path, "cgroup.procs", O_WRONLY, err);
            opened = join->unified_procs_fd >= 0;
        } else {
            int fd = open_in(h, path, "tasks", O_WRONLY, err);
            if (fd >= 0)
                join->tasks_fds[join->tasks_count++] = fd;
            opened = fd >= 0;
        }
        if (!opened) {
            cgroup_join_close(join);
            return husk_error_wrap(err, "join cgroup %s", path);
        }
    }
    return 0;
}

bool cgroup_join_complete_at_birth(const struct cgroup_join *join)
{
    return join->unified_fd >= 0 && join->tasks_count == 0;
}

/* Why the child moves itself, and through "tasks" (Linux 6.18,
 * kernel/cgroup/cgroup.c and cgroup-v1.c):
 *
 * Writing a v1 "tasks" file is cgroup1_tasks_write() ->
 * __cgroup1_procs_write(threadgroup = false); a v1 "cgroup.procs" is
 * cgroup1_procs_write() (threadgroup = true), a cgroup2 one
 * cgroup_procs_write() -> __cgroup_procs_write(threadgroup = true). All call
 * cgroup_procs_write_start(buf, threadgroup, &lock_mode), which sets
 *     pid || threadgroup  ->  CGRP_ATTACH_LOCK_GLOBAL
 *                             (CGRP_ATTACH_LOCK_PER_THREADGROUP once a
 *                             hierarchy is mounted with favordynmods)
 *     otherwise           ->  CGRP_ATTACH_LOCK_NONE
 * and cgroup_attach_lock(GLOBAL) is percpu_down_write(&cgroup_threadgroup_
 * rwsem), whose rcu_sync_enter() waits for an RCU grace period whenever no
 * other writer came just before: 5-13 ms on every container start here.
 * NONE takes only cpus_read_lock(). So the rwsem is skipped exactly when
 * the value written is "0" (pid == 0: the writer, `current`, which cannot
 * exit or exec under its own write; cgroup_mutex keeps other migrations
 * out) AND the file moves a single thread (threadgroup == false: "tasks").
 * One thread is the whole process only while it has one thread, hence
 * "single-threaded". "0" to cgroup.procs, or the parent writing the PID
 * anywhere, takes the rwsem.
 *
 * cgroup2 has no such file: cgroup.threads is threadgroup == false but
 * cgroup_attach_permissions() refuses to move a thread to another domain
 * (src_cgrp->dom_cgrp != dst_cgrp->dom_cgrp: -EOPNOTSUPP). There the way
 * without the write lock is to be born in the cgroup: clone3's
 * CLONE_INTO_CGROUP (cgroup_css_set_fork) takes cgroup_mutex and the rwsem
 * only for reading, as every fork does. That works on a hybrid host too:
 * its cgroup2 mount is the default hierarchy that cgroup_on_dfl() wants. */
int cgroup_join_self(struct cgroup_join *join, bool born_in_unified, husk_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < join->tasks_count && rc == 0; i++)
        if (write(join->tasks_fds[i], "0", 1) < 0)
            rc = husk_error_set(err, errno, "join the container's v1 cgroups");
    if (rc == 0 && !born_in_unified && join->unified_procs_fd >= 0 &&
        write(join->unified_procs_fd, "0", 1) < 0)
        rc = husk_error_set(err, errno, "join the container's cgroup2 cgroup");
    /* The host's cgroup files must not stay open while the container's
     * setup runs (a workdir of /proc/self/fd/N would land in the host's
     * /sys/fs/cgroup: runc's CVE-2024-21626), so they go now, not at exec.
     * Only the fds: an exec's child shares husk's memory (shared_clone),
     * where JOIN is husk's own, to be closed and freed there. */
    for (size_t i = 0; i < join->tasks_count; i++)
        close(join->tasks_fds[i]);
    if (join->unified_fd >= 0)
        close(join->unified_fd);
    if (join->unified_procs_fd >= 0)
        close(join->unified_procs_fd);
    return rc;
}

void cgroup_join_close(struct cgroup_join *join)
{
    for (size_t i = 0; i < join->tasks_count; i++)
        close(join->tasks_fds[i]);
    free(join->tasks_fds);
    if (join->unified_fd >= 0)
        close(join->unified_fd);
    if (join->unified_procs_fd >= 0)
        close(join->unified_procs_fd);
    *join = (struct cgroup_join)CGROUP_JOIN_INIT;
}
