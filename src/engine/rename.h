/* `husk rename`: a container's name changes, running or not, as docker's
 * does: the new name is reserved (the atomic symlink of store.c) before the
 * record says it, and the old one released only after, so at every moment
 * the container answers to at least one of its names and no other
 * container can take either. */
#ifndef HUSK_ENGINE_RENAME_H
#define HUSK_ENGINE_RENAME_H

#include <stdbool.h>

#include "../util/error.h"
#include "options.h"

/* docker's rule for a name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at
 * least), a leading "/" allowed. */
bool rename_name_valid(const char *name);
int engine_rename(const struct engine_context *context, const char *reference, const char *new_name,
                  husk_error_t *err);

#endif
