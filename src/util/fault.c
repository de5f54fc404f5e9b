#include "fault.h"

/* Weak: husk-fault's own definition (fault_inject.c), linked before this
 * archive, takes its place. */
__attribute__((weak)) void fault_point(const char *name)
{
    (void)name;
}

__attribute__((weak)) void fault_point_orphan(const char *name, int parent_pidfd)
{
    (void)name;
    (void)parent_pidfd;
}
