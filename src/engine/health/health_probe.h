/* One health probe: the container's Healthcheck test run as an exec in it
 * (stdout and stderr kept, killed at the timeout), its result recorded in
 * State.Health under the container's lock. Used by the monitor's prober
 * and by `husk healthcheck run`. */
#ifndef HUSK_ENGINE_HEALTH_PROBE_H
#define HUSK_ENGINE_HEALTH_PROBE_H

#include "../../util/error.h"
#include "../options.h"

struct health_probe_outcome {
    int exit_code;   /* the test's; -1 when it timed out or could not run */
    char status[16]; /* State.Health.Status after: starting, healthy, unhealthy */
    bool recorded;   /* false when the container changed (stopped, started
                        again) while the probe ran: the result was dropped */
};

/* Errors (exit 125): no such container, no health check configured, not
 * running, paused. A failing test is no error: see OUTCOME. */
int health_probe_run(const struct engine_context *context, const char *reference,
                     struct health_probe_outcome *outcome, husk_error_t *err);

/* The monitor's prober, forked for one probe: runs it and exits 0 when the
 * status is then healthy or unhealthy, 1 while still starting, 2 when no
 * result was recorded. */
_Noreturn void health_prober_main(const struct engine_context *context, const char *id);

#endif
