/* Waiting for a foreground container: forwards signals to its PID 1, relays
 * its terminal, and turns the wait status into docker's exit status. */
#ifndef HUSK_RUNTIME_RELAY_H
#define HUSK_RUNTIME_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "container.h"

/* Exit status from a waitid() si_code/si_status pair: N, or 128+signal. */
int relay_exit_status(int code, int status);
/* What husk copies between its own fds and the container's. Pipes stand
 * between the container and a terminal of the user's, so the container never
 * holds the user's terminal (it could otherwise inject keystrokes into it). */
struct relay_io {
    bool terminal_stdin; /* with a pty: copy husk's stdin to it */
    int stdin_pipe;      /* write end feeding the container's stdin, or -1 */
    int stdout_pipe;     /* read ends of the container's stdout/stderr, or -1 */
    int stderr_pipe;
    /* Sees every chunk of the container's output on its way to husk's
     * stdout (1) or stderr (2), e.g. to keep a log; may be NULL. */
    void (*observe_output)(void *context, int stream, const char *data, size_t length);
    void *observe_context;
};

/* Runs until the process exits and closes IO's pipes; SIGNALS must already be blocked
 * (runtime_forwarded_signals). Restores the caller's terminal. */
int relay_foreground(struct runtime_process *process, struct relay_io *io, int *exit_status,
                     husk_error_t *err);

#endif
