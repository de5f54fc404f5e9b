/* husk-attack: what a hostile process inside a container tries, for the
 * integration tests that attack husk (tests/security/*.bats). It is
 * linked statically and copied into a test image, so it needs nothing from
 * the container. Every subcommand prints one line per attempt,
 * "ATTEMPT: ok" or "ATTEMPT: <error>", and exits 0; the tests judge.
 *
 *   tiocsti TEXT          push TEXT into every terminal in reach: fds 0-2
 *                         and /dev/tty (the controlling terminal)
 *   tiocsti-later SECS TEXT   the same from a background process after SECS
 *   refused-syscalls      io_uring_setup and socket(AF_VSOCK)
 *   probe PID MARKER      everything container root might do to a process
 *                         that is still husk: stop it, read its environ and
 *                         cmdline (MARKER found?), open its mem, ptrace it,
 *                         reopen its fds and its exe for writing
 *   swap-loop DIR TARGET SECS   for SECS seconds, swap directory DIR with a
 *                         symlink to TARGET as fast as renameat2
 *                         RENAME_EXCHANGE can (CVE-2018-15664's race
 *                         against `cp` into or out of the container) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Also kept in the container's /tmp/attack.log: a background attacker's
 * stdout may be gone by the time it acts. */
static void report(const char *attempt, int ok, int error)
{
    printf("%s: %s\n", attempt, ok ? "ok" : strerror(error));
    fflush(stdout);
    FILE *log = fopen("/tmp/attack.log", "a");
    if (log != NULL) {
        fprintf(log, "%s: %s\n", attempt, ok ? "ok" : strerror(error));
        fclose(log);
    }
}

static void push_text(int fd, const char *name, const char *text)
{
    char attempt[64];
    snprintf(attempt, sizeof(attempt), "tiocsti %s", name);
    int ok = 1, error = 0;
    for (const char *c = text; *c && ok; c++)
        if (ioctl(fd, TIOCSTI, c) < 0) {
            ok = 0;
            error = errno;
        }
    report(attempt, ok, error);
}

static int tiocsti(const char *text)
{
    static const char *const names[] = {"fd0", "fd1", "fd2"};
    for (int fd = 0; fd < 3; fd++)
        push_text(fd, names[fd], text);
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (tty < 0) {
        report("open /dev/tty", 0, errno);
        return 0;
    }
    report("open /dev/tty", 1, 0);
    push_text(tty, "/dev/tty", text);
    close(tty);
    return 0;
}

static int tiocsti_later(int seconds, const char *text)
{
    if (fork() != 0)
        return 0;
    signal(SIGPIPE, SIG_IGN);
    setpgid(0, 0); /* survives the caller's job control, as a real attacker would */
    sleep((unsigned)seconds);
    return tiocsti(text);
}

static int contains_marker(const char *path, const char *marker, int *error)
{
    char buffer[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *error = errno;
        return -1;
    }
    ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
    *error = errno;
    close(fd);
    if (n < 0)
        return -1;
    for (ssize_t i = 0; i < n; i++)
        if (buffer[i] == '\0')
            buffer[i] = '\n';
    buffer[n] = '\0';
    return strstr(buffer, marker) != NULL;
}

static void probe_file(int pid, const char *file, const char *marker)
{
    char path[64], attempt[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    int error = 0, found = contains_marker(path, marker, &error);
    snprintf(attempt, sizeof(attempt), "read %s", file);
    report(attempt, found >= 0, error);
    snprintf(attempt, sizeof(attempt), "marker in %s", file);
    report(attempt, found > 0, ENOENT);
}

/* CVE-2019-5736: an O_PATH handle on the exe, reopened for writing. */
static void probe_exe(int pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    int handle = open(path, O_PATH);
    report("open exe", handle >= 0, errno);
    if (handle < 0)
        return;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", handle);
    int writable = open(path, O_WRONLY);
    /* ETXTBSY while it runs is no protection: it is retried after exit. */
    report("reopen exe for writing", writable >= 0 || errno == ETXTBSY, errno);
    if (writable >= 0)
        close(writable);
    close(handle);
}

static void probe_fds(int pid)
{
    char path[64];
    int opened = 0, error = ENOENT;
    for (int fd = 0; fd < 64; fd++) {
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
        int reopened = open(path, O_RDONLY | O_NONBLOCK);
        if (reopened >= 0) {
            opened++;
            close(reopened);
        } else if (errno != ENOENT) {
            error = errno;
        }
    }
    report("reopen fds", opened > 0, error);
}

static int probe(int pid, const char *marker)
{
    report("stop", kill(pid, SIGSTOP) == 0, errno);
    kill(pid, SIGCONT);
    probe_file(pid, "environ", marker);
    probe_file(pid, "cmdline", marker);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/mem", pid);
    int mem = open(path, O_RDONLY);
    report("open mem", mem >= 0, errno);
    if (mem >= 0)
        close(mem);
    long traced = ptrace(PTRACE_SEIZE, pid, NULL, NULL);
    report("ptrace", traced == 0, errno);
    if (traced == 0)
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
    probe_fds(pid);
    probe_exe(pid);
    return 0;
}

static int refused_syscalls(void)
{
    char params[120] = {0}; /* struct io_uring_params */
    long ring = syscall(SYS_io_uring_setup, 1, params);
    report("io_uring_setup", ring >= 0, errno);
    int vsock = socket(AF_VSOCK, SOCK_STREAM, 0);
    report("socket AF_VSOCK", vsock >= 0, errno);
    return 0;
}

static int swap_loop(const char *directory, const char *target, int seconds)
{
    char link[4096];
    snprintf(link, sizeof(link), "%s.swap", directory);
    unlink(link);
    if (symlink(target, link) < 0) {
        report("swap-loop symlink", 0, errno);
        return 0;
    }
    time_t end = time(NULL) + seconds;
    unsigned long swaps = 0;
    int error = 0;
    while (time(NULL) < end)
        for (int i = 0; i < 1000; i++) {
            if (syscall(SYS_renameat2, AT_FDCWD, directory, AT_FDCWD, link, 2 /* EXCHANGE */) == 0)
                swaps++;
            else
                error = errno;
        }
    /* Left as it was found: the directory under its name. */
    if (swaps % 2 == 1)
        syscall(SYS_renameat2, AT_FDCWD, directory, AT_FDCWD, link, 2);
    report("swap-loop", swaps > 0, error);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "swap-loop") == 0)
        return swap_loop(argv[2], argv[3], atoi(argv[4]));
    if (argc == 2 && strcmp(argv[1], "refused-syscalls") == 0)
        return refused_syscalls();
    if (argc == 3 && strcmp(argv[1], "tiocsti") == 0)
        return tiocsti(argv[2]);
    if (argc == 4 && strcmp(argv[1], "tiocsti-later") == 0)
        return tiocsti_later(atoi(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "probe") == 0)
        return probe(atoi(argv[2]), argv[3]);
    fprintf(stderr, "usage: husk-attack tiocsti TEXT | tiocsti-later SECS TEXT | "
                    "refused-syscalls | probe PID MARKER | swap-loop DIR TARGET SECS\n");
    return 2;
}
