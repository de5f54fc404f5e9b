/* `husk run` in the foreground with -a or --sig-proxy=false: the container
 * runs under a monitor, as a detached one does, and husk is its attached
 * client (as `start -a` is), docker's model. Only the streams -a names are
 * shown (the log keeps all), and with --sig-proxy=false a signal that ends
 * husk does not reach the container, which runs on. */
#ifndef HUSK_ENGINE_RUN_ATTACHED_H
#define HUSK_ENGINE_RUN_ATTACHED_H

#include "../util/error.h"
#include "options.h"

/* OPTIONS are validated. *EXIT_STATUS is the container's (or 128+N when
 * signal N ended husk first). */
int engine_run_attached(const struct engine_context *context, const struct run_options *options,
                        int *exit_status, husk_error_t *err);

#endif
