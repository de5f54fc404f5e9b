/* Placement of code in the binary. */
#ifndef HUSK_UTIL_SECTION_H
#define HUSK_UTIL_SECTION_H

/* Code a detached container's monitor runs while the container runs. The
 * kernel maps the file pages around each page a process touches (fault-around,
 * 64 KiB), so code scattered through the binary would cost every monitor most
 * of husk's text in proportional memory; kept together at the start of .text
 * (the linker gathers .text.hot.*), it costs a few pages. */
#define MONITOR_PATH __attribute__((section(".text.hot.husk_monitor")))

#endif
