/* The processes of a container: its cgroup's members, with host PIDs. */
#ifndef HUSK_ENGINE_TOP_H
#define HUSK_ENGINE_TOP_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/error.h"
#include "options.h"

struct top_process {
    pid_t pid;
    pid_t ppid;
    uid_t uid;
    char *command;
};

int engine_top(const struct engine_context *context, const char *reference,
               struct top_process **processes, size_t *count, husk_error_t *err);
void top_processes_free(struct top_process *processes, size_t count);

#endif
