#ifndef HUSK_CLI_REPAIR_COMMAND_H
#define HUSK_CLI_REPAIR_COMMAND_H

#include "../engine/options.h"

#include <stdbool.h>

/* `husk system check` (FIX false) or `repair`, the findings as JSON when
 * JSON; the exit status. */
int cli_system_repair(const struct engine_context *context, bool fix, bool json);

#endif
