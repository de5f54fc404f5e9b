#include "environment.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

int environment_option_parse(const char *option, char **out, husk_error_t *err)
{
    *out = NULL;
    if (option == NULL || option[0] == '\0' || option[0] == '=')
        return husk_error_set(err, 0, "invalid environment variable \"%s\": use KEY=VALUE or KEY",
                              option ? option : "");
    for (const char *c = option; *c && *c != '='; c++)
        if (*c == ' ' || *c == '\t' || *c == '\n')
            return husk_error_set(
                err, 0, "invalid environment variable \"%s\": white space in the key", option);
    if (strchr(option, '=') != NULL) {
        *out = xstrdup(option);
        return 0;
    }
    const char *value = getenv(option);
    if (value != NULL)
        *out = xasprintf("%s=%s", option, value);
    return 0;
}

static size_t key_length(const char *entry)
{
    const char *equals = strchr(entry, '=');
    return equals ? (size_t)(equals - entry) : strlen(entry);
}

static int find_key(json_t *env, const char *key, size_t length)
{
    size_t i;
    json_t *item;
    json_array_foreach(env, i, item)
    {
        const char *existing = json_string_value(item);
        if (existing && key_length(existing) == length && strncmp(existing, key, length) == 0)
            return (int)i;
    }
    return -1;
}

void environment_set(json_t *env, const char *entry)
{
    int index = find_key(env, entry, key_length(entry));
    if (index >= 0)
        json_array_set_new(env, (size_t)index, json_string(entry));
    else
        json_array_append_new(env, json_string(entry));
}

int environment_has(json_t *env, const char *key)
{
    return find_key(env, key, strlen(key)) >= 0;
}
