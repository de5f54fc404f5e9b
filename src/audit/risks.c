#include "risks.h"

#include <stdio.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/json_text.h"

static json_t *risk(const char *level, const char *subject, const char *container,
                    const char *message, const char *mitigation)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "Level", level, "Subject", subject, "Message",
                          message, "Mitigation", mitigation);
    if (container != NULL)
        json_object_set_new(r, "Container", json_string(container));
    return r;
}

static json_t *table_named(json_t *tables, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(tables, i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "Table")), name) == 0)
            return row;
    }
    return NULL;
}

static void table_risks(json_t *tables, json_t *risks)
{
    size_t i;
    json_t *row;
    json_array_foreach(tables, i, row)
    {
        double percent = json_real_value(json_object_get(row, "Percent"));
        if (percent < RISK_WARNING_PERCENT)
            continue;
        const char *table = json_string_value(json_object_get(row, "Table"));
        json_t *top = json_array_get(json_object_get(row, "Users"), 0);
        const char *top_name = json_string_value(json_object_get(top, "Name"));
        char message[1024], holder[256] = "";
        if (top_name != NULL && strcmp(top_name, "host") != 0)
            snprintf(holder, sizeof(holder), "; container %s holds %.0f%% of them", top_name,
                     json_real_value(json_object_get(top, "Percent")));
        snprintf(
            message, sizeof(message), "%s %.0f%% full (%lld of %lld %s, %s)%s; %s", table, percent,
            (long long)json_integer_value(json_object_get(row, "Used")),
            (long long)json_integer_value(json_object_get(json_object_get(row, "Limit"), "Value")),
            json_string_value(json_object_get(row, "Unit")),
            json_string_value(json_object_get(json_object_get(row, "Limit"), "Key")), holder,
            json_string_value(json_object_get(row, "Shared")));
        json_array_append_new(risks, risk(percent >= RISK_HIGH_PERCENT ? "high" : "warning", table,
                                          holder[0] ? top_name : NULL, message,
                                          json_string_value(json_object_get(row, "Mitigation"))));
    }
}

static void container_risks(json_t *tables, json_t *container, json_t *risks)
{
    const char *name = json_string_value(json_object_get(container, "Name"));
    char message[512], mitigation[256];
    if (json_is_true(json_object_get(container, "Privileged"))) {
        snprintf(message, sizeof(message),
                 "container %s is privileged: it holds every capability and can change any "
                 "global kernel setting for the host and every container",
                 name);
        json_array_append_new(risks, risk("high", "privileged", name, message,
                                          "run it without --privileged, with only the "
                                          "capabilities it needs (--cap-add)"));
    }
    if (json_integer_value(json_object_get(container, "PidsLimit")) <= 0) {
        json_t *pids = table_named(tables, "pids");
        snprintf(message, sizeof(message),
                 "container %s has no --pids-limit: it can exhaust kernel.pid_max (%lld) for "
                 "everyone",
                 name,
                 (long long)json_integer_value(
                     json_object_get(json_object_get(pids, "Limit"), "Value")));
        snprintf(mitigation, sizeof(mitigation), "husk update --pids-limit N %s", name);
        json_array_append_new(risks, risk("warning", "pids", name, message, mitigation));
    }
    if (json_integer_value(json_object_get(container, "MemoryLimit")) <= 0) {
        snprintf(message, sizeof(message),
                 "container %s has no memory limit: it can take the host's memory, and the "
                 "socket buffer pages (tcp_mem) all namespaces share",
                 name);
        snprintf(mitigation, sizeof(mitigation), "husk update --memory SIZE %s", name);
        json_array_append_new(risks, risk("warning", "memory", name, message, mitigation));
    }
    json_t *shared = json_object_get(container, "SharedWithHost");
    if (json_array_size(shared) > 0) {
        char types[128];
        json_strings_join(shared, ", ", types, sizeof(types));
        snprintf(message, sizeof(message),
                 "container %s shares the host's namespaces (%s): nothing isolates it there "
                 "from the host's processes, settings and tables",
                 name, types);
        json_array_append_new(risks, risk("warning", "namespaces", name, message,
                                          "run it with its own namespaces (drop --pid/--net/"
                                          "--ipc/--uts host)"));
    }
}

json_t *audit_risks(json_t *tables, json_t *containers, json_t *not_restored)
{
    cleanup_json json_t *found = json_array();
    size_t k;
    json_t *key;
    json_array_foreach(not_restored, k, key)
    {
        char message[512];
        snprintf(message, sizeof(message),
                 "the sysctl classification changed %s on the host and the kernel refused to "
                 "take the old value back",
                 json_string_value(key));
        json_array_append_new(found,
                              risk("high", "sysctl probe", NULL, message,
                                   "reboot to get the kernel's default back, and report "
                                   "the key to husk (it belongs on the never-written list)"));
    }
    table_risks(tables, found);
    size_t i;
    json_t *container;
    json_array_foreach(containers, i, container)
    {
        container_risks(tables, container, found);
    }
    /* Stable: high first, otherwise in the order found. */
    size_t n = json_array_size(found);
    json_t *sorted = json_array();
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < n; k++) {
            json_t *r = json_array_get(found, k);
            if ((strcmp(json_string_value(json_object_get(r, "Level")), "high") == 0) ==
                (pass == 0))
                json_array_append(sorted, r);
        }
    return sorted;
}
