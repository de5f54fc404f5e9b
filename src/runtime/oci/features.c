/* `spec` and `features`: what a bundle starts from, and what this runtime
 * understands of one. */
#include <unistd.h>

#include "oci.h"
#include "state.h"

static json_t *default_mounts(void)
{
    return json_pack(
        "[{s:s,s:s,s:s}, {s:s,s:s,s:s,s:[s,s,s,s]}, {s:s,s:s,s:s,s:[s,s,s,s,s,s]},"
        " {s:s,s:s,s:s,s:[s,s,s,s,s]}, {s:s,s:s,s:s,s:[s,s,s]}, {s:s,s:s,s:s,s:[s,s,s,s]},"
        " {s:s,s:s,s:s,s:[s,s,s,s,s]}]",
        "destination", "/proc", "type", "proc", "source", "proc", /* */
        "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options", "nosuid",
        "strictatime", "mode=755", "size=65536k", /* */
        "destination", "/dev/pts", "type", "devpts", "source", "devpts", "options", "nosuid",
        "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", /* */
        "destination", "/dev/shm", "type", "tmpfs", "source", "shm", "options", "nosuid", "noexec",
        "nodev", "mode=1777", "size=65536k", /* */
        "destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue", "options", "nosuid",
        "noexec", "nodev", /* */
        "destination", "/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec",
        "nodev", "ro", /* */
        "destination", "/sys/fs/cgroup", "type", "cgroup", "source", "cgroup", "options", "nosuid",
        "noexec", "nodev", "relatime", "ro");
}

static json_t *default_capabilities(void)
{
    json_t *caps = json_pack("[s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
    /* The last "o" takes over the reference json_pack gave CAPS. */
    return json_pack("{s:O, s:O, s:O, s:o}", "bounding", caps, "effective", caps, "permitted", caps,
                     "ambient", caps);
}

json_t *oci_default_spec(bool rootless)
{
    json_t *caps = default_capabilities();
    json_t *spec = json_pack(
        "{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:o, s:[{s:s, s:i, s:i}],"
        " s:b}, s:{s:s, s:b}, s:s, s:o}",
        "ociVersion", OCI_VERSION, "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args",
        "sh", "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM=xterm", "cwd", "/", "capabilities", caps, "rlimits", "type", "RLIMIT_NOFILE", "hard",
        1024, "soft", 1024, "noNewPrivileges", 1, "root", "path", "rootfs", "readonly", 1,
        "hostname", "husk", "mounts", default_mounts());
    json_t *namespaces = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type",
                                   "network", "type", "ipc", "type", "uts", "type", "mount");
    json_t *linux_section = json_pack(
        "{s:o, s:[s,s,s,s,s,s,s,s,s,s,s], s:[s,s,s,s,s]}", "namespaces", namespaces, "maskedPaths",
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
        "/sys/devices/virtual/powercap", "readonlyPaths", "/proc/bus", "/proc/fs", "/proc/irq",
        "/proc/sys", "/proc/sysrq-trigger");
    if (rootless) {
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "user"));
        json_object_set_new(
            linux_section, "uidMappings",
            json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int)getuid(), "size", 1));
        json_object_set_new(
            linux_section, "gidMappings",
            json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int)getgid(), "size", 1));
    } else {
        json_object_set_new(linux_section, "resources",
                            json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
    }
    json_object_set_new(spec, "linux", linux_section);
    return spec;
}

json_t *oci_features(void)
{
    json_t *mount_options =
        json_pack("[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]", "async",
                  "atime", "bind", "dev", "diratime", "dirsync", "exec", "idmap", "mand", "noatime",
                  "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime",
                  "nosuid", "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared",
                  "rslave", "runbindable", "rw", "shared", "slave", "strictatime", "suid", "sync");
    json_t *seccomp = json_pack(
        "{s:b, s:[s,s,s,s,s,s,s,s,s], s:[s,s,s,s,s,s,s], s:[s,s,s], s:[s,s,s]}", "enabled", 1,
        "actions", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", "operators",
        "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", "archs", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
        "SCMP_ARCH_X32", "knownFlags", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
    json_t *linux_section =
        json_pack("{s:[s,s,s,s,s,s,s,s], s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b},"
                  " s:{s:b}, s:{s:b}}",
                  "namespaces", "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts",
                  "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 0, "seccomp",
                  seccomp, "apparmor", "enabled", 0, "selinux", "enabled", 0, "intelRdt", "enabled",
                  0, "mountExtensions", "idmap", 1);
    return json_pack("{s:s, s:s, s:[s,s,s,s,s,s], s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0",
                     "ociVersionMax", OCI_VERSION, "hooks", "prestart", "createRuntime",
                     "createContainer", "startContainer", "poststart", "poststop", "mountOptions",
                     mount_options, "linux", linux_section, "annotations", "io.husk.version",
                     "0.1.0");
}
