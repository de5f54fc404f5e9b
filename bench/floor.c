/*
 * floor: the syscall floor of "run a container": one clone3() into fresh mount, UTS, IPC,
 * PID, network, cgroup and time namespaces; the child execs PROG; the parent waits.
 * No rootfs, no cgroups, no config: what no runtime can go below.
 *
 *   floor PROG [ARG...]     e.g. floor /bin/busybox true
 *
 * PROG is exec'd with argv[0] set to its basename, so "/bin/busybox true" and
 * "/bin/busybox" called as "true" both work. Exits with the child's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

int main(int argc, char **argv)
{
    struct clone_args args;
    int status;
    long pid;

    if (argc < 2) {
        fprintf(stderr, "usage: floor PROG [ARG...]\n");
        return 2;
    }
    memset(&args, 0, sizeof args);
    args.flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET |
                 CLONE_NEWCGROUP | CLONE_NEWTIME;
    args.exit_signal = SIGCHLD;

    pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
        fprintf(stderr, "floor: clone3: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execv(argv[1], argv + 1);
        fprintf(stderr, "floor: exec %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    while (waitpid((pid_t)pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "floor: waitpid: %s\n", strerror(errno));
            return 1;
        }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
