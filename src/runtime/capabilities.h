/* Applies the OCI capability sets to the calling process. */
#ifndef HUSK_RUNTIME_CAPABILITIES_H
#define HUSK_RUNTIME_CAPABILITIES_H

#include "../util/error.h"
#include "spec.h"

/* Drops the bounding set; call before switching user. */
int capabilities_drop_bounding(const struct runtime_capabilities *caps, husk_error_t *err);
/* Sets effective/permitted/inheritable and ambient; call after switching user. */
int capabilities_apply(const struct runtime_capabilities *caps, husk_error_t *err);

#endif
