/* The monitor: one small process per detached container, forked from husk
 * (no re-exec). It is the parent and subreaper of the container's PID 1,
 * holds its output pipes or pty, writes its log, records its exit and does
 * the --rm cleanup. */
#ifndef HUSK_ENGINE_MONITOR_H
#define HUSK_ENGINE_MONITOR_H

#include "../../util/error.h"
#include "../identity.h"
#include "../options.h"
#include "../record.h"

/* Starts the container of HANDLE (locked, status created or exited) under a
 * new monitor. Returns once PID 1 runs its command, or with its error.
 * ATTACH_FD, when >= 0, is a socket the monitor serves as an attached client
 * from before the first byte of output (`start -a`). */
int monitor_start(const struct engine_context *context, struct container_handle *handle,
                  int attach_fd, husk_error_t *err);

/* `run -d`: creates the container from OPTIONS and starts it under a new
 * monitor. The creation happens in the monitor's short-lived launcher, so
 * the monitor itself never holds its memory. ID is set once the container
 * exists, also when it then failed to start (the caller removes it). */
int monitor_run(const struct engine_context *context, const struct run_options *options,
                char id[HUSK_ID_SIZE], husk_error_t *err);

#endif
