#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/cleanup.h"
#include "../util/file.h"

bool userns_subordinate_range(const char *text, const char *owner, struct id_range *range)
{
    size_t owner_length = strlen(owner);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        unsigned long long start = 0, size = 0;
        char tail;
        char copy[256];
        size_t length = end ? (size_t)(end - line) : strlen(line);
        if (length < sizeof(copy) && strncmp(line, owner, owner_length) == 0 &&
            line[owner_length] == ':') {
            memcpy(copy, line + owner_length + 1, length - owner_length - 1);
            copy[length - owner_length - 1] = '\0';
            /* A size of 0, or a range beyond 32 bits, maps nothing usable. */
            if (sscanf(copy, "%llu:%llu%c", &start, &size, &tail) == 2 && size > 0 && start > 0 &&
                start + size <= UINT32_MAX) {
                *range = (struct id_range){(uint32_t)start, (uint32_t)size};
                return true;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return false;
}

static struct id_range range_from(const char *path)
{
    struct id_range range = {USERNS_DEFAULT_START, USERNS_DEFAULT_SIZE};
    cleanup_free char *text = NULL;
    if (file_read_all(AT_FDCWD, path, &text, NULL, NULL) == 0)
        userns_subordinate_range(text, USERNS_OWNER, &range);
    return range;
}

void userns_host_ranges(struct id_range *uids, struct id_range *gids)
{
    *uids = range_from("/etc/subuid");
    *gids = range_from("/etc/subgid");
}

static int add_search_permission(const char *path, husk_error_t *err)
{
    struct stat st;
    if (stat(path, &st) < 0 || chmod(path, (st.st_mode & 07777) | S_IXOTH) < 0)
        return husk_error_set(err, errno, "make %s searchable for --userns private", path);
    return 0;
}

int userns_make_reachable(const char *data_root, const char *directory, husk_error_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", data_root);
    for (char *slash = strrchr(path, '/'); slash != NULL; slash = strrchr(path, '/')) {
        *slash = '\0';
        struct stat st;
        const char *above = path[0] ? path : "/";
        if (stat(above, &st) == 0 && !(st.st_mode & S_IXOTH))
            return husk_error_set(err, 0,
                                  "--userns private: %s (mode %04o) is not searchable by others, "
                                  "so container root (an unprivileged host uid) cannot reach "
                                  "%s; chmod o+x it or use another --root",
                                  above, st.st_mode & 07777, data_root);
    }
    snprintf(path, sizeof(path), "%s/containers", data_root);
    if (add_search_permission(data_root, err) < 0 || add_search_permission(path, err) < 0 ||
        add_search_permission(directory, err) < 0)
        return -1;
    return 0;
}
