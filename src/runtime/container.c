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
#include "hooks.h"
#include "idmap.h"
#include "namespace.h"
#include "process.h"
#include "seccomp.h"
#include "shared_clone.h"
#include "sync.h"
#include "trampoline.h"

void runtime_forwarded_signals(sigset_t *set)
{
    sigemptyset(set);
    static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
}

static bool wants_new_namespace(const struct runtime_spec *spec, int type)
{
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == type)
            return spec->namespaces[i].path == NULL;
    return false;
}

/* Everything the child needs; it gets its own copy of husk's memory. */
struct child_context {
    const struct runtime_spec *spec;
    const struct runtime_launch_options *options;
    const struct seccomp_program *seccomp;
    int socket_fd;
    int parent_socket_fd;     /* husk's end: closed at once, so husk's death is EOF */
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

/* Idmapped binds (SYNC_MOUNT, into MOUNT_FDS), then SYNC_GO with the
 * root mount, if any. */
static int wait_for_parent(int socket_fd, int *root_mount_fd, int *mount_fds, size_t mount_count,
                           pid_t *pid, husk_error_t *err)
{
    for (;;) {
        struct sync_message message;
        int passed = -1;
        int rc = sync_receive(socket_fd, &message, &passed);
        if (rc == 1 && message.kind == SYNC_MOUNT && passed >= 0 && message.index >= 0 &&
            (size_t)message.index < mount_count && mount_fds[message.index] < 0) {
            mount_fds[message.index] = passed;
            continue;
        }
        if (rc != 1 || message.kind != SYNC_GO)
            return husk_error_set(err, rc < 0 ? errno : EPIPE, "wait for husk");
        *root_mount_fd = passed;
        *pid = message.pid;
        return 0;
    }
}

/* The hooks the process runs itself, with the state as it is now. */
static int run_own_hooks(const struct child_context *context, enum runtime_hook_kind kind,
                         const char *status, husk_error_t *err)
{
    json_t *state = context->options->hook_state;
    if (state == NULL || context->spec->hooks[kind].count == 0)
        return 0;
    json_object_set_new(state, "pid", json_integer(context->pid));
    json_object_set_new(state, "status", json_string(status));
    cleanup_free char *text = json_dumps(state, JSON_COMPACT);
    return hooks_run(&context->spec->hooks[kind], hooks_kind_name(kind), text, err);
}

static int create_container_hooks(void *data, husk_error_t *err)
{
    return run_own_hooks(data, RUNTIME_HOOK_CREATE_CONTAINER, "created", err);
}

/* OCI create: set up, the process now lives on without husk (whose
 * `create` returns) until `start` writes to the start fifo. */
static int wait_for_start(struct child_context *context, husk_error_t *err)
{
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    struct sync_message created = {.kind = SYNC_CREATED};
    if (sync_send(context->socket_fd, &created, -1) < 0)
        return husk_error_set(err, errno, "report the container created");
    context->on_its_own = true;
    struct pollfd start = {.fd = context->options->start_fd, .events = POLLIN};
    while (poll(&start, 1, -1) < 0)
        if (errno != EINTR)
            return husk_error_set(err, errno, "wait for the start");
    char byte;
    while (read(context->options->start_fd, &byte, 1) < 0 && errno == EINTR)
        ;
    close(context->options->start_fd);
    return run_own_hooks(context, RUNTIME_HOOK_START_CONTAINER, "running", err);
}

/* Born in a new user namespace, the process still has the host ids it was
 * cloned with, which the namespace does not map; its root is what files
 * it creates while building the container must belong to. */
static int become_user_namespace_root(husk_error_t *err)
{
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return husk_error_set(err, errno, "become root of the container's user namespace");
    return 0;
}

/* A new network namespace starts with lo down; every container expects it up. */
static int loopback_up(husk_error_t *err)
{
    cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq request = {0};
    snprintf(request.ifr_name, sizeof(request.ifr_name), "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request) < 0)
        return husk_error_set(err, errno, "read the flags of lo");
    request.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &request) < 0)
        return husk_error_set(err, errno, "bring lo up");
    return 0;
}

/* A user namespace given by path comes first: the others are then joined
 * with the capabilities it grants. */
static int join_user_namespace(const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < spec->namespace_count; i++) {
        const struct runtime_namespace *ns = &spec->namespaces[i];
        if (ns->path == NULL || ns->type != CLONE_NEWUSER)
            continue;
        cleanup_close int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0)
            return husk_error_set(err, errno, "join user namespace %s", ns->path);
    }
    return 0;
}

static int join_namespaces(const struct runtime_spec *spec, husk_error_t *err)
{
    if (join_user_namespace(spec, err) < 0)
        return -1;
    for (size_t i = 0; i < spec->namespace_count; i++) {
        const struct runtime_namespace *ns = &spec->namespaces[i];
        if (ns->path == NULL || ns->type == CLONE_NEWPID || ns->type == CLONE_NEWUSER)
            continue;
        cleanup_close int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, ns->type) < 0)
            return husk_error_set(err, errno, "join namespace %s", ns->path);
    }
    return 0;
}

/* A filter with SCMP_ACT_NOTIFY gives a listener fd: husk takes it to the
 * agent at listenerPath, the process keeps none. */
static int install_seccomp(const struct child_context *context, husk_error_t *err)
{
    int listener = seccomp_program_install(context->seccomp);
    if (listener < 0)
        return husk_error_set(err, errno, "install the seccomp filter");
    if (listener > 0) {
        struct sync_message message = {.kind = SYNC_SECCOMP};
        int rc = sync_send(context->socket_fd, &message, listener);
        close(listener);
        if (rc < 0)
            return husk_error_set(err, errno, "hand the seccomp listener to husk");
    }
    return 0;
}

/* The last steps of every container process: nothing of husk's may cross
 * exec, then no_new_privs and seccomp, which must come last. */
static void drop_privileges_and_exec(const struct child_context *context, husk_error_t *err)
{
    const struct runtime_spec *spec = context->spec;
    int preserved = context->options->preserve_fds > 0 ? context->options->preserve_fds : 0;
    syscall(SYS_close_range, 3 + preserved, ~0U, CLOSE_RANGE_CLOEXEC);
    for (int fd = 3; fd < 3 + preserved; fd++)
        fcntl(fd, F_SETFD, 0);
    /* Set up: from its exec on, the container lives its own life. */
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (spec->no_new_privileges && prctl_no_new_privs() < 0) {
        husk_error_set(err, errno, "set no_new_privs");
        return;
    }
    if (!context->seccomp_installed && install_seccomp(context, err) < 0)
        return;
    if (context->init_fd < 0) {
        trampoline_exec(context->stub_fd, context->socket_fd, spec->args, spec->env, err);
        return;
    }
    /* The init looks the command up in its child, once husk is gone: a
     * missing one still fails the start here, with docker's message. */
    if (process_check_command(spec, err) < 0)
        return;
    trampoline_init_exec(context->init_fd, spec->args, spec->env, err);
}

/* Without no_new_privs the kernel takes a seccomp filter only from a
 * process with CAP_SYS_ADMIN: then it goes in before the capabilities are
 * dropped (as runc does), and the profile must allow what follows (setuid,
 * capset, execve). With no_new_privs it comes last of all. */
static int seccomp_while_privileged(struct child_context *context, husk_error_t *err)
{
    if (context->spec->no_new_privileges)
        return 0;
    if (install_seccomp(context, err) < 0)
        return -1;
    context->seccomp_installed = true;
    return 0;
}

/* A created process installs its filter before it reports created (as
 * runc): a notify listener must reach husk-oci create, which is gone by
 * `start`. The profile must then allow the wait for the start. */
static int seccomp_before_start(struct child_context *context, husk_error_t *err)
{
    if (context->seccomp_installed)
        return 0;
    if (context->spec->no_new_privileges && prctl_no_new_privs() < 0)
        return husk_error_set(err, errno, "set no_new_privs");
    if (install_seccomp(context, err) < 0)
        return -1;
    context->seccomp_installed = true;
    return 0;
}

/* First steps of every container process, still a copy of husk: it must
 * not outlive the husk that set it up (a killed `husk run` would otherwise
 * leave it waiting forever, holding namespaces, cgroups and the caller's
 * output), and it keeps nothing of the caller's. */
static void child_begin(const struct child_context *context)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (context->parent_socket_fd >= 0)
        close(context->parent_socket_fd);
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The child moves itself: a single-threaded process writing "0" to v1
 * "tasks" files skips the global cgroup_threadgroup_rwsem that a parent's
 * cgroup.procs write takes, and with it an RCU grace period (5-13 ms here;
 * see cgroup_join_self). First thing, before anything the container
 * controls runs, since the fds reach the host's cgroup tree. */
static int join_cgroups(struct child_context *context, husk_error_t *err)
{
    if (context->join == NULL)
        return 0;
    return cgroup_join_self(context->join, context->born_in_unified, err);
}

/* The fds a container process keeps: its setup socket, the trampoline,
 * its stdio, EXTRA (a root mount) and the attached mounts. */
static void keep_only_own_fds(const struct child_context *context, int extra)
{
    const struct runtime_launch_options *o = context->options;
    size_t count = 0;
    int preserved = o->preserve_fds > 0 ? o->preserve_fds : 0;
    size_t mounts = context->mount_fds ? context->spec->mount_count : 0;
    int keep[8 + o->attached_mount_count + (size_t)preserved + mounts];
    for (size_t i = 0; i < mounts; i++)
        keep[count++] = context->mount_fds[i];
    for (int fd = 3; fd < 3 + preserved; fd++)
        keep[count++] = fd;
    if (o->wait_for_start)
        keep[count++] = o->start_fd;
    keep[count++] = context->socket_fd;
    keep[count++] = context->stub_fd;
    keep[count++] = context->init_fd;
    keep[count++] = extra;
    for (int i = 0; i < 3; i++)
        keep[count++] = o->stdio[i];
    for (size_t i = 0; i < o->attached_mount_count; i++)
        keep[count++] = o->attached_mounts[i].fd;
    /* From here on nothing husk held (the state directory, a lock, the
     * caller's files, cgroup or namespace fds) is reachable through
     * /proc/self/fd while paths the container controls are resolved: a
     * workdir of /proc/self/fd/N would otherwise start the command in a host
     * directory (CVE-2024-21626). 0-2 are replaced by process_setup_stdio. */
    fd_close_all_but(keep, count);
}

/* Reports ERR to husk and exits. The error is freed first: a child in
 * husk's memory would otherwise leave it allocated there. */
__attribute__((noreturn)) static void child_fail(const struct child_context *context,
                                                 husk_error_t *err)
{
    sync_send_error(context->socket_fd, *err);
    if (context->on_its_own && *err != NULL) {
        /* Nobody reads the socket after `start`: the container's stderr. */
        char *text = husk_error_text(*err);
        dprintf(STDERR_FILENO, "husk: %s\n", text ? text : "error");
        free(text);
    }
    int status = *err ? (*err)->exit_status : HUSK_EXIT_ENGINE;
    husk_error_free(err);
    _exit(status);
}

static void child_run(struct child_context *context)
{
    husk_error_t err = NULL;
    const struct runtime_spec *spec = context->spec;
    child_begin(context);
    if (join_cgroups(context, &err) < 0)
        goto fail;

    struct rootfs_handover handover = {
        .root_mount_fd = -1,
        .attached = context->options->attached_mounts,
        .attached_count = context->options->attached_mount_count,
    };
    handover.before_pivot = create_container_hooks;
    handover.before_pivot_data = context;
    handover.mount_fds = context->mount_fds;
    if (wait_for_parent(context->socket_fd, &handover.root_mount_fd, context->mount_fds,
                        context->mount_fds ? spec->mount_count : 0, &context->pid, &err) < 0)
        goto fail;
    if (wants_new_namespace(spec, CLONE_NEWUSER) && become_user_namespace_root(&err) < 0)
        goto fail;
    /* In its cgroups since join_cgroups, so a new cgroup namespace gets
     * rooted at the container's own cgroup. */
    if (context->unshare_cgroup && unshare(CLONE_NEWCGROUP) < 0) {
        husk_error_set(&err, errno, "create cgroup namespace");
        goto fail;
    }
    if (join_namespaces(spec, &err) < 0)
        goto fail;
    keep_only_own_fds(context, handover.root_mount_fd);
    if (wants_new_namespace(spec, CLONE_NEWNET) && loopback_up(&err) < 0)
        goto fail;
    if (runtime_spec_has_namespace(spec, CLONE_NEWNS) &&
        process_prepare_root(spec, &handover, &err) < 0)
        goto fail;
    if (process_setup_stdio(spec, context->options, context->socket_fd, &err) < 0 ||
        process_apply_limits(spec, &err) < 0 || process_enter_workdir(spec, &err) < 0 ||
        seccomp_while_privileged(context, &err) < 0 || process_become_user(spec, &err) < 0)
        goto fail;
    if (context->options->wait_for_start) {
        /* Checked where it will run: in the container's own root. */
        if ((runtime_spec_has_namespace(spec, CLONE_NEWNS) &&
             process_check_command(spec, &err) < 0) ||
            seccomp_before_start(context, &err) < 0 || wait_for_start(context, &err) < 0)
            goto fail;
    }
    drop_privileges_and_exec(context, &err);
fail:
    child_fail(context, &err);
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
    if (!spec->has_time_offsets || !wants_new_namespace(spec, CLONE_NEWTIME))
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
    struct caller_areas caller;
    process_hide_caller(&caller);
    long pid = clone_child(&args, context, child_socket);
    if (pid < 0 && context->born_in_unified && errno != ENOMEM && errno != EAGAIN) {
        /* A kernel or cgroup that refuses the flag: join it from inside. */
        context->born_in_unified = false;
        context->unshare_cgroup = wants_new_namespace(context->spec, CLONE_NEWCGROUP);
        pid = clone_child(&plain, context, child_socket);
    }
    int saved_errno = errno;
    process_show_caller(&caller);
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
    if (!wants_new_namespace(spec, CLONE_NEWUSER))
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
    cleanup_close int root_mount_fd = -1;
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
        .run = child_run,
        .unshare_cgroup = wants_new_namespace(spec, CLONE_NEWCGROUP),
    };
    if (has_idmapped_binds(spec)) {
        mount_fds = xcalloc(spec->mount_count, sizeof(int));
        for (size_t i = 0; i < spec->mount_count; i++)
            mount_fds[i] = -1;
        context.mount_fds = mount_fds;
    }
    /* A PID namespace is joined by being born in it. */
    int own_pid_namespace = namespace_pid_enter(spec, err);
    if (own_pid_namespace == -1)
        goto out;
    int own_time_namespace = time_namespace_prepare(spec, err);
    int spawned = own_time_namespace == -1
                      ? -1
                      : spawn(clone_flags_for(spec), &context, process, sockets[1], err);
    time_namespace_restore(own_time_namespace);
    cgroup_join_close(&join);
    if (namespace_pid_restore(own_pid_namespace, spawned < 0 ? NULL : err) < 0 || spawned < 0)
        goto out;
    close(sockets[1]);
    sockets[1] = -1;
    if (wants_new_namespace(spec, CLONE_NEWUSER)) {
        if (idmap_write_mappings(process->pid, spec, err) < 0)
            goto out;
        root_mount_fd = idmap_root_overlay(spec, process->pid, err);
        if (root_mount_fd == -1)
            goto out;
    }
    if (send_idmapped_binds(spec, process->pid, sockets[0], err) < 0)
        goto out;
    if (options->before_start != NULL &&
        options->before_start(options->before_start_data, process->pid, err) < 0)
        goto out;
    struct sync_message go = {.kind = SYNC_GO, .pid = process->pid};
    if (sync_send(sockets[0], &go, root_mount_fd) < 0) {
        husk_error_set(err, errno, "start the container's process");
        goto out;
    }
    rc = await_exec(sockets[0], process, options->seccomp_listener, err);
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

static void exec_child_run(struct child_context *context)
{
    int target_pidfd = context->target_pidfd;
    husk_error_t err = NULL;
    const struct runtime_spec *spec = context->spec;
    child_begin(context);
    /* Cgroups first, through fds of the host's /sys/fs/cgroup, which the
     * container's mount namespace does not show. */
    if (join_cgroups(context, &err) < 0)
        goto fail;
    /* Not the time namespace: it was pending at birth (see
     * namespace_children_enter) and applies from the exec on. */
    int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
    bool user_namespace = context->join_user_namespace;
    if (user_namespace)
        flags |= CLONE_NEWUSER;
    if (setns(target_pidfd, flags) < 0) {
        husk_error_set(&err, errno, "join the container's namespaces");
        goto fail;
    }
    if (user_namespace && become_user_namespace_root(&err) < 0)
        goto fail;
    keep_only_own_fds(context, -1);
    if (process_setup_stdio(spec, context->options, context->socket_fd, &err) < 0 ||
        process_apply_limits(spec, &err) < 0 || process_enter_workdir(spec, &err) < 0 ||
        seccomp_while_privileged(context, &err) < 0 || process_become_user(spec, &err) < 0)
        goto fail;
    drop_privileges_and_exec(context, &err);
fail:
    child_fail(context, &err);
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
                                    .run = exec_child_run,
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
