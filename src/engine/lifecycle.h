/* Lifecycle of containers after `run`: docker's create, start, stop, kill,
 * wait, rm, prune and restart, each acting on the kernel's view of the
 * container (its PID 1 via a pidfd), not only on the record. */
#ifndef HUSK_ENGINE_LIFECYCLE_H
#define HUSK_ENGINE_LIFECYCLE_H

#include <limits.h>
#include <stdbool.h>

#include "../util/error.h"
#include "create.h" /* engine_create, for the command line's `create` */
#include "identity.h"
#include "options.h"

int engine_start(const struct engine_context *context, const char *reference, husk_error_t *err);
/* `start -a [-i]`: starts the container with husk attached from the first
 * byte of output, relays until it exits; *EXIT_STATUS is its status. */
int engine_start_attached(const struct engine_context *context, const char *reference,
                          bool interactive, int *exit_status, husk_error_t *err);
/* `run -d`: create and start; a container that cannot start is not kept. */
int engine_run_detached(const struct engine_context *context, const struct run_options *options,
                        char id[HUSK_ID_SIZE], husk_error_t *err);
int engine_kill(const struct engine_context *context, const char *reference, int signal,
                husk_error_t *err);
/* TIMEOUT: seconds from the stop signal to SIGKILL; ENGINE_STOP_TIMEOUT_DEFAULT
 * takes the container's --stop-timeout, else 10. */
#define ENGINE_STOP_TIMEOUT_DEFAULT INT_MIN
int engine_stop(const struct engine_context *context, const char *reference, int timeout,
                husk_error_t *err);
int engine_restart(const struct engine_context *context, const char *reference, int timeout,
                   husk_error_t *err);
int engine_wait(const struct engine_context *context, const char *reference, int *exit_code,
                husk_error_t *err);
/* Removes the container and all it holds: cgroups, network lease, veth and
 * ports, directory and name, also what a killed husk or monitor left (a
 * record still "created" or "running" with PID 1 gone, or a directory whose
 * record was never written). REMOVE_VOLUMES (rm -v): its anonymous
 * volumes go too, unless another container uses them. */
int engine_remove(const struct engine_context *context, const char *reference, bool force,
                  bool remove_volumes, husk_error_t *err);
/* Removes every container that is not running, and directories whose
 * record was never written; *REMOVED lists their IDs. */
int engine_prune(const struct engine_context *context, char ***removed, husk_error_t *err);
/* Signal names as docker takes them: "KILL", "SIGKILL", "9". -1 if unknown. */
int signal_parse(const char *text);

#endif
