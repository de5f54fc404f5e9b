/* docker's seccomp profile format, what `docker run --security-opt
 * seccomp=FILE` reads (moby's profiles/seccomp, default.json among them),
 * turned into the OCI linux.seccomp section the runtime compiles. The
 * format adds to OCI's: "archMap" (architectures by the machine's own),
 * "name" beside "names", "comment", and per rule "includes"/"excludes" on
 * the container's capabilities, the machine ("arches") and the kernel
 * ("minKernel"); they are resolved here, once, for this container. */
#ifndef HUSK_ENGINE_DOCKER_SECCOMP_H
#define HUSK_ENGINE_DOCKER_SECCOMP_H

#include <jansson.h>

#include "../util/error.h"

/* What a profile's conditions are decided against. */
struct docker_seccomp_target {
    /* The machine as profiles' "arches" name it (Go's names: "amd64",
     * "arm64", "x86") and as "archMap" does ("SCMP_ARCH_X86_64"). */
    const char *arch;
    const char *seccomp_arch;
    unsigned kernel, major; /* the running kernel's "6.18" */
    json_t *capabilities;   /* the container's bounding set, OCI names */
};

/* This machine and kernel; CAPABILITIES is left NULL. */
void docker_seccomp_target_host(struct docker_seccomp_target *target);

/* Checks that PROFILE has docker's shape (types as moby decodes them,
 * "name" or "names", "architectures" or "archMap", minKernel "X.Y"). */
int docker_seccomp_check(json_t *profile, husk_error_t *err);

/* The linux.seccomp section PROFILE (checked) gives TARGET's container:
 * rules whose conditions do not hold are left out, archMap becomes the
 * architectures of this machine. JSON null when the profile has neither a
 * defaultAction nor rules, which docker takes as no filter at all. */
json_t *docker_seccomp_convert(json_t *profile, const struct docker_seccomp_target *target);

#endif
