/* Starting a container's PID 1: the one path `husk run` in the foreground
 * and the monitor's launcher (`run -d`, `start`) both take, and the one any
 * further face (an OCI runtime command line) is to take. From a record and
 * its bundle directory: the spec and cgroup layout loaded, the namespaces of
 * other containers joined, stdio handed over, the network wired before the
 * process runs anything, and the record saved so that it names everything
 * the container holds before a crash of the caller could lose it. */
#ifndef HUSK_ENGINE_LAUNCH_H
#define HUSK_ENGINE_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/ioctl.h>

#include "../runtime/cgroup.h"
#include "../runtime/container.h"
#include "../runtime/spec.h"
#include "../util/error.h"
#include "options.h"

struct engine_launch_io {
    /* Called once the spec is known (it says whether there is a terminal):
     * fills the container's fds 0-2, -1 for its own /dev/null. The launch
     * closes them once the process holds its copies. NULL: /dev/null only. */
    int (*open_stdio)(void *data, const struct runtime_spec *spec, int stdio[3], husk_error_t *err);
    void *data;
    const struct winsize *window; /* initial size of the container's terminal */
    /* PID 1 becomes a child of the caller's parent (the monitor). */
    bool as_sibling;
};

struct engine_launched {
    struct runtime_spec *spec;
    struct cgroup_layout layout;
    struct runtime_process process; /* pid -1 and fds -1 until it runs */
};

/* Starts the container whose record is RECORD (its lock held by the caller)
 * and whose bundle is DIRECTORY, from SPEC_DOCUMENT or, when NULL, the
 * bundle's config.json. Returns once PID 1 runs its command. RECORD says
 * "running", PID 1, its monitor (PID 1's parent) and the network it holds,
 * in memory and on disk, saved before PID 1 was let go. On failure nothing
 * is left running and the network is released; the caller records the
 * failure. Free LAUNCHED with engine_launched_free either way. */
int engine_launch(const struct engine_context *context, json_t *record, const char *directory,
                  json_t *spec_document, const struct engine_launch_io *io,
                  struct engine_launched *launched, husk_error_t *err);
/* The spec and layout; the process's fds stay the caller's. */
void engine_launched_free(struct engine_launched *launched);

#endif
