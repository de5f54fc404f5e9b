/* A restart policy's state in the container's record, read and written
 * under the container's lock: docker's RestartCount, State.Restarting and
 * its on-disk HasBeenManuallyStopped (a stop or kill by the user ends the
 * policy until the user starts the container again). */
#ifndef HUSK_ENGINE_RESTART_RECORD_H
#define HUSK_ENGINE_RESTART_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

void restart_record_user_stopped(json_t *record);
/* `start`: the policy applies again, counting from 0. */
void restart_record_user_started(json_t *record);
bool restart_record_manually_stopped(json_t *record);

/* PID 1 exited with EXIT_CODE after RAN_FOR_MS. True when the policy runs
 * it again: the record then says "restarting" with RestartCount one more,
 * and *DELAY_MS (on entry the last delay, 0 before the first) is how long
 * to wait first. False: the caller records the exit. */
bool restart_record_exit(json_t *record, int exit_code, uint64_t ran_for_ms, uint64_t *delay_ms);

#endif
