/* Where the events journal lives and how lines go into it. */
#ifndef HUSK_ENGINE_EVENTS_JOURNAL_H
#define HUSK_ENGINE_EVENTS_JOURNAL_H

#include <stddef.h>

#include "../options.h"

/* Under the data root, not the run root: `husk events --since` reaches
 * back across a reboot (docker keeps events in memory only and forgets
 * them; a daemonless engine has no memory to keep them in). */
#define JOURNAL_DIRECTORY "events"
#define JOURNAL_FILE      "events.log"
#define JOURNAL_OLD_FILE  "events.log.1"
#define JOURNAL_LOCK_FILE "events.lock"
/* Rotation size; HUSK_EVENTS_MAX_SIZE (bytes) overrides it. */
#define JOURNAL_MAX_SIZE (1024 * 1024)

/* CONTEXT's journal directory (malloc'd), created when CREATE says so. */
char *journal_directory(const struct engine_context *context, int create);
/* The size at which the journal is rotated. */
long long journal_max_size(void);
/* Appends LINE (LENGTH <= EVENT_LINE_MAX bytes, '\n' included) with one
 * write() and rotates the file once it reaches the size; -1 with errno set. */
int journal_append(const char *directory, const char *line, size_t length);

#endif
