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

static int copy_once(int from, int to)
{
    char buffer[16384];
    ssize_t n;
    do
        n = read(from, buffer, sizeof(buffer));
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n == 0 || errno == EIO ? 0 : (errno == EAGAIN ? 1 : -1);
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

/* After the process exited the pty may still hold output: drain it. */
static void drain_terminal(int terminal_fd)
{
    int flags = fcntl(terminal_fd, F_GETFL);
    fcntl(terminal_fd, F_SETFL, flags | O_NONBLOCK);
    while (copy_once(terminal_fd, STDOUT_FILENO) > 0)
        ;
}

int relay_foreground(struct runtime_process *process, bool relay_stdin, int *exit_status,
                     husk_error_t *err)
{
    sigset_t forwarded;
    runtime_forwarded_signals(&forwarded);
    cleanup_close int signal_fd = signalfd(-1, &forwarded, SFD_CLOEXEC);
    if (signal_fd < 0)
        return husk_error_set(err, errno, "signalfd");
    struct terminal_state terminal = {0};
    int terminal_fd = process->terminal_fd;
    if (terminal_fd >= 0 && relay_stdin)
        terminal_make_raw(&terminal);
    bool stdin_open = terminal_fd >= 0 && relay_stdin;
    bool output_open = terminal_fd >= 0;
    for (;;) {
        struct pollfd fds[4] = {
            {.fd = signal_fd, .events = POLLIN},
            {.fd = process->pidfd, .events = POLLIN},
            {.fd = output_open ? terminal_fd : -1, .events = POLLIN},
            {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
        };
        if (poll(fds, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            terminal_restore(&terminal);
            return husk_error_set(err, errno, "poll");
        }
        if (fds[0].revents & POLLIN)
            forward_signal(process, signal_fd);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
            output_open = copy_once(terminal_fd, STDOUT_FILENO) > 0;
        if (fds[3].revents & (POLLIN | POLLHUP | POLLERR) && copy_once(STDIN_FILENO, terminal_fd) <= 0) {
            /* End of input: what a user typing ^D would send. */
            char eof = terminal.raw ? terminal.saved.c_cc[VEOF] : 4;
            if (write(terminal_fd, &eof, 1) < 0) {
                /* The container closed its terminal already. */
            }
            stdin_open = false;
        }
        if (fds[1].revents & POLLIN)
            break;
    }
    if (output_open)
        drain_terminal(terminal_fd);
    terminal_restore(&terminal);
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)process->pidfd, &info, WEXITED) < 0) {
        if (errno != EINTR)
            return husk_error_set(err, errno, "wait for the container");
    }
    *exit_status = relay_exit_status(info.si_code, info.si_status);
    return 0;
}
