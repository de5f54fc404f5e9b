/* What the OCI face's files share among themselves (create.c and exec.c
 * call control.c; control.c calls neither). */
#ifndef HUSK_RUNTIME_OCI_INTERNAL_H
#define HUSK_RUNTIME_OCI_INTERNAL_H

#include <jansson.h>

#include "../../util/error.h"
#include "../spec.h"
#include "state.h"

/* The container's config.json as saved at create, parsed. */
int oci_container_spec(const struct oci_container *c, struct runtime_spec **spec,
                       husk_error_t *err);
/* The state a hook reads on stdin, with STATUS. */
char *oci_hook_state_text(const struct oci_container *c, const char *status);
/* Runs KIND's hooks where failure is only a warning (poststart, poststop). */
void oci_hooks_warn(const struct runtime_spec *spec, enum runtime_hook_kind kind,
                    const char *state);
/* Removes a stopped container: what is left in its cgroups, the cgroups,
 * the poststop hooks, its directory. */
int oci_destroy(struct oci_container *c, husk_error_t *err);
/* Sends FD (a terminal's master) to the unix socket at PATH, as runc does:
 * SCM_RIGHTS with the terminal's name as data. */
int oci_send_console(const char *path, int fd, husk_error_t *err);
/* The seccomp notify listener FD to SECCOMP's listenerPath, with the
 * container process state the runtime-spec defines (fds ["seccompFd"]). */
int oci_send_seccomp_listener(const struct oci_container *c, json_t *seccomp, int fd,
                              husk_error_t *err);
/* Fds 3..3+COUNT-1 are all open (the caller's, to pass on): checked before
 * husk-oci opens anything, else its own would fill the gaps (runc: EBADF). */
int oci_check_preserved_fds(int count, husk_error_t *err);
/* Writes PID to PATH atomically (managers read it as soon as it exists). */
int oci_write_pid_file(const char *path, pid_t pid, husk_error_t *err);

#endif
