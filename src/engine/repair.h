/* `husk system check` and `husk system repair`: every step of create,
 * start, exec and rm is either undone by the process that made it or found
 * and finished by the next command; these find what a process killed at
 * the wrong moment (or a crash of the host's) left, and remove it.
 *
 * A finding is one object: {"Kind", "Object", "Problem"} and, when repair
 * was asked for, "Repaired" (bool) and "Error" (why not). Nothing that a
 * command in progress holds is a finding: a container whose lock is taken
 * is busy, a lease whose holder runs is live, and only what those name is
 * kept. */
#ifndef HUSK_ENGINE_REPAIR_H
#define HUSK_ENGINE_REPAIR_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"
#include "options.h"

struct repair {
    const struct engine_context *context;
    bool fix;         /* repair, not only check */
    json_t *findings; /* array */
};

/* Adds a finding. With r->fix, RC is the repair's outcome (0 repaired,
 * < 0 not, ERR saying why); without, RC and ERR are ignored. Frees ERR. */
void repair_note(struct repair *r, const char *kind, const char *object, const char *problem,
                 int rc, husk_error_t *err);
/* printf-style OBJECT and PROBLEM, for the common case of a repair that
 * either happened or not. */
void repair_notef(struct repair *r, const char *kind, int rc, husk_error_t err, const char *object,
                  const char *problem_format, ...) __attribute__((format(printf, 6, 7)));

/* Both commands: *FINDINGS (an array) is the caller's. */
int engine_system_check(const struct engine_context *context, bool fix, json_t **findings,
                        husk_error_t *err);

/* Network leftovers (network_release.c): leases whose holder is dead,
 * published ports to addresses nobody holds, veths on husk's bridges that
 * no live lease names, an idle default bridge and table. */
void network_repair(struct repair *r);

#endif
