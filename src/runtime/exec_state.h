/* What an exec into a created container needs of it, kept beside its
 * config.json: the process section, the cgroups path, the cgroup layout the
 * container was made in and its compiled seccomp program. An exec then
 * reads a few hundred bytes instead of parsing the whole spec (the seccomp
 * profile is most of it), finding the cgroup mounts and loading the profile
 * into libseccomp: together more than a third of an exec's own time. */
#ifndef HUSK_RUNTIME_EXEC_STATE_H
#define HUSK_RUNTIME_EXEC_STATE_H

#include "../util/error.h"
#include "cgroup_layout.h"
#include "seccomp.h"
#include "spec.h"

struct exec_state {
    struct runtime_spec *spec;      /* the process fields and cgroups_path only */
    struct seccomp_program seccomp; /* empty when the container has none */
    struct cgroup_layout layout;
};

/* From BUNDLE_FD's exec.json, when it was made from the config.json there
 * now (same inode, size and modification time); else from config.json, and
 * exec.json and the program are written for the next exec. */
int exec_state_load(int bundle_fd, struct exec_state *state, husk_error_t *err);
void exec_state_free(struct exec_state *state);

#endif
