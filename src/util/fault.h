/* Fault injection for the crash tests (tests/integration/faults.bats).
 *
 * A FAULT_POINT names a step of a command after which a husk killed there
 * must leave nothing that the next command (rm -f, container prune, system
 * repair, a run with the same name) cannot find and finish. In husk it
 * costs one call of an empty function (fault.c). The test build husk-fault
 * (the same objects, linked with fault_inject.c) SIGKILLs the process that
 * reaches the point named by HUSK_FAULT, so no crash test needs a sleep. */
#ifndef HUSK_UTIL_FAULT_H
#define HUSK_UTIL_FAULT_H

void fault_point(const char *name);
#define FAULT_POINT(name) fault_point(name)

/* A point in a child that husk cloned: husk-fault waits there until the
 * parent behind PARENT_PIDFD is dead (the test kills it), so a test can show
 * what the child does when its parent died before it could ask for a
 * signal. */
void fault_point_orphan(const char *name, int parent_pidfd);
#define FAULT_POINT_ORPHAN(name, parent_pidfd) fault_point_orphan(name, parent_pidfd)

#endif
