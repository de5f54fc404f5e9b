#include "events.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../util/cleanup.h"
#include "../record.h"
#include "event_line.h"
#include "journal.h"

void engine_event(const struct engine_context *context, const char *type, const char *action,
                  const char *actor_id, json_t *attributes)
{
    /* Taken: freed on every return. */
    cleanup_json __attribute__((unused)) json_t *owned = attributes;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char line[EVENT_LINE_MAX];
    size_t length = event_line_format(type, action, actor_id, attributes, &now, line);
    if (length == 0)
        return;
    cleanup_free char *directory = journal_directory(context, 1);
    if (journal_append(directory, line, length) < 0) {
        /* Dropped: see events.h. */
    }
}

json_t *engine_event_container_attributes(json_t *record)
{
    json_t *attributes = json_object();
    json_t *config = json_object_get(record, "Config");
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(config, "Labels"), key, value)
    {
        if (json_is_string(value))
            json_object_set(attributes, key, value);
    }
    /* As docker: image and name win over labels of the same keys. */
    const char *image = json_string_value(json_object_get(config, "Image"));
    const char *name = json_string_value(json_object_get(record, "Name"));
    if (image != NULL)
        json_object_set_new(attributes, "image", json_string(image));
    if (name != NULL)
        json_object_set_new(attributes, "name", json_string(name[0] == '/' ? name + 1 : name));
    return attributes;
}

void engine_event_container(const struct engine_context *context, const char *action,
                            json_t *record, json_t *extra)
{
    json_t *attributes = engine_event_container_attributes(record);
    if (extra != NULL)
        json_object_update(attributes, extra);
    json_decref(extra);
    engine_event(context, "container", action, json_string_value(json_object_get(record, "Id")),
                 attributes);
}

/* Whole seconds since State.StartedAt, as docker's execDuration; -1 if unknown. */
static long long exec_duration(json_t *record)
{
    const char *started =
        json_string_value(json_object_get(json_object_get(record, "State"), "StartedAt"));
    struct tm tm = {0};
    if (started == NULL || strptime(started, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return -1;
    time_t start = timegm(&tm);
    time_t now = time(NULL);
    return start > 0 && now >= start ? (long long)(now - start) : -1;
}

void engine_event_container_exit(const struct engine_context *context, json_t *record)
{
    json_t *state = json_object_get(record, "State");
    if (json_is_true(json_object_get(state, "OOMKilled")))
        engine_event_container(context, "oom", record, NULL);
    json_t *extra = json_object();
    json_object_set_new(
        extra, "exitCode",
        json_sprintf("%lld", (long long)json_integer_value(json_object_get(state, "ExitCode"))));
    long long duration = exec_duration(record);
    if (duration >= 0)
        json_object_set_new(extra, "execDuration", json_sprintf("%lld", duration));
    engine_event_container(context, "die", record, extra);
}

void engine_event_container_id(const struct engine_context *context, const char *action,
                               const char *id, json_t *extra)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0) {
        json_decref(extra);
        return;
    }
    engine_event_container(context, action, handle.record, extra);
    container_close(&handle);
}

void engine_event_network(const struct engine_context *context, const char *action, const char *id,
                          const char *name, const char *container_id)
{
    json_t *attributes = json_pack("{s:s, s:s}", "name", name, "type", "bridge");
    if (container_id != NULL)
        json_object_set_new(attributes, "container", json_string(container_id));
    engine_event(context, "network", action, id, attributes);
}

void engine_event_volume(const struct engine_context *context, const char *action, const char *name)
{
    engine_event(context, "volume", action, name, json_pack("{s:s}", "driver", "local"));
}

void engine_event_image(const struct engine_context *context, const char *action, const char *actor,
                        const char *name)
{
    engine_event(context, "image", action, actor,
                 name != NULL ? json_pack("{s:s}", "name", name) : NULL);
}
