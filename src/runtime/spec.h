/* The part of an OCI runtime spec (config.json) that husk's runtime acts on,
 * parsed once into plain C so the hot path after clone3() touches no JSON. */
#ifndef HUSK_RUNTIME_SPEC_H
#define HUSK_RUNTIME_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"

struct runtime_mount {
    char *destination;
    char *type;
    char *source;
    char *data;            /* file-system specific options, comma separated */
    unsigned long flags;   /* MS_* applied at mount time */
    unsigned long cleared; /* MS_* an option cleared ("rw", "exec"): cleared on a bind */
    /* "rro", "rnosuid", ...: MS_* set or cleared on every mount of a bind's tree. */
    unsigned long recursive_set, recursive_cleared;
    unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/... (with MS_REC) applied after */
    bool bind;
    bool recursive;
    /* "idmap" on an overlay: its lower layers are seen through the
     * container's user namespace mapping (idmapped mounts). */
    bool idmap;
    bool idmap_recursive; /* "ridmap": every mount below a bind is idmapped too */
};

struct runtime_device {
    char *path;
    char type; /* 'c', 'b', 'p' */
    int64_t major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

/* A cgroup device rule, as v1's devices.allow/devices.deny write them. */
struct runtime_device_rule {
    bool allow;
    char type;            /* 'a', 'c', 'b' */
    int64_t major, minor; /* -1 is "*" */
    char access[4];
};

struct runtime_namespace {
    int type;   /* CLONE_NEW* */
    char *path; /* join this one instead of creating, or NULL */
};

/* One line of /proc/PID/uid_map or gid_map. */
struct runtime_id_mapping {
    uint32_t container_id, host_id, size;
};

/* linux.resources beyond devices; RUNTIME_UNSET where the spec says nothing. */
#define RUNTIME_UNSET INT64_MIN
struct runtime_resources {
    int64_t memory_limit, memory_reservation, memory_swap; /* bytes; -1: unlimited */
    bool disable_oom_killer;
    int64_t cpu_shares, cpu_quota, cpu_period;
    char *cpuset_cpus, *cpuset_mems;
    int64_t pids_limit;
    int64_t blkio_weight;
    /* Everything else, as cgroup file writes (spec_resources.c). */
    struct runtime_cgroup_file {
        char *controller; /* "hugetlb", ...; "unified:memory" for a cgroup2 file */
        char *file, *value;
    } * files;
    size_t file_count;
};

/* process.rlimits: one setrlimit(2) each. */
struct runtime_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft, hard;
};

/* hooks.*: run with the container's state on stdin. */
struct runtime_hook {
    char *path;
    char **args; /* argv, NULL: just the path */
    char **env;
    int timeout; /* seconds, 0: none */
};

enum runtime_hook_kind {
    RUNTIME_HOOK_PRESTART,
    RUNTIME_HOOK_CREATE_RUNTIME,
    RUNTIME_HOOK_CREATE_CONTAINER,
    RUNTIME_HOOK_START_CONTAINER,
    RUNTIME_HOOK_POSTSTART,
    RUNTIME_HOOK_POSTSTOP,
    RUNTIME_HOOK_KINDS
};

struct runtime_hook_list {
    struct runtime_hook *hooks;
    size_t count;
};

struct runtime_capabilities {
    uint64_t bounding, effective, permitted, inheritable, ambient; /* bit N = capability N */
};

struct runtime_spec {
    char **args;
    char **env;
    char *cwd;
    uid_t uid;
    gid_t gid;
    gid_t *additional_gids;
    size_t additional_gid_count;
    bool terminal;
    bool no_new_privileges;
    struct runtime_capabilities capabilities;
    struct runtime_rlimit *rlimits;
    size_t rlimit_count;
    int umask;         /* -1: leave it */
    int oom_score_adj; /* with has_oom_score_adj */
    bool has_oom_score_adj;
    unsigned short console_height, console_width; /* process.consoleSize, 0: unset */
    struct runtime_hook_list hooks[RUNTIME_HOOK_KINDS];
    char *domainname;
    /* process.scheduler: sched_setattr(2)'s fields; has_scheduler when set. */
    bool has_scheduler;
    struct runtime_scheduler {
        uint32_t policy, flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } scheduler;
    int io_priority;  /* ioprio_set(2) value (class << 13 | level), -1: unset */
    long personality; /* linux.personality domain (PER_LINUX, PER_LINUX32), -1: unset */
    /* linux.timeOffsets, written before the process enters its time namespace. */
    bool has_time_offsets;
    int64_t monotonic_offset[2], boottime_offset[2]; /* seconds, nanoseconds */
    char *apparmor_profile;                          /* process.apparmorProfile, or NULL */

    char *root_path;
    bool root_readonly;
    char *hostname;

    struct runtime_mount *mounts;
    size_t mount_count;
    struct runtime_namespace *namespaces;
    size_t namespace_count;
    struct runtime_id_mapping *uid_mappings, *gid_mappings;
    size_t uid_mapping_count, gid_mapping_count;
    struct runtime_device *devices;
    size_t device_count;
    struct runtime_device_rule *device_rules;
    size_t device_rule_count;
    char **masked_paths;
    char **readonly_paths;
    char *cgroups_path;
    struct runtime_resources resources;
    unsigned long rootfs_propagation;
    json_t *seccomp; /* linux.seccomp, interpreted by seccomp.c; NULL = none */
    json_t *sysctl;  /* linux.sysctl object or NULL */
    /* annotations[RUNTIME_INIT_ANNOTATION] is "true" (husk's --init): PID 1
     * is husk's init, which runs args as its child (trampoline.h). */
    bool init;
};
#define RUNTIME_INIT_ANNOTATION "io.husk.init"

/* linux.resources (memory, cpu, pids, blockIO) into R; NULL is all unset. */
int runtime_resources_parse(json_t *resources, struct runtime_resources *r, husk_error_t *err);
void runtime_resources_free(struct runtime_resources *r);
/* hugepageLimits, network, rdma, memory.swappiness, blockIO per device and
 * unified into R->files (spec_resources.c). */
int runtime_resources_parse_files(json_t *resources, struct runtime_resources *r,
                                  husk_error_t *err);
void runtime_resources_free_files(struct runtime_resources *r);

/* process.rlimits, user.umask, oomScoreAdj and consoleSize (spec_process.c). */
int runtime_spec_parse_process_extras(json_t *process, struct runtime_spec *spec,
                                      husk_error_t *err);
/* "RLIMIT_NOFILE" for RLIMIT_NOFILE. */
const char *runtime_rlimit_name(int resource);
/* process.scheduler, ioPriority, apparmorProfile; linux.personality and
 * timeOffsets (spec_process.c). */
int runtime_spec_parse_scheduling(json_t *process, json_t *linux_section, struct runtime_spec *spec,
                                  husk_error_t *err);
/* The "hooks" object (spec_process.c). */
int runtime_spec_parse_hooks(json_t *hooks, struct runtime_spec *spec, husk_error_t *err);
void runtime_spec_free_extras(struct runtime_spec *spec);

/* Parses a config.json document. BUNDLE resolves a relative root.path. */
int runtime_spec_parse(json_t *document, const char *bundle, struct runtime_spec **spec,
                       husk_error_t *err);
int runtime_spec_load(const char *bundle, struct runtime_spec **spec, husk_error_t *err);
/* Only a config.json's "process" object (args, env, cwd, user, capabilities,
 * terminal, noNewPrivileges) into a new SPEC whose other fields are unset. */
int runtime_spec_parse_process(json_t *process, struct runtime_spec **spec, husk_error_t *err);
void runtime_spec_free(struct runtime_spec *spec);

/* Mount option words ("ro", "nosuid", "rbind", "rprivate", ...) to MS_* flags;
 * unknown words are appended to DATA. Exposed for unit tests. */
int runtime_mount_options_parse(json_t *options, struct runtime_mount *mount, husk_error_t *err);
/* "CAP_SYS_ADMIN" -> 21, or -1. */
int runtime_capability_from_name(const char *name);
/* CLONE_NEW* for an OCI namespace type ("network", "mount", ...), or 0. */
int runtime_namespace_flag(const char *type);
bool runtime_spec_has_namespace(const struct runtime_spec *spec, int type);
/* The spec asks for a new namespace of TYPE (listed, without a path to join). */
bool runtime_spec_creates_namespace(const struct runtime_spec *spec, int type);
/* The mount whose destination is "/" (husk's overlay), or NULL. */
const struct runtime_mount *runtime_spec_root_mount(const struct runtime_spec *spec);

#endif
