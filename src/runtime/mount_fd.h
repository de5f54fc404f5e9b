/* Mounts made detached with the new mount API, then attached through an
 * fd: nothing is looked up by path once a target is open, so what a path
 * leads to cannot change between the mount and its flags (a symlink in a
 * volume mounted just before, say). */
#ifndef HUSK_RUNTIME_MOUNT_FD_H
#define HUSK_RUNTIME_MOUNT_FD_H

#include <stdbool.h>

#include "../util/error.h"

/* A new file system of TYPE (fsopen), SOURCE and DATA ("size=64k,mode=755,
 * newinstance") as mount(2) takes them, its mount with the MS_* FLAGS
 * (nosuid, nodev, noexec, rdonly, atime ones) as attributes. */
int mount_fd_filesystem(const char *type, const char *source, const char *data,
                        unsigned long flags, husk_error_t *err);
/* A copy of the mount tree at SOURCE (with what is below when RECURSIVE),
 * its top mount given the MS_* FLAGS. */
int mount_fd_bind(const char *source, bool recursive, unsigned long flags, husk_error_t *err);
/* Sets the MS_* FLAGS on the top mount of MOUNT (an fd from open_tree or
 * fsmount). */
int mount_fd_set_flags(int mount, unsigned long flags, husk_error_t *err);
/* Moves MOUNT onto the directory or file TARGET (an O_PATH fd), then gives
 * it PROPAGATION (MS_PRIVATE, MS_SHARED... with MS_REC for the whole tree;
 * 0: none). */
int mount_fd_attach(int mount, int target, unsigned long propagation, husk_error_t *err);

#endif
