/* Restart policies (`--restart`) as docker has them: what the value means,
 * and what the monitor does when PID 1 has exited. Pure logic; the monitor
 * (monitor_restart.c) applies it under the container's lock. */
#ifndef HUSK_ENGINE_RESTART_POLICY_H
#define HUSK_ENGINE_RESTART_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../util/error.h"

enum restart_policy_name {
    RESTART_NO,
    RESTART_ALWAYS,
    RESTART_UNLESS_STOPPED,
    RESTART_ON_FAILURE,
};

struct restart_policy {
    enum restart_policy_name name;
    long maximum_retries; /* on-failure:N; 0 is no limit */
};

/* "no", "always", "unless-stopped", "on-failure[:N]"; docker's errors. */
int restart_policy_parse(const char *text, struct restart_policy *policy, husk_error_t *err);
const char *restart_policy_name_text(enum restart_policy_name name);
/* docker's HostConfig.RestartPolicy {Name, MaximumRetryCount}. */
json_t *restart_policy_to_json(const struct restart_policy *policy);
/* From a record's HostConfig; a record without one (older husk) is "no". */
void restart_policy_from_record(json_t *record, struct restart_policy *policy);

/* What happened to PID 1 and what the user did before. */
struct restart_facts {
    int exit_code;
    long restart_count;    /* restarts so far, since the user's last start */
    bool manually_stopped; /* stop or kill by the user since then */
    bool removing;         /* rm -f, or the container is going away */
};

bool restart_policy_wants_restart(const struct restart_policy *policy,
                                  const struct restart_facts *facts);

/* docker's back-off: 100 ms at first, doubled on each restart, at most a
 * minute, and back to 100 ms after a run of 10 s or more. PREVIOUS_MS is
 * the last delay (0 before the first restart). */
uint64_t restart_delay_ms(uint64_t previous_ms, uint64_t ran_for_ms);

#endif
