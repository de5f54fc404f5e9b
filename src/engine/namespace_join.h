/* `--pid/--ipc/--network container:NAME`: the new container joins the live
 * namespaces of a running one (the very same inodes), resolved when it
 * starts from the donor's PID 1, never from what was recorded about it. */
#ifndef HUSK_ENGINE_NAMESPACE_JOIN_H
#define HUSK_ENGINE_NAMESPACE_JOIN_H

#include <jansson.h>

#include "../runtime/container.h"
#include "../runtime/spec.h"
#include "../util/error.h"
#include "options.h"

#define NAMESPACE_JOIN_KINDS 3 /* pid, ipc, network */

struct namespace_joins {
    int namespace_fds[NAMESPACE_JOIN_KINDS];
    int shm_fd; /* the IPC donor's /dev/shm, detached */
    struct runtime_attached_mount shm;
};

/* For each "container:ID" mode in HOST_CONFIG, opens the donor's namespace
 * and points SPEC's entry at it; an IPC donor's /dev/shm is attached through
 * LAUNCH. The donor must be running (and, for IPC, shareable or host). */
int namespace_joins_open(const struct engine_context *context, json_t *host_config,
                         struct runtime_spec *spec, struct runtime_launch_options *launch,
                         struct namespace_joins *joins, husk_error_t *err);
void namespace_joins_close(struct namespace_joins *joins);

/* "container:REF" -> ID of REF; NULL (with *ERR) when REF names no
 * container or names SELF, the container being created. */
char *namespace_donor_resolve(const struct engine_context *context, const char *mode,
                              const char *self, husk_error_t *err);
/* The REF of "container:REF", or NULL for any other mode. */
const char *namespace_donor_of(const char *mode);

#endif
