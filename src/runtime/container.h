/* Creating and running a container's first process from a parsed spec. */
#ifndef HUSK_RUNTIME_CONTAINER_H
#define HUSK_RUNTIME_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "../util/error.h"
#include "cgroup.h"
#include "rootfs.h"
#include "seccomp.h"
#include "spec.h"

struct runtime_launch_options {
    const struct winsize *window; /* initial size of the container's terminal */
    /* The container's fds 0-2 when >= 0, else its own /dev/null: never an
     * fd of husk's caller by default (see process_setup_stdio). */
    int stdio[3];
    bool exec; /* a further process in a running container: no /dev/console */
    /* The process becomes a child of the caller's parent (CLONE_PARENT), so a
     * short-lived launcher can do the setup for a long-lived, lean monitor. */
    bool as_sibling;
    /* Called once the process exists, in its cgroups, and before it does
     * anything: the engine wires its network namespace here. */
    int (*before_start)(void *data, pid_t pid, husk_error_t *err);
    void *before_start_data;
    /* exec: the running container's compiled seccomp program (exec_state);
     * NULL for none. A launch compiles the spec's own. */
    const struct seccomp_program *exec_seccomp;
    /* OCI create: once set up, the process says so (the launch returns),
     * stops being tied to husk's life and waits for START_FD (a fifo's read
     * end) to become readable; then it runs the startContainer hooks and
     * execs. */
    bool wait_for_start;
    int start_fd;
    /* fds 3 .. 3+PRESERVE_FDS-1 of husk's stay open in the container. */
    int preserve_fds;
    /* The container's state for the hooks the process runs itself
     * (createContainer, startContainer); "pid" and "status" are filled in.
     * NULL: the spec's hooks are not run. */
    json_t *hook_state;
    /* Where the seccomp notify listener goes (a filter with SCMP_ACT_NOTIFY
     * hands one out at install): the caller sends it to the spec's
     * listenerPath. NULL: closed. */
    int *seccomp_listener;
    /* Mounts taken from elsewhere (another container's /dev/shm). */
    const struct runtime_attached_mount *attached_mounts;
    size_t attached_mount_count;
};

struct runtime_process {
    pid_t pid;
    int pidfd;
    int terminal_fd; /* pty master when spec->terminal, else -1 */
};

/* The signals husk forwards to a container's PID 1 (and SIGWINCH). They are
 * blocked from launch on, so none is lost before the relay reads them. */
void runtime_forwarded_signals(sigset_t *set);

/* Creates the container's cgroups, clones its first process into new
 * namespaces, builds its root and execs the spec's command. Returns once the
 * command runs; on failure nothing is left (no cgroup, no process). */
int runtime_container_launch(const struct runtime_spec *spec, const struct cgroup_layout *layout,
                             const struct runtime_launch_options *options,
                             struct runtime_process *process, husk_error_t *err);
/* Runs SPEC's process inside the running container whose PID 1 is
 * TARGET_PIDFD: its cgroups, then all its namespaces at once (setns on the
 * pidfd), then the spec's user, capabilities, no_new_privs and seccomp. */
int runtime_container_exec(const struct runtime_spec *spec, int target_pidfd,
                           const struct cgroup_layout *layout,
                           const struct runtime_launch_options *options,
                           struct runtime_process *process, husk_error_t *err);
/* Removes what launch created once the process has been reaped. */
int runtime_container_cleanup(const struct runtime_spec *spec, const struct cgroup_layout *layout,
                              husk_error_t *err);

#endif
