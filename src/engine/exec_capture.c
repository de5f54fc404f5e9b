#include "exec_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/relay.h"
#include "../util/xalloc.h"

int exec_capture_pipe(int *read_end, int child[3], husk_error_t *err)
{
    int ends[2];
    child[0] = child[1] = child[2] = -1;
    if (pipe2(ends, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    child[1] = ends[1];
    child[2] = fcntl(ends[1], F_DUPFD_CLOEXEC, 3);
    if (child[2] < 0) {
        int saved = errno;
        close(ends[0]);
        close(ends[1]);
        child[1] = -1;
        return husk_error_set(err, saved, "dup");
    }
    fcntl(ends[0], F_SETFL, O_NONBLOCK);
    *read_end = ends[0];
    return 0;
}

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* What the pipe holds now, kept up to the limit; false at its end. */
static bool drain(int fd, struct exec_capture *c)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 && errno == EAGAIN;
        size_t keep = c->length < c->limit ? c->limit - c->length : 0;
        if (keep > (size_t)n)
            keep = (size_t)n;
        if (keep < (size_t)n)
            c->truncated = true;
        memcpy(c->output + c->length, chunk, keep);
        c->length += keep;
    }
}

/* The process and whatever it started in its session: a shell's child
 * would otherwise run on after its probe timed out. */
static void kill_probe(const struct runtime_process *process)
{
    kill(-process->pid, SIGKILL);
    syscall(SYS_pidfd_send_signal, process->pidfd, SIGKILL, NULL, 0);
}

int exec_capture_wait(const struct runtime_process *process, int read_end, struct exec_capture *c,
                      int *exit_status, husk_error_t *err)
{
    c->output = xmalloc(c->limit + 1);
    c->length = 0;
    c->truncated = c->timed_out = false;
    int64_t deadline = c->timeout_ns > 0 ? monotonic_ns() + c->timeout_ns : INT64_MAX;
    bool open = true, exited = false;
    int rc = 0;
    while (!exited) {
        struct pollfd fds[2] = {{.fd = open ? read_end : -1, .events = POLLIN},
                                {.fd = process->pidfd, .events = POLLIN}};
        int64_t left = deadline - monotonic_ns();
        if (left <= 0) {
            kill_probe(process);
            c->timed_out = true;
            break;
        }
        int timeout = deadline == INT64_MAX ? -1 : (int)((left + 999999) / 1000000);
        if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
            rc = husk_error_set(err, errno, "wait for the process");
            kill_probe(process);
            break;
        }
        if (fds[0].revents)
            open = drain(read_end, c);
        exited = fds[1].revents != 0;
    }
    /* What it wrote before it exited (a child of it may hold the pipe on). */
    if (open)
        drain(read_end, c);
    c->output[c->length] = '\0';
    siginfo_t info = {0};
    while (waitid(P_PIDFD, (id_t)process->pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
    *exit_status = c->timed_out ? -1 : relay_exit_status(info.si_code, info.si_status);
    return rc;
}
