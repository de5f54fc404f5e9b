/* The moment between PID 1's end and its monitor recording the exit: the
 * record still says running, with the created container's ExitCode 0. A
 * command that reports the exit waits for the record instead of guessing. */
#ifndef HUSK_ENGINE_EXIT_WAIT_H
#define HUSK_ENGINE_EXIT_WAIT_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"
#include "options.h"
#include "record.h"

enum exit_record { EXIT_NOT_RECORDED, EXIT_RECORDED_FINAL, EXIT_RECORDED_RESTARTING };

/* How long a command that only reports waits: enough for a monitor removing
 * PID 1's cgroups; a stopped or hung one is then taken as the record stands
 * (a container sharing the host's PID namespace could SIGSTOP it). */
#define EXIT_WAIT_BRIEF_MS 5000

/* The record says running or paused, PID 1 is gone (or a zombie) and its
 * monitor lives: the exit is about to be recorded. */
bool record_exit_pending(json_t *record);

/* Until the monitor behind MONITOR_PIDFD has recorded the exit of PID 1
 * (PID) of container ID, the monitor is gone, or TIMEOUT_MS (-1: no limit)
 * passed: what the record says then. */
enum exit_record exit_wait_recorded(const struct engine_context *context, const char *id,
                                    int monitor_pidfd, pid_t pid, int timeout_ms);

/* container_open(), but a record whose exit is pending is read again once
 * its monitor recorded it (for at most a few seconds: a stopped monitor
 * must not hang `ps`). */
int container_open_settled(const struct engine_context *context, const char *reference,
                           struct container_handle *handle, husk_error_t *err);

#endif
