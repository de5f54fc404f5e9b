/* Joining namespaces that already exist, beyond what the child's setns()
 * does: the PID namespace, which only applies to children, and mounts that
 * live in another process's mount namespace. */
#ifndef HUSK_RUNTIME_NAMESPACE_H
#define HUSK_RUNTIME_NAMESPACE_H

#include "../util/error.h"
#include "spec.h"

/* When SPEC joins a PID namespace by path, makes the caller's next children
 * be born in it and returns an fd that namespace_pid_restore() takes to undo
 * that; returns -2 when there is nothing to join, -1 on error. */
int namespace_pid_enter(const struct runtime_spec *spec, husk_error_t *err);
/* The same for the PID namespace of TARGET_FD (a namespace fd or a pidfd). */
int namespace_pid_enter_fd(int target_fd, husk_error_t *err);
int namespace_pid_restore(int saved_fd, husk_error_t *err);

/* The PID and time namespaces of the process behind PIDFD, for the caller's
 * next children only (its own stay), which namespace_children_restore()
 * undoes. A child sharing husk's memory cannot join a time namespace itself
 * (the kernel refuses while another process shares the memory it would
 * remap), so it is born with it pending and enters it at exec. */
struct children_namespaces {
    int pid, time;
};
int namespace_children_enter(int pidfd, struct children_namespaces *saved, husk_error_t *err);
int namespace_children_restore(struct children_namespaces *saved, husk_error_t *err);

/* A detached copy (open_tree) of the mount at PATH as the process behind
 * PIDFD sees it, to be moved into a container's root: a bind mount cannot
 * reach into another mount namespace. The caller must be single-threaded. */
int namespace_mount_clone(int pidfd, const char *path, husk_error_t *err);

#endif
