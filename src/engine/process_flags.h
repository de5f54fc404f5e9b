/* `run` flags that shape the container's process: --cap-add, --cap-drop,
 * --ulimit and --oom-score-adj, turned into the spec's process fields. */
#ifndef HUSK_ENGINE_PROCESS_FLAGS_H
#define HUSK_ENGINE_PROCESS_FLAGS_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"
#include "options.h"

/* The capability names (OCI's "CAP_CHOWN") the process gets: docker's
 * defaults (every one husk may hand out with --privileged or --cap-add
 * ALL), less --cap-drop (ALL: none), plus --cap-add. Names are taken with
 * or without "CAP_", in any case; an unknown one is an error. */
int process_flags_capabilities(const struct run_options *o, json_t **list, husk_error_t *err);
/* --ulimit NAME=SOFT[:HARD] ("nofile=1024:2048", -1: unlimited) as
 * process.rlimits entries; NULL list when none were given. */
int process_flags_rlimits(const struct run_options *o, json_t **list, husk_error_t *err);
/* --oom-score-adj: -1000..1000 into *VALUE; false when not given. */
int process_flags_oom_score_adj(const struct run_options *o, bool *given, int *value,
                                husk_error_t *err);

#endif
