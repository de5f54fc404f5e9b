#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
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
