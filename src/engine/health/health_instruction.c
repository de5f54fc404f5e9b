#include "health_instruction.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "health_config.h"

static const struct {
    const char *option;
    const char *key;
} duration_options[] = {
    {"interval", "Interval"},
    {"timeout", "Timeout"},
    {"start-period", "StartPeriod"},
    {"start-interval", "StartInterval"},
};

/* One "--NAME=VALUE" into CHECK. */
static int apply_option(json_t *check, const char *name, size_t length, const char *value,
                        husk_error_t *err)
{
    for (size_t i = 0; i < sizeof(duration_options) / sizeof(duration_options[0]); i++) {
        if (strlen(duration_options[i].option) != length ||
            strncmp(name, duration_options[i].option, length) != 0)
            continue;
        int64_t ns;
        if (health_duration_parse(value, &ns) < 0 || ns < 0 || (ns > 0 && ns < 1000000))
            return husk_error_set(err, 0, "HEALTHCHECK: invalid --%s \"%s\"",
                                  duration_options[i].option, value);
        json_object_set_new(check, duration_options[i].key, json_integer(ns));
        return 0;
    }
    char *end;
    long retries = strtol(value, &end, 10);
    if (length == 7 && strncmp(name, "retries", 7) == 0) {
        if (end == value || *end != '\0' || retries < 0 || retries > 1000000)
            return husk_error_set(err, 0, "HEALTHCHECK: invalid --retries \"%s\"", value);
        json_object_set_new(check, "Retries", json_integer(retries));
        return 0;
    }
    return husk_error_set(err, 0, "HEALTHCHECK: unknown option --%.*s", (int)length, name);
}

static json_t *test_of(const char *command, husk_error_t *err)
{
    if (command[0] == '[') {
        json_t *list = json_loads(command, 0, NULL);
        size_t i;
        json_t *item;
        bool strings = json_is_array(list) && json_array_size(list) > 0;
        json_array_foreach(list, i, item) strings = strings && json_is_string(item);
        if (!strings) {
            json_decref(list);
            husk_error_set(err, 0, "HEALTHCHECK: CMD %s is not a list of strings", command);
            return NULL;
        }
        json_array_insert_new(list, 0, json_string("CMD"));
        return list;
    }
    if (command[0] == '\0') {
        husk_error_set(err, 0, "HEALTHCHECK: CMD needs a command");
        return NULL;
    }
    return json_pack("[s, s]", "CMD-SHELL", command);
}

json_t *health_instruction_parse(const char *argument, husk_error_t *err)
{
    cleanup_json json_t *check = json_object();
    const char *p = argument;
    while (strncmp(p, "--", 2) == 0) {
        const char *name = p + 2, *equals = strchr(name, '=');
        size_t word = strcspn(p, " \t");
        if (equals == NULL || equals > p + word) {
            husk_error_set(err, 0, "HEALTHCHECK: option %.*s needs =VALUE", (int)word, p);
            return NULL;
        }
        cleanup_free char *value = xstrndup(equals + 1, (size_t)(p + word - equals - 1));
        if (apply_option(check, name, (size_t)(equals - name), value, err) < 0)
            return NULL;
        for (p += word; isspace((unsigned char)*p); p++)
            ;
    }
    size_t word = strcspn(p, " \t");
    const char *rest = p + word + strspn(p + word, " \t");
    json_t *test = NULL;
    if (word == 4 && strncasecmp(p, "NONE", 4) == 0 && *rest == '\0')
        test = json_pack("[s]", "NONE");
    else if (word == 3 && strncasecmp(p, "CMD", 3) == 0)
        test = test_of(rest, err);
    else
        husk_error_set(err, 0, "HEALTHCHECK: use [OPTIONS] CMD command, or NONE");
    if (test == NULL)
        return NULL;
    json_object_set_new(check, "Test", test);
    return json_incref(check);
}

int health_change_apply(json_t *config, const char *argument, husk_error_t *err)
{
    json_t *check = health_instruction_parse(argument, err);
    if (check == NULL)
        return -1;
    json_object_set_new(config, "Healthcheck", check);
    return 0;
}
