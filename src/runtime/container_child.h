/* The container's process between its clone and its exec: what it does
 * inside the new namespaces (container_child.c), and what husk hands it
 * (container.c fills the context, then clones). */
#ifndef HUSK_RUNTIME_CONTAINER_CHILD_H
#define HUSK_RUNTIME_CONTAINER_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup_setup.h"
#include "container.h"
#include "seccomp.h"

/* Everything the child needs; it gets its own copy of husk's memory. */
struct child_context {
    const struct runtime_spec *spec;
    const struct runtime_launch_options *options;
    const struct seccomp_program *seccomp;
    int socket_fd;
    int parent_socket_fd;     /* husk's end: closed at once, so husk's death is EOF */
    int parent_pidfd;         /* the parent it is cloned under, or -1 */
    int stub_fd;              /* the exec trampoline's sealed memfd */
    int init_fd;              /* --init: the init's sealed memfd, run instead; else -1 */
    struct cgroup_join *join; /* the container's cgroups, NULL for none */
    int target_pidfd;         /* exec: the running container's PID 1 */
    void (*run)(struct child_context *context); /* what the child does, never returns */
    bool born_in_unified;                       /* clone3 put it in its cgroup2 cgroup already */
    bool unshare_cgroup;
    bool shares_memory;       /* runs in husk's memory until its exec (shared_clone) */
    bool join_user_namespace; /* exec: the container has a user namespace of its own */
    pid_t pid;                /* the process's own PID as husk sees it (for hooks) */
    bool seccomp_installed;   /* before the capabilities were dropped */
    bool on_its_own;          /* created and started: husk no longer listens */
    int *mount_fds;           /* per spec mount: an idmapped bind from husk, or -1 */
};

/* PID 1 of a new container: namespaces, root, devices, hooks, seccomp,
 * user, then the exec. Never returns (not declared _Noreturn: see
 * child_exit in container_child.c). */
void container_child_launch(struct child_context *context);
/* A process exec'd into a running container. Never returns. */
void container_child_exec(struct child_context *context);

#endif
