/* Turns run flags plus an image's config into an OCI runtime spec. */
#ifndef HUSK_ENGINE_SPEC_BUILDER_H
#define HUSK_ENGINE_SPEC_BUILDER_H

#include <jansson.h>

#include "../image/image.h"
#include "../util/error.h"
#include "options.h"
#include "user.h"
#include "userns.h"

struct spec_inputs {
    const struct run_options *options;
    const struct image *image;
    const struct resolved_user *user;
    json_t *env; /* the final environment */
    const char *container_id;
    const char *container_directory; /* holds upper/, work/, rootfs/, hosts ... */
    const char *hostname;
    char **args;
    const char *cwd;
    /* --userns private: host ids for the container's 0..size-1; else NULL. */
    const struct id_range *uid_range, *gid_range;
    json_t *sysctls;   /* checked --sysctl values, {KEY: VALUE}, or NULL */
    json_t *resources; /* linux.resources but devices, or NULL */
    json_t *mounts;    /* the container's own mount entries, after husk's */
};

json_t *spec_build(const struct spec_inputs *inputs, husk_error_t *err);
/* docker's default capabilities, or with ALL every one husk itself may
 * hand out (its bounding set), as OCI names. */
json_t *spec_capability_list(bool all);
/* docker's default capabilities, as OCI names. */
extern const char *const spec_default_capabilities[];

#endif
