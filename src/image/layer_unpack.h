/* Applies one image layer (an uncompressed tar) to an empty directory, in
 * the form overlayfs reads as a lower layer: OCI/docker whiteouts ".wh.NAME"
 * become 0/0 character devices, ".wh..wh..opq" an opaque directory
 * (trusted.overlay.opaque=y). Owners, modes with setuid/setgid/sticky bits,
 * xattrs, hard links, device nodes and times are kept.
 *
 * The tar is hostile input: an absolute name or one with a ".." component
 * is refused; every path is resolved inside the directory
 * (openat2 RESOLVE_IN_ROOT), so a symlink in the layer can redirect a later
 * entry only within it; a hard link's target must be inside too; and
 * xattrs that steer overlayfs itself (trusted.overlay.*) are refused. */
#ifndef HUSK_IMAGE_LAYER_UNPACK_H
#define HUSK_IMAGE_LAYER_UNPACK_H

#include "../util/error.h"
#include "byte_stream.h"

/* Reads TAR (uncompressed) to its end marker and writes its entries under
 * ROOT_FD. On error the directory holds part of the layer: the caller
 * unpacks into a temporary directory and publishes it only on success. */
int layer_unpack(struct byte_stream *tar, int root_fd, husk_error_t *err);

#endif
