#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"

const char *hooks_kind_name(enum runtime_hook_kind kind)
{
    static const char *const names[RUNTIME_HOOK_KINDS] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    };
    return kind < RUNTIME_HOOK_KINDS ? names[kind] : "hook";
}

static pid_t spawn_hook(const struct runtime_hook *hook, int stdin_fd, int *pidfd)
{
    char *default_args[] = {hook->path, NULL};
    char *no_env[] = {NULL};
    pid_t pid = fork();
    if (pid == 0) {
        /* A hook gets the state on stdin and husk's stdout and stderr; a
         * group of its own, so that a timeout kills what it started too. */
        setpgid(0, 0);
        if (dup2(stdin_fd, STDIN_FILENO) < 0)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(hook->path, hook->args && hook->args[0] ? hook->args : default_args,
               hook->env ? hook->env : no_env);
        _exit(127);
    }
    if (pid > 0) {
        setpgid(pid, pid); /* also here: a timeout may come before the child's own */
        *pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    }
    return pid;
}

/* Waits for PID at most TIMEOUT seconds (0: for ever); kills it on time-out. */
static int wait_hook(pid_t pid, int pidfd, int timeout, int *status)
{
    struct pollfd exited = {.fd = pidfd, .events = POLLIN};
    int waited;
    while (pidfd >= 0 && (waited = poll(&exited, 1, timeout > 0 ? timeout * 1000 : -1)) < 0 &&
           errno == EINTR)
        ;
    bool timed_out = pidfd >= 0 && waited == 0;
    if (timed_out)
        kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return timed_out ? 1 : 0;
}

static int run_hook(const struct runtime_hook *hook, const char *kind, size_t index,
                    const char *state, husk_error_t *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "%s hook %zu: pipe", kind, index);
    cleanup_close int read_end = pipe_fds[0], write_end = pipe_fds[1];
    cleanup_close int pidfd = -1;
    pid_t pid = spawn_hook(hook, read_end, &pidfd);
    if (pid < 0)
        return husk_error_set(err, errno, "%s hook %s: fork", kind, hook->path);
    close(read_end);
    read_end = -1;
    /* A hook that does not read its stdin must not block us: the state is
     * small (one pipe buffer) and a closed pipe is no error. */
    sighandler_t previous = signal(SIGPIPE, SIG_IGN);
    fd_write_fully(write_end, state, strlen(state));
    signal(SIGPIPE, previous);
    close(write_end);
    write_end = -1;
    int status = 0;
    int rc = wait_hook(pid, pidfd, hook->timeout, &status);
    if (rc < 0)
        return husk_error_set(err, errno, "%s hook %s: wait", kind, hook->path);
    if (rc > 0)
        return husk_error_set(err, ETIMEDOUT, "%s hook %s timed out after %d s", kind, hook->path,
                              hook->timeout);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(hook->path, X_OK) < 0)
        return husk_error_set(err, errno, "%s hook %s", kind, hook->path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return husk_error_set(err, 0, "%s hook %s failed: %s %d", kind, hook->path,
                              WIFEXITED(status) ? "exit status" : "signal",
                              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}

int hooks_run(const struct runtime_hook_list *list, const char *kind, const char *state,
              husk_error_t *err)
{
    for (size_t i = 0; i < list->count; i++)
        if (run_hook(&list->hooks[i], kind, i, state, err) < 0)
            return -1;
    return 0;
}
