#include "health_probe.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/timestamp.h"
#include "../../util/xalloc.h"
#include "../events/events.h"
#include "../exec.h"
#include "../record.h"
#include "health_config.h"
#include "health_state.h"

/* What the probe needs of the record, read under the lock and let go
 * before the test runs (it may run for its whole timeout). */
struct probe_target {
    char id[HUSK_ID_SIZE];
    char *started_at; /* State.StartedAt: which start of PID 1 was probed */
    struct health_config config;
};

static void probe_target_free(struct probe_target *t)
{
    free(t->started_at);
    health_config_free(&t->config);
}

static int open_target(const struct engine_context *context, const char *reference,
                       struct probe_target *t, husk_error_t *err)
{
    struct container_handle handle;
    memset(t, 0, sizeof(*t));
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    int rc = 0;
    if (health_config_read(handle.record, &t->config) == 0)
        rc = husk_error_set(err, 0, "container %s has no health check configured", reference);
    else if (strcmp(record_status(handle.record), "running") != 0)
        rc = husk_error_set(err, 0, "container %s is not running", reference);
    else if (record_is_paused(handle.record))
        rc = husk_error_set(err, 0, "container %s is paused: unpause it first", reference);
    json_t *state = json_object_get(handle.record, "State");
    snprintf(t->id, sizeof(t->id), "%s", handle.id);
    t->started_at = xstrdup(json_string_value(json_object_get(state, "StartedAt")) ?: "");
    container_close(&handle);
    if (rc < 0)
        probe_target_free(t);
    return rc;
}

/* docker's Output: what the test wrote ("..." marks a cut), or why it
 * did not end in time or could not run. */
static char *probe_output(const struct exec_capture *capture, int64_t timeout_ns, husk_error_t err)
{
    const char *written = capture->output ? capture->output : "";
    const char *cut = capture->truncated ? "..." : "";
    if (err != NULL)
        return xstrdup(err->message ? err->message : "the probe could not run");
    if (!capture->timed_out)
        return xasprintf("%s%s", written, cut);
    char limit[32];
    health_duration_format(timeout_ns, limit, sizeof(limit));
    if (written[0] == '\0')
        return xasprintf("Health check exceeded timeout (%s)", limit);
    return xasprintf("Health check exceeded timeout (%s): %s%s", limit, written, cut);
}

/* Under the lock: the result into State.Health, unless the container is
 * no longer the start that was probed. SIGTERM (the monitor ending a
 * prober whose container exited) waits until the record is whole again. */
static void record_result(const struct engine_context *context, const struct probe_target *t,
                          const struct health_result *result, struct health_probe_outcome *out)
{
    sigset_t term, saved;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    struct container_handle handle;
    if (container_open(context, t->id, &handle, NULL) < 0)
        return;
    sigprocmask(SIG_BLOCK, &term, &saved);
    json_t *state = json_object_get(handle.record, "State");
    const char *started_at = json_string_value(json_object_get(state, "StartedAt")) ?: "";
    json_t *health = json_object_get(state, "Health");
    if (strcmp(record_status(handle.record), "running") == 0 &&
        strcmp(started_at, t->started_at) == 0 && json_is_object(health)) {
        char before[16];
        snprintf(before, sizeof(before), "%s",
                 json_string_value(json_object_get(health, "Status")) ?: "");
        bool starting = strcmp(before, "starting") == 0;
        bool in_start_period = starting && health_time_between(started_at, result->start) <
                                               t->config.timing.start_period_ns;
        const char *status =
            health_state_record(health, result, t->config.retries, in_start_period);
        snprintf(out->status, sizeof(out->status), "%s", status);
        out->recorded = container_save(context, &handle, NULL) == 0;
        /* docker's: an event when the status changes, not at every probe. */
        if (out->recorded && strcmp(before, status) != 0) {
            cleanup_free char *action = xasprintf("health_status: %s", status);
            engine_event_container(context, action, handle.record, NULL);
        }
    }
    container_close(&handle);
    sigprocmask(SIG_SETMASK, &saved, NULL);
}

int health_probe_run(const struct engine_context *context, const char *reference,
                     struct health_probe_outcome *out, husk_error_t *err)
{
    struct probe_target t;
    memset(out, 0, sizeof(*out));
    if (open_target(context, reference, &t, err) < 0)
        return -1;
    struct exec_capture capture = {.timeout_ns = t.config.timing.timeout_ns,
                                   .limit = HEALTH_OUTPUT_MAX};
    struct exec_options exec = {
        .container = t.id, .command = t.config.command, .capture = &capture};
    char start[64], end[64];
    timestamp_now(start, sizeof(start));
    husk_error_t failure = NULL;
    if (engine_exec(context, &exec, &out->exit_code, &failure) < 0)
        out->exit_code = -1;
    timestamp_now(end, sizeof(end));
    cleanup_free char *output = probe_output(&capture, t.config.timing.timeout_ns, failure);
    husk_error_free(&failure);
    free(capture.output);
    struct health_result result = {start, end, out->exit_code, output};
    record_result(context, &t, &result, out);
    probe_target_free(&t);
    return 0;
}

_Noreturn void health_prober_main(const struct engine_context *context, const char *id)
{
    /* None of the monitor's descriptors (the container's output, attach
     * clients) is the prober's to hold. */
    fd_close_all_but(NULL, 0);
    struct health_probe_outcome outcome;
    husk_error_t err = NULL;
    int rc = health_probe_run(context, id, &outcome, &err);
    husk_error_free(&err);
    if (rc < 0 || !outcome.recorded)
        _exit(2);
    _exit(strcmp(outcome.status, "starting") == 0 ? 1 : 0);
}
