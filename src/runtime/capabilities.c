#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int capabilities_drop_bounding(const struct runtime_capabilities *caps, husk_error_t *err)
{
    int last = (int)cap_max_bits() - 1;
    for (int cap = 0; cap <= last && cap < 64; cap++) {
        if (caps->bounding & (UINT64_C(1) << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return husk_error_set(err, errno, "drop capability %d from the bounding set", cap);
    }
    return 0;
}

/* capset(2) itself, not libcap's cap_init/cap_set_proc: an exec's child
 * runs in husk's memory until its exec (shared_clone.c), where a malloc
 * lock held by a child killed meanwhile would stay held in husk. */
int capabilities_apply(const struct runtime_capabilities *caps, husk_error_t *err)
{
    int last = (int)cap_max_bits() - 1;
    uint64_t known = last >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    uint64_t sets[3] = {caps->effective & known, caps->permitted & known,
                        caps->inheritable & known};
    for (int half = 0; half < 2; half++) {
        data[half].effective = (uint32_t)(sets[0] >> (32 * half));
        data[half].permitted = (uint32_t)(sets[1] >> (32 * half));
        data[half].inheritable = (uint32_t)(sets[2] >> (32 * half));
    }
    if (syscall(SYS_capset, &header, data) < 0)
        return husk_error_set(err, errno, "set capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return husk_error_set(err, errno, "clear ambient capabilities");
    /* The kernel takes an ambient capability only if it is permitted and
     * inheritable; like runc, one that is not is left out, not an error
     * (runc's own default spec lists ambient ones without inheritable). */
    uint64_t raisable = caps->ambient & sets[1] & sets[2];
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if ((raisable & (UINT64_C(1) << cap)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return husk_error_set(err, errno, "raise ambient capability %d", cap);
    return 0;
}
