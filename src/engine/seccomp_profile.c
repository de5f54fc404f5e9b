#include "seccomp_profile.h"

#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Syscalls that act on the whole host (time, modules, swap, keys, kernel
 * memory) or that would let a container undo its own isolation. Everything
 * else is allowed, so ordinary programs never meet a surprise EPERM. */
static const char *const denied[] = {
    "acct",
    "add_key",
    "bpf",
    "clock_adjtime",
    "clock_settime",
    "create_module",
    "delete_module",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "get_kernel_syms",
    "init_module",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ioperm",
    "iopl",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mount",
    "mount_setattr",
    "move_mount",
    "name_to_handle_at",
    "nfsservctl",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "quotactl",
    "quotactl_fd",
    "query_module",
    "reboot",
    "request_key",
    "setns",
    "settimeofday",
    "stime",
    "swapoff",
    "swapon",
    "_sysctl",
    "syslog",
    "umount",
    "umount2",
    "unshare",
    "uselib",
    "userfaultfd",
    "ustat",
    "vm86",
    "vm86old",
    "vhangup",
};

static const unsigned long namespace_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

/* One rule: SYSCALL fails with EPERM when its argument INDEX, as the 32-bit
 * value the kernel reads (an ioctl request, a socket family), is VALUE. The
 * mask makes the comparison ignore upper bits a caller could set to slip
 * past an equality test on the full 64-bit register. */
static json_t *deny_argument(const char *syscall, int index, json_int_t value)
{
    return json_pack("{s:[s], s:s, s:i, s:[{s:i, s:I, s:I, s:s}]}", "names", syscall, "action",
                     "SCMP_ACT_ERRNO", "errnoRet", EPERM, "args", "index", index, "value",
                     (json_int_t)0xffffffff, "valueTwo", value, "op", "SCMP_CMP_MASKED_EQ");
}

json_t *seccomp_profile_default(void)
{
    json_t *names = json_array();
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
        json_array_append_new(names, json_string(denied[i]));
    json_t *syscalls = json_array();
    json_array_append_new(syscalls, json_pack("{s:o, s:s, s:i}", "names", names, "action",
                                              "SCMP_ACT_ERRNO", "errnoRet", EPERM));
    /* clone() may not create namespaces: one rule per flag, as seccomp can
     * only compare a masked argument for equality. */
    for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++)
        json_array_append_new(
            syscalls, json_pack("{s:[s], s:s, s:i, s:[{s:i, s:I, s:I, s:s}]}", "names", "clone",
                                "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM, "args", "index", 0,
                                "value", (json_int_t)namespace_flags[i], "valueTwo",
                                (json_int_t)namespace_flags[i], "op", "SCMP_CMP_MASKED_EQ"));
    /* A second wall behind the session of its own every container process
     * gets: no pushing input into a terminal (TIOCSTI) nor the console's
     * TIOCLINUX tricks (selection paste), which would type into whatever
     * shell reads that terminal. */
    json_array_append_new(syscalls, deny_argument("ioctl", 1, TIOCSTI));
    json_array_append_new(syscalls, deny_argument("ioctl", 1, TIOCLINUX));
    /* vsock reaches the hypervisor and other VMs: nothing a network
     * namespace isolates. */
    json_array_append_new(syscalls, deny_argument("socket", 0, AF_VSOCK));
    /* clone3 passes its flags in memory seccomp cannot read: ENOSYS makes
     * libc fall back to clone(), which the rules above do check. */
    json_array_append_new(syscalls, json_pack("{s:[s], s:s, s:i}", "names", "clone3", "action",
                                              "SCMP_ACT_ERRNO", "errnoRet", ENOSYS));
    return json_pack("{s:s, s:[s], s:o}", "defaultAction", "SCMP_ACT_ALLOW", "architectures",
                     "SCMP_ARCH_X86_64", "syscalls", syscalls);
}
