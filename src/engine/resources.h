/* docker's resource flags (--memory, --cpus, --pids-limit, ...): parsed,
 * checked against this host, and turned into the OCI spec's
 * linux.resources, which the runtime writes to the container's cgroups. */
#ifndef HUSK_ENGINE_RESOURCES_H
#define HUSK_ENGINE_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

#define RESOURCE_UNSET INT64_MIN
/* The kernel refuses smaller memory limits for a running process; docker's too. */
#define RESOURCE_MEMORY_MINIMUM (6 * 1024 * 1024)

/* The flags as typed (NULL: not given). */
struct resource_flags {
    const char *memory, *memory_swap, *memory_reservation;
    bool oom_kill_disable;
    const char *cpus, *cpu_shares, *cpu_period, *cpu_quota;
    const char *cpuset_cpus, *cpuset_mems;
    const char *pids_limit, *blkio_weight;
};

struct resource_limits {
    int64_t memory, memory_swap, memory_reservation; /* bytes; swap -1: unlimited */
    bool oom_kill_disable;
    int64_t cpu_shares, cpu_period, cpu_quota; /* quota -1: unlimited */
    const char *cpuset_cpus, *cpuset_mems;     /* borrowed from the flags */
    int64_t pids_limit;                        /* -1: unlimited */
    int64_t blkio_weight;
};

/* docker's sizes: a number with an optional unit b, k, m, g, t (powers of
 * 1024, case-insensitive, "kb"/"kib" too), e.g. "512m", "1.5g". */
bool resource_size_parse(const char *text, int64_t *bytes);
/* "0-3,5": CPUs or memory nodes; the highest one in *HIGHEST. */
bool resource_list_parse(const char *text, int *highest);
/* Syntax and the flags' relations (--memory-swap needs --memory, ...). */
int resource_limits_parse(const struct resource_flags *flags, struct resource_limits *limits,
                          husk_error_t *err);
/* What only this host can say: --cpus within its CPUs, cpusets within the
 * online ones. */
int resource_limits_check_host(const struct resource_limits *limits, husk_error_t *err);
/* linux.resources without devices: {"memory", "cpu", "pids", "blockIO"}. */
json_t *resource_limits_to_spec(const struct resource_limits *limits);
bool resource_limits_any(const struct resource_limits *limits);
/* docker's HostConfig fields (Memory, NanoCpus, PidsLimit, ...; 0 or "" when
 * not set) into HOST_CONFIG. */
void resource_limits_record(const struct resource_flags *flags, const char *cgroup_parent,
                            json_t *host_config);

#endif
