/* The default image, made from Debian's busybox-static without any network. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "store.h"

extern char **environ;

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                             "bin:x:2:2:bin:/bin:/bin/false\n"
                             "sys:x:3:3:sys:/dev:/bin/false\n"
                             "www-data:x:33:33:www-data:/var/www:/bin/false\n"
                             "nobody:x:65534:65534:nobody:/home:/bin/false\n";
static const char group[] = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\n"
                            "tty:x:5:\ndisk:x:6:\nwheel:x:10:root\nstaff:x:50:\n"
                            "www-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n";

static int copy_binary(const char *source, int root_fd, husk_error_t *err)
{
    cleanup_close int in = open(source, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return husk_error_set(err, errno, "open %s", source);
    struct stat st;
    if (fstat(in, &st) < 0)
        return husk_error_set(err, errno, "stat %s", source);
    cleanup_close int out =
        openat(root_fd, "bin/busybox", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (out < 0)
        return husk_error_set(err, errno, "create bin/busybox");
    for (off_t offset = 0; offset < st.st_size;) {
        ssize_t n = sendfile(out, in, &offset, (size_t)(st.st_size - offset));
        if (n <= 0)
            return husk_error_set(err, n < 0 ? errno : EIO, "copy %s", source);
    }
    return 0;
}

/* `busybox --list-full` names every applet with its usual directory. */
static int list_applets(const char *busybox, char **output, husk_error_t *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    char *argv[] = {(char *)busybox, "--list-full", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, busybox, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        return husk_error_set(err, rc, "run %s --list-full", busybox);
    }
    rc = file_read_all(pipe_fds[0], "", output, NULL, err);
    close(pipe_fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        return husk_error_set(err, 0, "%s --list-full failed", busybox);
    return rc;
}

static int link_applets(int root_fd, char *applets, husk_error_t *err)
{
    char *save = NULL;
    for (char *line = strtok_r(applets, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strcmp(line, "bin/busybox") == 0 || strstr(line, "..") != NULL)
            continue;
        if (symlinkat("/bin/busybox", root_fd, line) < 0 && errno != EEXIST)
            return husk_error_set(err, errno, "link applet %s", line);
    }
    return 0;
}

static int write_image_config(const char *destination, husk_error_t *err)
{
    cleanup_json json_t *config = json_pack(
        "{s:s, s:s, s:{s:[s], s:[s]}, s:{s:s, s:[]}}", "architecture", "amd64", "os", "linux",
        "config", "Env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "Cmd",
        "sh", "rootfs", "type", "layers", "diff_ids");
    cleanup_free char *text = json_dumps(config, JSON_INDENT(2));
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "image config");
    cleanup_free char *path = xasprintf("%s/config.json", destination);
    return file_write_all(AT_FDCWD, path, text, strlen(text), 0644, err);
}

int image_busybox_build(const char *busybox, const char *destination, husk_error_t *err)
{
    static const char *const directories[] = {
        "bin", "sbin", "usr",  "usr/bin", "usr/sbin", "etc",     "proc", "sys", "dev",
        "tmp", "root", "home", "var",     "var/tmp",  "var/www", "run",  "mnt"};
    cleanup_free char *rootfs = xasprintf("%s/rootfs", destination);
    if (directory_create_parents(rootfs, 0755, err) < 0)
        return -1;
    cleanup_close int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return husk_error_set(err, errno, "open %s", rootfs);
    for (size_t i = 0; i < sizeof(directories) / sizeof(directories[0]); i++)
        if (mkdirat(root_fd, directories[i], 0755) < 0 && errno != EEXIST)
            return husk_error_set(err, errno, "mkdir %s", directories[i]);
    if (fchmodat(root_fd, "tmp", 01777, 0) < 0 || fchmodat(root_fd, "var/tmp", 01777, 0) < 0 ||
        fchmodat(root_fd, "root", 0700, 0) < 0)
        return husk_error_set(err, errno, "chmod");
    cleanup_free char *applets = NULL;
    if (copy_binary(busybox, root_fd, err) < 0 || list_applets(busybox, &applets, err) < 0 ||
        link_applets(root_fd, applets, err) < 0)
        return -1;
    if (file_write_all(root_fd, "etc/passwd", passwd, sizeof(passwd) - 1, 0644, err) < 0 ||
        file_write_all(root_fd, "etc/group", group, sizeof(group) - 1, 0644, err) < 0)
        return -1;
    return write_image_config(destination, err);
}
