#include "restart_record.h"

#include "../record.h"
#include "restart_policy.h"

static const char manually_stopped_key[] = "HasBeenManuallyStopped";

void restart_record_user_stopped(json_t *record)
{
    json_object_set_new(record, manually_stopped_key, json_true());
}

void restart_record_user_started(json_t *record)
{
    json_object_set_new(record, manually_stopped_key, json_false());
    json_object_set_new(record, "RestartCount", json_integer(0));
}

bool restart_record_manually_stopped(json_t *record)
{
    return json_is_true(json_object_get(record, manually_stopped_key));
}

bool restart_record_exit(json_t *record, int exit_code, uint64_t ran_for_ms, uint64_t *delay_ms)
{
    struct restart_policy policy;
    restart_policy_from_record(record, &policy);
    json_int_t count = json_integer_value(json_object_get(record, "RestartCount"));
    struct restart_facts facts = {
        .exit_code = exit_code,
        .restart_count = (long)count,
        .manually_stopped = restart_record_manually_stopped(record),
    };
    if (!restart_policy_wants_restart(&policy, &facts))
        return false;
    *delay_ms = restart_delay_ms(*delay_ms, ran_for_ms);
    record_set_state(record, "restarting", 0, exit_code, NULL);
    json_object_set_new(record, "RestartCount", json_integer(count + 1));
    return true;
}
