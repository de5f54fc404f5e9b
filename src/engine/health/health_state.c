#include "health_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../util/timestamp.h"
#include "health_config.h"

void health_state_begin(json_t *record)
{
    struct health_timing timing;
    health_timing_read(record, &timing);
    if (!timing.enabled)
        return;
    json_t *state = json_object_get(record, "State");
    json_t *log = json_object_get(json_object_get(state, "Health"), "Log");
    json_t *health = json_pack("{s:s, s:i, s:o}", "Status", "starting", "FailingStreak", 0, "Log",
                               json_is_array(log) ? json_incref(log) : json_array());
    json_object_set_new(state, "Health", health);
}

static void log_append(json_t *health, const struct health_result *r)
{
    json_t *log = json_object_get(health, "Log");
    if (!json_is_array(log)) {
        log = json_array();
        json_object_set_new(health, "Log", log);
    }
    json_array_append_new(log, json_pack("{s:s, s:s, s:i, s:s}", "Start", r->start, "End", r->end,
                                         "ExitCode", r->exit_code, "Output", r->output));
    while (json_array_size(log) > HEALTH_LOG_ENTRIES)
        json_array_remove(log, 0);
}

const char *health_state_record(json_t *health, const struct health_result *r, int retries,
                                bool in_start_period)
{
    log_append(health, r);
    const char *status = json_string_value(json_object_get(health, "Status")) ?: "starting";
    json_int_t streak = json_integer_value(json_object_get(health, "FailingStreak"));
    if (r->exit_code == 0) {
        streak = 0;
        status = "healthy";
    } else if (!(strcmp(status, "starting") == 0 && in_start_period)) {
        streak++;
        if (streak >= retries)
            status = "unhealthy";
    }
    json_object_set_new(health, "Status", json_string(status));
    json_object_set_new(health, "FailingStreak", json_integer(streak));
    return json_string_value(json_object_get(health, "Status"));
}

int64_t health_time_between(const char *from, const char *to)
{
    return timestamp_between_ns(from, to);
}
