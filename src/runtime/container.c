#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "container_child.h"
#include "hooks.h"
#include "idmap.h"
#include "namespace.h"
#include "process.h"
#include "seccomp.h"
#include "shared_clone.h"
#include "sync.h"
#include "trampoline.h"
#include "../util/fault.h"

void runtime_forwarded_signals(sigset_t *set)
{
    sigemptyset(set);
    static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
}

static uint64_t clone_flags_for(const struct runtime_spec *spec)
{
    uint64_t flags = CLONE_PIDFD;
    for (size_t i = 0; i < spec->namespace_count; i++) {
        const struct runtime_namespace *ns = &spec->namespaces[i];
        if (ns->path == NULL && ns->type != CLONE_NEWCGROUP)
            flags |= (uint64_t)ns->type;
    }
    /* With offsets the time namespace is made beforehand (time_namespace_prepare). */
    if (spec->has_time_offsets)
        flags &= ~(uint64_t)CLONE_NEWTIME;
    return flags;
}

/* A time namespace's offsets can only be written before a process is in
 * it: husk unshares one for its children, writes them, and the clone is
 * born in it. Returns husk's own (to go back to), -2 for nothing to do. */
static int time_namespace_prepare(const struct runtime_spec *spec, husk_error_t *err)
{
    if (!spec->has_time_offsets || !runtime_spec_creates_namespace(spec, CLONE_NEWTIME))
        return -2;
    int own = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (own < 0 || unshare(CLONE_NEWTIME) < 0) {
        husk_error_set(err, errno, "linux.timeOffsets: a time namespace");
        if (own >= 0)
            close(own);
        return -1;
    }
    char text[128];
    int length =
        snprintf(text, sizeof(text), "monotonic %lld %lld\nboottime %lld %lld\n",
                 (long long)spec->monotonic_offset[0], (long long)spec->monotonic_offset[1],
                 (long long)spec->boottime_offset[0], (long long)spec->boottime_offset[1]);
    if (file_write_all(AT_FDCWD, "/proc/self/timens_offsets", text, (size_t)length, 0, err) < 0) {
        setns(own, CLONE_NEWTIME);
        close(own);
        return husk_error_wrap(err, "linux.timeOffsets");
    }
    return own;
}

static void time_namespace_restore(int own)
{
    if (own >= 0) {
        setns(own, CLONE_NEWTIME);
        close(own);
    }
}

/* Reads setup messages until the child execs (EOF) or reports an error.
 * Its exit also ends the wait: a copy of the socket elsewhere would
 * otherwise keep EOF from coming. One terminal at most is taken. */
static int await_exec(int socket_fd, struct runtime_process *process, int *seccomp_listener,
                      husk_error_t *err)
{
    for (;;) {
        struct pollfd ready[2] = {{.fd = socket_fd, .events = POLLIN},
                                  {.fd = process->pidfd, .events = POLLIN}};
        if (poll(ready, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return husk_error_set(err, errno, "wait for the container's process");
        }
        if (!(ready[0].revents & (POLLIN | POLLHUP | POLLERR)))
            return 0; /* exited after its exec; the wait collects its status */
        struct sync_message message;
        int passed = -1;
        int rc = sync_receive(socket_fd, &message, &passed);
        if (rc == 0 || (rc > 0 && message.kind == SYNC_CREATED && passed < 0))
            return 0;
        if (rc < 0)
            return husk_error_set(err, errno, "read from the container's process");
        if (message.kind == SYNC_SECCOMP && passed >= 0) {
            if (seccomp_listener != NULL && *seccomp_listener < 0)
                *seccomp_listener = passed;
            else
                close(passed);
            continue;
        }
        if (message.kind == SYNC_TERMINAL && process->terminal_fd < 0 && passed >= 0) {
            process->terminal_fd = passed;
            continue;
        }
        if (passed >= 0)
            close(passed);
        if (message.kind == SYNC_TERMINAL)
            return husk_error_set(err, EPROTO, "the container's process sent a second terminal");
        return husk_error_set_status(err, message.exit_status, message.errno_value, "%s",
                                     message.text);
    }
}

/* Kills a process that failed to start. A sibling is not ours to reap, but
 * its cgroups can only go once it has died: its pidfd says when. */
static void reap(struct runtime_process *process)
{
    if (process->pid <= 0)
        return;
    kill(process->pid, SIGKILL);
    int rc;
    while ((rc = waitpid(process->pid, NULL, __WALL)) < 0 && errno == EINTR)
        ;
    if (rc < 0 && errno == ECHILD && process->pidfd >= 0) {
        struct pollfd died = {.fd = process->pidfd, .events = POLLIN};
        while (poll(&died, 1, -1) < 0 && errno == EINTR)
            ;
    }
    if (process->pidfd >= 0)
        close(process->pidfd);
    if (process->terminal_fd >= 0)
        close(process->terminal_fd);
    process->pid = -1;
    process->pidfd = process->terminal_fd = -1;
}

/* From its clone until its exec, a container process is a copy of husk
 * that the container can see (the PID namespace is joined at birth). The
 * dumpable flag is copied at clone: cleared here, it keeps container root
 * from reading that copy's memory, environment, fds or /proc/PID/exe, and
 * from ptrace (all behind the kernel's ptrace access check, CVE-2016-9962).
 * husk stays non-dumpable too. The exec trampoline then keeps husk's binary
 * out of the container's reach after the exec (CVE-2019-5736). */
static int conceal_and_open_trampoline(husk_error_t *err)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return husk_error_set(err, errno, "make husk non-dumpable");
    return trampoline_open(err);
}

static int run_in_shared_memory(void *context)
{
    struct child_context *child = context;
    child->run(child);
    return HUSK_EXIT_ENGINE;
}

static long clone_child(struct clone_args *args, struct child_context *context, int child_socket)
{
    if (context->shares_memory) {
        context->socket_fd = child_socket;
        long pid = shared_clone(args, run_in_shared_memory, context);
        if (pid >= 0 || errno != ENOSYS)
            return pid;
        context->shares_memory = false;
    }
    long pid = syscall(SYS_clone3, args, sizeof(*args));
    if (pid == 0) {
        context->socket_fd = child_socket;
        context->run(context);
    }
    return pid;
}

/* On cgroup2 (also the unified half of a hybrid host) the child is born in
 * its cgroup (CLONE_INTO_CGROUP): no migration at all. On a pure cgroup2
 * host that is the whole join, and the cgroup namespace can come from the
 * same clone3(). */
static int spawn(uint64_t flags, struct child_context *context, struct runtime_process *process,
                 int child_socket, husk_error_t *err)
{
    int pidfd = -1;
    struct clone_args args = {
        .flags = flags,
        .pidfd = (uint64_t)(uintptr_t)&pidfd,
        .exit_signal = SIGCHLD,
    };
    if (context->options->as_sibling) {
        /* The kernel takes the exit signal from the caller's own. */
        args.flags |= CLONE_PARENT;
        args.exit_signal = 0;
    }
    struct clone_args plain = args;
    if (context->join != NULL && context->join->unified_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)context->join->unified_fd;
        context->born_in_unified = true;
        if (context->unshare_cgroup && cgroup_join_complete_at_birth(context->join)) {
            args.flags |= CLONE_NEWCGROUP;
            context->unshare_cgroup = false;
        }
    }
    /* With CLONE_PARENT the kernel's parent is the caller's parent. */
    context->parent_pidfd =
        (int)syscall(SYS_pidfd_open, context->options->as_sibling ? getppid() : getpid(), 0);
    struct caller_areas caller;
    process_hide_caller(&caller);
    long pid = clone_child(&args, context, child_socket);
    if (pid < 0 && context->born_in_unified && errno != ENOMEM && errno != EAGAIN) {
        /* A kernel or cgroup that refuses the flag: join it from inside. */
        context->born_in_unified = false;
        context->unshare_cgroup = runtime_spec_creates_namespace(context->spec, CLONE_NEWCGROUP);
        pid = clone_child(&plain, context, child_socket);
    }
    int saved_errno = errno;
    process_show_caller(&caller);
    if (context->parent_pidfd >= 0)
        close(context->parent_pidfd);
    context->parent_pidfd = -1;
    errno = saved_errno;
    if (pid < 0)
        return husk_error_set(err, errno, "clone3");
    process->pid = (pid_t)pid;
    process->pidfd = pidfd;
    return 0;
}

static bool has_idmapped_binds(const struct runtime_spec *spec)
{
    for (size_t i = 0; i < spec->mount_count; i++)
        if (spec->mounts[i].idmap && spec->mounts[i].bind)
            return true;
    return false;
}

/* Idmapped binds are made here, privileged in the host's user namespace
 * (the container's process is not), and handed over before SYNC_GO. */
static int send_idmapped_binds(const struct runtime_spec *spec, pid_t pid, int socket_fd,
                               husk_error_t *err)
{
    if (!has_idmapped_binds(spec))
        return 0;
    if (!runtime_spec_creates_namespace(spec, CLONE_NEWUSER))
        return husk_error_set(err, 0,
                              "config.json: an idmap mount needs a user namespace of the "
                              "container's own (linux.namespaces, uidMappings, gidMappings)");
    int fds[spec->mount_count];
    for (size_t i = 0; i < spec->mount_count; i++)
        fds[i] = -1;
    int made = idmap_bind_mounts(spec, pid, fds, err);
    int rc = made < 0 ? -1 : 0;
    for (size_t i = 0; i < spec->mount_count; i++) {
        if (fds[i] < 0)
            continue;
        struct sync_message message = {.kind = SYNC_MOUNT, .index = (int)i};
        if (rc == 0 && sync_send(socket_fd, &message, fds[i]) < 0)
            rc = husk_error_set(err, errno, "hand the idmapped %s over",
                                spec->mounts[i].destination);
        close(fds[i]);
    }
    return rc;
}

/* Where the child receives its idmapped binds' mounts, or NULL: none. */
static int *idmapped_bind_slots(const struct runtime_spec *spec)
{
    if (!has_idmapped_binds(spec))
        return NULL;
    int *slots = xcalloc(spec->mount_count, sizeof(int));
    for (size_t i = 0; i < spec->mount_count; i++)
        slots[i] = -1;
    return slots;
}

/* A PID namespace is joined by being born in it, a time namespace's
 * offsets apply to children: both only around the clone. */
static int spawn_in_namespaces(const struct runtime_spec *spec, struct child_context *context,
                               struct runtime_process *process, int child_socket, husk_error_t *err)
{
    int own_pid_namespace = namespace_pid_enter(spec, err);
    if (own_pid_namespace == -1)
        return -1;
    int own_time_namespace = time_namespace_prepare(spec, err);
    int spawned = own_time_namespace == -1
                      ? -1
                      : spawn(clone_flags_for(spec), context, process, child_socket, err);
    time_namespace_restore(own_time_namespace);
    if (namespace_pid_restore(own_pid_namespace, spawned < 0 ? NULL : err) < 0 || spawned < 0)
        return -1;
    return 0;
}

/* The cloned process waits for SYNC_GO: its user namespace's mappings and
 * root, its idmapped binds and the caller's before_start come first. Then
 * until it execs the command. */
static int let_go(const struct runtime_spec *spec, const struct runtime_launch_options *options,
                  struct runtime_process *process, int socket_fd, husk_error_t *err)
{
    cleanup_close int root_mount_fd = -1;
    if (runtime_spec_creates_namespace(spec, CLONE_NEWUSER)) {
        if (idmap_write_mappings(process->pid, spec, err) < 0)
            return -1;
        root_mount_fd = idmap_root_overlay(spec, process->pid, err);
        if (root_mount_fd == -1)
            return -1;
    }
    if (send_idmapped_binds(spec, process->pid, socket_fd, err) < 0)
        return -1;
    if (options->before_start != NULL &&
        options->before_start(options->before_start_data, process->pid, err) < 0)
        return -1;
    struct sync_message go = {.kind = SYNC_GO, .pid = process->pid};
    if (sync_send(socket_fd, &go, root_mount_fd) < 0)
        return husk_error_set(err, errno, "start the container's process");
    FAULT_POINT("start.go");
    return await_exec(socket_fd, process, options->seccomp_listener, err);
}

int runtime_container_launch(const struct runtime_spec *spec, const struct cgroup_layout *layout,
                             const struct runtime_launch_options *options,
                             struct runtime_process *process, husk_error_t *err)
{
    *process = (struct runtime_process){.pid = -1, .pidfd = -1, .terminal_fd = -1};
    struct seccomp_program seccomp = {0};
    if (seccomp_program_compile(spec->seccomp, &seccomp, err) < 0)
        return -1;
    int rc = -1;
    int sockets[2] = {-1, -1};
    struct cgroup_join join = CGROUP_JOIN_INIT;
    cleanup_free int *mount_fds = NULL;
    bool cgroup_created = false;
    cleanup_close int init_fd = -1;
    cleanup_close int stub_fd = conceal_and_open_trampoline(err);
    if (stub_fd < 0 || (spec->init && (init_fd = trampoline_init_open(err)) < 0))
        goto out;
    if (spec->cgroups_path != NULL) {
        if (cgroup_create(layout, spec->cgroups_path, spec, err) < 0)
            goto out;
        cgroup_created = true;
        FAULT_POINT("start.cgroup");
        if (cgroup_join_open(layout, spec->cgroups_path, &join, err) < 0)
            goto out;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0) {
        husk_error_set(err, errno, "socketpair");
        goto out;
    }
    struct child_context context = {
        .spec = spec,
        .options = options,
        .seccomp = &seccomp,
        .parent_socket_fd = sockets[0],
        .stub_fd = stub_fd,
        .init_fd = init_fd,
        .join = spec->cgroups_path != NULL ? &join : NULL,
        .run = container_child_launch,
        .unshare_cgroup = runtime_spec_creates_namespace(spec, CLONE_NEWCGROUP),
    };
    context.mount_fds = mount_fds = idmapped_bind_slots(spec);
    int spawned = spawn_in_namespaces(spec, &context, process, sockets[1], err);
    cgroup_join_close(&join);
    if (spawned < 0)
        goto out;
    close(sockets[1]);
    sockets[1] = -1;
    FAULT_POINT("start.clone");
    rc = let_go(spec, options, process, sockets[0], err);
out:
    if (rc < 0) {
        reap(process);
        if (cgroup_created)
            cgroup_destroy(layout, spec->cgroups_path, NULL);
    }
    if (sockets[0] >= 0)
        close(sockets[0]);
    if (sockets[1] >= 0)
        close(sockets[1]);
    cgroup_join_close(&join);
    seccomp_program_free(&seccomp);
    return rc;
}

/* setns() refuses to "join" the user namespace one is already in. */
static bool in_other_user_namespace(int target_pidfd)
{
    struct stat own, target;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", target_pidfd);
    cleanup_fclose FILE *info = fopen(path, "re");
    char line[128];
    pid_t pid = -1;
    while (info != NULL && fgets(line, sizeof(line), info) != NULL)
        if (sscanf(line, "Pid: %d", &pid) == 1)
            break;
    snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
    return pid > 0 && stat("/proc/self/ns/user", &own) == 0 && stat(path, &target) == 0 &&
           own.st_ino != target.st_ino;
}

int runtime_container_exec(const struct runtime_spec *spec, int target_pidfd,
                           const struct cgroup_layout *layout,
                           const struct runtime_launch_options *options,
                           struct runtime_process *process, husk_error_t *err)
{
    *process = (struct runtime_process){.pid = -1, .pidfd = -1, .terminal_fd = -1};
    cleanup_close int stub_fd = conceal_and_open_trampoline(err);
    if (stub_fd < 0)
        return -1;
    struct cgroup_join join = CGROUP_JOIN_INIT;
    if (spec->cgroups_path != NULL && cgroup_join_open(layout, spec->cgroups_path, &join, err) < 0)
        return -1;
    static const struct seccomp_program no_seccomp = {0};
    int sockets[2] = {-1, -1};
    int rc = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0) {
        husk_error_set(err, errno, "socketpair");
        goto out;
    }
    struct child_context context = {.spec = spec,
                                    .options = options,
                                    .seccomp =
                                        options->exec_seccomp ? options->exec_seccomp : &no_seccomp,
                                    .parent_socket_fd = sockets[0],
                                    .stub_fd = stub_fd,
                                    .init_fd = -1,
                                    .join = spec->cgroups_path != NULL ? &join : NULL,
                                    .target_pidfd = target_pidfd,
                                    .run = container_child_exec,
                                    /* Computed here: the child, in husk's
                                     * memory, takes no lock libc shares. */
                                    .join_user_namespace = in_other_user_namespace(target_pidfd),
                                    .shares_memory = true};
    /* The PID and time namespaces only apply to children: entered just for
     * the clone, so the new process is born in the container's, and left
     * at once, so nothing husk forks later is (LeakSanitizer's tracer was). */
    struct children_namespaces own;
    int spawned = -1;
    if (namespace_children_enter(target_pidfd, &own, err) == 0)
        spawned = spawn(CLONE_PIDFD, &context, process, sockets[1], err);
    if (namespace_children_restore(&own, spawned < 0 ? NULL : err) < 0 && spawned == 0) {
        reap(process);
        spawned = -1;
    }
    cgroup_join_close(&join);
    close(sockets[1]);
    sockets[1] = -1;
    FAULT_POINT("exec.clone");
    if (spawned == 0) {
        rc = await_exec(sockets[0], process, options->seccomp_listener, err);
        if (rc < 0)
            reap(process);
    }
out:
    for (int i = 0; i < 2; i++)
        if (sockets[i] >= 0)
            close(sockets[i]);
    cgroup_join_close(&join);
    return rc;
}

int runtime_container_cleanup(const struct runtime_spec *spec, const struct cgroup_layout *layout,
                              husk_error_t *err)
{
    if (spec->cgroups_path == NULL)
        return 0;
    return cgroup_destroy(layout, spec->cgroups_path, err);
}
