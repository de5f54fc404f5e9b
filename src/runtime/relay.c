#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/section.h"
#include "pump.h"

/* Also the monitor's, at every exit of a restart policy's PID 1. */
MONITOR_PATH int relay_exit_status(int code, int status)
{
    if (code == CLD_EXITED)
        return status;
    return 128 + status;
}

struct terminal_state {
    bool raw;
    struct termios saved;
};

static void terminal_make_raw(struct terminal_state *state)
{
    state->raw = false;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &state->saved) < 0)
        return;
    struct termios raw = state->saved;
    cfmakeraw(&raw);
    /* Keep output post-processing off but let the container's pty do it. */
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        state->raw = true;
}

static void terminal_restore(struct terminal_state *state)
{
    if (state->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &state->saved);
}

/* Writes all of DATA to FD, waiting for room when FD is non-blocking. */
static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EAGAIN) {
            struct pollfd room = {.fd = fd, .events = POLLOUT};
            poll(&room, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* The pump's sink: husk's own stdout or stderr, and the observer (the log). */
static void deliver_output(void *context, int stream, const char *data, size_t length)
{
    const struct relay_io *io = context;
    if (io->observe_output != NULL)
        io->observe_output(io->observe_context, stream, data, length);
    if (write_all(stream, data, length) < 0) {
        /* Whoever reads husk went away: the container's output is dropped,
         * as docker's client drops it, but still logged. */
    }
}

static void forward_signal(struct runtime_process *process, int signal_fd)
{
    struct signalfd_siginfo info;
    if (read(signal_fd, &info, sizeof(info)) != sizeof(info))
        return;
    int sig = (int)info.ssi_signo;
    if (sig == SIGWINCH) {
        struct winsize size;
        if (process->terminal_fd >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
            ioctl(process->terminal_fd, TIOCSWINSZ, &size);
        return;
    }
    syscall(SYS_pidfd_send_signal, process->pidfd, sig, NULL, 0);
}

/* Husk's stdin on its way to the container: read when there is room,
 * written without blocking, so a container that does not read its input
 * never stops its output from being relayed. */
struct input {
    int from;      /* husk's stdin, -1 at its end */
    int to;        /* the stdin pipe or the pty master */
    bool terminal; /* the end of input is ^D on a pty, not a close */
    char buffer[16384];
    size_t pending; /* bytes of buffer not yet written */
    size_t offset;
};

/* End of husk's input: a pipe is closed, a pty gets what ^D would send. */
static void end_input(struct input *in, const struct terminal_state *terminal, struct relay_io *io)
{
    if (in->terminal) {
        char eof = terminal->raw ? terminal->saved.c_cc[VEOF] : 4;
        if (write(in->to, &eof, 1) < 0) {
            /* The container closed its terminal already. */
        }
    } else if (io->stdin_pipe >= 0) {
        close(io->stdin_pipe);
        io->stdin_pipe = -1;
    }
    in->from = in->to = -1;
}

static void service_input(struct input *in, short from_events, short to_events,
                          const struct terminal_state *terminal, struct relay_io *io)
{
    if (in->pending == 0 && (from_events & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(in->from, in->buffer, sizeof(in->buffer));
        if (n > 0) {
            in->pending = (size_t)n;
            in->offset = 0;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            end_input(in, terminal, io);
            return;
        }
    }
    if (in->pending > 0 && (to_events & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t n = write(in->to, in->buffer + in->offset, in->pending);
        if (n > 0) {
            in->offset += (size_t)n;
            in->pending -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            end_input(in, terminal, io); /* the container closed its stdin */
        }
    }
}

enum { SLOT_SIGNAL, SLOT_PROCESS, SLOT_OUTPUT, SLOT_ERROR, SLOT_IN_FROM, SLOT_IN_TO, SLOT_COUNT };

static int relay_loop(struct runtime_process *process, int signal_fd, struct pump *pump,
                      struct input *in, const struct terminal_state *terminal, struct relay_io *io,
                      husk_error_t *err)
{
    bool running = true;
    while (!pump_finished(pump) || running) {
        struct pollfd fds[SLOT_COUNT] = {
            [SLOT_SIGNAL] = {.fd = signal_fd, .events = POLLIN},
            [SLOT_PROCESS] = {.fd = running ? process->pidfd : -1, .events = POLLIN},
            [SLOT_IN_FROM] = {.fd = in->pending == 0 ? in->from : -1, .events = POLLIN},
            [SLOT_IN_TO] = {.fd = in->pending > 0 ? in->to : -1, .events = POLLOUT},
        };
        pump_poll_entries(pump, &fds[SLOT_OUTPUT]);
        if (poll(fds, SLOT_COUNT, running ? -1 : pump_poll_timeout(pump)) < 0) {
            if (errno == EINTR)
                continue;
            return husk_error_set(err, errno, "poll");
        }
        if (fds[SLOT_SIGNAL].revents & POLLIN)
            forward_signal(process, signal_fd);
        pump_service(pump, &fds[SLOT_OUTPUT]);
        if (in->from >= 0)
            service_input(in, fds[SLOT_IN_FROM].revents, fds[SLOT_IN_TO].revents, terminal, io);
        if (running && (fds[SLOT_PROCESS].revents & POLLIN)) {
            running = false;
            pump_process_exited(pump);
        }
    }
    return 0;
}

static void close_pipes(struct relay_io *io)
{
    int *pipes[] = {&io->stdin_pipe, &io->stdout_pipe, &io->stderr_pipe};
    for (size_t i = 0; i < 3; i++)
        if (*pipes[i] >= 0) {
            close(*pipes[i]);
            *pipes[i] = -1;
        }
}

int relay_foreground(struct runtime_process *process, struct relay_io *io, int *exit_status,
                     husk_error_t *err)
{
    sigset_t forwarded;
    runtime_forwarded_signals(&forwarded);
    cleanup_close int signal_fd = signalfd(-1, &forwarded, SFD_CLOEXEC);
    if (signal_fd < 0)
        return husk_error_set(err, errno, "signalfd");
    struct terminal_state terminal = {0};
    bool tty = process->terminal_fd >= 0;
    if (tty && io->terminal_stdin)
        terminal_make_raw(&terminal);
    struct pump pump;
    pump_init(&pump, tty ? process->terminal_fd : io->stdout_pipe, tty ? -1 : io->stderr_pipe, tty,
              deliver_output, io);
    io->stdout_pipe = io->stderr_pipe = -1; /* the pump's now */
    struct input in = {.from = -1, .to = -1, .terminal = tty};
    if (tty ? io->terminal_stdin : io->stdin_pipe >= 0) {
        in.from = STDIN_FILENO;
        in.to = tty ? process->terminal_fd : io->stdin_pipe;
        fcntl(in.to, F_SETFL, fcntl(in.to, F_GETFL) | O_NONBLOCK);
    }
    int rc = relay_loop(process, signal_fd, &pump, &in, &terminal, io, err);
    pump_close(&pump);
    terminal_restore(&terminal);
    close_pipes(io);
    if (rc < 0)
        return rc;
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)process->pidfd, &info, WEXITED) < 0) {
        if (errno != EINTR)
            return husk_error_set(err, errno, "wait for the container");
    }
    *exit_status = relay_exit_status(info.si_code, info.si_status);
    return 0;
}
