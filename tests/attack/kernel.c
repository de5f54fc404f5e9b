/* husk-attack kernel: every syscall a container could use on the host's
 * kernel or to undo its own isolation, each really attempted with arguments
 * that would work for a process allowed to, and each reported with the
 * errno it got ("NAME: ok" if it worked). The arguments are chosen so that
 * a success does no lasting harm to the host (the time set to what it is,
 * ctrl-alt-del left to init, a module that is not one), because a
 * regression must show up as a failed test, not as a broken machine. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"

static void attempt(const char *name, long result)
{
    report(name, result >= 0, errno);
}

static void mounts(void)
{
    attempt("mount tmpfs", mount("none", "/mnt", "tmpfs", 0, NULL));
    attempt("mount remount /proc/sys rw",
            mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL));
    attempt("umount2 /proc/kcore", umount2("/proc/kcore", MNT_DETACH));
    attempt("pivot_root", syscall(SYS_pivot_root, "/", "/"));
    attempt("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
    attempt("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */));
    attempt("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/tmp", AT_FDCWD, "/mnt", 0));
}

static void namespaces(void)
{
    attempt("unshare CLONE_NEWNS", unshare(CLONE_NEWNS));
    attempt("unshare CLONE_NEWUSER", unshare(CLONE_NEWUSER));
    attempt("unshare CLONE_NEWNET", unshare(CLONE_NEWNET));
    long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0)
        _exit(0);
    if (child > 0)
        waitpid((pid_t)child, NULL, 0);
    attempt("clone CLONE_NEWUSER", child);
    uint64_t args[11] = {CLONE_NEWNS, 0, 0, 0, SIGCHLD};
    child = syscall(SYS_clone3, args, sizeof(args));
    if (child == 0)
        _exit(0);
    if (child > 0)
        waitpid((pid_t)child, NULL, 0);
    attempt("clone3", child);
    int ns = open("/proc/self/ns/mnt", O_RDONLY);
    attempt("setns mnt", setns(ns, 0));
    close(ns);
    ns = open("/proc/1/ns/net", O_RDONLY);
    attempt("setns net", setns(ns, 0));
    close(ns);
}

static void keys(void)
{
    attempt("add_key", syscall(SYS_add_key, "user", "husk-attack", "x", 1, -2));
    attempt("request_key", syscall(SYS_request_key, "user", "husk-attack", NULL, -2));
    attempt("keyctl join session keyring", syscall(SYS_keyctl, 1 /* JOIN */, "husk-attack"));
}

static void tracing(void)
{
    union bpf_attr map = {
        .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
    attempt("bpf map create", syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof(map)));
    struct perf_event_attr event = {.type = PERF_TYPE_SOFTWARE,
                                    .size = sizeof(event),
                                    .config = PERF_COUNT_SW_CPU_CLOCK,
                                    .disabled = 1};
    attempt("perf_event_open", syscall(SYS_perf_event_open, &event, 0, -1, -1, 0));
    char params[120] = {0}; /* struct io_uring_params */
    attempt("io_uring_setup", syscall(SYS_io_uring_setup, 1, params));
    attempt("io_uring_enter", syscall(SYS_io_uring_enter, 0, 0, 0, 0, NULL, 0));
    attempt("io_uring_register", syscall(SYS_io_uring_register, 0, 0, NULL, 0));
    attempt("userfaultfd", syscall(SYS_userfaultfd, 0));
    attempt("syslog", syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
}

static void modules(void)
{
    static const char junk[64];
    attempt("init_module", syscall(SYS_init_module, junk, sizeof(junk), ""));
    int fd = open("/bin/busybox", O_RDONLY);
    attempt("finit_module", syscall(SYS_finit_module, fd, "", 0));
    close(fd);
    attempt("delete_module", syscall(SYS_delete_module, "husk_attack_none", O_NONBLOCK));
    attempt("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
}

static void host(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    attempt("clock_settime", clock_settime(CLOCK_REALTIME, &now));
    struct timeval tv;
    gettimeofday(&tv, NULL);
    attempt("settimeofday", settimeofday(&tv, NULL));
    struct timex tx = {0};
    adjtimex(&tx); /* a query: allowed */
    tx.modes = ADJ_TICK;
    attempt("adjtimex ADJ_TICK", adjtimex(&tx));
    struct timex query = {0};
    attempt("clock_adjtime", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &query));
    attempt("reboot CAD_ON", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                                     LINUX_REBOOT_CMD_CAD_ON, NULL));
    attempt("swapon", syscall(SYS_swapon, "/dev/null", 0));
    attempt("acct", syscall(SYS_acct, NULL));
    attempt("sethostname", sethostname("husk-attack", 11));
    attempt("iopl", syscall(SYS_iopl, 3));
    attempt("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
    char handle[128] = {0};
    *(unsigned int *)handle = sizeof(handle) - 8;
    int mount_id;
    attempt("name_to_handle_at",
            syscall(SYS_name_to_handle_at, AT_FDCWD, "/", handle, &mount_id, 0));
    attempt("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY));
}

/* Other ABIs into the same kernel: an x32 syscall number (bit 30 set) and
 * the 32-bit int 0x80 entry, each asking for mount. A filter written for
 * x86_64 numbers only must not let them through under other numbers; the
 * process may be killed for trying, so each runs in a child. */
static long x32_mount(void)
{
    return syscall(0x40000000 | SYS_mount, "none", "/mnt", "tmpfs", 0, NULL);
}

static long int80_mount(void)
{
    /* Static strings of a static, non-PIE binary have 32-bit addresses. */
    static const char source[] = "none", target[] = "/mnt", type[] = "tmpfs";
    long result;
    __asm__ volatile("int $0x80"
                     : "=a"(result)
                     : "a"(21L /* i386 mount */), "b"(source), "c"(target), "d"(type), "S"(0L),
                       "D"(0L)
                     : "memory");
    if (result < 0 && result > -4096) {
        errno = (int)-result;
        return -1;
    }
    return result;
}

static void in_child(const char *name, long (*attempt_it)(void))
{
    pid_t child = fork();
    if (child == 0) {
        long result = attempt_it();
        _exit(result < 0 ? (errno & 0xff) : 0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", name, WTERMSIG(status));
    else
        report(name, WEXITSTATUS(status) == 0, WEXITSTATUS(status));
    fflush(stdout);
}

int attack_kernel(void)
{
    mounts();
    namespaces();
    keys();
    tracing();
    modules();
    host();
    in_child("x32 mount", x32_mount);
    in_child("int 0x80 mount", int80_mount);
    return 0;
}
