#include "inspect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "exit_wait.h"
#include "namespaces.h"
#include "record.h"

/* The same keys in the same order for every container, as docker prints
 * them, whatever order the record was written in; what the record keeps for
 * husk's own use (PidStartTime, MonitorPid, ...) is not part of the shape. */
static json_t *state_in_docker_order(json_t *state)
{
    static const char *const keys[] = {"Status",    "Running",    "Paused",   "Restarting",
                                       "OOMKilled", "Pid",        "ExitCode", "Error",
                                       "StartedAt", "FinishedAt", "Health"};
    json_t *ordered = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *value = json_object_get(state, keys[i]);
        bool flag = strcmp(keys[i], "Paused") == 0 || strcmp(keys[i], "OOMKilled") == 0 ||
                    strcmp(keys[i], "Restarting") == 0;
        if (value != NULL)
            json_object_set(ordered, keys[i], value);
        else if (flag)
            json_object_set_new(ordered, keys[i], json_false());
    }
    return ordered;
}

/* What the record keeps for husk's own use out of docker's shape: the
 * address a stopped container had on each network (tried first when it
 * starts again) and whether the user stopped it (ends its restart policy). */
static void hide_husk_keys(json_t *document)
{
    const char *name;
    json_t *endpoint;
    json_object_foreach(json_object_get(json_object_get(document, "NetworkSettings"), "Networks"),
                        name, endpoint)
    {
        json_object_del(endpoint, "PreviousIPAddress");
    }
    json_object_del(document, "HasBeenManuallyStopped");
}

static json_t *document_of(json_t *record)
{
    json_t *document = json_deep_copy(record);
    json_t *state = json_object_get(document, "State");
    const char *status = record_status(record);
    /* docker: a paused container is still running, and Paused says so; so
     * is one its restart policy is about to run again. */
    bool running = strcmp(status, "running") == 0 || strcmp(status, "paused") == 0 ||
                   strcmp(status, "restarting") == 0;
    bool alive = record_process_alive(record);
    if (strcmp(json_string_value(json_object_get(state, "Status")) ?: "", "restarting") == 0 &&
        !running) {
        /* Its monitor died between two runs: nothing will run it again. */
        json_object_set_new(state, "Status", json_string("exited"));
        json_object_set_new(state, "Restarting", json_false());
    }
    if (!alive && running == false &&
        strcmp(json_string_value(json_object_get(state, "Status")) ?: "", "running") == 0) {
        /* PID 1 is gone and no monitor recorded it: say so, never a ghost. */
        json_object_set_new(state, "Status", json_string("exited"));
        json_object_set_new(state, "ExitCode", json_integer(-1));
        /* A live one did not record it in time (container_open_settled). */
        json_object_set_new(state, "Error",
                            json_string(record_monitor_alive(record)
                                            ? "its monitor has not recorded the exit status yet"
                                            : "the monitor was gone: exit status unknown"));
    }
    pid_t pid = alive ? (pid_t)json_integer_value(json_object_get(state, "Pid")) : 0;
    json_object_set_new(state, "Running", json_boolean(running));
    json_object_set_new(state, "Pid", json_integer(pid));
    json_object_set_new(document, "State", state_in_docker_order(state));
    hide_husk_keys(document);
    json_object_set_new(document, "Namespaces", namespaces_of(pid));
    return document;
}

int engine_inspect(const struct engine_context *context, const char *reference, json_t **document,
                   husk_error_t *err)
{
    struct container_handle handle;
    if (container_open_settled(context, reference, &handle, err) < 0)
        return -1;
    *document = document_of(handle.record);
    container_close(&handle);
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    const char *ca = json_string_value(json_object_get(*(json_t *const *)a, "Created"));
    const char *cb = json_string_value(json_object_get(*(json_t *const *)b, "Created"));
    return strcmp(cb ? cb : "", ca ? ca : "");
}

json_t *engine_list(const struct engine_context *context, bool all)
{
    cleanup_strv char **ids = container_list_ids(context);
    size_t count = 0;
    for (char **id = ids; *id; id++)
        count++;
    json_t **documents = xcalloc(count + 1, sizeof(json_t *));
    size_t n = 0;
    for (char **id = ids; *id; id++) {
        struct container_handle handle;
        if (container_open_settled(context, *id, &handle, NULL) < 0)
            continue;
        cleanup_json json_t *document = document_of(handle.record);
        container_close(&handle);
        bool running = json_is_true(json_object_get(json_object_get(document, "State"), "Running"));
        if (all || running)
            documents[n++] = steal_pointer(&document);
    }
    qsort(documents, n, sizeof(json_t *), newest_first);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, documents[i]);
    free(documents);
    return list;
}
