#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/container.h"
#include "../runtime/relay.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "attach.h"
#include "log.h"
#include "store.h"

#define MONITOR_MAX_CLIENTS 16

/* What the monitor tells the husk command that forked it. */
struct monitor_report {
    int ok;
    int exit_status;
    int errno_value;
    char message[480];
};

struct monitor {
    const struct engine_context *context;
    char id[65];
    char *directory;
    char *name;
    bool auto_remove;
    struct runtime_spec *spec;
    struct cgroup_layout layout;
    struct runtime_process process;
    int output[2]; /* read ends: stdout, stderr (or the pty master) */
    int input;     /* the container's stdin: a pipe's write end, the pty master, or -1 */
    int log_fd;
    int listen_fd;
    int clients[MONITOR_MAX_CLIENTS];
    size_t client_count;
};

static void monitor_set_name(const char *id, char **argv_area, size_t argv_size)
{
    char name[16];
    snprintf(name, sizeof(name), "husk-%.10s", id);
    prctl(PR_SET_NAME, name, 0, 0, 0);
    (void)argv_area;
    (void)argv_size;
}

/* Output of PID 1 goes to pipes the monitor reads (or to a pty). */
static int open_output(struct monitor *m, bool interactive, struct runtime_launch_options *launch,
                       int child_ends[3], husk_error_t *err)
{
    if (interactive) {
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) < 0)
            return husk_error_set(err, errno, "pipe");
        m->input = ends[1];
        child_ends[0] = ends[0];
        launch->attach_stdin = true;
    }
    for (int i = 0; i < 2; i++) {
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) < 0)
            return husk_error_set(err, errno, "pipe");
        m->output[i] = ends[0];
        child_ends[i + 1] = ends[1];
    }
    launch->stdio[0] = child_ends[0];
    launch->stdio[1] = child_ends[1];
    launch->stdio[2] = child_ends[2];
    return 0;
}

static int monitor_launch(struct monitor *m, json_t *record, husk_error_t *err)
{
    if (runtime_spec_load(m->directory, &m->spec, err) < 0 ||
        cgroup_layout_discover(&m->layout, err) < 0)
        return -1;
    json_t *config = json_object_get(record, "Config");
    bool interactive = json_is_true(json_object_get(config, "OpenStdin"));
    struct runtime_launch_options launch = {.attach_stdin = false, .stdio = {-1, -1, -1}};
    int child_ends[3] = {-1, -1, -1};
    if (!m->spec->terminal && open_output(m, interactive, &launch, child_ends, err) < 0)
        return -1;
    int rc = runtime_container_launch(m->spec, &m->layout, &launch, &m->process, err);
    for (int i = 0; i < 3; i++)
        if (child_ends[i] >= 0)
            close(child_ends[i]);
    if (rc == 0 && m->spec->terminal) {
        m->output[0] = m->process.terminal_fd;
        m->input = interactive ? m->process.terminal_fd : -1;
    }
    return rc;
}

static void copy_output(struct monitor *m, int index)
{
    char buffer[16384];
    ssize_t n = read(m->output[index], buffer, sizeof(buffer));
    if (n <= 0) {
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            if (m->output[index] != m->process.terminal_fd)
                close(m->output[index]);
            m->output[index] = -1;
        }
        return;
    }
    log_append(m->log_fd, index == 0 ? LOG_STDOUT : LOG_STDERR, buffer, (size_t)n);
    for (size_t i = 0; i < m->client_count; i++)
        if (m->clients[i] >= 0 && attach_send(m->clients[i], index == 0 ? 'o' : 'e', buffer,
                                              (size_t)n) < 0) {
            close(m->clients[i]);
            m->clients[i] = -1;
        }
}

static void add_client(struct monitor *m, int fd)
{
    for (size_t i = 0; i < m->client_count; i++)
        if (m->clients[i] < 0) {
            m->clients[i] = fd;
            return;
        }
    if (m->client_count < MONITOR_MAX_CLIENTS)
        m->clients[m->client_count++] = fd;
    else
        close(fd);
}

/* End of a client's stdin: a pipe is closed, a pty gets what ^D sends. */
static void close_input(struct monitor *m)
{
    if (m->input < 0)
        return;
    if (m->input == m->process.terminal_fd) {
        if (write(m->input, "\x04", 1) < 0) {
            /* The terminal is gone already. */
        }
        return;
    }
    close(m->input);
    m->input = -1;
}

static void handle_client(struct monitor *m, size_t index)
{
    static char payload[ATTACH_MAX_PAYLOAD];
    char type = 0;
    int n = attach_receive(m->clients[index], &type, payload, sizeof(payload));
    if (n < 0 || (n == 0 && type == 0)) {
        close(m->clients[index]);
        m->clients[index] = -1;
        return;
    }
    if (type == 'i' && m->input >= 0 && write(m->input, payload, (size_t)n) < 0)
        close_input(m);
    else if (type == 'c')
        close_input(m);
    else if (type == 'w' && n == sizeof(struct winsize) && m->process.terminal_fd >= 0)
        ioctl(m->process.terminal_fd, TIOCSWINSZ, payload);
    else if (type == 'k' && n == sizeof(int32_t)) {
        int32_t sig;
        memcpy(&sig, payload, sizeof(sig));
        syscall(SYS_pidfd_send_signal, m->process.pidfd, sig, NULL, 0);
    }
}

static void send_exit(struct monitor *m, int exit_status)
{
    int32_t code = exit_status;
    for (size_t i = 0; i < m->client_count; i++)
        if (m->clients[i] >= 0) {
            attach_send(m->clients[i], 'x', &code, sizeof(code));
            close(m->clients[i]);
        }
}

static void drain_output(struct monitor *m)
{
    /* PID 1 is gone and its namespace with it: whatever is still buffered
     * can be read without blocking. */
    for (int i = 0; i < 2; i++)
        if (m->output[i] >= 0)
            fcntl(m->output[i], F_SETFL, O_NONBLOCK);
    while (m->output[0] >= 0 || m->output[1] >= 0)
        for (int i = 0; i < 2; i++)
            if (m->output[i] >= 0)
                copy_output(m, i);
}

static int wait_for_exit(struct monitor *m)
{
    for (;;) {
        struct pollfd fds[4 + MONITOR_MAX_CLIENTS] = {
            {.fd = m->process.pidfd, .events = POLLIN},
            {.fd = m->output[0], .events = POLLIN},
            {.fd = m->output[1], .events = POLLIN},
            {.fd = m->listen_fd, .events = POLLIN},
        };
        for (size_t i = 0; i < m->client_count; i++)
            fds[4 + i] = (struct pollfd){.fd = m->clients[i], .events = POLLIN};
        if (poll(fds, 4 + m->client_count, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++)
            if (fds[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
                copy_output(m, i);
        if (fds[3].revents & POLLIN) {
            int client = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (client >= 0)
                add_client(m, client);
        }
        for (size_t i = 0; i < m->client_count; i++)
            if (m->clients[i] >= 0 && (fds[4 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                handle_client(m, i);
        if (fds[0].revents & POLLIN) {
            drain_output(m);
            break;
        }
    }
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)m->process.pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
    return relay_exit_status(info.si_code, info.si_status);
}

/* Records the exit under the container's lock, then removes it if --rm. */
static void record_exit(struct monitor *m, int exit_status)
{
    runtime_container_cleanup(m->spec, &m->layout, NULL);
    struct container_handle handle;
    husk_error_t err = NULL;
    if (container_open(m->context, m->id, &handle, &err) < 0) {
        husk_error_free(&err);
        return;
    }
    record_set_state(handle.record, "exited", 0, exit_status, NULL);
    container_save(m->context, &handle, NULL);
    if (m->auto_remove)
        store_container_remove(m->context, m->id, handle.name, NULL);
    container_close(&handle);
}

static void report(int fd, const struct monitor_report *r)
{
    if (write(fd, r, sizeof(*r)) != (ssize_t)sizeof(*r)) {
        /* husk went away; the monitor carries on. */
    }
    close(fd);
}

/* A monitor outlives the command that forked it: it must not hold that
 * command's pipes open (a shell's $(husk run -d ...) would never end). */
static int compare_fds(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void close_inherited_fds(int keep_a, int keep_b, int keep_c)
{
    int keep[3] = {keep_a, keep_b, keep_c};
    qsort(keep, 3, sizeof(int), compare_fds);
    unsigned next = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < (int)next)
            continue;
        if ((unsigned)keep[i] > next)
            syscall(SYS_close_range, next, (unsigned)keep[i] - 1, 0);
        next = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, next, ~0U, 0);
}

static void detach_from_caller(void)
{
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; fd++)
        dup2(null, fd);
    if (null > 2)
        close(null);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    if (chdir("/") < 0) {
        /* "/" always exists. */
    }
}

static void monitor_main(struct monitor *m, struct container_handle *handle, int report_fd,
                         int attach_fd)
{
    husk_error_t err = NULL;
    struct monitor_report r = {0};
    close_inherited_fds(report_fd, handle->lock_fd, attach_fd);
    if (attach_fd >= 0)
        add_client(m, attach_fd);
    detach_from_caller();
    monitor_set_name(m->id, NULL, 0);
    m->log_fd = log_open_for_append(m->directory, &err);
    if (m->log_fd >= 0)
        m->listen_fd = attach_listen(m->directory, &err);
    if (m->log_fd < 0 || m->listen_fd < 0 || monitor_launch(m, handle->record, &err) < 0) {
        r.exit_status = err ? err->exit_status : HUSK_EXIT_ENGINE;
        r.errno_value = err ? err->errno_value : 0;
        snprintf(r.message, sizeof(r.message), "%s", err && err->message ? err->message : "");
        record_set_state(handle->record, "exited", 0, r.exit_status, r.message);
        container_save(m->context, handle, NULL);
        report(report_fd, &r);
        _exit(1);
    }
    record_set_state(handle->record, "running", m->process.pid, 0, NULL);
    json_t *state = json_object_get(handle->record, "State");
    json_object_set_new(state, "MonitorPid", json_integer(getpid()));
    json_object_set_new(state, "MonitorStartTime",
                        json_integer((json_int_t)process_start_time(getpid())));
    container_save(m->context, handle, NULL);
    /* The lock is the caller's open file description: let go of our copy. */
    close(handle->lock_fd);
    r.ok = 1;
    report(report_fd, &r);
    int exit_status = wait_for_exit(m);
    if (m->listen_fd >= 0)
        close(m->listen_fd);
    record_exit(m, exit_status);
    send_exit(m, exit_status);
    _exit(0);
}

int monitor_start(const struct engine_context *context, struct container_handle *handle,
                  int attach_fd, husk_error_t *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    struct monitor m = {
        .context = context,
        .directory = handle->directory,
        .name = handle->name,
        .auto_remove = json_is_true(
            json_object_get(json_object_get(handle->record, "HostConfig"), "AutoRemove")),
        .output = {-1, -1},
        .input = -1,
        .log_fd = -1,
        .listen_fd = -1,
    };
    snprintf(m.id, sizeof(m.id), "%s", handle->id);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return husk_error_set(err, errno, "fork the monitor");
    }
    if (pid == 0) {
        close(pipe_fds[0]);
        monitor_main(&m, handle, pipe_fds[1], attach_fd);
    }
    close(pipe_fds[1]);
    struct monitor_report r = {0};
    ssize_t n;
    do
        n = read(pipe_fds[0], &r, sizeof(r));
    while (n < 0 && errno == EINTR);
    close(pipe_fds[0]);
    /* The monitor stays; reap it only if it already gave up. */
    if (n != (ssize_t)sizeof(r) || !r.ok) {
        waitpid(pid, NULL, 0);
        if (n != (ssize_t)sizeof(r))
            return husk_error_set(err, 0, "the monitor of %.12s died while starting it",
                                  handle->id);
        return husk_error_set_status(err, r.exit_status, r.errno_value, "%s", r.message);
    }
    /* Our copy of the record is stale now: the monitor wrote the new one. */
    return 0;
}
