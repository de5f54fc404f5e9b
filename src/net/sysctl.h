/* Network settings under /proc/sys/net of husk's own network namespace. */
#ifndef HUSK_NET_SYSCTL_H
#define HUSK_NET_SYSCTL_H

#include <stddef.h>

#include "../util/error.h"

/* PATH is relative to /proc/sys, e.g. "net/ipv4/ip_forward". */
int net_sysctl_read(const char *path, char *value, size_t size, husk_error_t *err);
int net_sysctl_write(const char *path, const char *value, husk_error_t *err);

#endif
