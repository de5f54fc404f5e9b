#include "image_changes.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "environment.h"
#include "health/health_instruction.h"

/* The JSON form ["a", "b"], else the shell form: ["/bin/sh", "-c", TEXT]. */
static json_t *command_of(const char *text, husk_error_t *err)
{
    json_t *parsed = text[0] == '[' ? json_loads(text, 0, NULL) : NULL;
    if (parsed != NULL) {
        size_t i;
        json_t *item;
        json_array_foreach(parsed, i, item) if (!json_is_string(item))
        {
            json_decref(parsed);
            husk_error_set(err, 0, "%s: a command list holds only strings", text);
            return NULL;
        }
        if (json_is_array(parsed))
            return parsed;
        json_decref(parsed);
    }
    return json_pack("[s, s, s]", "/bin/sh", "-c", text);
}

static char **words_of(const char *text)
{
    size_t count = 0;
    char **words = xcalloc(strlen(text) / 2 + 2, sizeof(char *));
    const char *p = text;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        words[count++] = xstrndup(start, (size_t)(p - start));
    }
    return words;
}

/* ENV/LABEL: "K=V K2=V2", or the old form "K V" (one pair). */
static int set_pairs(json_t *config, const char *key, const char *text, husk_error_t *err)
{
    bool env = strcmp(key, "Env") == 0;
    json_t *target = json_object_get(config, key);
    if (target == NULL) {
        target = env ? json_array() : json_object();
        json_object_set_new(config, key, target);
    }
    cleanup_strv char **words = words_of(text);
    if (words[0] == NULL)
        return husk_error_set(err, 0, "%s needs at least one pair", env ? "ENV" : "LABEL");
    bool old_form = strchr(words[0], '=') == NULL;
    for (size_t i = 0; words[i] != NULL; i++) {
        cleanup_free char *pair = NULL;
        if (old_form) {
            const char *value = text + strspn(text, " \t");
            value += strlen(words[0]);
            value += strspn(value, " \t");
            pair = xasprintf("%s=%s", words[0], value);
        } else {
            pair = xstrdup(words[i]);
        }
        char *equals = strchr(pair, '=');
        if (equals == NULL || equals == pair)
            return husk_error_set(err, 0, "%s: \"%s\" is not KEY=VALUE", env ? "ENV" : "LABEL",
                                  pair);
        if (env) {
            environment_set(target, pair);
        } else {
            *equals = '\0';
            json_object_set_new(target, pair, json_string(equals + 1));
        }
        if (old_form)
            break;
    }
    return 0;
}

static int set_ports(json_t *config, const char *text, husk_error_t *err)
{
    json_t *ports = json_object_get(config, "ExposedPorts");
    if (ports == NULL) {
        ports = json_object();
        json_object_set_new(config, "ExposedPorts", ports);
    }
    cleanup_strv char **words = words_of(text);
    for (size_t i = 0; words[i] != NULL; i++) {
        char *end = NULL;
        long port = strtol(words[i], &end, 10);
        const char *protocol = *end == '/' ? end + 1 : *end == '\0' ? "tcp" : NULL;
        if (end == words[i] || port < 1 || port > 65535 || protocol == NULL ||
            (strcmp(protocol, "tcp") != 0 && strcmp(protocol, "udp") != 0 &&
             strcmp(protocol, "sctp") != 0))
            return husk_error_set(err, 0, "EXPOSE: invalid port \"%s\"", words[i]);
        cleanup_free char *key = xasprintf("%ld/%s", port, protocol);
        json_object_set_new(ports, key, json_object());
    }
    return 0;
}

static int set_volumes(json_t *config, const char *text, husk_error_t *err)
{
    json_t *volumes = json_object_get(config, "Volumes");
    if (volumes == NULL) {
        volumes = json_object();
        json_object_set_new(config, "Volumes", volumes);
    }
    cleanup_json json_t *list = text[0] == '[' ? json_loads(text, 0, NULL) : NULL;
    cleanup_strv char **words = list ? NULL : words_of(text);
    size_t count = list ? json_array_size(list) : 0;
    for (size_t i = 0; list ? i < count : words[i] != NULL; i++) {
        const char *path = list ? json_string_value(json_array_get(list, i)) : words[i];
        if (path == NULL || path[0] != '/')
            return husk_error_set(err, 0, "VOLUME: \"%s\" is not an absolute path",
                                  path ? path : "");
        json_object_set_new(volumes, path, json_object());
    }
    return 0;
}

int image_change_apply(json_t *config, const char *change, husk_error_t *err)
{
    while (isspace((unsigned char)*change))
        change++;
    size_t length = strcspn(change, " \t");
    const char *argument = change + length;
    argument += strspn(argument, " \t");
    if (argument[0] == '\0')
        return husk_error_set(err, 0, "--change \"%s\": the instruction needs an argument", change);
    cleanup_free char *instruction = xstrndup(change, length);
    if (strcasecmp(instruction, "CMD") == 0 || strcasecmp(instruction, "ENTRYPOINT") == 0) {
        json_t *command = command_of(argument, err);
        if (command == NULL)
            return -1;
        json_object_set_new(config, strcasecmp(instruction, "CMD") == 0 ? "Cmd" : "Entrypoint",
                            command);
        return 0;
    }
    if (strcasecmp(instruction, "ENV") == 0)
        return set_pairs(config, "Env", argument, err);
    if (strcasecmp(instruction, "LABEL") == 0)
        return set_pairs(config, "Labels", argument, err);
    if (strcasecmp(instruction, "EXPOSE") == 0)
        return set_ports(config, argument, err);
    if (strcasecmp(instruction, "VOLUME") == 0)
        return set_volumes(config, argument, err);
    if (strcasecmp(instruction, "HEALTHCHECK") == 0)
        return health_change_apply(config, argument, err);
    static const struct {
        const char *instruction, *key;
    } strings[] = {{"WORKDIR", "WorkingDir"}, {"USER", "User"}, {"STOPSIGNAL", "StopSignal"}};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (strcasecmp(instruction, strings[i].instruction) == 0) {
            if (strcmp(strings[i].key, "WorkingDir") == 0 && argument[0] != '/')
                return husk_error_set(err, 0, "WORKDIR: \"%s\" is not an absolute path", argument);
            json_object_set_new(config, strings[i].key, json_string(argument));
            return 0;
        }
    return husk_error_set(err, 0,
                          "--change: \"%s\" is not an instruction husk applies (CMD, ENTRYPOINT, "
                          "ENV, EXPOSE, HEALTHCHECK, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)",
                          instruction);
}
