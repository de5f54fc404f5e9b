/* Mounts made detached with the new mount API, then attached through an
 * fd: nothing is looked up by path once a target is open, so what a path
 * leads to cannot change between the mount and its flags (a symlink in a
 * volume mounted just before, say). */
#ifndef HUSK_RUNTIME_MOUNT_FD_H
#define HUSK_RUNTIME_MOUNT_FD_H

#include <stdbool.h>

#include "../util/error.h"
#include "spec.h"

/* A new file system of TYPE (fsopen), SOURCE and DATA ("size=64k,mode=755,
 * newinstance") as mount(2) takes them, its mount with the MS_* FLAGS
 * (nosuid, nodev, noexec, rdonly, atime ones) as attributes. */
int mount_fd_filesystem(const char *type, const char *source, const char *data, unsigned long flags,
                        husk_error_t *err);
/* A copy of the mount tree at SOURCE (or of SOURCE_FD, an O_PATH fd, when
 * not -1), with what is below when M says rbind; the recursive flags of M
 * ("rro") on all of it, then its flags ("ro", "rw", "exec") on the top. */
int mount_fd_bind(int source_fd, const char *source, const struct runtime_mount *m,
                  husk_error_t *err);
/* Sets the MS_* flags SET and clears CLEAR on the top mount of MOUNT (an fd
 * from open_tree or fsmount), or on every mount of it when RECURSIVE. */
int mount_fd_set_flags(int mount, unsigned long set, unsigned long clear, bool recursive,
                       husk_error_t *err);
/* Moves MOUNT onto the directory or file TARGET (an O_PATH fd), then gives
 * it PROPAGATION (MS_PRIVATE, MS_SHARED... with MS_REC for the whole tree;
 * 0: none). */
int mount_fd_attach(int mount, int target, unsigned long propagation, husk_error_t *err);

#endif
