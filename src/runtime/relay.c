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

int relay_exit_status(int code, int status)
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

static int copy_once(int from, int to, const struct relay_io *observer)
{
    char buffer[16384];
    ssize_t n;
    do
        n = read(from, buffer, sizeof(buffer));
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n == 0 || errno == EIO ? 0 : (errno == EAGAIN ? 1 : -1);
    if (observer != NULL && observer->observe_output != NULL)
        observer->observe_output(observer->observe_context, to, buffer, (size_t)n);
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(to, buffer + done, (size_t)(n - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += w;
    }
    return 1;
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

struct stream {
    int from;
    int to;
    bool input; /* husk's stdin: at its end the container gets EOF */
};

/* Output may still be buffered after the process exited: drain it. */
static void drain(int fd, int to, const struct relay_io *observer)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    while (copy_once(fd, to, observer) > 0)
        ;
}

static size_t collect_streams(struct runtime_process *process, const struct relay_io *io,
                              struct stream streams[3])
{
    size_t n = 0;
    if (process->terminal_fd >= 0) {
        streams[n++] = (struct stream){process->terminal_fd, STDOUT_FILENO, false};
        if (io->terminal_stdin)
            streams[n++] = (struct stream){STDIN_FILENO, process->terminal_fd, true};
        return n;
    }
    if (io->stdout_pipe >= 0)
        streams[n++] = (struct stream){io->stdout_pipe, STDOUT_FILENO, false};
    if (io->stderr_pipe >= 0)
        streams[n++] = (struct stream){io->stderr_pipe, STDERR_FILENO, false};
    if (io->stdin_pipe >= 0)
        streams[n++] = (struct stream){STDIN_FILENO, io->stdin_pipe, true};
    return n;
}

/* End of husk's input: a pipe is closed, a pty gets what ^D would send. */
static void end_input(struct stream *stream, const struct terminal_state *terminal,
                      struct relay_io *io, bool to_terminal)
{
    if (to_terminal) {
        char eof = terminal->raw ? terminal->saved.c_cc[VEOF] : 4;
        if (write(stream->to, &eof, 1) < 0) {
            /* The container closed its terminal already. */
        }
    } else {
        close(io->stdin_pipe);
        io->stdin_pipe = -1;
    }
    stream->from = -1;
}

static int relay_loop(struct runtime_process *process, int signal_fd, struct stream *streams,
                      size_t count, const struct terminal_state *terminal, struct relay_io *io,
                      husk_error_t *err)
{
    for (;;) {
        struct pollfd fds[5] = {
            {.fd = signal_fd, .events = POLLIN},
            {.fd = process->pidfd, .events = POLLIN},
        };
        for (size_t i = 0; i < count; i++)
            fds[2 + i] = (struct pollfd){.fd = streams[i].from, .events = POLLIN};
        if (poll(fds, 2 + count, -1) < 0) {
            if (errno == EINTR)
                continue;
            return husk_error_set(err, errno, "poll");
        }
        if (fds[0].revents & POLLIN)
            forward_signal(process, signal_fd);
        for (size_t i = 0; i < count; i++) {
            if (!(fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (copy_once(streams[i].from, streams[i].to, streams[i].input ? NULL : io) > 0)
                continue;
            if (streams[i].input)
                end_input(&streams[i], terminal, io, process->terminal_fd >= 0);
            else
                streams[i].from = -1;
        }
        if (fds[1].revents & POLLIN)
            return 0;
    }
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
    if (process->terminal_fd >= 0 && io->terminal_stdin)
        terminal_make_raw(&terminal);
    struct stream streams[3];
    size_t count = collect_streams(process, io, streams);
    int rc = relay_loop(process, signal_fd, streams, count, &terminal, io, err);
    for (size_t i = 0; i < count; i++)
        if (!streams[i].input && streams[i].from >= 0)
            drain(streams[i].from, streams[i].to, io);
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
