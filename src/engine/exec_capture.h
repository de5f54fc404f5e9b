/* An exec whose stdout and stderr go into one buffer, killed at a
 * deadline: how a health probe runs (docker runs its probes so). */
#ifndef HUSK_ENGINE_EXEC_CAPTURE_H
#define HUSK_ENGINE_EXEC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/container.h"
#include "../util/error.h"

struct exec_capture {
    int64_t timeout_ns; /* 0: none */
    size_t limit;       /* bytes kept; what comes after is dropped */
    /* Filled: */
    char *output; /* NUL-terminated, malloc'd (free it) */
    size_t length;
    bool truncated; /* more came than LIMIT */
    bool timed_out; /* killed at the deadline (exit status -1) */
};

/* A pipe for the process's stdout and stderr (CHILD's 1 and 2; its stdin
 * is its own /dev/null); *READ_END is husk's end. */
int exec_capture_pipe(int *read_end, int child[3], husk_error_t *err);
/* Reads the output until PROCESS exits or the deadline passes; then the
 * process and its process group (the session it made) are killed. Reaps
 * it; *EXIT_STATUS is its status, -1 when it timed out. */
int exec_capture_wait(const struct runtime_process *process, int read_end,
                      struct exec_capture *capture, int *exit_status, husk_error_t *err);

#endif
