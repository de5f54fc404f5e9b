#include "restart_policy.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum {
    RESTART_FIRST_DELAY_MS = 100,
    RESTART_MAX_DELAY_MS = 60 * 1000,
    RESTART_RESET_AFTER_MS = 10 * 1000,
};

static const char *const policy_names[] = {
    [RESTART_NO] = "no",
    [RESTART_ALWAYS] = "always",
    [RESTART_UNLESS_STOPPED] = "unless-stopped",
    [RESTART_ON_FAILURE] = "on-failure",
};

const char *restart_policy_name_text(enum restart_policy_name name)
{
    return policy_names[name];
}

static int parse_name(const char *text, size_t length, enum restart_policy_name *name)
{
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
        if (strlen(policy_names[i]) == length && strncmp(text, policy_names[i], length) == 0) {
            *name = (enum restart_policy_name)i;
            return 0;
        }
    return -1;
}

static int parse_count(const char *text, const char *count, long *value, husk_error_t *err)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(count, &end, 10);
    if (count[0] == '\0' || *end != '\0' || errno != 0 || n > INT_MAX)
        return husk_error_set(err, 0, "invalid restart policy \"%s\": bad retry count", text);
    if (n < 0)
        return husk_error_set(err, 0,
                              "invalid restart policy \"%s\": maximum retry count "
                              "cannot be negative",
                              text);
    *value = n;
    return 0;
}

int restart_policy_parse(const char *text, struct restart_policy *policy, husk_error_t *err)
{
    const char *colon = strchr(text, ':');
    size_t length = colon ? (size_t)(colon - text) : strlen(text);
    *policy = (struct restart_policy){.name = RESTART_NO};
    if (parse_name(text, length, &policy->name) < 0)
        return husk_error_set(err, 0,
                              "invalid restart policy \"%s\": no, always, unless-stopped or "
                              "on-failure[:MAX-RETRIES]",
                              text);
    if (colon == NULL)
        return 0;
    if (policy->name != RESTART_ON_FAILURE)
        return husk_error_set(err, 0,
                              "invalid restart policy \"%s\": maximum retry count cannot be used "
                              "with restart policy '%s'",
                              text, policy_names[policy->name]);
    return parse_count(text, colon + 1, &policy->maximum_retries, err);
}

json_t *restart_policy_to_json(const struct restart_policy *policy)
{
    return json_pack("{s:s, s:I}", "Name", policy_names[policy->name], "MaximumRetryCount",
                     (json_int_t)policy->maximum_retries);
}

void restart_policy_from_record(json_t *record, struct restart_policy *policy)
{
    json_t *given = json_object_get(json_object_get(record, "HostConfig"), "RestartPolicy");
    const char *name = json_string_value(json_object_get(given, "Name"));
    *policy = (struct restart_policy){.name = RESTART_NO};
    if (name == NULL || parse_name(name, strlen(name), &policy->name) < 0)
        return;
    json_int_t count = json_integer_value(json_object_get(given, "MaximumRetryCount"));
    policy->maximum_retries = count > 0 && count <= INT_MAX ? (long)count : 0;
}

bool restart_policy_wants_restart(const struct restart_policy *policy,
                                  const struct restart_facts *facts)
{
    if (facts->manually_stopped || facts->removing)
        return false;
    switch (policy->name) {
    case RESTART_ALWAYS:
    case RESTART_UNLESS_STOPPED:
        return true;
    case RESTART_ON_FAILURE:
        return facts->exit_code != 0 &&
               (policy->maximum_retries == 0 || facts->restart_count < policy->maximum_retries);
    case RESTART_NO:
        break;
    }
    return false;
}

uint64_t restart_delay_ms(uint64_t previous_ms, uint64_t ran_for_ms)
{
    if (previous_ms == 0 || ran_for_ms >= RESTART_RESET_AFTER_MS)
        return RESTART_FIRST_DELAY_MS;
    uint64_t next = previous_ms * 2;
    return next > RESTART_MAX_DELAY_MS ? RESTART_MAX_DELAY_MS : next;
}
