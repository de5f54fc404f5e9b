/* The steps the container's first process takes on itself, in order, after
 * husk placed it in its cgroups and before exec. */
#ifndef HUSK_RUNTIME_PROCESS_H
#define HUSK_RUNTIME_PROCESS_H

#include "../util/error.h"
#include "container.h"
#include "spec.h"

/* Root file system, hostname, sysctls, masked and read-only paths. */
int process_prepare_root(const struct runtime_spec *spec, const struct rootfs_handover *handover,
                         husk_error_t *err);
/* A pty from the container's devpts (master sent to husk), or a session
 * of its own with OPTIONS' stdio, the container's /dev/null where none. */
int process_setup_stdio(const struct runtime_spec *spec,
                        const struct runtime_launch_options *options, int socket_fd,
                        husk_error_t *err);
/* The working directory, checked to be inside the container. */
int process_enter_workdir(const struct runtime_spec *spec, husk_error_t *err);
/* Groups, uid and gid, capabilities. */
int process_become_user(const struct runtime_spec *spec, husk_error_t *err);
/* rlimits, oom_score_adj and umask: before the user changes, since
 * raising a hard limit or lowering the OOM score takes privilege. */
int process_apply_limits(const struct runtime_spec *spec, husk_error_t *err);
/* As runc does before `create` returns: the command exists and may be
 * executed by this process, or an error worded as runc words it (managers
 * read "executable file not found in $PATH", "no such file or directory"
 * and "permission denied" as exit statuses 127 and 126). */
int process_check_command(const struct runtime_spec *spec, husk_error_t *err);
int prctl_no_new_privs(void);
/* The arguments and environment husk was started with (the caller's, not
 * the container's): zeroed around the clone of a container process, so the
 * child holds none of them from its birth in the container's PID namespace
 * on (its /proc/PID/cmdline needs no ptrace access), then put back. */
struct caller_areas {
    unsigned long bounds[4]; /* arg_start, arg_end, env_start, env_end */
    char *saved[2];
};
void process_hide_caller(struct caller_areas *areas);
void process_show_caller(struct caller_areas *areas);

#endif
