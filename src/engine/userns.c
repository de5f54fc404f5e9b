#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
            /* A size of 0, or a range beyond 32 bits, maps nothing usable
             * (checked without start + size, which wraps: "-1" is ULLONG_MAX). */
            if (sscanf(copy, "%llu:%llu%c", &start, &size, &tail) == 2 && size > 0 && start > 0 &&
                start <= UINT32_MAX && size <= UINT32_MAX - start) {
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

/* Can a process whose fs gid is GID (and whose uid owns nothing here) walk
 * through a directory with this owner and mode? */
static bool searchable_by(const struct stat *st, gid_t gid)
{
    return (st->st_mode & S_IXOTH) || (st->st_gid == gid && (st->st_mode & S_IXGRP));
}

/* Docker's answer to the same problem (its userns-remap root is 0710
 * root:REMAPPED_GID): the container's gid may search (x, never r or w),
 * nobody else may. Others' bits are cleared: an older husk set o+x here,
 * and that exposed every record below to every local user. */
static int grant_search_to_group(const char *path, gid_t gid, bool clear_others, husk_error_t *err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return husk_error_set(err, errno, "open %s", path);
    if (!clear_others && (st.st_mode & S_IXOTH))
        return 0;
    /* Taking the group away from another group that may use it would lock
     * its members out: say so rather than do it. */
    if (st.st_gid != gid && st.st_gid != 0 && (st.st_mode & S_IRWXG))
        return husk_error_set(err, 0,
                              "--userns private: %s belongs to group %u (mode %04o); container "
                              "root (host gid %u) must search it: chgrp it to root or use "
                              "another --root",
                              path, st.st_gid, st.st_mode & 07777, gid);
    mode_t mode = (st.st_mode & (S_IRWXU | S_ISVTX)) | S_IXGRP;
    if (!clear_others)
        mode |= st.st_mode & (S_IRWXO & ~S_IXOTH);
    if (fchown(fd, (uid_t)-1, gid) < 0 || fchmod(fd, mode) < 0)
        return husk_error_set(err, errno, "let the --userns private root search %s", path);
    return 0;
}

int userns_make_reachable(const char *data_root, const char *directory, gid_t gid,
                          husk_error_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", data_root);
    for (char *slash = strrchr(path, '/'); slash != NULL; slash = strrchr(path, '/')) {
        *slash = '\0';
        struct stat st;
        const char *above = path[0] ? path : "/";
        if (stat(above, &st) == 0 && !searchable_by(&st, gid))
            return husk_error_set(err, 0,
                                  "--userns private: %s (mode %04o) is not searchable by others, "
                                  "so container root (an unprivileged host uid) cannot reach "
                                  "%s; chmod o+x it or use another --root",
                                  above, st.st_mode & 07777, data_root);
    }
    /* The state root may be the administrator's directory: left as it is
     * when anyone may search it; containers/ and the container's own
     * directory are husk's alone. */
    snprintf(path, sizeof(path), "%s/containers", data_root);
    if (grant_search_to_group(data_root, gid, false, err) < 0 ||
        grant_search_to_group(path, gid, true, err) < 0 ||
        grant_search_to_group(directory, gid, true, err) < 0)
        return -1;
    return 0;
}
