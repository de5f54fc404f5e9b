/* The standard streams of a foreground container or exec process. A user's
 * terminal is never handed to the container: it gets a pipe instead (as
 * with docker), since holding the terminal would let it change its settings
 * or push keystrokes into the user's shell. Files and pipes are handed over
 * as they are, with no copying, unless the output is captured for the log. */
#ifndef HUSK_ENGINE_STREAMS_H
#define HUSK_ENGINE_STREAMS_H

#include <stdbool.h>

#include "../runtime/relay.h"
#include "../util/error.h"

/* Fills IO (husk's ends) and CHILD (the container's fds 0-2, or -1). With
 * CAPTURE, stdout and stderr always go through husk. */
int stdio_pipes_open(bool tty, bool interactive, bool capture, struct relay_io *io, int child[3],
                     husk_error_t *err);
void stdio_close_child_ends(int child[3]);
void stdio_close_relay_ends(struct relay_io *io);

#endif
