/* `husk run` in the foreground: from flags to a running container and back. */
#ifndef HUSK_ENGINE_RUN_H
#define HUSK_ENGINE_RUN_H

#include "../util/error.h"
#include "options.h"

/* Validates everything that can be checked before anything is created. */
int run_options_validate(const struct run_options *options, husk_error_t *err);
/* Runs the container to its end; *EXIT_STATUS is docker's status for it. */
int engine_run(const struct engine_context *context, const struct run_options *options,
               int *exit_status, husk_error_t *err);

#endif
