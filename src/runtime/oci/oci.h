/* The OCI runtime's operations, as runc's command line names them. Each
 * takes the state root; the CLI (src/cli/oci_*.c) only parses and prints. */
#ifndef HUSK_RUNTIME_OCI_OCI_H
#define HUSK_RUNTIME_OCI_OCI_H

#include <jansson.h>
#include <stdbool.h>
#include <signal.h>

#include "../../util/error.h"

struct oci_create_options {
    const char *root;
    const char *id;
    const char *bundle; /* default: the working directory */
    const char *pid_file;
    const char *console_socket;
    int preserve_fds;
    bool systemd_cgroup;
    /* run: start at once, and unless DETACH wait for the process and
     * delete the container afterwards (unless KEEP). */
    bool run, detach, keep;
};

/* create, or run. *EXIT_STATUS: a foreground run's process's status. */
int oci_create(const struct oci_create_options *o, int *exit_status, husk_error_t *err);
int oci_start(const char *root, const char *id, husk_error_t *err);
/* The runtime-spec state of ID. */
int oci_state(const char *root, const char *id, json_t **state, husk_error_t *err);
/* Every container's state, sorted by ID. */
json_t *oci_list(const char *root);
int oci_kill(const char *root, const char *id, int signal, bool all, husk_error_t *err);
int oci_delete(const char *root, const char *id, bool force, husk_error_t *err);
int oci_pause(const char *root, const char *id, bool paused, husk_error_t *err);
/* The PIDs in the container's cgroup. */
int oci_pids(const char *root, const char *id, json_t **pids, husk_error_t *err);
/* linux.resources (RESOURCES) to the running container's cgroups. */
int oci_update(const char *root, const char *id, json_t *resources, husk_error_t *err);
/* runc's "stats" event data: cpu, memory, pids. */
int oci_stats(const char *root, const char *id, json_t **stats, husk_error_t *err);

struct oci_exec_options {
    const char *root;
    const char *id;
    /* The whole process (--process FILE), or NULL: the container's own
     * process with OVERRIDES ({args, env, cwd, user, terminal,
     * capabilities: [names to add], noNewPrivileges}). */
    json_t *process;
    json_t *overrides;
    bool detach;
    const char *pid_file;
    const char *console_socket;
    int preserve_fds;
};
int oci_exec(const struct oci_exec_options *o, int *exit_status, husk_error_t *err);

/* "system.slice:docker:ID" (systemd's spelling) as a cgroupfs path
 * "/system.slice/docker-ID.scope"; a path as it is; NULL: "/ID". Pure. */
char *oci_cgroups_path(const char *spec_path, const char *id);
/* A default config.json (runc spec), rootless or not. */
json_t *oci_default_spec(bool rootless);
/* What this runtime supports (runtime-spec features.json). */
json_t *oci_features(void);

#endif
