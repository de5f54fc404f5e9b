#include "seccomp_profile.h"

#include <errno.h>
#include <sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Syscalls that act on the whole host (time, modules, swap, keys, kernel
 * memory) or that would let a container undo its own isolation. Everything
 * else is allowed, so ordinary programs never meet a surprise EPERM. */
static const char *const denied[] = {
    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
    "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick",
    "get_kernel_syms", "init_module", "ioperm", "iopl", "kexec_file_load", "kexec_load",
    "keyctl", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "name_to_handle_at",
    "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open", "pivot_root",
    "quotactl", "quotactl_fd", "query_module", "reboot", "request_key", "setns",
    "settimeofday", "stime", "swapoff", "swapon", "_sysctl", "syslog", "umount", "umount2",
    "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old", "vhangup",
};

static const unsigned long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

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
    /* clone3 passes its flags in memory seccomp cannot read: ENOSYS makes
     * libc fall back to clone(), which the rules above do check. */
    json_array_append_new(syscalls, json_pack("{s:[s], s:s, s:i}", "names", "clone3", "action",
                                              "SCMP_ACT_ERRNO", "errnoRet", ENOSYS));
    return json_pack("{s:s, s:[s], s:o}", "defaultAction", "SCMP_ACT_ALLOW", "architectures",
                     "SCMP_ARCH_X86_64", "syscalls", syscalls);
}
