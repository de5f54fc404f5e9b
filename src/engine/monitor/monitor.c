#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
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
#include <time.h>
#include <unistd.h>

#include "../../runtime/container.h"
#include "../../runtime/pump.h"
#include "../../runtime/relay.h"
#include "../../util/children.h"
#include "../../util/file.h"
#include "../../util/section.h"
#include "../attach.h"
#include "../health/health_timer.h"
#include "../logs/log_writer.h"
#include "monitor_clients.h"
#include "monitor_internal.h"

struct monitor {
    const struct engine_context *context;
    char id[HUSK_ID_SIZE];
    bool auto_remove;
    struct runtime_process process;
    struct pump pump; /* the container's output */
    int input;        /* the container's stdin: a pipe's write end, the pty master, or -1 */
    char *pending;    /* client input the container has not taken yet */
    size_t pending_length;
    struct log_writer log;
    int listen_fd;
    /* Prepared by the husk command: the monitor then reads none of husk's
     * constants, and its proportional memory stays a few pages. */
    int null_fd;
    int root_fd;
    struct monitor_clients clients;
    uint64_t delay_ms; /* the restart policy's last back-off */
    struct health_timer health;
};

/* "husk-" and 10 hex digits of the ID: which container it watches. Built
 * from immediates, so naming itself reads none of husk's constants. */
MONITOR_PATH static void name_process(const char *id)
{
    char name[16] = {'h', 'u', 's', 'k', '-'};
    for (int i = 0; i < 10 && id[i] != '\0'; i++)
        name[5 + i] = id[i];
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* The pump's sink: the log first, then every attached client. */
MONITOR_PATH static void deliver_output(void *context, int stream, const char *data, size_t length)
{
    struct monitor *m = context;
    log_writer_append(&m->log, stream == 2 ? LOG_STDERR : LOG_STDOUT, data, length);
    monitor_clients_broadcast(&m->clients, stream == 2 ? 'e' : 'o', data, length);
}

/* Once: which container, its log and attach socket. */
MONITOR_PATH static void monitor_adopt_container(struct monitor *m,
                                                 const struct monitor_handover *handover)
{
    memcpy(m->id, handover->id, sizeof(m->id));
    m->id[sizeof(m->id) - 1] = '\0';
    m->auto_remove = handover->auto_remove;
    name_process(m->id);
    log_writer_adopt(&m->log, &handover->log, handover->fds[MONITOR_LOG],
                     handover->fds[MONITOR_LOG_DIRECTORY]);
    m->listen_fd = handover->fds[MONITOR_LISTEN];
}

/* At each start of PID 1: the process and its stdio. */
MONITOR_PATH static void monitor_adopt_process(struct monitor *m,
                                               const struct monitor_handover *handover)
{
    m->process.pid = handover->pid;
    m->process.pidfd = handover->fds[MONITOR_PIDFD];
    m->process.terminal_fd = handover->fds[MONITOR_TERMINAL];
    m->pending_length = 0;
    bool tty = m->process.terminal_fd >= 0;
    pump_init(&m->pump, tty ? m->process.terminal_fd : handover->fds[MONITOR_STDOUT],
              tty ? -1 : handover->fds[MONITOR_STDERR], tty, deliver_output, m);
    m->input =
        tty ? (handover->open_stdin ? m->process.terminal_fd : -1) : handover->fds[MONITOR_STDIN];
    if (m->input >= 0)
        fcntl(m->input, F_SETFL, fcntl(m->input, F_GETFL) | O_NONBLOCK);
    health_timer_start(&m->health, m->context, m->id, &handover->health);
}

/* End of a client's stdin: a pipe is closed, a pty gets what ^D sends. */
MONITOR_PATH static void close_input(struct monitor *m)
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

/* Writes what the container's stdin takes now; the rest waits for POLLOUT
 * (and until then no client's input is read). */
MONITOR_PATH static void feed_input(struct monitor *m)
{
    while (m->input >= 0 && m->pending_length > 0) {
        ssize_t n = write(m->input, m->pending, m->pending_length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            /* The container closed its stdin (a pty whose every slave is
             * closed says EIO, and would say so at once on every poll):
             * no input is taken any more. */
            close_input(m);
            m->input = -1;
            break;
        }
        m->pending_length -= (size_t)n;
        memmove(m->pending, m->pending + n, m->pending_length);
    }
    if (m->input < 0)
        m->pending_length = 0;
}

MONITOR_PATH static void handle_frame(void *context, char type, const char *payload, size_t length)
{
    struct monitor *m = context;
    if (type == 'i' && m->input >= 0 && length > 0) {
        char *grown = realloc(m->pending, m->pending_length + length);
        if (grown == NULL)
            return;
        m->pending = grown;
        memcpy(m->pending + m->pending_length, payload, length);
        m->pending_length += length;
        feed_input(m);
    } else if (type == 'c') {
        close_input(m);
    } else if (type == 'w' && length == sizeof(struct winsize) && m->process.terminal_fd >= 0) {
        ioctl(m->process.terminal_fd, TIOCSWINSZ, payload);
    } else if (type == 'k' && length == sizeof(int32_t)) {
        int32_t sig;
        memcpy(&sig, payload, sizeof(sig));
        syscall(SYS_pidfd_send_signal, m->process.pidfd, sig, NULL, 0);
    }
}

enum {
    SLOT_PROCESS,
    SLOT_LISTEN,
    SLOT_INPUT,
    SLOT_HEALTH,
    SLOT_OUTPUT = SLOT_HEALTH + HEALTH_POLL_SLOTS,
    SLOT_CLIENTS = SLOT_OUTPUT + 2
};

MONITOR_PATH static int wait_for_exit(struct monitor *m)
{
    bool running = true;
    while (running || !pump_finished(&m->pump)) {
        struct pollfd fds[SLOT_CLIENTS + MONITOR_MAX_CLIENTS] = {
            [SLOT_PROCESS] = {.fd = running ? m->process.pidfd : -1, .events = POLLIN},
            [SLOT_LISTEN] = {.fd = m->listen_fd, .events = POLLIN},
            [SLOT_INPUT] = {.fd = m->pending_length > 0 ? m->input : -1, .events = POLLOUT},
        };
        pump_poll_entries(&m->pump, &fds[SLOT_OUTPUT]);
        health_timer_poll_entries(&m->health, &fds[SLOT_HEALTH]);
        monitor_clients_poll_entries(&m->clients, m->pending_length == 0, &fds[SLOT_CLIENTS]);
        int timeout = running ? -1 : pump_poll_timeout(&m->pump);
        if (poll(fds, SLOT_CLIENTS + MONITOR_MAX_CLIENTS, timeout) < 0 && errno != EINTR)
            break;
        pump_service(&m->pump, &fds[SLOT_OUTPUT]);
        health_timer_service(&m->health, &fds[SLOT_HEALTH]);
        if (fds[SLOT_LISTEN].revents & POLLIN) {
            int client = attach_accept(m->listen_fd, geteuid());
            if (client >= 0)
                monitor_clients_add(&m->clients, client);
        }
        if (fds[SLOT_INPUT].revents)
            feed_input(m);
        monitor_clients_service(&m->clients, &fds[SLOT_CLIENTS], handle_frame, m);
        if (running && (fds[SLOT_PROCESS].revents & POLLIN)) {
            running = false;
            health_timer_stop(&m->health);
            pump_process_exited(&m->pump);
        }
    }
    pump_close(&m->pump);
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)m->process.pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
    close(m->process.pidfd);
    m->process.pidfd = -1;
    if (m->input >= 0 && m->input != m->process.terminal_fd)
        close(m->input);
    m->input = -1;
    /* The pump only borrowed the pty master: each run of a restart policy
     * gets a new pty, and the old one must not pile up here. */
    if (m->process.terminal_fd >= 0)
        close(m->process.terminal_fd);
    m->process.terminal_fd = -1;
    return relay_exit_status(info.si_code, info.si_status);
}

/* A monitor outlives the command that forked it: it must not hold that
 * command's pipes open (a shell's $(husk run -d ...) would never end). */
MONITOR_PATH static void close_inherited_fds(int keep_a, int keep_b, int keep_c)
{
    int keep[3] = {keep_a, keep_b, keep_c};
    fd_close_all_but(keep, 3);
}

/* Out of the caller's session, stdio and working directory, so that closing
 * its terminal or unmounting its directory leaves the container alone. */
MONITOR_PATH static void detach_from_caller(const struct monitor *m)
{
    setsid();
    for (int fd = 0; fd < 3; fd++)
        dup2(m->null_fd, fd);
    if (fchdir(m->root_fd) < 0) {
        /* Only a cwd on a file system the user may unmount stays pinned. */
    }
    close(m->null_fd);
    close(m->root_fd);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static _Noreturn void monitor_fail(int report_fd, int errno_value, const char *what)
{
    struct monitor_report report = {.exit_status = HUSK_EXIT_ENGINE, .errno_value = errno_value};
    snprintf(report.message, sizeof(report.message), "%s: %s", what, strerror(errno_value));
    monitor_report_send(report_fd, &report);
    _exit(1);
}

/* Reaps whatever a failed launcher left as our child: the PID 1 it killed. */
MONITOR_PATH static _Noreturn void monitor_give_up(void)
{
    while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
        ;
    _exit(1);
}

/* Forks the launcher for REQUEST and takes PID 1 and its descriptors from
 * it. -1 when the launcher gave up (it reported and recorded why). */
MONITOR_PATH static int launch(struct monitor *m, const struct monitor_request *request,
                               int report_fd, int attach_fd, struct monitor_handover *handover)
{
    int lock_fd = request->handle != NULL ? request->handle->lock_fd : -1;
    int channel[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, channel) < 0)
        monitor_fail(report_fd, errno, "socketpair");
    pid_t launcher = fork();
    if (launcher < 0)
        monitor_fail(report_fd, errno, "fork the launcher");
    if (launcher == 0) {
        close(channel[0]);
        if (attach_fd >= 0)
            close(attach_fd);
        monitor_launcher_main(m->context, request, report_fd, channel[1]);
    }
    /* The lock is the caller's open file description and the report is the
     * launcher's to send: let go of our copies. */
    close(channel[1]);
    if (report_fd >= 0)
        close(report_fd);
    if (lock_fd >= 0)
        close(lock_fd);
    int rc = monitor_handover_receive(channel[0], handover);
    close(channel[0]);
    while (waitpid(launcher, NULL, 0) < 0 && errno == EINTR)
        ;
    return rc;
}

/* Forks the restarter for PID 1's exit; the monitor's end of its channel,
 * or -1. */
MONITOR_PATH static int fork_restarter(struct monitor *m, int exit_status, pid_t *pid)
{
    struct monitor_exit e = {
        .monitor = getpid(),
        .id = m->id,
        .auto_remove = m->auto_remove,
        .exit_status = exit_status,
        .delay_ms = m->delay_ms,
    };
    int channel[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, channel) < 0)
        return -1;
    *pid = fork();
    if (*pid == 0)
        monitor_restarter_main(m->context, &e, channel[1]);
    close(channel[1]);
    if (*pid < 0) {
        close(channel[0]);
        return -1;
    }
    return channel[0];
}

MONITOR_PATH static void reap(pid_t pid)
{
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* After PID 1's exit: the restarter records it (the clients learn the exit
 * status only once it is on record) and, under a restart policy, hands the
 * next PID 1 over. False when this was the last run. */
MONITOR_PATH static bool settle_exit(struct monitor *m, int exit_status)
{
    /* --rm may remove the directory a compressor still writes in. */
    log_writer_settle(&m->log);
    pid_t restarter = -1;
    int channel = fork_restarter(m, exit_status, &restarter);
    struct monitor_exit_decision decision = {0};
    ssize_t n = -1;
    while (channel >= 0 && (n = recv(channel, &decision, sizeof(decision), 0)) < 0 &&
           errno == EINTR)
        ;
    monitor_clients_finish(&m->clients, exit_status);
    bool restart = n == (ssize_t)sizeof(decision) && decision.restart;
    struct monitor_handover handover;
    if (restart) {
        m->delay_ms = decision.delay_ms;
        restart = monitor_handover_receive(channel, &handover) == 0;
    }
    if (channel >= 0)
        close(channel);
    reap(restarter);
    if (restart)
        monitor_adopt_process(m, &handover);
    return restart;
}

/* Runs PID 1 until it exits for good: once, or for as long as its restart
 * policy starts it again. */
MONITOR_PATH static void monitor_supervise(struct monitor *m)
{
    while (settle_exit(m, wait_for_exit(m)))
        ;
    if (m->listen_fd >= 0)
        close(m->listen_fd);
}

MONITOR_PATH static _Noreturn void
monitor_main(struct monitor *m, const struct monitor_request *request, int report_fd, int attach_fd)
{
    int lock_fd = request->handle != NULL ? request->handle->lock_fd : -1;
    detach_from_caller(m);
    close_inherited_fds(report_fd, lock_fd, attach_fd);
    struct monitor_handover handover;
    if (launch(m, request, report_fd, attach_fd, &handover) < 0) {
        /* A launcher killed before the handover may have let PID 1 go. */
        children_kill_all();
        monitor_give_up();
    }
    monitor_adopt_container(m, &handover);
    monitor_adopt_process(m, &handover);
    if (attach_fd >= 0)
        monitor_clients_add(&m->clients, attach_fd);
    /* The heap is the husk command's, mostly freed: give its pages back. */
    malloc_trim(0);
    monitor_supervise(m);
    _exit(0);
}

/* Forks the monitor; only the parent returns, with the monitor's PID. */
MONITOR_PATH __attribute__((noinline)) static pid_t
monitor_fork(struct monitor *m, const struct monitor_request *request, int report_fd, int attach_fd)
{
    pid_t pid = fork();
    if (pid == 0)
        monitor_main(m, request, report_fd, attach_fd);
    return pid;
}

static int monitor_prepare(struct monitor *m, husk_error_t *err)
{
    m->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (m->null_fd < 0)
        return husk_error_set(err, errno, "open /dev/null");
    m->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m->root_fd < 0) {
        close(m->null_fd);
        return husk_error_set(err, errno, "open /");
    }
    return 0;
}

/* Forks the monitor for REQUEST and waits for the launcher's report; ID is
 * the container's once it exists, even when starting it failed. */
static int monitor_spawn(const struct engine_context *context,
                         const struct monitor_request *request, int attach_fd,
                         char id[HUSK_ID_SIZE], husk_error_t *err)
{
    struct monitor m = {
        .context = context,
        .process = {.pid = -1, .pidfd = -1, .terminal_fd = -1},
        .pump = {.fds = {-1, -1}},
        .input = -1,
        .log = {.fd = -1, .directory = -1},
        .listen_fd = -1,
    };
    int pipe_fds[2];
    id[0] = '\0';
    if (monitor_prepare(&m, err) < 0)
        return -1;
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
        close(m.null_fd);
        close(m.root_fd);
        return husk_error_set(err, errno, "pipe");
    }
    fflush(NULL);
    pid_t pid = monitor_fork(&m, request, pipe_fds[1], attach_fd);
    int fork_errno = errno;
    close(m.null_fd);
    close(m.root_fd);
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        return husk_error_set(err, fork_errno, "fork the monitor");
    }
    struct monitor_report r = {0};
    ssize_t n;
    do {
        do
            n = read(pipe_fds[0], &r, sizeof(r));
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t)sizeof(r)) {
            r.id[sizeof(r.id) - 1] = '\0';
            snprintf(id, HUSK_ID_SIZE, "%s", r.id);
        }
    } while (n == (ssize_t)sizeof(r) && r.pending);
    close(pipe_fds[0]);
    /* The monitor stays; reap it only if it already gave up. */
    if (n != (ssize_t)sizeof(r) || !r.ok) {
        waitpid(pid, NULL, 0);
        if (n != (ssize_t)sizeof(r))
            return husk_error_set(err, 0, "the monitor died while starting the container");
        r.message[sizeof(r.message) - 1] = '\0';
        return husk_error_set_status(err, r.exit_status, r.errno_value, "%s", r.message);
    }
    return 0;
}

int monitor_start(const struct engine_context *context, struct container_handle *handle,
                  int attach_fd, husk_error_t *err)
{
    struct monitor_request request = {.handle = handle};
    char id[HUSK_ID_SIZE];
    /* On success our copy of the record is stale: the launcher wrote the new one. */
    return monitor_spawn(context, &request, attach_fd, id, err);
}

int monitor_run(const struct engine_context *context, const struct run_options *options,
                char id[HUSK_ID_SIZE], husk_error_t *err)
{
    struct monitor_request request = {.create = options};
    return monitor_spawn(context, &request, -1, id, err);
}
