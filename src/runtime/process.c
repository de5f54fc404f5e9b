#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "capabilities.h"
#include "rootfs.h"
#include "sync.h"

static int write_sysctls(json_t *sysctl, husk_error_t *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(sysctl, key, value)
    {
        const char *text = json_string_value(value);
        char path[PATH_MAX];
        int length = snprintf(path, sizeof(path), "/proc/sys/%s", key);
        if (text == NULL || length >= (int)sizeof(path) || strstr(key, "..") != NULL)
            return husk_error_set(err, 0, "bad sysctl %s", key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        if (file_write_all(AT_FDCWD, path, text, strlen(text), 0, err) < 0)
            return husk_error_wrap(err, "sysctl %s", key);
    }
    return 0;
}

int process_prepare_root(const struct runtime_spec *spec, const struct rootfs_handover *handover,
                         husk_error_t *err)
{
    if (rootfs_prepare(spec, handover, err) < 0)
        return -1;
    if (spec->hostname != NULL && runtime_spec_has_namespace(spec, CLONE_NEWUTS) &&
        sethostname(spec->hostname, strlen(spec->hostname)) < 0)
        return husk_error_set(err, errno, "set hostname %s", spec->hostname);
    if (spec->domainname != NULL && runtime_spec_has_namespace(spec, CLONE_NEWUTS) &&
        setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
        return husk_error_set(err, errno, "set domainname %s", spec->domainname);
    if (write_sysctls(spec->sysctl, err) < 0)
        return -1;
    return rootfs_finalize(spec, err);
}

static int open_terminal(const struct runtime_launch_options *options, int socket_fd,
                         husk_error_t *err)
{
    const char *ptmx = access("/dev/pts/ptmx", F_OK) == 0 ? "/dev/pts/ptmx" : "/dev/ptmx";
    cleanup_close int master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return husk_error_set(err, errno, "open %s", ptmx);
    char name[64];
    if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
        return husk_error_set(err, errno, "set up the terminal");
    cleanup_close int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return husk_error_set(err, errno, "open %s", name);
    if (options->window != NULL)
        ioctl(slave, TIOCSWINSZ, options->window);
    /* /dev/console is the container's terminal, as on a booted system. */
    cleanup_close int console =
        options->exec ? -1
                      : open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (console >= 0 && mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return husk_error_set(err, errno, "bind %s on /dev/console", name);
    struct sync_message message = {.kind = SYNC_TERMINAL};
    if (sync_send(socket_fd, &message, master) < 0)
        return husk_error_set(err, errno, "send the terminal to husk");
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
        return husk_error_set(err, errno, "make %s the controlling terminal", name);
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0)
            return husk_error_set(err, errno, "dup2");
    return 0;
}

/* The container's /dev/null, checked to be it: container root may have made
 * /dev/null a link to /proc/self/fd/0, which here is still the caller's
 * terminal or file. */
static int open_dev_null(void)
{
    struct open_how how = {.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof(how));
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))) {
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

int process_setup_stdio(const struct runtime_spec *spec,
                        const struct runtime_launch_options *options, int socket_fd,
                        husk_error_t *err)
{
    if (spec->terminal)
        return open_terminal(options, socket_fd, err);
    /* No controlling terminal: a terminal the caller's session has could
     * otherwise be reopened as /dev/tty and typed into (TIOCSTI). */
    if (setsid() < 0)
        return husk_error_set(err, errno, "start a session of its own");
    /* Only descriptors husk made for the container: an fd of the caller's
     * (a file its shell redirected) would let the container fchmod or
     * rewrite that host file. What is not given is the container's own
     * /dev/null, opened inside it. */
    cleanup_close int null = open_dev_null();
    for (int fd = 0; fd < 3; fd++) {
        int from = options->stdio[fd] >= 0 ? options->stdio[fd] : null;
        if (from < 0)
            return husk_error_set(err, errno, "open the container's /dev/null");
        if (dup2(from, fd) < 0)
            return husk_error_set(err, errno, "set up fd %d", fd);
    }
    return 0;
}

int process_enter_workdir(const struct runtime_spec *spec, husk_error_t *err)
{
    if (chdir(spec->cwd) < 0)
        return husk_error_set(err, errno == ENOENT ? 0 : errno,
                              errno == ENOENT ? "workdir %s does not exist in the container"
                                              : "change to workdir %s",
                              spec->cwd);
    /* The workdir is the container's path: through a magic link
     * (/proc/self/fd/N) it could lead out of the container's root, where
     * the kernel names the directory "(unreachable)..." or not at all. */
    char where[PATH_MAX];
    if (getcwd(where, sizeof(where)) == NULL || where[0] != '/')
        return husk_error_set(err, 0, "workdir %s is outside the container", spec->cwd);
    return 0;
}

int process_become_user(const struct runtime_spec *spec, husk_error_t *err)
{
    if (capabilities_drop_bounding(&spec->capabilities, err) < 0)
        return -1;
    /* Keep permitted capabilities across setuid; capabilities_apply then
     * sets exactly the spec's sets for the new user. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return husk_error_set(err, errno, "keep capabilities");
    if (setgroups(spec->additional_gid_count, spec->additional_gids) < 0)
        return husk_error_set(err, errno, "set supplementary groups");
    if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
        return husk_error_set(err, errno, "set gid %u", spec->gid);
    if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
        return husk_error_set(err, errno, "set uid %u", spec->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return husk_error_set(err, errno, "reset keep capabilities");
    return capabilities_apply(&spec->capabilities, err);
}

/* Opens FILE of /proc/self for writing, refusing anything but procfs: the
 * container's root may hold something else at /proc (a volume, a tmpfs
 * mounted by an exec's caller...), where the write would silently land in
 * a file instead of the kernel (CVE-2019-16884). -1 with errno. */
static int open_proc_self(const char *file)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/%s", file);
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs fs;
    if (fd >= 0 && (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

int process_apply_limits(const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < spec->rlimit_count; i++) {
        const struct runtime_rlimit *r = &spec->rlimits[i];
        struct rlimit limit = {.rlim_cur = r->soft, .rlim_max = r->hard};
        if (setrlimit(r->resource, &limit) < 0)
            return husk_error_set(err, errno,
                                  "process.rlimits: %s %llu:%llu refused (the host's "
                                  "fs.nr_open or hard limit is lower?)",
                                  runtime_rlimit_name(r->resource), (unsigned long long)r->soft,
                                  (unsigned long long)r->hard);
    }
    if (spec->has_oom_score_adj) {
        char value[16];
        int length = snprintf(value, sizeof(value), "%d", spec->oom_score_adj);
        int fd = open_proc_self("oom_score_adj");
        bool written = fd >= 0 && write(fd, value, (size_t)length) == length;
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (!written)
            return husk_error_set(err, saved, "set oom_score_adj %d", spec->oom_score_adj);
    }
    if (spec->has_scheduler) {
        /* struct sched_attr (glibc has no wrapper). */
        struct {
            uint32_t size, policy;
            uint64_t flags;
            int32_t nice;
            uint32_t priority;
            uint64_t runtime, deadline, period;
        } attr = {sizeof(attr),
                  spec->scheduler.policy,
                  spec->scheduler.flags,
                  spec->scheduler.nice,
                  spec->scheduler.priority,
                  spec->scheduler.runtime,
                  spec->scheduler.deadline,
                  spec->scheduler.period};
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
            return husk_error_set(err, errno, "process.scheduler: sched_setattr");
    }
    if (spec->io_priority >= 0 &&
        syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, spec->io_priority) < 0)
        return husk_error_set(err, errno, "process.ioPriority: ioprio_set");
    if (spec->personality >= 0 && personality((unsigned long)spec->personality) < 0)
        return husk_error_set(err, errno, "linux.personality");
    if (spec->apparmor_profile != NULL && access("/sys/kernel/security/apparmor", F_OK) == 0) {
        char command[300];
        int length = snprintf(command, sizeof(command), "exec %s", spec->apparmor_profile);
        int fd = open_proc_self("attr/apparmor/exec");
        bool written = fd >= 0 && length < (int)sizeof(command) &&
                       write(fd, command, (size_t)length) == length;
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (!written)
            return husk_error_set(err, saved, "apparmor profile %s", spec->apparmor_profile);
    }
    /* runc's default: files the container makes are not world-writable. */
    umask(spec->umask >= 0 ? (mode_t)spec->umask : 022);
    return 0;
}

/* Whether PATH names something this process may execute: 0, or the
 * errno of the failure (ENOENT, EACCES). */
static int executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return errno;
    if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0)
        return EACCES;
    return 0;
}

static const char *search_path(char *const env[])
{
    for (char *const *entry = env; entry && *entry; entry++)
        if (strncmp(*entry, "PATH=", 5) == 0)
            return *entry + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int process_check_command(const struct runtime_spec *spec, husk_error_t *err)
{
    const char *command = spec->args[0];
    if (strchr(command, '/') != NULL) {
        int error = executable(command);
        if (error == EACCES)
            return husk_error_set_status(err, HUSK_EXIT_NOT_EXECUTABLE, 0,
                                         "exec: \"%s\": permission denied", command);
        if (error != 0)
            return husk_error_set_status(err, HUSK_EXIT_NOT_FOUND, 0,
                                         "exec: \"%s\": stat %s: no such file or directory",
                                         command, command);
        return 0;
    }
    bool denied = false;
    const char *dirs = search_path(spec->env);
    for (const char *dir = dirs; dir != NULL;) {
        const char *colon = strchr(dir, ':');
        int length = colon ? (int)(colon - dir) : (int)strlen(dir);
        char candidate[PATH_MAX];
        if (snprintf(candidate, sizeof(candidate), "%.*s/%s", length ? length : 1,
                     length ? dir : ".", command) < (int)sizeof(candidate)) {
            int error = executable(candidate);
            if (error == 0)
                return 0;
            denied = denied || error == EACCES;
        }
        dir = colon ? colon + 1 : NULL;
    }
    if (denied)
        return husk_error_set_status(err, HUSK_EXIT_NOT_EXECUTABLE, 0,
                                     "exec: \"%s\": permission denied", command);
    return husk_error_set_status(err, HUSK_EXIT_NOT_FOUND, 0,
                                 "exec: \"%s\": executable file not found in $PATH", command);
}

int prctl_no_new_privs(void)
{
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Fields 48-51 of /proc/self/stat: where the kernel put the arguments and
 * the environment husk was started with. */
static int arg_env_areas(unsigned long area[4])
{
    char text[1024];
    cleanup_close int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *p = strrchr(text, ')');
    for (int field = 2; p != NULL && field < 48; field++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p, " %lu %lu %lu %lu", &area[0], &area[1], &area[2], &area[3]) != 4)
        return -1;
    return 0;
}

void process_hide_caller(struct caller_areas *areas)
{
    *areas = (struct caller_areas){0};
    if (arg_env_areas(areas->bounds) < 0)
        return;
    for (int i = 0; i < 2; i++) {
        unsigned long start = areas->bounds[2 * i], end = areas->bounds[2 * i + 1];
        if (start == 0 || end <= start)
            continue;
        areas->saved[i] = xmalloc(end - start);
        memcpy(areas->saved[i], (void *)start, end - start);
        memset((void *)start, 0, end - start);
    }
}

void process_show_caller(struct caller_areas *areas)
{
    for (int i = 0; i < 2; i++) {
        if (areas->saved[i] == NULL)
            continue;
        unsigned long start = areas->bounds[2 * i], end = areas->bounds[2 * i + 1];
        memcpy((void *)start, areas->saved[i], end - start);
        free(areas->saved[i]);
        areas->saved[i] = NULL;
    }
}
