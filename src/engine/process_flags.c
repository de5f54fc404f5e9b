#include "process_flags.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "spec_builder.h"

/* "net_admin", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN" in OUT; false if unknown. */
static bool capability_name(const char *name, char out[64])
{
    const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
    int n = snprintf(out, 64, "CAP_%s", bare);
    if (n <= 4 || n >= 64)
        return false;
    for (char *c = out; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    return runtime_capability_from_name(out) >= 0;
}

static bool listed(const char **names, size_t count, const char *wanted)
{
    for (size_t i = 0; i < count; i++)
        if (strcasecmp(names[i], wanted) == 0)
            return true;
    return false;
}

static void remove_name(json_t *list, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), name) == 0)
            json_array_remove(list, i--);
}

static bool has_name(json_t *list, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), name) == 0)
            return true;
    return false;
}

int process_flags_capabilities(const struct run_options *o, json_t **list, husk_error_t *err)
{
    char name[64];
    for (size_t i = 0; i < o->cap_add_count + o->cap_drop_count; i++) {
        bool add = i < o->cap_add_count;
        const char *given = add ? o->cap_add[i] : o->cap_drop[i - o->cap_add_count];
        if (strcasecmp(given, "ALL") != 0 && !capability_name(given, name))
            return husk_error_set(err, 0, "unknown capability \"%s\" in --cap-%s", given,
                                  add ? "add" : "drop");
    }
    bool all = o->privileged || listed(o->cap_add, o->cap_add_count, "ALL");
    *list = spec_capability_list(all);
    if (listed(o->cap_drop, o->cap_drop_count, "ALL"))
        json_array_clear(*list);
    for (size_t i = 0; i < o->cap_drop_count; i++)
        if (capability_name(o->cap_drop[i], name))
            remove_name(*list, name);
    for (size_t i = 0; i < o->cap_add_count; i++)
        if (capability_name(o->cap_add[i], name) && !has_name(*list, name))
            json_array_append_new(*list, json_string(name));
    return 0;
}

/* "-1" and "unlimited" are RLIM_INFINITY, as docker takes them. */
static bool rlimit_value(const char *text, size_t length, json_int_t *value)
{
    char buffer[32];
    if (length == 0 || length >= sizeof(buffer))
        return false;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
    if (strcmp(buffer, "-1") == 0 || strcmp(buffer, "unlimited") == 0) {
        *value = -1; /* all bits set: RLIM_INFINITY as a uint64 */
        return true;
    }
    char *end;
    errno = 0;
    long long number = strtoll(buffer, &end, 10);
    *value = number;
    return errno == 0 && *end == '\0' && number >= 0;
}

int process_flags_rlimits(const struct run_options *o, json_t **list, husk_error_t *err)
{
    *list = NULL;
    if (o->ulimit_count == 0)
        return 0;
    cleanup_json json_t *rlimits = json_array();
    for (size_t i = 0; i < o->ulimit_count; i++) {
        const char *text = o->ulimits[i];
        const char *equals = strchr(text, '=');
        const char *colon = equals ? strchr(equals + 1, ':') : NULL;
        char type[40] = "RLIMIT_";
        size_t name_length = equals ? (size_t)(equals - text) : 0;
        if (name_length == 0 || name_length > 20)
            return husk_error_set(err, 0, "--ulimit %s: not NAME=SOFT[:HARD]", text);
        for (size_t k = 0; k < name_length; k++)
            type[7 + k] = (char)toupper((unsigned char)text[k]);
        type[7 + name_length] = '\0';
        json_int_t soft, hard;
        const char *soft_text = equals + 1;
        size_t soft_length = colon ? (size_t)(colon - soft_text) : strlen(soft_text);
        if (!rlimit_value(soft_text, soft_length, &soft) ||
            !rlimit_value(colon ? colon + 1 : soft_text, colon ? strlen(colon + 1) : soft_length,
                          &hard))
            return husk_error_set(err, 0, "--ulimit %s: limits are numbers (-1: unlimited)", text);
        if ((uint64_t)soft > (uint64_t)hard)
            return husk_error_set(err, 0, "--ulimit %s: the soft limit is above the hard one",
                                  text);
        for (size_t k = 0; k < json_array_size(rlimits); k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(rlimits, k), "type")),
                       type) == 0)
                json_array_remove(rlimits, k--); /* the last one given counts */
        json_array_append_new(
            rlimits, json_pack("{s:s, s:I, s:I}", "type", type, "soft", soft, "hard", hard));
    }
    /* The runtime's parser knows the names. */
    cleanup_json json_t *probe = json_pack("{s:{s:[s], s:s, s:O}}", "process", "args", "true",
                                           "cwd", "/", "rlimits", rlimits);
    json_object_set_new(probe, "root", json_pack("{s:s}", "path", "/"));
    struct runtime_spec *spec = NULL;
    husk_error_t parse_error = NULL;
    if (runtime_spec_parse(probe, NULL, &spec, &parse_error) < 0) {
        cleanup_free char *text = husk_error_text(parse_error);
        husk_error_free(&parse_error);
        const char *unknown = strstr(text ? text : "", "unknown RLIMIT_");
        return husk_error_set(err, 0, "--ulimit: unknown limit %s",
                              unknown ? unknown + 15 : "name");
    }
    runtime_spec_free(spec);
    *list = json_incref(rlimits);
    return 0;
}

int process_flags_oom_score_adj(const struct run_options *o, bool *given, int *value,
                                husk_error_t *err)
{
    *given = o->oom_score_adj != NULL;
    if (!*given)
        return 0;
    char *end;
    long number = strtol(o->oom_score_adj, &end, 10);
    if (*o->oom_score_adj == '\0' || *end != '\0' || number < -1000 || number > 1000)
        return husk_error_set(err, 0, "--oom-score-adj %s: a number from -1000 to 1000",
                              o->oom_score_adj);
    *value = (int)number;
    return 0;
}
