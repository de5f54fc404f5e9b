#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/container.h"
#include "../runtime/exec_state.h"
#include "../runtime/relay.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "environment.h"
#include "record.h"
#include "streams.h"
#include "user.h"
#include "../util/fault.h"

/* Under the container's lock: a pidfd of its running PID 1. */
static int open_target(const struct engine_context *context, const char *reference, char **dir,
                       json_t **group_add, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    *group_add =
        json_incref(json_object_get(json_object_get(handle.record, "HostConfig"), "GroupAdd"));
    int pidfd = record_open_process(handle.record, "Pid", "PidStartTime");
    if (pidfd < 0) {
        husk_error_set(err, 0, "container %s is not running", reference);
    } else if (record_is_paused(handle.record)) {
        /* Its cgroups are frozen: the new process would freeze on arrival. */
        husk_error_set(err, 0, "container %s is paused: unpause it first", reference);
        close(pidfd);
        pidfd = -1;
    } else
        *dir = xstrdup(handle.directory);
    container_close(&handle);
    return pidfd;
}

/* The container's /etc/passwd or /etc/group, read by husk on the host: the
 * container chooses what the path is, so only a regular file of a sane
 * size is read (a FIFO would block husk, /dev/zero exhaust its memory, a
 * device node open a host device outside the container's device cgroup). */
static char *read_container_file(pid_t pid, const char *path)
{
    char root_path[64];
    snprintf(root_path, sizeof(root_path), "/proc/%d/root", pid);
    cleanup_close int root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int opened = root >= 0 ? root_open(root, path, O_PATH, 0) : -1;
    struct stat st;
    if (opened < 0 || fstat(opened, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 1 << 20)
        return NULL;
    char reopen[64];
    snprintf(reopen, sizeof(reopen), "/proc/self/fd/%d", opened);
    cleanup_close int fd = open(reopen, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    char *content = NULL;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        file_read_all(fd, "", &content, NULL, NULL) < 0)
        return NULL;
    return content;
}

/* As docker: -u's user and groups, and the container's --group-add ones. */
static int apply_user(struct runtime_spec *spec, const char *user, json_t *group_add, pid_t pid,
                      husk_error_t *err)
{
    cleanup_free char *passwd = read_container_file(pid, "/etc/passwd");
    cleanup_free char *group = read_container_file(pid, "/etc/group");
    struct resolved_user resolved;
    if (user_resolve(user, passwd, group, &resolved, err) < 0)
        return -1;
    size_t count = json_array_size(group_add);
    cleanup_free const char **names = xcalloc(count + 1, sizeof(char *));
    for (size_t i = 0; i < count; i++)
        names[i] = json_string_value(json_array_get(group_add, i)) ?: "";
    if (user_add_groups(names, count, group, &resolved, err) < 0) {
        resolved_user_free(&resolved);
        return -1;
    }
    spec->uid = resolved.uid;
    spec->gid = resolved.gid;
    free(spec->additional_gids);
    spec->additional_gids = resolved.groups;
    spec->additional_gid_count = resolved.group_count;
    resolved.groups = NULL;
    resolved_user_free(&resolved);
    return 0;
}

static int apply_env(struct runtime_spec *spec, const struct exec_options *o, husk_error_t *err)
{
    json_t *env = json_array();
    for (char **entry = spec->env; entry && *entry; entry++)
        environment_set(env, *entry);
    if (o->tty)
        environment_set(env, "TERM=xterm");
    for (size_t i = 0; i < o->env_count; i++) {
        cleanup_free char *value = NULL;
        if (environment_option_parse(o->env[i], &value, err) < 0) {
            json_decref(env);
            return -1;
        }
        if (value)
            environment_set(env, value);
    }
    cleanup_strvp(&spec->env);
    spec->env = xcalloc(json_array_size(env) + 1, sizeof(char *));
    size_t i;
    json_t *item;
    json_array_foreach(env, i, item) spec->env[i] = xstrdup(json_string_value(item));
    json_decref(env);
    return 0;
}

/* The container's own process, with exec's command and overrides. */
static int exec_spec(struct exec_state *state, const struct exec_options *o, json_t *group_add,
                     pid_t pid, husk_error_t *err)
{
    struct runtime_spec *spec = state->spec;
    cleanup_strvp(&spec->args);
    size_t count = 0;
    while (o->command[count])
        count++;
    spec->args = xcalloc(count + 1, sizeof(char *));
    for (size_t i = 0; i < count; i++)
        spec->args[i] = xstrdup(o->command[i]);
    spec->terminal = o->tty;
    if (o->workdir) {
        free(spec->cwd);
        spec->cwd = xstrdup(o->workdir);
    }
    if (o->privileged) {
        /* "All" is what husk itself may hand out: its bounding set. */
        uint64_t all = 0;
        for (int cap = 0; cap < 64 && cap < (int)cap_max_bits(); cap++)
            if (cap_get_bound(cap) == 1)
                all |= UINT64_C(1) << cap;
        spec->capabilities.bounding = spec->capabilities.effective = all;
        spec->capabilities.permitted = all;
        seccomp_program_free(&state->seccomp);
    }
    if ((o->user && apply_user(spec, o->user, group_add, pid, err) < 0) ||
        apply_env(spec, o, err) < 0)
        return -1;
    return 0;
}

static int run_and_relay(const struct exec_state *state, int target, const struct exec_options *o,
                         int *exit_status, husk_error_t *err)
{
    struct relay_io io;
    int child[3];
    struct winsize window;
    bool have_window = o->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &window) == 0;
    int rc = 0;
    int captured = -1;
    if (o->capture != NULL) {
        io = (struct relay_io){.stdin_pipe = -1, .stdout_pipe = -1, .stderr_pipe = -1};
        rc = exec_capture_pipe(&captured, child, err);
    } else if (o->detach) {
        /* Detached: the process gets the container's /dev/null, as with
         * docker's exec -d (the host's would be a host file it could
         * fchmod). */
        io = (struct relay_io){.stdin_pipe = -1, .stdout_pipe = -1, .stderr_pipe = -1};
        for (int fd = 0; fd < 3; fd++)
            child[fd] = -1;
    } else {
        rc = stdio_pipes_open(o->tty, o->interactive, &io, child, err);
    }
    struct runtime_launch_options launch = {
        .window = have_window ? &window : NULL,
        .stdio = {child[0], child[1], child[2]},
        .exec = true,
        .exec_seccomp = &state->seccomp,
    };
    struct runtime_process process;
    sigset_t forwarded, saved;
    runtime_forwarded_signals(&forwarded);
    sigprocmask(SIG_BLOCK, &forwarded, &saved);
    if (rc == 0)
        rc = runtime_container_exec(state->spec, target, &state->layout, &launch, &process, err);
    stdio_close_child_ends(child);
    if (rc == 0)
        FAULT_POINT("exec.started");
    if (rc == 0 && o->capture != NULL)
        rc = exec_capture_wait(&process, captured, o->capture, exit_status, err);
    else if (rc == 0 && !o->detach)
        rc = relay_foreground(&process, &io, exit_status, err);
    else if (rc == 0)
        *exit_status = 0;
    if (rc == 0) {
        close(process.pidfd);
        if (process.terminal_fd >= 0)
            close(process.terminal_fd);
    }
    stdio_close_relay_ends(&io);
    if (captured >= 0)
        close(captured);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return rc;
}

int engine_exec(const struct engine_context *context, const struct exec_options *o,
                int *exit_status, husk_error_t *err)
{
    if (o->command == NULL || o->command[0] == NULL)
        return husk_error_set(err, 0, "\"husk exec\" requires a command");
    if (o->workdir && o->workdir[0] != '/')
        return husk_error_set(err, 0, "invalid workdir \"%s\": it must be an absolute path",
                              o->workdir);
    cleanup_free char *directory = NULL;
    cleanup_json json_t *group_add = NULL;
    cleanup_close int target = open_target(context, o->container, &directory, &group_add, err);
    if (target < 0)
        return -1;
    /* The pid behind the pidfd, to read the container's /etc/passwd. */
    char fdinfo[64];
    snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", target);
    cleanup_free char *info = NULL;
    pid_t pid = 0;
    if (o->user != NULL && file_read_all(AT_FDCWD, fdinfo, &info, NULL, NULL) == 0 &&
        strstr(info, "Pid:"))
        pid = (pid_t)atoi(strstr(info, "Pid:") + 4);
    cleanup_close int directory_fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    struct exec_state state;
    if (exec_state_load(directory_fd, &state, err) < 0)
        return -1;
    int rc = exec_spec(&state, o, group_add, pid, err);
    if (rc == 0)
        rc = run_and_relay(&state, target, o, exit_status, err);
    exec_state_free(&state);
    return rc;
}
