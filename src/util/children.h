/* The calling process's own children, as the kernel lists them. */
#ifndef HUSK_UTIL_CHILDREN_H
#define HUSK_UTIL_CHILDREN_H

/* SIGKILLs every child of the calling (single-threaded) process: for a
 * monitor whose launcher died before handing PID 1 over, so that PID 1
 * (its child by CLONE_PARENT) does not run on unwatched, and the monitor's
 * reaping of its children ends. */
void children_kill_all(void);

#endif
