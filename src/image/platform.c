#include "platform.h"

#include <string.h>
#include <sys/utsname.h>

static const struct {
    const char *machine, *architecture, *variant;
} machines[] = {
    {"x86_64", "amd64", ""},    {"aarch64", "arm64", "v8"}, {"armv7l", "arm", "v7"},
    {"armv6l", "arm", "v6"},    {"i686", "386", ""},        {"i386", "386", ""},
    {"ppc64le", "ppc64le", ""}, {"s390x", "s390x", ""},     {"riscv64", "riscv64", ""},
};

static int machine_index(void)
{
    struct utsname name;
    if (uname(&name) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
        if (strcmp(name.machine, machines[i].machine) == 0)
            return (int)i;
    return -1;
}

const char *platform_architecture(void)
{
    int i = machine_index();
    return i >= 0 ? machines[i].architecture : "unknown";
}

const char *platform_variant(void)
{
    int i = machine_index();
    return i >= 0 ? machines[i].variant : "";
}
