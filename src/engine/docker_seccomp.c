#include "docker_seccomp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../runtime/seccomp.h"
#include "../util/cleanup.h"

/* Go's GOARCH as moby maps it, beside libseccomp's name for the same. */
#if defined(__x86_64__)
#define TARGET_ARCH "amd64", "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define TARGET_ARCH "arm64", "SCMP_ARCH_AARCH64"
#elif defined(__i386__)
#define TARGET_ARCH "x86", "SCMP_ARCH_X86"
#elif defined(__arm__)
#define TARGET_ARCH "arm", "SCMP_ARCH_ARM"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TARGET_ARCH "ppc64le", "SCMP_ARCH_PPC64LE"
#elif defined(__s390x__)
#define TARGET_ARCH "s390x", "SCMP_ARCH_S390X"
#elif defined(__riscv) && __riscv_xlen == 64
#define TARGET_ARCH "riscv64", "SCMP_ARCH_RISCV64"
#else
#define TARGET_ARCH "", ""
#endif

void docker_seccomp_target_host(struct docker_seccomp_target *target)
{
    static const char *const names[] = {TARGET_ARCH};
    struct utsname host;
    *target = (struct docker_seccomp_target){.arch = names[0], .seccomp_arch = names[1]};
    /* "6.18.4-generic": only the kernel and its major revision count. */
    if (uname(&host) == 0 && sscanf(host.release, "%u.%u", &target->kernel, &target->major) != 2)
        target->kernel = target->major = 0;
}

static bool is_string_list(json_t *value)
{
    if (value == NULL || json_is_null(value))
        return true;
    if (!json_is_array(value))
        return false;
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item) if (!json_is_string(item)) return false;
    return true;
}

static bool is_optional(json_t *value, json_type type)
{
    return value == NULL || json_is_null(value) || json_typeof(value) == type;
}

/* "4.8": kernel 4, major revision 8, each below 256 and not both 0. */
static bool kernel_version_parse(const char *text, unsigned *kernel, unsigned *major)
{
    char *end;
    const char *dot = strchr(text, '.');
    if (dot == NULL || strchr(dot + 1, '.') != NULL || text[0] < '0' || text[0] > '9' ||
        dot[1] < '0' || dot[1] > '9')
        return false;
    unsigned long k = strtoul(text, &end, 10);
    if (end != dot || k > 255)
        return false;
    unsigned long m = strtoul(dot + 1, &end, 10);
    if (*end != '\0' || m > 255 || (k == 0 && m == 0))
        return false;
    *kernel = (unsigned)k;
    *major = (unsigned)m;
    return true;
}

static int check_filter(json_t *filter, size_t index, const char *which, husk_error_t *err)
{
    if (filter == NULL || json_is_null(filter))
        return 0;
    if (!json_is_object(filter))
        return husk_error_set(err, 0, "syscalls[%zu].%s: not an object", index, which);
    if (!is_string_list(json_object_get(filter, "caps")) ||
        !is_string_list(json_object_get(filter, "arches")))
        return husk_error_set(err, 0, "syscalls[%zu].%s: caps and arches are lists of strings",
                              index, which);
    json_t *version = json_object_get(filter, "minKernel");
    unsigned kernel, major;
    if (!is_optional(version, JSON_STRING) ||
        (json_is_string(version) && json_string_length(version) > 0 &&
         !kernel_version_parse(json_string_value(version), &kernel, &major)))
        return husk_error_set(err, 0,
                              "syscalls[%zu].%s: invalid kernel version %s, expected "
                              "\"<kernel>.<major>\"",
                              index, which,
                              json_is_string(version) ? json_string_value(version) : "(not text)");
    return 0;
}

static int check_argument(json_t *arg, size_t index, size_t position, husk_error_t *err)
{
    json_int_t argument = json_integer_value(json_object_get(arg, "index"));
    const char *op = json_string_value(json_object_get(arg, "op"));
    if (!json_is_object(arg) || !json_is_integer(json_object_get(arg, "index")) ||
        !is_optional(json_object_get(arg, "value"), JSON_INTEGER) ||
        !is_optional(json_object_get(arg, "valueTwo"), JSON_INTEGER) || op == NULL)
        return husk_error_set(err, 0,
                              "syscalls[%zu].args[%zu]: needs an integer index, integer value "
                              "and valueTwo, and an op",
                              index, position);
    if (argument < 0 || argument > 5)
        return husk_error_set(err, 0, "syscalls[%zu].args[%zu]: index %lld is not 0 to 5", index,
                              position, (long long)argument);
    if (seccomp_comparison_parse(op) < 0)
        return husk_error_set(err, 0, "syscalls[%zu].args[%zu]: unknown op \"%s\"", index, position,
                              op);
    return 0;
}

static int check_rule(json_t *rule, size_t index, husk_error_t *err)
{
    if (!json_is_object(rule))
        return husk_error_set(err, 0, "syscalls[%zu]: not an object", index);
    json_t *name = json_object_get(rule, "name");
    json_t *names = json_object_get(rule, "names");
    if (!is_optional(name, JSON_STRING) || !is_string_list(names))
        return husk_error_set(err, 0, "syscalls[%zu]: name is a string, names a list of them",
                              index);
    if (json_string_length(name) > 0 && json_array_size(names) > 0)
        return husk_error_set(err, 0,
                              "both 'name' and 'names' are specified in the seccomp profile, use "
                              "either 'name' or 'names'");
    const char *action = json_string_value(json_object_get(rule, "action"));
    if (action == NULL)
        return husk_error_set(err, 0, "syscalls[%zu]: no action", index);
    if (seccomp_action_parse(action, NULL) < 0)
        return husk_error_set(err, 0, "syscalls[%zu]: unknown action \"%s\"", index, action);
    if (!is_optional(json_object_get(rule, "errnoRet"), JSON_INTEGER))
        return husk_error_set(err, 0, "syscalls[%zu]: errnoRet is not an integer", index);
    json_t *args = json_object_get(rule, "args");
    if (!is_optional(args, JSON_ARRAY))
        return husk_error_set(err, 0, "syscalls[%zu]: args is not a list", index);
    size_t i;
    json_t *arg;
    json_array_foreach(args, i, arg) if (check_argument(arg, index, i, err) < 0) return -1;
    return check_filter(json_object_get(rule, "includes"), index, "includes", err) < 0 ||
                   check_filter(json_object_get(rule, "excludes"), index, "excludes", err) < 0
               ? -1
               : 0;
}

static int check_arch_map(json_t *map, husk_error_t *err)
{
    if (!is_optional(map, JSON_ARRAY))
        return husk_error_set(err, 0, "archMap is not a list");
    size_t i;
    json_t *entry;
    json_array_foreach(map, i, entry)
    {
        if (!json_is_object(entry) || !json_is_string(json_object_get(entry, "architecture")) ||
            !is_string_list(json_object_get(entry, "subArchitectures")))
            return husk_error_set(err, 0,
                                  "archMap[%zu]: needs an architecture and a list of "
                                  "subArchitectures",
                                  i);
    }
    return 0;
}

int docker_seccomp_check(json_t *profile, husk_error_t *err)
{
    if (!json_is_object(profile))
        return husk_error_set(err, 0, "not a JSON object");
    json_t *syscalls = json_object_get(profile, "syscalls");
    if (!is_optional(json_object_get(profile, "defaultAction"), JSON_STRING) ||
        !is_optional(json_object_get(profile, "defaultErrnoRet"), JSON_INTEGER) ||
        !is_optional(json_object_get(profile, "listenerPath"), JSON_STRING) ||
        !is_optional(json_object_get(profile, "listenerMetadata"), JSON_STRING) ||
        !is_string_list(json_object_get(profile, "architectures")) ||
        !is_string_list(json_object_get(profile, "flags")) || !is_optional(syscalls, JSON_ARRAY))
        return husk_error_set(err, 0,
                              "defaultAction, listenerPath and listenerMetadata are strings, "
                              "defaultErrnoRet an integer, architectures, flags and syscalls "
                              "lists");
    const char *action = json_string_value(json_object_get(profile, "defaultAction"));
    if (action != NULL && action[0] != '\0' && seccomp_action_parse(action, NULL) < 0)
        return husk_error_set(err, 0, "unknown defaultAction \"%s\"", action);
    if (check_arch_map(json_object_get(profile, "archMap"), err) < 0)
        return -1;
    if (json_array_size(json_object_get(profile, "architectures")) > 0 &&
        json_array_size(json_object_get(profile, "archMap")) > 0)
        return husk_error_set(err, 0,
                              "both 'architectures' and 'archMap' are specified in the seccomp "
                              "profile, use either 'architectures' or 'archMap'");
    size_t i;
    json_t *rule;
    json_array_foreach(syscalls, i, rule) if (check_rule(rule, i, err) < 0) return -1;
    return 0;
}

static bool list_has(json_t *list, const char *wanted)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) if (strcmp(json_string_value(item), wanted) == 0) return true;
    return false;
}

static bool kernel_at_least(const struct docker_seccomp_target *t, json_t *version)
{
    unsigned kernel, major;
    if (!kernel_version_parse(json_string_value(version), &kernel, &major))
        return true;
    return t->kernel > kernel || (t->kernel == kernel && t->major >= major);
}

/* moby's setupSeccomp: excludes drop a rule when any of its conditions
 * holds (an arch, any capability the container has, a kernel at least
 * that); includes keep it only when all hold (the arch listed, every
 * capability, the kernel). */
static bool rule_applies(json_t *rule, const struct docker_seccomp_target *t)
{
    json_t *excludes = json_object_get(rule, "excludes");
    json_t *includes = json_object_get(rule, "includes");
    size_t i;
    json_t *cap;
    if (json_array_size(json_object_get(excludes, "arches")) > 0 &&
        list_has(json_object_get(excludes, "arches"), t->arch))
        return false;
    json_array_foreach(json_object_get(excludes, "caps"), i, cap)
    {
        if (list_has(t->capabilities, json_string_value(cap)))
            return false;
    }
    json_t *version = json_object_get(excludes, "minKernel");
    if (json_string_length(version) > 0 && kernel_at_least(t, version))
        return false;
    if (json_array_size(json_object_get(includes, "arches")) > 0 &&
        !list_has(json_object_get(includes, "arches"), t->arch))
        return false;
    json_array_foreach(json_object_get(includes, "caps"), i, cap)
    {
        if (!list_has(t->capabilities, json_string_value(cap)))
            return false;
    }
    version = json_object_get(includes, "minKernel");
    return json_string_length(version) == 0 || kernel_at_least(t, version);
}

/* OCI's LinuxSyscall: names, action, errnoRet and args, nothing else. */
static json_t *oci_rule(json_t *rule)
{
    json_t *name = json_object_get(rule, "name");
    json_t *names = json_string_length(name) > 0 ? json_pack("[O]", name)
                                                 : json_deep_copy(json_object_get(rule, "names"));
    json_t *out = json_pack("{s:o, s:O}", "names", json_is_array(names) ? names : json_array(),
                            "action", json_object_get(rule, "action"));
    static const char *const kept[] = {"errnoRet", "args"};
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        json_t *value = json_object_get(rule, kept[i]);
        if (value != NULL && !json_is_null(value))
            json_object_set_new(out, kept[i], json_deep_copy(value));
    }
    return out;
}

/* archMap: the entry of this machine's architecture, with its sub-architectures. */
static json_t *architectures_of(json_t *profile, const struct docker_seccomp_target *t)
{
    json_t *given = json_object_get(profile, "architectures");
    if (json_array_size(given) > 0)
        return json_deep_copy(given);
    json_t *list = json_array();
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(profile, "archMap"), i, entry)
    {
        if (strcmp(json_string_value(json_object_get(entry, "architecture")), t->seccomp_arch) != 0)
            continue;
        json_array_append(list, json_object_get(entry, "architecture"));
        json_array_extend(list, json_object_get(entry, "subArchitectures"));
        break;
    }
    return list;
}

json_t *docker_seccomp_convert(json_t *profile, const struct docker_seccomp_target *target)
{
    json_t *rules = json_object_get(profile, "syscalls");
    if (json_string_length(json_object_get(profile, "defaultAction")) == 0 &&
        json_array_size(rules) == 0)
        return json_null();
    json_t *out = json_object();
    static const char *const copied[] = {"defaultAction", "defaultErrnoRet", "flags",
                                         "listenerPath", "listenerMetadata"};
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        json_t *value = json_object_get(profile, copied[i]);
        if (value != NULL && !json_is_null(value))
            json_object_set_new(out, copied[i], json_deep_copy(value));
    }
    cleanup_json json_t *architectures = architectures_of(profile, target);
    if (json_array_size(architectures) > 0)
        json_object_set(out, "architectures", architectures);
    json_t *syscalls = json_array();
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule)
    {
        if (rule_applies(rule, target))
            json_array_append_new(syscalls, oci_rule(rule));
    }
    json_object_set_new(out, "syscalls", syscalls);
    return out;
}
