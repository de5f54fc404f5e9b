#include "audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "../audit/risks.h"
#include "../audit/shared_tables.h"
#include "../audit/sysctl_catalog.h"
#include "../net/ipv4.h"
#include "../runtime/cgroup_state.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "namespaces.h"
#include "record.h"

/* Namespace types whose sharing with the host is worth a risk: husk shares
 * the user namespace by default, as docker does. */
static const char *const host_sharing_types[] = {"net", "pid", "ipc", "uts"};

struct audited {
    struct audit_party party;
    char *name;
    char id[HUSK_ID_SIZE];
    json_t *host_config;
};

static ino_t netns_inode(pid_t pid)
{
    ino_t inode;
    return namespace_inode(pid, "net", &inode) ? inode : 0;
}

static void read_addresses(json_t *record, struct audit_party *party)
{
    json_t *networks = json_object_get(json_object_get(record, "NetworkSettings"), "Networks");
    const char *name;
    json_t *endpoint;
    json_object_foreach(networks, name, endpoint)
    {
        uint32_t address;
        const char *text = json_string_value(json_object_get(endpoint, "IPAddress"));
        if (text != NULL && party->address_count < AUDIT_ADDRESS_MAX &&
            ipv4_address_parse(text, &address))
            party->addresses[party->address_count++] = address;
    }
}

/* A running container as the tables and risks need it; false when it does not run. */
static bool audited_read(const struct engine_context *context, const struct cgroup_layout *layout,
                         const char *id, struct audited *a)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return false;
    bool running = record_process_alive(handle.record);
    if (running) {
        a->name = xstrdup(handle.name);
        snprintf(a->id, sizeof(a->id), "%s", handle.id);
        a->party.name = a->name;
        a->party.pid = (pid_t)json_integer_value(
            json_object_get(json_object_get(handle.record, "State"), "Pid"));
        a->party.netns = netns_inode(a->party.pid);
        read_addresses(handle.record, &a->party);
        a->host_config = json_incref(json_object_get(handle.record, "HostConfig"));
        struct runtime_spec *spec = NULL;
        if (runtime_spec_load(handle.directory, &spec, NULL) == 0 && spec->cgroups_path)
            a->party.members = cgroup_processes(layout, spec->cgroups_path, &a->party.member_count);
        runtime_spec_free(spec);
    }
    container_close(&handle);
    return running;
}

static void audited_free(struct audited *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].name);
        free(list[i].party.members);
        json_decref(list[i].host_config);
    }
    free(list);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct audited *)a)->name, ((const struct audited *)b)->name);
}

/* The host first, then every running container by name. */
static struct audited *parties_read(const struct engine_context *context, size_t *count)
{
    cleanup_strv char **ids = container_list_ids(context);
    size_t total = 1;
    for (char **id = ids; *id; id++)
        total++;
    struct audited *list = xcalloc(total, sizeof(*list));
    list[0].name = xstrdup("host");
    list[0].party = (struct audit_party){.name = list[0].name, .netns = netns_inode(0)};
    struct cgroup_layout layout = {0};
    cgroup_layout_discover(&layout, NULL);
    *count = 1;
    for (char **id = ids; *id; id++)
        if (audited_read(context, &layout, *id, &list[*count]))
            (*count)++;
    cgroup_layout_free(&layout);
    qsort(list + 1, *count - 1, sizeof(*list), by_name);
    return list;
}

/* Which of the host's namespaces the container really shares, from the
 * live inodes `husk ns` reads. */
static json_t *shared_with_host(json_t *namespaces, const char *name)
{
    json_t *types = json_array();
    size_t i;
    json_t *party;
    json_array_foreach(namespaces, i, party)
    {
        if (strcmp(json_string_value(json_object_get(party, "Name")), name) != 0)
            continue;
        for (size_t t = 0; t < sizeof(host_sharing_types) / sizeof(host_sharing_types[0]); t++) {
            json_t *with = json_object_get(
                json_object_get(json_object_get(party, "Namespaces"), host_sharing_types[t]),
                "SharedWith");
            size_t k;
            json_t *other;
            json_array_foreach(with, k, other)
            {
                if (strcmp(json_string_value(other), "host") == 0)
                    json_array_append_new(types, json_string(host_sharing_types[t]));
            }
        }
    }
    return types;
}

static json_t *container_facts(const struct audited *a, json_t *namespaces)
{
    return json_pack("{s:s, s:I, s:I, s:b, s:o}", "Name", a->name, "PidsLimit",
                     json_integer_value(json_object_get(a->host_config, "PidsLimit")),
                     "MemoryLimit", json_integer_value(json_object_get(a->host_config, "Memory")),
                     "Privileged", json_is_true(json_object_get(a->host_config, "Privileged")),
                     "SharedWithHost", shared_with_host(namespaces, a->name));
}

static bool selected(const struct engine_context *context, char *const *names, size_t count,
                     const struct audited *a)
{
    for (size_t i = 0; i < count; i++) {
        char id[HUSK_ID_SIZE];
        if (container_lookup(context, names[i], id, NULL) == 0 && strcmp(id, a->id) == 0)
            return true;
    }
    return count == 0;
}

/* Counts per class (and per namespace for "isolated"), in a fixed order. */
static json_t *class_counts(json_t *keys)
{
    static const char *const classes[] = {"isolated",
                                          "global-read-only-inside",
                                          "global-hidden-inside",
                                          "global-visible",
                                          "one-way",
                                          "write-only",
                                          "unreadable"};
    json_t *rows = json_array();
    for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
        for (int t = 0; t < (c == 0 ? PROBE_TYPE_COUNT : 1); t++) {
            json_int_t n = 0;
            const char *key;
            json_t *entry;
            json_object_foreach(keys, key, entry)
            {
                const char *namespace = json_string_value(json_object_get(entry, "Namespace"));
                n += strcmp(json_string_value(json_object_get(entry, "Class")), classes[c]) == 0 &&
                     (c != 0 || (namespace && strcmp(namespace, probe_type_names[t]) == 0));
            }
            if (n == 0)
                continue;
            json_t *row = json_pack("{s:s, s:I}", "Class", classes[c], "Keys", n);
            if (c == 0)
                json_object_set_new(row, "Namespace", json_string(probe_type_names[t]));
            json_array_append_new(rows, row);
        }
    }
    return rows;
}

static json_t *sysctl_section(json_t *catalog)
{
    json_t *section = json_object();
    static const char *const copied[] = {"Kernel",      "ClassifiedAt", "Milliseconds", "Cached",
                                         "NotRestored", "Limitations",  "Keys"};
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
        json_object_set(section, copied[i], json_object_get(catalog, copied[i]));
    json_object_set_new(section, "Classes", class_counts(json_object_get(catalog, "Keys")));
    return section;
}

int engine_audit(const struct engine_context *context, char *const *names, size_t count,
                 bool refresh, json_t **report, husk_error_t *err)
{
    cleanup_json json_t *namespaces = NULL, *catalog = NULL;
    cleanup_free char *directory = xasprintf("%s/audit", context->data_root);
    if (engine_namespaces(context, names, count, &namespaces, err) < 0 ||
        sysctl_catalog_load(directory, refresh, &catalog, err) < 0)
        return -1;
    size_t party_count = 0;
    struct audited *list = parties_read(context, &party_count);
    struct audit_party *parties = xcalloc(party_count, sizeof(*parties));
    cleanup_json json_t *facts = json_array();
    for (size_t i = 0; i < party_count; i++) {
        parties[i] = list[i].party;
        if (i > 0 && selected(context, names, count, &list[i]))
            json_array_append_new(facts, container_facts(&list[i], namespaces));
    }
    json_t *tables = shared_tables_read(parties, party_count);
    struct utsname uts;
    uname(&uts);
    *report =
        json_pack("{s:s, s:o, s:o, s:o, s:o}", "Kernel", uts.release, "Namespaces",
                  steal_pointer(&namespaces), "Sysctls", sysctl_section(catalog), "Tables", tables,
                  "Risks", audit_risks(tables, facts, json_object_get(catalog, "NotRestored")));
    free(parties);
    audited_free(list, party_count);
    return 0;
}
