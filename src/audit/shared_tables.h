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

/* Parses one /proc/net/nf_conntrack line's first src= and dst= (the
 * connection's originator and target). False when it has none. Exposed for
 * unit tests. */
bool conntrack_line_addresses(const char *line, uint32_t *source, uint32_t *destination);

#endif
