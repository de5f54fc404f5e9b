/* What the user does with restart policies besides `run --restart`:
 * `update --restart` and starting the containers a policy names after the
 * host booted (`start --all --filter restart-policy=...`). */
#ifndef HUSK_ENGINE_RESTART_COMMANDS_H
#define HUSK_ENGINE_RESTART_COMMANDS_H

#include "../../util/error.h"
#include "../options.h"

/* Validated and recorded; a running monitor reads it at PID 1's next exit. */
int engine_update_restart_policy(const struct engine_context *context, const char *reference,
                                 const char *policy_text, husk_error_t *err);

/* After a reboot nothing runs: the containers whose policy is one of
 * POLICIES ("always", "unless-stopped", ...; NULL-terminated; NULL: any but
 * "no"), not running, and not stopped by the user when the policy is
 * unless-stopped. Their IDs, oldest first. */
char **engine_restart_candidates(const struct engine_context *context, const char *const *policies);

#endif
