/* husk's default seccomp profile as an OCI linux.seccomp object. */
#ifndef HUSK_ENGINE_SECCOMP_PROFILE_H
#define HUSK_ENGINE_SECCOMP_PROFILE_H

#include <jansson.h>

json_t *seccomp_profile_default(void);

#endif
