#include "container_child.h"

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
#include "../util/fault.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "hooks.h"
#include "idmap.h"
#include "namespace.h"
#include "process.h"
#include "rootfs.h"
#include "sync.h"
#include "trampoline.h"

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

/* The child's way out before its exec. Not _exit(): in shared memory it
 * runs on shared_clone's stack, which AddressSanitizer does not know, and
 * a sanitizer build warns at any call of a noreturn function there (its
 * tests count that as a report). */
static void child_exit(int status)
{
    for (;;)
        syscall(SYS_exit_group, status);
}

/* First steps of every container process, still a copy of husk: it must
 * not outlive the husk that set it up (a killed `husk run` would otherwise
 * leave it waiting forever, holding namespaces, cgroups and the caller's
 * output), and it keeps nothing of the caller's. */
static void child_begin(const struct child_context *context)
{
    FAULT_POINT_ORPHAN("child.orphaned", context->parent_pidfd);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* A parent that died before the prctl sends no signal: ask its pidfd
     * (getppid() says 0 to PID 1 of a new PID namespace). */
    if (context->parent_pidfd >= 0) {
        struct pollfd parent = {.fd = context->parent_pidfd, .events = POLLIN};
        if (poll(&parent, 1, 0) != 0)
            child_exit(HUSK_EXIT_ENGINE);
        close(context->parent_pidfd);
    }
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
 * husk's memory would otherwise leave it allocated there. (Not declared
 * noreturn: see child_exit.) */
static void child_fail(const struct child_context *context, husk_error_t *err)
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
    child_exit(status);
}

void container_child_launch(struct child_context *context)
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
    if (runtime_spec_creates_namespace(spec, CLONE_NEWUSER) && become_user_namespace_root(&err) < 0)
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
    if (runtime_spec_creates_namespace(spec, CLONE_NEWNET) && loopback_up(&err) < 0)
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

void container_child_exec(struct child_context *context)
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
