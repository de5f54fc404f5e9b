#ifndef HUSK_CLI_REPAIR_COMMAND_H
#define HUSK_CLI_REPAIR_COMMAND_H

#include "../engine/options.h"

/* COMMAND is "check" or "repair"; ARGV[0] is COMMAND. */
int cli_system_repair(const struct engine_context *context, const char *command, int argc,
                      char **argv);

#endif
