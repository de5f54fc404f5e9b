#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"

int net_sysctl_read(const char *path, char *value, size_t size, husk_error_t *err)
{
    char full[256];
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    cleanup_close int fd = open(full, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, value, size - 1) : -1;
    if (n < 0)
        return husk_error_set(err, errno, "read %s", full);
    value[n] = '\0';
    value[strcspn(value, "\n")] = '\0';
    return 0;
}

int net_sysctl_write(const char *path, const char *value, husk_error_t *err)
{
    char full[256];
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    cleanup_close int fd = open(full, O_WRONLY | O_CLOEXEC);
    size_t length = strlen(value);
    if (fd < 0 || write(fd, value, length) != (ssize_t)length)
        return husk_error_set(err, errno, "write %s", full);
    return 0;
}

int net_sysctl_isolated(const char *path, husk_error_t *err)
{
    char full[256];
    snprintf(full, sizeof(full), "/proc/sys/%s", path);
    /* /proc/sys/net shows the reader's network namespace: look from a
     * child in a new one, so husk's own stays as it is. */
    pid_t child = fork();
    if (child < 0)
        return husk_error_set(err, errno, "fork");
    if (child == 0) {
        struct stat st;
        if (unshare(CLONE_NEWNET) < 0)
            _exit(2);
        _exit(stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IWUSR) ? 0 : 1);
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return husk_error_set(err, errno, "wait for the sysctl probe");
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
        return husk_error_set(err, 0, "cannot create a network namespace to classify %s", path);
    return WEXITSTATUS(status) == 0;
}
