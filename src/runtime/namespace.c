#include "namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../util/cleanup.h"

static const char *joined_pid_namespace(const struct runtime_spec *spec)
{
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == CLONE_NEWPID)
            return spec->namespaces[i].path;
    return NULL;
}

int namespace_pid_enter(const struct runtime_spec *spec, husk_error_t *err)
{
    const char *path = joined_pid_namespace(spec);
    if (path == NULL)
        return -2;
    cleanup_close int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0)
        return husk_error_set(err, errno, "join PID namespace %s", path);
    int saved = namespace_pid_enter_fd(target, err);
    if (saved < 0)
        husk_error_wrap(err, "join PID namespace %s", path);
    return saved;
}

int namespace_pid_enter_fd(int target_fd, husk_error_t *err)
{
    int saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    if (saved < 0)
        return husk_error_set(err, errno, "open husk's own PID namespace");
    if (setns(target_fd, CLONE_NEWPID) < 0) {
        husk_error_set(err, errno, "setns(CLONE_NEWPID)");
        close(saved);
        return -1;
    }
    return saved;
}

int namespace_pid_restore(int saved_fd, husk_error_t *err)
{
    if (saved_fd < 0)
        return 0;
    int rc = setns(saved_fd, CLONE_NEWPID);
    int error = errno;
    close(saved_fd);
    return rc < 0 ? husk_error_set(err, error, "return to husk's own PID namespace") : 0;
}

int namespace_children_enter(int pidfd, struct children_namespaces *saved, husk_error_t *err)
{
    *saved = (struct children_namespaces){.pid = -1, .time = -1};
    int types = CLONE_NEWPID;
    saved->pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    if (saved->pid < 0)
        return husk_error_set(err, errno, "open husk's own PID namespace");
    /* A kernel without time namespaces has no such file and nothing to join. */
    saved->time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
    if (saved->time >= 0)
        types |= CLONE_NEWTIME;
    if (setns(pidfd, types) < 0) {
        husk_error_set(err, errno, "join the container's PID and time namespaces");
        namespace_children_restore(saved, NULL);
        return -1;
    }
    return 0;
}

int namespace_children_restore(struct children_namespaces *saved, husk_error_t *err)
{
    int rc = 0, error = 0;
    if (saved->pid >= 0 && setns(saved->pid, CLONE_NEWPID) < 0)
        rc = -1, error = errno;
    if (saved->time >= 0 && setns(saved->time, CLONE_NEWTIME) < 0)
        rc = -1, error = errno;
    if (saved->pid >= 0)
        close(saved->pid);
    if (saved->time >= 0)
        close(saved->time);
    saved->pid = saved->time = -1;
    return rc < 0 ? husk_error_set(err, error, "return to husk's own namespaces") : 0;
}

/* setns() into another mount namespace moves the root and working
 * directory; these put back the caller's own. */
struct saved_place {
    int mount_namespace, root, cwd;
};

static void saved_place_close(struct saved_place *place)
{
    int *fds[] = {&place->mount_namespace, &place->root, &place->cwd};
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0)
            close(*fds[i]);
}

static int return_to(const struct saved_place *place, husk_error_t *err)
{
    if (setns(place->mount_namespace, CLONE_NEWNS) < 0 || fchdir(place->root) < 0 ||
        chroot(".") < 0 || fchdir(place->cwd) < 0)
        return husk_error_set(err, errno, "return to husk's own mount namespace");
    return 0;
}

int namespace_mount_clone(int pidfd, const char *path, husk_error_t *err)
{
    struct saved_place place = {
        .mount_namespace = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC),
        .root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC),
        .cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC),
    };
    int tree = -1;
    if (place.mount_namespace < 0 || place.root < 0 || place.cwd < 0) {
        husk_error_set(err, errno, "open husk's own mount namespace");
        goto out;
    }
    if (setns(pidfd, CLONE_NEWNS) < 0) {
        husk_error_set(err, errno, "enter the mount namespace holding %s", path);
        goto out;
    }
    tree = (int)open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    int error = errno;
    if (return_to(&place, err) < 0) {
        /* Staying in the other namespace would be worse than failing. */
        if (tree >= 0)
            close(tree);
        _exit(HUSK_EXIT_ENGINE);
    }
    if (tree < 0)
        husk_error_set(err, error, "copy the mount %s", path);
out:
    saved_place_close(&place);
    return tree;
}
