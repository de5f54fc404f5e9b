/* docker seccomp profiles (`--security-opt seccomp=FILE`,
 * src/engine/docker_seccomp.c): checked, converted for a container on this
 * machine, and the result compiled to BPF as the runtime compiles it
 * (src/runtime/seccomp.c; compiled only, never installed). */
#include "../../src/engine/docker_seccomp.h"
#include "../../src/runtime/seccomp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *profile = fuzz_json(data, size);
    if (profile == NULL)
        return 0;
    husk_error_t err = NULL;
    if (docker_seccomp_check(profile, &err) == 0) {
        struct docker_seccomp_target target;
        docker_seccomp_target_host(&target);
        target.capabilities = json_pack("[sss]", "CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN");
        json_t *seccomp = docker_seccomp_convert(profile, &target);
        struct seccomp_program program = {0};
        if (json_is_object(seccomp) && seccomp_program_compile(seccomp, &program, &err) == 0)
            seccomp_program_free(&program);
        json_decref(seccomp);
        json_decref(target.capabilities);
    }
    husk_error_free(&err);
    json_decref(profile);
    return 0;
}
