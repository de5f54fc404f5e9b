/* --storage-opt size= on btrfs: a qgroup limit on a subvolume that holds
 * the container's writable layer, as docker's btrfs driver does.
 *
 * overlayfs stages each copy-up in workdir and renames it into upperdir,
 * and btrfs refuses renames between subvolumes (EXDEV, measured on 6.18):
 * so upper/ and work/ move together into one subvolume, DIRECTORY/layer.
 * The container's log and record stay outside it and never count. Only
 * containers given a size on btrfs have layer/; everything that needs the
 * upper directory asks store_container_layer_path() where it is. */
#ifndef HUSK_ENGINE_STORAGE_BTRFS_H
#define HUSK_ENGINE_STORAGE_BTRFS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

/* The name of the subvolume inside a container's directory. */
#define STORAGE_BTRFS_LAYER "layer"

bool storage_btrfs_is(int fd);
/* Turns quotas on for the whole file system (once; a no-op after), makes
 * DIRECTORY/layer a subvolume holding fresh upper/ and work/ (replacing the
 * empty ones in DIRECTORY) and limits its qgroup to BYTES referenced. */
int storage_btrfs_apply(const char *directory, uint64_t bytes, husk_error_t *err);
/* The subvolume id (= the level-0 qgroup id) of DIRECTORY/layer, or 0 when
 * there is none. Asked before the directory is removed. */
uint64_t storage_btrfs_layer_id(const char *directory);
/* Removes qgroup 0/ID of the file system PATH is on, once its subvolume is
 * gone. Kernels before the one that deletes a dropped subvolume's qgroup
 * itself (6.x) leave it behind otherwise; newer ones answer EBUSY until
 * the cleaner has dropped the subvolume and then delete it themselves. */
void storage_btrfs_forget(const char *path, uint64_t id);

#endif
