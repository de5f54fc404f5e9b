#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

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

static int set_flag(cap_t state, cap_flag_t flag, uint64_t bits, int last)
{
    cap_value_t list[64];
    int count = 0;
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if (bits & (UINT64_C(1) << cap))
            list[count++] = cap;
    return count == 0 ? 0 : cap_set_flag(state, flag, count, list, CAP_SET);
}

int capabilities_apply(const struct runtime_capabilities *caps, husk_error_t *err)
{
    int last = (int)cap_max_bits() - 1;
    cap_t state = cap_init();
    if (state == NULL)
        return husk_error_set(err, errno, "cap_init");
    int rc = 0;
    if (set_flag(state, CAP_EFFECTIVE, caps->effective, last) < 0 ||
        set_flag(state, CAP_PERMITTED, caps->permitted, last) < 0 ||
        set_flag(state, CAP_INHERITABLE, caps->inheritable, last) < 0 || cap_set_proc(state) < 0)
        rc = husk_error_set(err, errno, "set capabilities");
    cap_free(state);
    if (rc < 0)
        return rc;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return husk_error_set(err, errno, "clear ambient capabilities");
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if ((caps->ambient & (UINT64_C(1) << cap)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return husk_error_set(err, errno, "raise ambient capability %d", cap);
    return 0;
}
