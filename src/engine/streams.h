/* The standard streams of a foreground container or exec process. No fd of
 * the caller's is ever handed to the container: it gets pipes (or its own
 * pty) that husk relays, as docker does. Holding the user's terminal would
 * let it push keystrokes into the user's shell (TIOCSTI); holding a file the
 * user's shell redirected would let container root fchmod it setuid or
 * rewrite it, and keep writing after husk returned. */
#ifndef HUSK_ENGINE_STREAMS_H
#define HUSK_ENGINE_STREAMS_H

#include <stdbool.h>

#include "../runtime/relay.h"
#include "../util/error.h"

/* Fills IO (husk's ends) and CHILD (the container's fds 0-2, or -1 for
 * its own /dev/null): without TTY, pipes for stdout and stderr, and for
 * stdin with INTERACTIVE. */
int stdio_pipes_open(bool tty, bool interactive, struct relay_io *io, int child[3],
                     husk_error_t *err);
void stdio_close_child_ends(int child[3]);
void stdio_close_relay_ends(struct relay_io *io);

#endif
