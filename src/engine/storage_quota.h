/* --storage-opt size=: a project quota on a container's writable layer.
 *
 * The container's upper/ and work/ (overlay's scratch space, where copy-ups
 * are staged: both must share the project, or renames between them fail
 * with EXDEV) get a project id of their own with PROJINHERIT, so whatever
 * the container writes counts against it, and quotactl sets that project's
 * hard limit. Only the kernel is asked (FS_IOC_FSSETXATTR, quotactl_fd),
 * no xfs_quota. The file system under HUSK_ROOT/containers must enforce
 * project quotas: xfs mounted with pquota/prjquota, or ext4 made with the
 * project (and quota) feature and mounted with prjquota.
 *
 * Project ids are handed out under HUSK_ROOT/quota (projects.json, id ->
 * container, changed under quota/lock), starting above the project id of
 * HUSK_ROOT/containers itself (docker's convention, so an administrator
 * can move husk's range) and skipping ids the file system already counts
 * or limits for someone else. An entry whose container directory is gone
 * (a remove that was killed) is taken back by the next allocation. */
#ifndef HUSK_ENGINE_STORAGE_QUOTA_H
#define HUSK_ENGINE_STORAGE_QUOTA_H

#include <stdint.h>

#include "../util/error.h"
#include "options.h"

/* On btrfs, when BYTES > 0, puts container ID's upper/ and work/ in a
 * subvolume whose qgroup is limited to BYTES (storage_btrfs.h). Elsewhere
 * refuses (one line) unless the containers' file system enforces project
 * quotas; then, when BYTES > 0, gives container ID's upper/ and work/ in
 * DIRECTORY a fresh project limited to BYTES (rounded up to 512). */
int storage_quota_apply(const struct engine_context *context, const char *id, const char *directory,
                        uint64_t bytes, husk_error_t *err);
/* Gives container ID's project id back and lifts its limit; called once its
 * directory is gone. Nothing to do (and no file touched) for a container
 * without one. */
void storage_quota_release(const struct engine_context *context, const char *id);

#endif
