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

#endif
