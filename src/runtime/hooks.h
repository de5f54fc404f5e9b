/* Running a spec's hooks: each one a program with the container's state
 * (JSON) on its stdin, which must exit 0 within its timeout. */
#ifndef HUSK_RUNTIME_HOOKS_H
#define HUSK_RUNTIME_HOOKS_H

#include "../util/error.h"
#include "spec.h"

/* Runs LIST's hooks in order, STATE on each one's stdin. Stops at the first
 * that fails, times out (killed) or cannot be started; the error names it
 * as KIND ("prestart", ...). */
int hooks_run(const struct runtime_hook_list *list, const char *kind, const char *state,
              husk_error_t *err);
/* "prestart", "poststop", ... */
const char *hooks_kind_name(enum runtime_hook_kind kind);

#endif
