/* clone3() of a child that borrows the caller's memory until it execs
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does), on a stack of its own. */
#ifndef HUSK_RUNTIME_SHARED_CLONE_H
#define HUSK_RUNTIME_SHARED_CLONE_H

#include <linux/sched.h>
#include <stdbool.h>

/* Whether this build can run a child on its own stack (an assembly entry
 * exists for the architecture). */
bool shared_clone_supported(void);

/* Runs RUN(ARG) in a child cloned with ARGS plus CLONE_VM | CLONE_VFORK:
 * the caller sleeps until the child execs or exits. RUN must end in exec
 * or _exit; until then it writes only what the caller may see changed
 * (it shares the heap, globals and thread-local storage). Returns the
 * child's pid, or -1 with errno. */
long shared_clone(struct clone_args *args, int (*run)(void *arg), void *arg);

#endif
