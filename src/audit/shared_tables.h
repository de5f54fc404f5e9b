/* Kernel tables that every namespace draws from: how big each is, how full,
 * and who holds what share of it. */
#ifndef HUSK_AUDIT_SHARED_TABLES_H
#define HUSK_AUDIT_SHARED_TABLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define AUDIT_ADDRESS_MAX 8

/* The host (first, pid 0: husk's own namespaces) or one running container. */
struct audit_party {
    const char *name;
    pid_t pid;                             /* its PID 1 */
    ino_t netns;                           /* inode of its network namespace */
    uint32_t addresses[AUDIT_ADDRESS_MAX]; /* IPv4, host byte order */
    size_t address_count;
    pid_t *members; /* its processes (from its cgroup); none for the host */
    size_t member_count;
};

/* One row per table: {"Table", "Limit": {"Key", "Value"}, "Used", "Percent",
 * "Unit", "Users": [{"Name", "Used", "Percent"}] (largest first, shares of
 * Used), "Shared" (what is one for all), "Mitigation"}. A table the kernel
 * does not show here is left out. */
json_t *shared_tables_read(const struct audit_party *parties, size_t count);

/* The IPv4 addresses of one /proc/net/nf_conntrack line, in order: the
 * original direction's src= and dst=, then the reply's (for a published port,
 * only the reply names the container: it answers from its own address).
 * Returns how many were read, at most 4. Exposed for unit tests. */
size_t conntrack_line_addresses(const char *line, uint32_t addresses[4]);

#endif
