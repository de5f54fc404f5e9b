/* The output pump: moves a container's output (stdout and stderr pipes, or
 * its pty master) to whoever wants it, for the foreground relay and the
 * detached container's monitor alike.
 *
 * Rules, the same for both:
 * - Its fds are non-blocking and read only when poll() says so: EAGAIN
 *   means "wait", never "try again now", so nothing spins.
 * - Output is finished when every writer has closed (EOF on each), or, once
 *   the container's process has exited, after PUMP_GRACE_MS at the latest.
 *   With a PID namespace of its own, PID 1's exit has already killed every
 *   other writer, so EOF comes at once; the grace period only ends the wait
 *   for a process outside it (--pid host, a background child of an exec)
 *   that keeps the pipe open. */
#ifndef HUSK_RUNTIME_PUMP_H
#define HUSK_RUNTIME_PUMP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PUMP_GRACE_MS 200

/* Receives each chunk; STREAM is 1 (stdout, also a pty's output) or 2. */
typedef void pump_deliver_fn(void *context, int stream, const char *data, size_t length);

struct pump {
    int fds[2];       /* stdout and stderr read ends, or the pty master in [0]; -1 when done */
    bool borrowed;    /* fds[0] is a pty master its owner closes */
    int64_t deadline; /* CLOCK_MONOTONIC ms when output counts as finished; 0 while running */
    pump_deliver_fn *deliver;
    void *context;
};

/* OUT and ERR may be -1. The pump owns them (closes them) unless
 * BORROWED_OUT (a pty master also used for input). */
void pump_init(struct pump *pump, int out, int err, bool borrowed_out, pump_deliver_fn *deliver,
               void *context);
/* Fills two pollfd entries (fd -1 where done). */
void pump_poll_entries(const struct pump *pump, struct pollfd entries[2]);
/* Reads once from each entry poll() found ready. */
void pump_service(struct pump *pump, const struct pollfd entries[2]);
/* The container's process exited: starts the grace period. */
void pump_process_exited(struct pump *pump);
bool pump_finished(const struct pump *pump);
/* poll()'s timeout: -1 while the process runs, else what is left of the grace. */
int pump_poll_timeout(const struct pump *pump);
void pump_close(struct pump *pump);

#endif
