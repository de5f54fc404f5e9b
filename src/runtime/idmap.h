/* A new user namespace seen from outside: its id mappings, written by husk
 * (the parent, privileged in the host's namespace), and the container's root
 * overlay built with its image layers idmapped into that namespace, so image
 * files owned by host root appear owned by container root without a copy. */
#ifndef HUSK_RUNTIME_IDMAP_H
#define HUSK_RUNTIME_IDMAP_H

#include <sys/types.h>

#include "../util/error.h"
#include "spec.h"

/* Writes SPEC's uid and gid mappings for process PID. */
int idmap_write_mappings(pid_t pid, const struct runtime_spec *spec, husk_error_t *err);
/* A detached overlay mount for SPEC's root whose lower layers are idmapped
 * to PID's user namespace; -2 when the root mount does not ask for "idmap". */
int idmap_root_overlay(const struct runtime_spec *spec, pid_t pid, husk_error_t *err);
/* For each bind mount of SPEC with "idmap" or "ridmap": a detached clone of
 * its source idmapped to PID's user namespace, in FDS[mount index] (the
 * others -1; FDS has SPEC->mount_count entries). Returns how many, or -1. */
int idmap_bind_mounts(const struct runtime_spec *spec, pid_t pid, int *fds, husk_error_t *err);

#endif
