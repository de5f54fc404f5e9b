/* The state root's own leftovers for `husk system check` (see repair.h). */
#ifndef HUSK_ENGINE_REPAIR_FILES_H
#define HUSK_ENGINE_REPAIR_FILES_H

#include "repair.h"

/* DATA/names/NAME whose container is gone, or names another. */
void names_repair(struct repair *r);
/* NAME.tmp.PID files (util/file.c's atomic writes) whose writer is dead. */
void temporary_files_repair(struct repair *r);

#endif
