/* `--userns private`: which host ids a container's user namespace maps its
 * ids 0..N-1 to. The range of user "husk" in /etc/subuid and /etc/subgid
 * when it has one; otherwise USERNS_DEFAULT_START, 65536 ids. */
#ifndef HUSK_ENGINE_USERNS_H
#define HUSK_ENGINE_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"

#define USERNS_DEFAULT_START 1000000000u
#define USERNS_DEFAULT_SIZE  65536u
#define USERNS_OWNER         "husk"

struct id_range {
    uint32_t start, size;
};

/* The first "OWNER:START:SIZE" line of a subordinate id file's TEXT; false
 * when none is valid. Exposed for unit tests. */
bool userns_subordinate_range(const char *text, const char *owner, struct id_range *range);
/* From /etc/subuid and /etc/subgid, else the default range. */
void userns_host_ranges(struct id_range *uids, struct id_range *gids);
/* The container's root is an unprivileged host uid whose gid is GID: it
 * must walk down to DIRECTORY (its container directory, under DATA_ROOT) to
 * attach its root and bind its hostname, hosts and resolv.conf. Gives GID
 * search permission and nothing else: containers/ and DIRECTORY become
 * 0710 root:GID (others lose any bits an older husk gave them), DATA_ROOT
 * too unless anyone may already search it. Refuses when a directory above
 * DATA_ROOT is not searchable, or DATA_ROOT belongs to another group. */
int userns_make_reachable(const char *data_root, const char *directory, gid_t gid,
                          husk_error_t *err);

#endif
