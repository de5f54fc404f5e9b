/* What a user asked for with `husk run`/`create`: filled by the CLI,
 * validated and turned into a runtime spec by the engine. */
#ifndef HUSK_ENGINE_OPTIONS_H
#define HUSK_ENGINE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "health/health_flags.h"
#include "identity_flags.h"
#include "log_flags.h"
#include "resources.h"

struct run_options {
    const char *image;
    const char *pull; /* missing (NULL, the default), always or never */
    char **command;   /* NULL: the image's default */
    const char *name;
    const char **env; /* raw -e values */
    size_t env_count;
    const char *workdir;
    const char *user;
    const char *hostname;
    const char *network;  /* NULL (bridge), bridge, none, host, container:NAME or a network */
    const char **publish; /* raw -p values */
    size_t publish_count;
    bool publish_all;    /* -P */
    const char **expose; /* raw --expose values */
    size_t expose_count;
    const char **sysctl; /* raw --sysctl KEY=VALUE */
    size_t sysctl_count;
    struct resource_flags resources; /* --memory, --cpus, ... as typed */
    const char *cgroup_parent;
    const char **storage_opts; /* raw --storage-opt KEY=VALUE */
    size_t storage_opt_count;
    /* Namespace modes with docker's spelling; NULL is the default, private. */
    const char *pid_mode;             /* host, private */
    const char *ipc_mode;             /* host, private, shareable, none */
    const char *uts_mode;             /* host, private */
    const char *cgroupns_mode;        /* host, private */
    const char *userns_mode;          /* host (the default), private */
    const char **cap_add, **cap_drop; /* raw --cap-add / --cap-drop values */
    size_t cap_add_count, cap_drop_count;
    const char **ulimits; /* raw --ulimit NAME=SOFT[:HARD] */
    size_t ulimit_count;
    const char *oom_score_adj; /* raw --oom-score-adj, or NULL */
    const char *entrypoint;    /* --entrypoint ("" resets the image's), or NULL */
    const char *stop_signal;   /* --stop-signal, or NULL: the image's */
    const char **volumes;      /* raw -v values */
    size_t volume_count;
    const char **mounts; /* raw --mount values */
    size_t mount_count;
    const char **tmpfs; /* raw --tmpfs values */
    size_t tmpfs_count;
    const char **volumes_from; /* raw --volumes-from values */
    size_t volumes_from_count;
    bool interactive;
    bool tty;
    bool privileged;
    bool read_only;
    bool auto_remove;
    bool detach;
    /* Raw values, checked by security_plan.c (issue 17). */
    const char **security_opts; /* --security-opt */
    size_t security_opt_count;
    const char **devices; /* --device HOST[:CONTAINER][:PERMISSIONS] */
    size_t device_count;
    const char **device_cgroup_rules; /* --device-cgroup-rule */
    size_t device_cgroup_rule_count;
    const char *init;               /* --init's value ("true" when bare), or NULL */
    const char *restart;            /* --restart POLICY, or NULL: no */
    struct identity_flags identity; /* --label, --env-file, --dns, --ip, ... (run_identity.c) */
    struct log_flags log;           /* --log-driver, --log-opt (log_config.c) */
    /* --health-cmd, --health-interval, ..., --no-healthcheck (health/) */
    struct health_flags health;
};

/* Where husk keeps its state: DATA for what survives reboots, RUN for the rest. */
struct engine_context {
    const char *data_root;
    const char *run_root;
};

#endif
