/* --sysctl KEY=VALUE, refused before anything is created unless a namespace
 * the container owns isolates KEY: a per-network-namespace net.* key (by
 * experiment, see net_sysctl_isolated) with its own network namespace,
 * kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* with its own IPC
 * namespace, kernel.hostname and kernel.domainname with its own UTS one.
 * Anything else would change the host and every container. */
#ifndef HUSK_ENGINE_SYSCTL_OPTIONS_H
#define HUSK_ENGINE_SYSCTL_OPTIONS_H

#include <jansson.h>

#include "../util/error.h"
#include "options.h"

/* Which namespace isolates KEY by its name alone: "ipc", "uts", "net" (to
 * be confirmed by experiment) or NULL. Exposed for unit tests. */
const char *sysctl_key_namespace(const char *key);
/* Checks every --sysctl; *SYSCTLS gets {KEY: VALUE} for the runtime spec. */
int sysctl_options_check(const struct run_options *options, json_t **sysctls, husk_error_t *err);

#endif
