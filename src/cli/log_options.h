/* The log flags of `run` and `create` (engine/log_flags.h): their rows of
 * the option table and where each value goes. */
#ifndef HUSK_CLI_LOG_OPTIONS_H
#define HUSK_CLI_LOG_OPTIONS_H

#include <stdbool.h>

#include "../engine/logs/log_flags.h"
#include "option_table.h"

enum {
    CLI_OPTION_LOG_DRIVER = 1200,
    CLI_OPTION_LOG_OPT,
};

/* clang-format off */
#define CLI_LOG_OPTIONS \
    {{"log-driver", required_argument, NULL, CLI_OPTION_LOG_DRIVER}, 0, "DRIVER", \
     "how its output is kept for `husk logs`: local (default:\n" \
     "husk's format, 5 files of 20 MiB, rotated ones gzipped),\n" \
     "json-file (docker's format, no limit unless max-size)\n" \
     "or none"}, \
    {{"log-opt", required_argument, NULL, CLI_OPTION_LOG_OPT}, 0, "KEY=VALUE", \
     "a log driver option (repeatable): max-size=10m (k, m,\n" \
     "g: powers of 1000), max-file=N, compress=true|false;\n" \
     "json-file also labels=, labels-regex=, env=,\n" \
     "env-regex=, tag= (shown by `logs --details`)"}
/* clang-format on */

/* Sets what OPTION stands for; false when it is no log flag. */
bool cli_log_flag(int option, const char *argument, struct log_flags *flags);
void cli_log_flags_free(struct log_flags *flags);

#endif
