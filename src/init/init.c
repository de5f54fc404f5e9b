/* husk's --init: the PID 1 of a container, what docker's docker-init (tini)
 * is under docker.
 *
 *   argv: /sbin/docker-init -- COMMAND [ARG...]
 *
 * It runs COMMAND as its child, in a process group of its own made the
 * terminal's foreground group when there is a terminal (so ^C reaches the
 * command, not the init), passes every signal it gets on to that child,
 * reaps whatever else dies in the container (orphans are re-parented to a
 * PID namespace's init, and a command that never waits for them would fill
 * the process table with zombies), and exits with the command's status,
 * 128+N when signal N killed it. A PID 1 the kernel protects from signals
 * it has no handler for would also ignore `husk stop`'s SIGTERM: the init
 * takes every signal, so the command gets the default action it expects.
 *
 * Why a program of its own, and how it is run: husk carries it (built
 * static, so it needs nothing from the image) and the runtime executes it
 * from a sealed memfd, as it does the exec trampoline. Nothing of husk's
 * stays in the container: no host binary behind /proc/1/exe to reopen for
 * writing (CVE-2019-5736), no husk memory, no host fds, and it runs with
 * the container's user, capabilities, seccomp filter and no_new_privs, as
 * the command would. The other design, husk's own container process
 * forking the command and staying on as PID 1, would leave a copy of husk
 * (and its binary as /proc/1/exe) inside the container for its whole life.
 *
 * The name in argv[0] is docker's, so `ps` and `top` read as they do
 * there; no file of that name is added to the container. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Signals about the init itself, which it must not collect and pass on:
 * faults stay fatal to it, and terminal stops are ignored below. */
static const int own_signals[] = {SIGFPE,  SIGILL, SIGSEGV, SIGBUS, SIGABRT,
                                  SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU};

struct saved_signals {
    sigset_t mask;
    struct sigaction tty_in, tty_out;
};

/* In the child: its own process group, in the foreground of the terminal
 * if stdin is one, then the signal state the init was started with. */
static void run_command(char **command, const struct saved_signals *saved)
{
    setpgid(0, 0);
    /* Allowed from the background: SIGTTOU is still ignored here. */
    if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0 && errno != ENOTTY && errno != ENXIO)
        dprintf(STDERR_FILENO, "docker-init: cannot give the terminal to %s: %s\n", command[0],
                strerror(errno));
    sigaction(SIGTTIN, &saved->tty_in, NULL);
    sigaction(SIGTTOU, &saved->tty_out, NULL);
    sigprocmask(SIG_SETMASK, &saved->mask, NULL);
    execvp(command[0], command);
    int error = errno;
    dprintf(STDERR_FILENO, "docker-init: exec %s failed: %s\n", command[0], strerror(error));
    _exit(error == ENOENT ? 127 : 126);
}

static int exit_status(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Waits for signals: SIGCHLD reaps every child that ended, anything else
 * goes to the command. Returns the command's status once it has ended. */
static int supervise(pid_t command, const sigset_t *collected)
{
    for (;;) {
        siginfo_t info;
        int signal_number = sigwaitinfo(collected, &info);
        if (signal_number < 0)
            continue; /* EINTR: a stop and continue of the init itself */
        /* Its own SIGPIPE (a message to a closed stderr) is not the command's. */
        if (info.si_code == SI_USER && info.si_pid == getpid())
            continue;
        if (signal_number != SIGCHLD && kill(command, signal_number) < 0 && errno != ESRCH)
            dprintf(STDERR_FILENO, "docker-init: pass signal %d on: %s\n", signal_number,
                    strerror(errno));
        int status;
        pid_t ended;
        while ((ended = waitpid(-1, &status, WNOHANG)) > 0)
            if (ended == command)
                return exit_status(status);
    }
}

int main(int argc, char **argv)
{
    char **command = argv + 1;
    if (argc > 1 && strcmp(argv[1], "--") == 0)
        command++;
    /* Run from a memfd, its name would be "memfd:husk-init": `ps` shows
     * the one docker's has. */
    prctl(PR_SET_NAME, "docker-init", 0, 0, 0);
    if (*command == NULL) {
        dprintf(STDERR_FILENO, "usage: docker-init -- COMMAND [ARG...]\n");
        return 1;
    }
    struct saved_signals saved;
    sigset_t collected;
    sigfillset(&collected);
    for (size_t i = 0; i < sizeof(own_signals) / sizeof(own_signals[0]); i++)
        sigdelset(&collected, own_signals[i]);
    sigprocmask(SIG_SETMASK, &collected, &saved.mask);
    /* With the command in the terminal's foreground the init is in the
     * background: a message of its own must not stop it. */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigaction(SIGTTIN, &ignore, &saved.tty_in);
    sigaction(SIGTTOU, &ignore, &saved.tty_out);
    /* An ignored SIGCHLD would make the kernel reap children itself, and
     * the command's status would be lost. */
    signal(SIGCHLD, SIG_DFL);
    /* Not PID 1 (--pid host, or another container's PID namespace):
     * orphans of the command's come back here all the same. */
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    pid_t child = fork();
    if (child < 0) {
        dprintf(STDERR_FILENO, "docker-init: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0)
        run_command(command, &saved);
    return supervise(child, &collected);
}
