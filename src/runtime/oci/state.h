/* Containers of the OCI face (`husk oci`, `husk-oci`): one directory each
 * under the state root, holding state.json (what husk needs to find the
 * container again), a copy of its config.json and, while it is created but
 * not started, the fifo its first process waits on. */
#ifndef HUSK_RUNTIME_OCI_STATE_H
#define HUSK_RUNTIME_OCI_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../../util/error.h"
#include "../cgroup_layout.h"

#define OCI_VERSION      "1.2.0"
#define OCI_DEFAULT_ROOT "/run/husk-oci"
#define OCI_START_FIFO   "exec.fifo"

enum oci_status { OCI_CREATING, OCI_CREATED, OCI_RUNNING, OCI_PAUSED, OCI_STOPPED };

struct oci_container {
    char *id;
    char *dir;     /* ROOT/ID */
    int dir_fd;    /* that directory, flock()ed for as long as this is open */
    json_t *state; /* state.json */
};

/* runc's rule: letters, digits, '_', '+', '-', '.', not "." or "..". */
int oci_id_check(const char *id, husk_error_t *err);
/* Makes ROOT/ID (an error if it exists) and locks it. */
int oci_container_new(const char *root, const char *id, struct oci_container *c, husk_error_t *err);
/* Opens and locks ROOT/ID and reads its state.json. */
int oci_container_open(const char *root, const char *id, struct oci_container *c,
                       husk_error_t *err);
int oci_container_save(struct oci_container *c, husk_error_t *err);
/* Lets others at the container while this command waits (a foreground run,
 * hooks, which may call `state`); relocking fails if it was deleted
 * meanwhile. */
int oci_container_unlock(struct oci_container *c);
int oci_container_relock(struct oci_container *c, husk_error_t *err);
/* Removes the directory; C stays to be closed. */
int oci_container_remove(struct oci_container *c, husk_error_t *err);
void oci_container_close(struct oci_container *c);

/* From the process's life (checked against its start time, so a reused
 * PID is not taken for it), the start fifo and the freezer. */
enum oci_status oci_container_status(const struct oci_container *c);
const char *oci_status_name(enum oci_status status);
/* The PID from state.json, or 0. */
pid_t oci_container_pid(const struct oci_container *c);
/* A pidfd for the container's first process, or -1 (errno ESRCH) when it
 * is gone: opened, then checked to be the same process. */
int oci_container_pidfd(const struct oci_container *c);
/* The cgroup layout the container was made in, and its cgroups path. */
int oci_container_layout(const struct oci_container *c, struct cgroup_layout *layout,
                         husk_error_t *err);
const char *oci_container_cgroups_path(const struct oci_container *c);
/* The state per the runtime-spec: ociVersion, id, status, pid, bundle,
 * annotations; plus runc's rootfs, created and owner. */
json_t *oci_container_public_state(const struct oci_container *c);
/* Process start time in clock ticks (field 22 of /proc/PID/stat), 0 if gone
 * or a zombie. */
unsigned long long oci_process_start_time(pid_t pid);
/* The IDs under ROOT, sorted; NULL-terminated. */
char **oci_container_ids(const char *root);

#endif
