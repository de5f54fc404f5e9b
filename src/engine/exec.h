/* `husk exec`: a further process in a running container. */
#ifndef HUSK_ENGINE_EXEC_H
#define HUSK_ENGINE_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "exec_capture.h"
#include "options.h"

struct exec_options {
    const char *container;
    char **command;
    const char **env;
    size_t env_count;
    const char *user;
    const char *workdir;
    bool interactive;
    bool tty;
    bool detach;
    bool privileged;
    /* Set: stdout and stderr into its buffer, no stdin, and a deadline
     * (a health probe); then the options above for streams do not apply. */
    struct exec_capture *capture;
};

/* Runs the command; *EXIT_STATUS is its status (0 at once with detach). */
int engine_exec(const struct engine_context *context, const struct exec_options *options,
                int *exit_status, husk_error_t *err);

#endif
