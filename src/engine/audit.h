/* `husk audit`: what the namespaces of the host and the running containers
 * do not isolate, measured on the running kernel (src/audit/). */
#ifndef HUSK_ENGINE_AUDIT_H
#define HUSK_ENGINE_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "options.h"

/* {"Kernel", "Namespaces" (as engine_namespaces), "Sysctls": {"Kernel",
 * "ClassifiedAt", "Milliseconds", "Cached", "Classes": [{"Class",
 * "Namespace"?, "Keys"}], "Keys": {KEY: entry}}, "Tables" (shared_tables.h),
 * "Risks" (risks.h)}. NAMES (which must run) narrow the namespaces and the
 * per-container risks; tables always count every container. REFRESH redoes
 * the sysctl classification. */
int engine_audit(const struct engine_context *context, char *const *names, size_t count,
                 bool refresh, json_t **report, husk_error_t *err);

#endif
