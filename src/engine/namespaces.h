/* Who shares which namespace, read from the kernel's /proc/PID/ns links
 * (the inodes `ls -l /proc/self/ns` shows), never from recorded config.
 * "host" is husk's own process: what --pid host, --net host, ... give. */
#ifndef HUSK_ENGINE_NAMESPACES_H
#define HUSK_ENGINE_NAMESPACES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../util/error.h"
#include "options.h"

#define NAMESPACE_TYPE_COUNT 8
/* cgroup, ipc, mnt, net, pid, time, user, uts: the names under /proc/PID/ns. */
extern const char *const namespace_types[NAMESPACE_TYPE_COUNT];

/* The inode of PID's namespace of TYPE ("net"); husk's own when PID <= 0. */
bool namespace_inode(pid_t pid, const char *type, ino_t *inode);
/* namespace type -> inode for PID; {} when PID <= 0 or it is gone. */
json_t *namespaces_of(pid_t pid);

/* The host and every running container (or only those NAMES, which must be
 * running), each {"Name", "Id", "Pid", "Namespaces": {TYPE: {"Inode",
 * "SharedWith": [names]}}}; sharing is computed against the host and all
 * running containers, whatever NAMES selects. */
int engine_namespaces(const struct engine_context *context, char *const *names, size_t count,
                      json_t **parties, husk_error_t *err);

#endif
