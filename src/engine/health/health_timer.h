/* The monitor's part of health checks: a timerfd in its poll loop. When it
 * fires, the monitor forks a short-lived prober (health_prober_main) that
 * does all the work, reaps it through a pidfd, and arms the timer again
 * for the next probe: one probe at a time, and nothing in the monitor but
 * a few syscalls (MONITOR_PATH). */
#ifndef HUSK_ENGINE_HEALTH_TIMER_H
#define HUSK_ENGINE_HEALTH_TIMER_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "../options.h"
#include "health_timing.h"

#define HEALTH_POLL_SLOTS 2

/* The two descriptors are kept apart: side by side, the compiler sets
 * both to -1 with one 8-byte constant read from .rodata, a page the idle
 * monitor would otherwise never touch (64 KiB of Pss with fault-around). */
struct health_timer {
    int timer_fd; /* -1 without a probe configured */
    const struct engine_context *context;
    const char *id;
    struct health_timing timing;
    int64_t started_ns;
    int prober_pidfd; /* -1 while no probe runs */
    bool starting;    /* the Status the last prober left */
};

/* At each start of PID 1: the first probe after docker's first interval.
 * Without a probe configured (TIMING->enabled false) the timer stays off. */
void health_timer_start(struct health_timer *timer, const struct engine_context *context,
                        const char *id, const struct health_timing *timing);
/* Its HEALTH_POLL_SLOTS entries of the monitor's poll set (-1 when idle). */
void health_timer_poll_entries(const struct health_timer *timer, struct pollfd *fds);
/* After poll: a fired timer forks a prober, an ended prober is reaped and
 * the timer armed again. */
void health_timer_service(struct health_timer *timer, const struct pollfd *fds);
/* PID 1 exited: no further probe; a running prober is told to end (SIGTERM,
 * SIGKILL a second later) and reaped. */
void health_timer_stop(struct health_timer *timer);

#endif
