#include "ps_filter.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static const char *const filter_keys[] = {"id",     "name",     "label",  "status",
                                          "exited", "ancestor", "health", "network",
                                          "volume", "before",   "since"};
static const char *const statuses[] = {"created", "restarting", "running", "removing",
                                       "paused",  "exited",     "dead"};
static const char *const healths[] = {"starting", "healthy", "unhealthy", "none"};

static bool listed(const char *word, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(word, list[i]) == 0)
            return true;
    return false;
}

#define LISTED(word, list) listed((word), (list), sizeof(list) / sizeof((list)[0]))

static int check_value(const char *key, const char *value, husk_error_t *err)
{
    char *end = NULL;
    if (strcmp(key, "status") == 0 && !LISTED(value, statuses))
        return husk_error_set(err, 0, "invalid filter 'status=%s': %s", value,
                              "created, restarting, running, removing, paused, exited or dead");
    if (strcmp(key, "health") == 0 && !LISTED(value, healths))
        return husk_error_set(err, 0, "invalid filter 'health=%s'", value);
    if (strcmp(key, "exited") == 0 && (value[0] == '\0' || (strtol(value, &end, 10), *end)))
        return husk_error_set(err, 0, "invalid filter 'exited=%s': not a number", value);
    regex_t re;
    if (strcmp(key, "name") == 0) {
        if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
            return husk_error_set(err, 0, "invalid filter 'name=%s': not a regular expression",
                                  value);
        regfree(&re);
    }
    return 0;
}

int ps_filter_parse(const char **texts, size_t count, json_t **filters, husk_error_t *err)
{
    cleanup_json json_t *parsed = json_object();
    for (size_t i = 0; i < count; i++) {
        const char *equals = strchr(texts[i], '=');
        if (equals == NULL)
            return husk_error_set(err, 0, "bad format of filter (expected name=value): %s",
                                  texts[i]);
        cleanup_free char *key = xstrndup(texts[i], (size_t)(equals - texts[i]));
        if (!LISTED(key, filter_keys))
            return husk_error_set(err, 0, "invalid filter '%s'", key);
        if (check_value(key, equals + 1, err) < 0)
            return -1;
        json_t *values = json_object_get(parsed, key);
        if (values == NULL)
            json_object_set_new(parsed, key, values = json_array());
        json_array_append_new(values, json_string(equals + 1));
    }
    *filters = steal_pointer(&parsed);
    return 0;
}

static const char *field(json_t *document, const char *object, const char *key)
{
    json_t *holder = object ? json_object_get(document, object) : document;
    return json_string_value(json_object_get(holder, key)) ?: "";
}

static bool name_matches(json_t *document, const char *pattern)
{
    const char *name = field(document, NULL, "Name");
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool hit = regexec(&re, name[0] == '/' ? name + 1 : name, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

static bool label_matches(json_t *document, const char *wanted)
{
    json_t *labels = json_object_get(json_object_get(document, "Config"), "Labels");
    const char *equals = strchr(wanted, '=');
    cleanup_free char *key = equals ? xstrndup(wanted, (size_t)(equals - wanted)) : xstrdup(wanted);
    json_t *value = json_object_get(labels, key);
    return value != NULL && (equals == NULL || strcmp(json_string_value(value), equals + 1) == 0);
}

/* "busybox" is "busybox:latest"; a registry's port is no tag. */
static char *with_tag(const char *reference)
{
    const char *slash = strrchr(reference, '/');
    const char *last = slash ? slash + 1 : reference;
    bool tagged = strchr(last, ':') != NULL || strchr(reference, '@') != NULL;
    return tagged ? xstrdup(reference) : xasprintf("%s:latest", reference);
}

static bool ancestor_matches(json_t *document, const char *image)
{
    cleanup_free char *name = with_tag(field(document, "Config", "Image"));
    cleanup_free char *wanted_name = with_tag(image);
    const char *id = field(document, NULL, "Image");
    const char *hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
    const char *wanted = strncmp(image, "sha256:", 7) == 0 ? image + 7 : image;
    return strcmp(name, wanted_name) == 0 ||
           (strlen(wanted) >= 4 && strncmp(hex, wanted, strlen(wanted)) == 0);
}

static bool volume_matches(json_t *document, const char *volume)
{
    size_t i;
    json_t *mount;
    json_array_foreach(json_object_get(document, "Mounts"), i, mount)
    {
        if (strcmp(field(mount, NULL, "Name"), volume) == 0 ||
            strcmp(field(mount, NULL, "Destination"), volume) == 0 ||
            strcmp(field(mount, NULL, "Source"), volume) == 0)
            return true;
    }
    return false;
}

/* The record a before=/since= value names: a name, an ID or its prefix. */
static json_t *find_container(json_t *all, const char *reference)
{
    size_t i;
    json_t *document;
    json_array_foreach(all, i, document)
    {
        const char *name = field(document, NULL, "Name");
        if (strcmp(name[0] == '/' ? name + 1 : name, reference) == 0 ||
            strncmp(field(document, NULL, "Id"), reference, strlen(reference)) == 0)
            return document;
    }
    return NULL;
}

static bool created_relative(json_t *document, json_t *all, const char *reference, bool before)
{
    json_t *other = find_container(all, reference);
    if (other == NULL)
        return false;
    int order = strcmp(field(document, NULL, "Created"), field(other, NULL, "Created"));
    return before ? order < 0 : order > 0;
}

static bool health_matches(json_t *document, const char *wanted)
{
    json_t *health = json_object_get(json_object_get(document, "State"), "Health");
    const char *status = json_string_value(json_object_get(health, "Status"));
    return strcmp(status ? status : "none", wanted) == 0;
}

static bool one_matches(const char *key, const char *value, json_t *document, json_t *all)
{
    json_t *state = json_object_get(document, "State");
    if (strcmp(key, "id") == 0)
        return strncmp(field(document, NULL, "Id"), value, strlen(value)) == 0;
    if (strcmp(key, "name") == 0)
        return name_matches(document, value);
    if (strcmp(key, "label") == 0)
        return label_matches(document, value);
    if (strcmp(key, "status") == 0)
        return strcmp(field(document, "State", "Status"), value) == 0;
    if (strcmp(key, "exited") == 0)
        return strcmp(field(document, "State", "Status"), "exited") == 0 &&
               json_integer_value(json_object_get(state, "ExitCode")) == strtol(value, NULL, 10);
    if (strcmp(key, "ancestor") == 0)
        return ancestor_matches(document, value);
    if (strcmp(key, "health") == 0)
        return health_matches(document, value);
    if (strcmp(key, "network") == 0)
        return json_object_get(
                   json_object_get(json_object_get(document, "NetworkSettings"), "Networks"),
                   value) != NULL;
    if (strcmp(key, "volume") == 0)
        return volume_matches(document, value);
    return created_relative(document, all, value, strcmp(key, "before") == 0);
}

bool ps_filter_match(json_t *filters, json_t *document, json_t *all)
{
    const char *key;
    json_t *values;
    json_object_foreach(filters, key, values)
    {
        bool every = strcmp(key, "label") == 0, any = false, all_hit = true;
        size_t i;
        json_t *value;
        json_array_foreach(values, i, value)
        {
            bool hit = one_matches(key, json_string_value(value), document, all);
            any = any || hit;
            all_hit = all_hit && hit;
        }
        if (every ? !all_hit : !any)
            return false;
    }
    return true;
}

bool ps_filter_wants_all(json_t *filters)
{
    if (json_object_get(filters, "exited") != NULL)
        return true;
    size_t i;
    json_t *value;
    json_array_foreach(json_object_get(filters, "status"), i, value)
    {
        if (strcmp(json_string_value(value), "running") != 0)
            return true;
    }
    return false;
}
