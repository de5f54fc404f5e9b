#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
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
        options->exec ? -1 : open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
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

int process_setup_stdio(const struct runtime_spec *spec,
                        const struct runtime_launch_options *options, int socket_fd,
                        husk_error_t *err)
{
    if (spec->terminal)
        return open_terminal(options, socket_fd, err);
    for (int fd = 0; fd < 3; fd++)
        if (options->stdio[fd] >= 0 && dup2(options->stdio[fd], fd) < 0)
            return husk_error_set(err, errno, "set up fd %d", fd);
    if (!options->attach_stdin) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0)
            return husk_error_set(err, errno, "open /dev/null as stdin");
        if (null != 0)
            close(null);
    }
    return 0;
}

int process_become_user(const struct runtime_spec *spec, husk_error_t *err)
{
    if (chdir(spec->cwd) < 0)
        return husk_error_set(err, errno == ENOENT ? 0 : errno,
                              errno == ENOENT ? "workdir %s does not exist in the container"
                                              : "change to workdir %s",
                              spec->cwd);
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

int prctl_no_new_privs(void)
{
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

const char *process_path_of(char *const *env)
{
    for (char *const *entry = env; entry && *entry; entry++)
        if (strncmp(*entry, "PATH=", 5) == 0)
            return *entry + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static int exec_failure(const char *command, int error, husk_error_t *err)
{
    if (error == ENOENT || error == ENOTDIR)
        return husk_error_set_status(err, HUSK_EXIT_NOT_FOUND, 0,
                                     "exec \"%s\": no such file or directory", command);
    return husk_error_set_status(err, HUSK_EXIT_NOT_EXECUTABLE, error, "exec \"%s\"", command);
}

int process_exec(const struct runtime_spec *spec, husk_error_t *err)
{
    const char *command = spec->args[0];
    char *const *env = spec->env ? spec->env : (char *const[]){NULL};
    if (strchr(command, '/') != NULL) {
        execve(command, spec->args, env);
        return exec_failure(command, errno, err);
    }
    const char *search = process_path_of(env);
    int denied = 0;
    for (const char *dir = search; dir != NULL;) {
        const char *colon = strchr(dir, ':');
        size_t length = colon ? (size_t)(colon - dir) : strlen(dir);
        char candidate[PATH_MAX];
        if (snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)length,
                     length ? dir : ".", command) < (int)sizeof(candidate)) {
            execve(candidate, spec->args, env);
            if (errno != ENOENT && errno != ENOTDIR)
                denied = errno;
        }
        dir = colon ? colon + 1 : NULL;
    }
    if (denied != 0)
        return husk_error_set_status(err, HUSK_EXIT_NOT_EXECUTABLE, denied, "exec \"%s\"",
                                     command);
    return husk_error_set_status(err, HUSK_EXIT_NOT_FOUND, 0,
                                 "exec \"%s\": executable file not found in $PATH", command);
}
