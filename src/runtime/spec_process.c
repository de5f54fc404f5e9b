/* The parts of config.json that container managers fill in beyond what
 * husk's own engine writes: process limits and hooks. */
#include "spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int rlimit_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
        if (strcmp(rlimit_names[i].name, name) == 0)
            return rlimit_names[i].resource;
    return -1;
}

const char *runtime_rlimit_name(int resource)
{
    for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
        if (rlimit_names[i].resource == resource)
            return rlimit_names[i].name;
    return "RLIMIT_?";
}

static int parse_rlimits(json_t *list, struct runtime_spec *spec, husk_error_t *err)
{
    if (list == NULL || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return husk_error_set(err, 0, "config.json: process.rlimits must be an array");
    size_t i;
    json_t *item;
    spec->rlimits = xcalloc(json_array_size(list) + 1, sizeof(*spec->rlimits));
    json_array_foreach(list, i, item)
    {
        const char *type = NULL;
        json_int_t soft = -1, hard = -1;
        if (json_unpack(item, "{s:s, s:I, s:I}", "type", &type, "soft", &soft, "hard", &hard) < 0)
            return husk_error_set(err, 0,
                                  "config.json: process.rlimits[%zu] needs type, soft and hard", i);
        int resource = rlimit_from_name(type);
        if (resource < 0)
            return husk_error_set(err, 0, "config.json: process.rlimits[%zu].type: unknown %s", i,
                                  type);
        for (size_t j = 0; j < spec->rlimit_count; j++)
            if (spec->rlimits[j].resource == resource)
                return husk_error_set(err, 0, "config.json: process.rlimits: %s given twice", type);
        /* uint64 values above INT64_MAX arrive with their bits as a negative
         * int64 (json_loadb_uint64): 18446744073709551615 is -1, RLIM_INFINITY. */
        struct runtime_rlimit *r = &spec->rlimits[spec->rlimit_count++];
        r->resource = resource;
        r->soft = (uint64_t)soft;
        r->hard = (uint64_t)hard;
        if (r->soft > r->hard)
            return husk_error_set(
                err, 0, "config.json: process.rlimits[%zu]: soft %s above hard limit", i, type);
    }
    return 0;
}

int runtime_spec_parse_process_extras(json_t *process, struct runtime_spec *spec, husk_error_t *err)
{
    spec->umask = -1;
    if (parse_rlimits(json_object_get(process, "rlimits"), spec, err) < 0)
        return -1;
    json_t *umask = json_object_get(json_object_get(process, "user"), "umask");
    if (umask != NULL && !json_is_null(umask)) {
        if (!json_is_integer(umask) || json_integer_value(umask) < 0 ||
            json_integer_value(umask) > 0777)
            return husk_error_set(err, 0, "config.json: process.user.umask must be 0 to 0777");
        spec->umask = (int)json_integer_value(umask);
    }
    json_t *oom = json_object_get(process, "oomScoreAdj");
    if (oom != NULL && !json_is_null(oom)) {
        if (!json_is_integer(oom) || json_integer_value(oom) < -1000 ||
            json_integer_value(oom) > 1000)
            return husk_error_set(err, 0, "config.json: process.oomScoreAdj must be -1000 to 1000");
        spec->oom_score_adj = (int)json_integer_value(oom);
        spec->has_oom_score_adj = true;
    }
    json_t *size = json_object_get(process, "consoleSize");
    if (size != NULL) {
        json_int_t height = 0, width = 0;
        if (json_unpack(size, "{s:I, s:I}", "height", &height, "width", &width) < 0 || height < 0 ||
            width < 0 || height > 65535 || width > 65535)
            return husk_error_set(err, 0,
                                  "config.json: process.consoleSize needs height and width");
        spec->console_height = (unsigned short)height;
        spec->console_width = (unsigned short)width;
    }
    return 0;
}

static const char *const hook_names[RUNTIME_HOOK_KINDS] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int strv_field(json_t *object, const char *key, char ***out)
{
    json_t *array = json_object_get(object, key);
    *out = NULL;
    if (array == NULL)
        return 0;
    if (!json_is_array(array))
        return -1;
    char **strv = xcalloc(json_array_size(array) + 1, sizeof(char *));
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *value = json_string_value(json_array_get(array, i));
        if (value == NULL) {
            cleanup_strvp(&strv);
            return -1;
        }
        strv[i] = xstrdup(value);
    }
    *out = strv;
    return 0;
}

static int parse_hook(json_t *item, const char *where, struct runtime_hook *hook, husk_error_t *err)
{
    const char *path = json_string_value(json_object_get(item, "path"));
    if (path == NULL || path[0] != '/')
        return husk_error_set(err, 0, "config.json: %s.path must be an absolute path", where);
    hook->path = xstrdup(path);
    if (strv_field(item, "args", &hook->args) < 0)
        return husk_error_set(err, 0, "config.json: %s.args must be an array of strings", where);
    if (strv_field(item, "env", &hook->env) < 0)
        return husk_error_set(err, 0, "config.json: %s.env must be an array of strings", where);
    json_t *timeout = json_object_get(item, "timeout");
    if (timeout != NULL && (!json_is_integer(timeout) || json_integer_value(timeout) <= 0 ||
                            json_integer_value(timeout) > 86400))
        return husk_error_set(err, 0, "config.json: %s.timeout must be a positive integer", where);
    hook->timeout = timeout ? (int)json_integer_value(timeout) : 0;
    return 0;
}

int runtime_spec_parse_hooks(json_t *hooks, struct runtime_spec *spec, husk_error_t *err)
{
    if (hooks == NULL || json_is_null(hooks))
        return 0;
    if (!json_is_object(hooks))
        return husk_error_set(err, 0, "config.json: hooks must be an object");
    for (int kind = 0; kind < RUNTIME_HOOK_KINDS; kind++) {
        json_t *list = json_object_get(hooks, hook_names[kind]);
        if (list == NULL || json_is_null(list))
            continue;
        if (!json_is_array(list))
            return husk_error_set(err, 0, "config.json: hooks.%s must be an array",
                                  hook_names[kind]);
        struct runtime_hook_list *l = &spec->hooks[kind];
        l->hooks = xcalloc(json_array_size(list) + 1, sizeof(*l->hooks));
        for (size_t i = 0; i < json_array_size(list); i++) {
            char where[64];
            snprintf(where, sizeof(where), "hooks.%s[%zu]", hook_names[kind], i);
            l->count++;
            if (parse_hook(json_array_get(list, i), where, &l->hooks[i], err) < 0)
                return -1;
        }
    }
    return 0;
}

void runtime_spec_free_extras(struct runtime_spec *spec)
{
    free(spec->rlimits);
    free(spec->apparmor_profile);
    free(spec->domainname);
    for (int kind = 0; kind < RUNTIME_HOOK_KINDS; kind++) {
        for (size_t i = 0; i < spec->hooks[kind].count; i++) {
            free(spec->hooks[kind].hooks[i].path);
            cleanup_strvp(&spec->hooks[kind].hooks[i].args);
            cleanup_strvp(&spec->hooks[kind].hooks[i].env);
        }
        free(spec->hooks[kind].hooks);
    }
}

static int lookup(const char *name, const char *const names[], const int values[], size_t count)
{
    for (size_t i = 0; name != NULL && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return -1;
}

static int parse_scheduler(json_t *scheduler, struct runtime_spec *spec, husk_error_t *err)
{
    static const char *const names[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
                                        "SCHED_BATCH", "SCHED_IDLE", "SCHED_DEADLINE"};
    static const int values[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 6};
    static const char *const flag_names[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                             "SCHED_FLAG_DL_OVERRUN"};
    static const int flag_values[] = {1, 2, 4};
    const char *policy = json_string_value(json_object_get(scheduler, "policy"));
    int value = lookup(policy, names, values, 6);
    if (value < 0)
        return husk_error_set(err, 0, "config.json: process.scheduler.policy: unknown %s",
                              policy ? policy : "(none)");
    struct runtime_scheduler *s = &spec->scheduler;
    s->policy = (uint32_t)value;
    s->nice = (int32_t)json_integer_value(json_object_get(scheduler, "nice"));
    s->priority = (uint32_t)json_integer_value(json_object_get(scheduler, "priority"));
    s->runtime = (uint64_t)json_integer_value(json_object_get(scheduler, "runtime"));
    s->deadline = (uint64_t)json_integer_value(json_object_get(scheduler, "deadline"));
    s->period = (uint64_t)json_integer_value(json_object_get(scheduler, "period"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(scheduler, "flags"), i, item)
    {
        int flag = lookup(json_string_value(item), flag_names, flag_values, 3);
        if (flag < 0)
            return husk_error_set(err, 0, "config.json: process.scheduler.flags[%zu]: unknown", i);
        s->flags |= (uint32_t)flag;
    }
    spec->has_scheduler = true;
    return 0;
}

static int parse_io_priority(json_t *io, struct runtime_spec *spec, husk_error_t *err)
{
    static const char *const names[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
    static const int values[] = {IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE};
    const char *class = json_string_value(json_object_get(io, "class"));
    int value = lookup(class, names, values, 3);
    json_int_t level = json_integer_value(json_object_get(io, "priority"));
    if (value < 0 || level < 0 || level > 7)
        return husk_error_set(err, 0,
                              "config.json: process.ioPriority needs a class (IOPRIO_CLASS_RT, "
                              "_BE, _IDLE) and a priority 0-7");
    spec->io_priority = (int)IOPRIO_PRIO_VALUE(value, level);
    return 0;
}

static int parse_offset(json_t *offset, int64_t out[2])
{
    json_t *secs = json_object_get(offset, "secs"), *nanos = json_object_get(offset, "nanosecs");
    if ((secs && !json_is_integer(secs)) || (nanos && !json_is_integer(nanos)) ||
        json_integer_value(nanos) < 0 || json_integer_value(nanos) >= 1000000000)
        return -1;
    out[0] = json_integer_value(secs);
    out[1] = json_integer_value(nanos);
    return 0;
}

int runtime_spec_parse_scheduling(json_t *process, json_t *linux_section, struct runtime_spec *spec,
                                  husk_error_t *err)
{
    spec->io_priority = -1;
    spec->personality = -1;
    json_t *scheduler = json_object_get(process, "scheduler");
    if (scheduler != NULL && parse_scheduler(scheduler, spec, err) < 0)
        return -1;
    json_t *io = json_object_get(process, "ioPriority");
    if (io != NULL && parse_io_priority(io, spec, err) < 0)
        return -1;
    const char *profile = json_string_value(json_object_get(process, "apparmorProfile"));
    spec->apparmor_profile = profile && profile[0] ? xstrdup(profile) : NULL;
    json_t *personality = json_object_get(linux_section, "personality");
    if (personality != NULL) {
        const char *domain = json_string_value(json_object_get(personality, "domain"));
        if (domain == NULL || (strcmp(domain, "LINUX") != 0 && strcmp(domain, "LINUX32") != 0))
            return husk_error_set(err, 0,
                                  "config.json: linux.personality.domain must be LINUX or LINUX32");
        spec->personality = strcmp(domain, "LINUX") == 0 ? PER_LINUX : PER_LINUX32;
    }
    json_t *offsets = json_object_get(linux_section, "timeOffsets");
    if (offsets != NULL) {
        const char *key;
        json_t *value;
        json_object_foreach(offsets, key, value)
        {
            int64_t *out = strcmp(key, "monotonic") == 0  ? spec->monotonic_offset
                           : strcmp(key, "boottime") == 0 ? spec->boottime_offset
                                                          : NULL;
            if (out == NULL || parse_offset(value, out) < 0)
                return husk_error_set(err, 0,
                                      "config.json: linux.timeOffsets.%s: monotonic or boottime "
                                      "with secs and nanosecs (0 to 999999999)",
                                      key);
        }
        spec->has_time_offsets = true;
    }
    return 0;
}
