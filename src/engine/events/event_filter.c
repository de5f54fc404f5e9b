#include "event_filter.h"

#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

static const char *const filter_keys[] = {"type",  "container", "event",   "image",
                                          "label", "volume",    "network", "scope"};
/* docker's object types: those husk never writes are valid and match nothing. */
static const char *const types[] = {"container", "image", "volume",  "network", "daemon",
                                    "plugin",    "node",  "service", "secret",  "config"};

static bool listed(const char *word, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(word, list[i]) == 0)
            return true;
    return false;
}

#define LISTED(word, list) listed((word), (list), sizeof(list) / sizeof((list)[0]))

int event_filter_parse(const char *const *texts, size_t count, json_t **filters, husk_error_t *err)
{
    cleanup_json json_t *parsed = json_object();
    for (size_t i = 0; i < count; i++) {
        const char *equals = strchr(texts[i], '=');
        if (equals == NULL)
            return husk_error_set(err, 0, "bad format of filter (expected name=value): %s",
                                  texts[i]);
        cleanup_free char *key = xstrndup(texts[i], (size_t)(equals - texts[i]));
        const char *value = equals + 1;
        if (!LISTED(key, filter_keys))
            return husk_error_set(err, 0, "invalid filter '%s'", key);
        if ((strcmp(key, "type") == 0 && !LISTED(value, types)) ||
            (strcmp(key, "scope") == 0 && strcmp(value, "local") != 0 &&
             strcmp(value, "swarm") != 0))
            return husk_error_set(err, 0, "invalid filter '%s'", texts[i]);
        json_t *values = json_object_get(parsed, key);
        if (values == NULL)
            json_object_set_new(parsed, key, values = json_array());
        json_array_append_new(values, json_string(value));
    }
    *filters = steal_pointer(&parsed);
    return 0;
}

static const char *text(json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key)) ?: "";
}

static bool exact(json_t *filters, const char *key, const char *value)
{
    json_t *values = json_object_get(filters, key), *wanted;
    size_t i;
    if (values == NULL)
        return true;
    json_array_foreach(values, i, wanted)
    {
        if (strcmp(json_string_value(wanted), value) == 0)
            return true;
    }
    return false;
}

/* docker's FuzzyMatch: the value equals, or is a prefix of, SOURCE. */
static bool fuzzy(json_t *filters, const char *key, const char *source)
{
    json_t *values = json_object_get(filters, key), *wanted;
    size_t i;
    if (values == NULL)
        return true;
    json_array_foreach(values, i, wanted)
    {
        const char *prefix = json_string_value(wanted);
        if (strncmp(source, prefix, strlen(prefix)) == 0)
            return true;
    }
    return false;
}

/* For a key naming an object type: the event is of that type and its
 * actor's ID or name matches; events of other types do not pass. */
static bool actor_matches(json_t *filters, const char *key, json_t *event)
{
    if (json_object_get(filters, key) == NULL)
        return true;
    json_t *actor = json_object_get(event, "Actor");
    const char *name = text(json_object_get(actor, "Attributes"), "name");
    return strcmp(text(event, "Type"), key) == 0 &&
           (fuzzy(filters, key, text(actor, "ID")) || (name[0] && fuzzy(filters, key, name)));
}

/* "busybox:1.36" -> "busybox"; a port's colon ("host:5000/x") stays. */
static char *strip_tag(const char *reference)
{
    const char *colon = strrchr(reference, ':');
    const char *slash = strrchr(reference, '/');
    if (colon == NULL || (slash != NULL && colon < slash) || strchr(reference, '@') != NULL)
        return xstrdup(reference);
    return xstrndup(reference, (size_t)(colon - reference));
}

static bool image_matches(json_t *filters, json_t *event)
{
    if (json_object_get(filters, "image") == NULL)
        return true;
    json_t *actor = json_object_get(event, "Actor");
    bool image = strcmp(text(event, "Type"), "image") == 0;
    const char *id = text(actor, "ID");
    const char *name = text(json_object_get(actor, "Attributes"), image ? "name" : "image");
    cleanup_free char *bare_id = strip_tag(id), *bare_name = strip_tag(name);
    return (image && exact(filters, "image", id)) || (name[0] && exact(filters, "image", name)) ||
           (image && exact(filters, "image", bare_id)) ||
           (name[0] && exact(filters, "image", bare_name));
}

/* Every label= value must be there: KEY, or KEY=VALUE exactly. */
static bool labels_match(json_t *filters, json_t *event)
{
    json_t *attributes = json_object_get(json_object_get(event, "Actor"), "Attributes");
    json_t *wanted;
    size_t i;
    json_array_foreach(json_object_get(filters, "label"), i, wanted)
    {
        const char *label = json_string_value(wanted);
        const char *equals = strchr(label, '=');
        cleanup_free char *key = equals ? xstrndup(label, (size_t)(equals - label)) : NULL;
        json_t *value = json_object_get(attributes, key ? key : label);
        if (!json_is_string(value) || (equals && strcmp(json_string_value(value), equals + 1) != 0))
            return false;
    }
    return true;
}

/* As docker: event=health_status (also exec_create, exec_start) matches the
 * actions that carry a detail after a colon ("health_status: healthy"). */
static bool action_matches(json_t *filters, const char *action)
{
    static const char *const prefixed[] = {"health_status", "exec_create", "exec_start"};
    json_t *wanted;
    size_t i;
    json_array_foreach(json_object_get(filters, "event"), i, wanted)
    {
        if (LISTED(json_string_value(wanted), prefixed))
            return fuzzy(filters, "event", action);
    }
    return exact(filters, "event", action);
}

bool event_filter_match(json_t *filters, json_t *event)
{
    return action_matches(filters, text(event, "Action")) &&
           exact(filters, "type", text(event, "Type")) &&
           exact(filters, "scope", text(event, "scope")) &&
           actor_matches(filters, "container", event) && actor_matches(filters, "volume", event) &&
           actor_matches(filters, "network", event) && image_matches(filters, event) &&
           labels_match(filters, event);
}
