/* `husk system info` and `system df`: what the host and the state root hold. */
#ifndef HUSK_ENGINE_SYSTEM_H
#define HUSK_ENGINE_SYSTEM_H

#include <jansson.h>

#include "../util/error.h"
#include "options.h"

/* docker's info fields that apply to husk: counts, storage and cgroup
 * driver, cgroup version, kernel, OS, CPUs, memory, root directory. */
int engine_system_info(const struct engine_context *context, json_t **info, husk_error_t *err);
/* {"Images"|"Containers"|"Volumes": {"Total", "Active", "Size",
 * "Reclaimable"}} in bytes, as docker's system df sums them. */
int engine_system_df(const struct engine_context *context, json_t **usage, husk_error_t *err);

/* `system df -v`: docker's /system/df answer: LayersSize; Images, each
 * with SharedSize (bytes of layers another image holds too) and Containers
 * (how many use it); Containers, inspect documents with SizeRw, SizeRootFs
 * and LocalVolumes; Volumes, each with UsageData {Size, RefCount}. */
int engine_system_df_verbose(const struct engine_context *context, json_t **usage,
                             husk_error_t *err);

/* docker's ps -s: each container DOCUMENT gains SizeRw (its upper layer's
 * bytes) and SizeRootFs (those plus its image's). */
void engine_add_sizes(const struct engine_context *context, json_t *documents);

#endif
