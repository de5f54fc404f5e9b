#include "copy_entry.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#define MQUEUE_MAGIC   0x19800202
#define CONFIGFS_MAGIC 0x62656570
#define FUSECTL_MAGIC  0x65735543
#define OVERFLOW_ID    65534

uid_t copy_id_to_container(const struct copy_id_map *map, uint32_t host, bool group)
{
    if (!map->active)
        return host;
    uint32_t start = group ? map->gid_start : map->uid_start;
    return host >= start && host - start < map->size ? host - start : OVERFLOW_ID;
}

int copy_id_to_host(const struct copy_id_map *map, uint32_t id, bool group, uint32_t *host)
{
    if (!map->active) {
        *host = id;
        return 0;
    }
    if (id >= map->size)
        return -1;
    *host = (group ? map->gid_start : map->uid_start) + id;
    return 0;
}

bool copy_fd_on_kernel_fs(int fd)
{
    static const unsigned long kernel[] = {
        PROC_SUPER_MAGIC,   SYSFS_MAGIC,    CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
        DEVPTS_SUPER_MAGIC, MQUEUE_MAGIC,   SECURITYFS_MAGIC,   DEBUGFS_MAGIC,
        TRACEFS_MAGIC,      BPF_FS_MAGIC,   SELINUX_MAGIC,      SMACK_MAGIC,
        PSTOREFS_MAGIC,     EFIVARFS_MAGIC, CONFIGFS_MAGIC,     FUSECTL_MAGIC,
        BINFMTFS_MAGIC,     NSFS_MAGIC,
    };
    struct statfs st;
    /* Unknown is refused: the callers only go on for a file system known
     * to hold plain files. */
    if (fstatfs(fd, &st) < 0)
        return true;
    for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++)
        if ((unsigned long)st.f_type == kernel[i])
            return true;
    return false;
}
