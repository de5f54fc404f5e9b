/* State.Health as docker keeps it: Status (starting, healthy, unhealthy),
 * FailingStreak and Log (the last 5 probes, oldest first, each {Start,
 * End, ExitCode, Output}). Pure updates of a record's JSON: the prober
 * applies them under the container's lock. */
#ifndef HUSK_ENGINE_HEALTH_STATE_H
#define HUSK_ENGINE_HEALTH_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct health_result {
    const char *start, *end; /* RFC 3339 with nanoseconds */
    int exit_code;           /* 0 passed; -1 timed out or could not run */
    const char *output;      /* stdout and stderr, at most 4096 bytes (+ "...") */
};

/* A new start of the container's PID 1 with a probe configured: Status
 * starting, FailingStreak 0, the Log kept (docker's initHealthMonitor).
 * Without a probe configured, nothing changes. */
void health_state_begin(json_t *record);

/* docker's handleProbeResult: the result goes to the Log (the oldest
 * dropped past 5); a pass makes it healthy with no streak; a failure
 * counts, unless it is still starting and the probe began within the
 * start period, and RETRIES counted failures make it unhealthy. Returns
 * the Status after. */
const char *health_state_record(json_t *health, const struct health_result *result, int retries,
                                bool in_start_period);

/* Nanoseconds from FROM to TO, two RFC 3339 times ("...Z" or with an
 * offset); INT64_MIN when either cannot be read. */
int64_t health_time_between(const char *from, const char *to);

#endif
