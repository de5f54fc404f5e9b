/* --sysctl KEY=VALUE, refused before anything is created unless the sysctl
 * catalog (src/audit/sysctl_catalog.h: the running kernel, classified by
 * experiment) says a namespace isolates KEY and the container owns that
 * namespace: net.* keys of the network namespace, kernel.shm*, msg*, sem and
 * fs.mqueue.* of the IPC one, kernel.hostname and domainname of the UTS one,
 * ... Anything else would change the host and every container. */
#ifndef HUSK_ENGINE_SYSCTL_OPTIONS_H
#define HUSK_ENGINE_SYSCTL_OPTIONS_H

#include <jansson.h>

#include "../util/error.h"
#include "options.h"

/* Checks every --sysctl; *SYSCTLS gets {KEY: VALUE} for the runtime spec. */
int sysctl_options_check(const struct engine_context *context, const struct run_options *options,
                         json_t **sysctls, husk_error_t *err);

#endif
