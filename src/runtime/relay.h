/* Waiting for a foreground container: forwards signals to its PID 1, relays
 * its terminal, and turns the wait status into docker's exit status. */
#ifndef HUSK_RUNTIME_RELAY_H
#define HUSK_RUNTIME_RELAY_H

#include <stdbool.h>

#include "../util/error.h"
#include "container.h"

/* Exit status from a waitid() si_code/si_status pair: N, or 128+signal. */
int relay_exit_status(int code, int status);
/* Runs until the process exits; SIGNALS must already be blocked
 * (runtime_forwarded_signals). Restores the caller's terminal. */
int relay_foreground(struct runtime_process *process, bool relay_stdin, int *exit_status,
                     husk_error_t *err);

#endif
