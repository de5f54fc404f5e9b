#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static long set_string(int context, const char *key, const char *value)
{
    return syscall(SYS_fsconfig, context, FSCONFIG_SET_STRING, key, value, 0);
}

/* Before Linux 6.5 overlayfs took fsconfig() keys through the kernel's
 * legacy shim, which accepts any key and fails only at
 * FSCONFIG_CMD_CREATE ("Invalid argument"): "lowerdir+" cannot be tried
 * there, so it is not offered. From 6.5 an unknown key fails at once. */
static bool kernel_parses_overlay_keys(void)
{
    struct utsname host;
    unsigned major = 0, minor = 0;
    if (uname(&host) < 0 || sscanf(host.release, "%u.%u", &major, &minor) != 2)
        return false;
    return major > 6 || (major == 6 && minor >= 5);
}

static int set_lower_layers(int context, char *list, overlay_layer_map map, void *map_data,
                            husk_error_t *err)
{
    size_t count = 0;
    char **layers = NULL;
    char *save = NULL;
    int rc = 0;
    for (char *layer = strtok_r(list, ":", &save); layer; layer = strtok_r(NULL, ":", &save)) {
        layers = xrealloc(layers, (count + 1) * sizeof(*layers));
        layers[count] = map ? map(map_data, layer, err) : xstrdup(layer);
        if (layers[count] == NULL) {
            rc = -1;
            break;
        }
        count++;
    }
    bool appendable = kernel_parses_overlay_keys();
    for (size_t i = 0; rc == 0 && i < count && appendable; i++)
        if (set_string(context, "lowerdir+", layers[i]) < 0) {
            /* Only the first can tell an older kernel: it knows no such key. */
            if (i == 0 && errno == EINVAL)
                appendable = false;
            else
                rc = husk_error_set(err, errno, "overlay lower layer %s", layers[i]);
        }
    if (rc == 0 && !appendable) {
        size_t length = 1;
        for (size_t i = 0; i < count; i++)
            length += strlen(layers[i]) + 1;
        cleanup_free char *joined = xcalloc(1, length);
        for (size_t i = 0; i < count; i++) {
            if (i > 0)
                strcat(joined, ":");
            strcat(joined, layers[i]);
        }
        if (set_string(context, "lowerdir", joined) < 0)
            rc = husk_error_set(err, errno, "overlay lowerdir (%zu layers)", count);
    }
    for (size_t i = 0; i < count; i++)
        free(layers[i]);
    free(layers);
    return rc;
}

int overlay_configure(int context, const char *data, overlay_layer_map map, void *map_data,
                      husk_error_t *err)
{
    cleanup_free char *copy = xstrdup(data ? data : "");
    char *save = NULL;
    for (char *option = strtok_r(copy, ",", &save); option; option = strtok_r(NULL, ",", &save)) {
        char *value = strchr(option, '=');
        if (value != NULL)
            *value++ = '\0';
        if (value != NULL && strcmp(option, "lowerdir") == 0) {
            if (set_lower_layers(context, value, map, map_data, err) < 0)
                return -1;
            continue;
        }
        long rc = value ? set_string(context, option, value)
                        : syscall(SYS_fsconfig, context, FSCONFIG_SET_FLAG, option, NULL, 0);
        if (rc < 0)
            return husk_error_set(err, errno, "overlay option %s", option);
    }
    return 0;
}

int overlay_mount_fd(const char *data, husk_error_t *err)
{
    cleanup_close int context = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (context < 0)
        return husk_error_set(err, errno, "open an overlay file system");
    /* What mount(2) would have shown as the source. */
    if (set_string(context, "source", "overlay") < 0)
        return husk_error_set(err, errno, "overlay source");
    if (overlay_configure(context, data, NULL, NULL, err) < 0)
        return -1;
    if (syscall(SYS_fsconfig, context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return husk_error_set(err, errno, "create the overlay");
    int mount_fd = (int)syscall(SYS_fsmount, context, FSMOUNT_CLOEXEC, 0);
    if (mount_fd < 0)
        return husk_error_set(err, errno, "mount the overlay");
    return mount_fd;
}
