#include "resource_commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/cgroup_limits.h"
#include "../runtime/cgroup_state.h"
#include "../runtime/spec.h"
#include "../util/json_text.h"
#include "../util/cleanup.h"
#include "events/events.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "record.h"

/* The container, locked, with its cgroups path; it must run. */
struct target {
    struct container_handle handle;
    struct runtime_spec *spec;
    struct cgroup_layout layout;
};

static int target_open(const struct engine_context *context, const char *reference, bool must_run,
                       struct target *t, husk_error_t *err)
{
    memset(t, 0, sizeof(*t));
    if (container_open(context, reference, &t->handle, err) < 0)
        return -1;
    if (must_run && !record_process_alive(t->handle.record)) {
        husk_error_set(err, 0, "container %s is not running", reference);
        goto fail;
    }
    if (runtime_spec_load(t->handle.directory, &t->spec, err) < 0 ||
        cgroup_layout_discover(&t->layout, err) < 0)
        goto fail;
    if (t->spec->cgroups_path == NULL) {
        husk_error_set(err, 0, "container %s has no cgroups", reference);
        goto fail;
    }
    return 0;
fail:
    container_close(&t->handle);
    runtime_spec_free(t->spec);
    cgroup_layout_free(&t->layout);
    return -1;
}

static void target_close(struct target *t)
{
    container_close(&t->handle);
    runtime_spec_free(t->spec);
    cgroup_layout_free(&t->layout);
}

static int set_paused(const struct engine_context *context, const char *reference, bool paused,
                      husk_error_t *err)
{
    struct target t;
    if (target_open(context, reference, true, &t, err) < 0)
        return -1;
    int rc = -1;
    if (record_is_paused(t.handle.record) == paused)
        husk_error_set(err, 0, "container %s is %s", reference,
                       paused ? "already paused" : "not paused");
    else if (cgroup_freeze(&t.layout, t.spec->cgroups_path, paused, err) == 0) {
        json_t *state = json_object_get(t.handle.record, "State");
        json_object_set_new(state, "Status", json_string(paused ? "paused" : "running"));
        json_object_set_new(state, "Paused", json_boolean(paused));
        rc = container_save(context, &t.handle, err);
        if (rc == 0)
            engine_event_container(context, paused ? "pause" : "unpause", t.handle.record, NULL);
    }
    target_close(&t);
    return rc;
}

int engine_pause(const struct engine_context *context, const char *reference, husk_error_t *err)
{
    return set_paused(context, reference, true, err);
}

int engine_unpause(const struct engine_context *context, const char *reference, husk_error_t *err)
{
    return set_paused(context, reference, false, err);
}

void engine_thaw(const struct engine_context *context, const char *id)
{
    struct target t;
    if (target_open(context, id, false, &t, NULL) < 0)
        return;
    if (record_is_paused(t.handle.record))
        cgroup_freeze(&t.layout, t.spec->cgroups_path, false, NULL);
    target_close(&t);
}

/* docker's HostConfig keys of the flags that were given. */
static void record_given(const struct resource_flags *flags, json_t *host_config)
{
    cleanup_json json_t *all = json_object();
    resource_limits_record(flags, NULL, all);
    const struct {
        const void *given;
        const char *key;
    } keys[] = {{flags->memory, "Memory"},
                {flags->memory_swap, "MemorySwap"},
                {flags->memory_reservation, "MemoryReservation"},
                {flags->cpus, "NanoCpus"},
                {flags->cpu_shares, "CpuShares"},
                {flags->cpu_period, "CpuPeriod"},
                {flags->cpu_quota, "CpuQuota"},
                {flags->cpuset_cpus, "CpusetCpus"},
                {flags->cpuset_mems, "CpusetMems"},
                {flags->pids_limit, "PidsLimit"},
                {flags->blkio_weight, "BlkioWeight"}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].given != NULL)
            json_object_set(host_config, keys[i].key, json_object_get(all, keys[i].key));
}

static int save_spec_resources(const char *directory, json_t *resources, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/config.json", directory);
    cleanup_json json_t *spec = json_load_path(AT_FDCWD, path, NULL);
    json_t *linux_section = json_object_get(spec, "linux");
    if (linux_section == NULL)
        return husk_error_set(err, 0, "%s is unreadable", path);
    json_t *current = json_object_get(linux_section, "resources");
    if (current == NULL)
        json_object_set_new(linux_section, "resources", current = json_object());
    json_object_update_recursive(current, resources);
    cleanup_free char *text = json_dumps(spec, JSON_INDENT(2));
    return text ? file_write_atomic(path, text, strlen(text), true, err)
                : husk_error_set(err, ENOMEM, "config.json");
}

int engine_update(const struct engine_context *context, const char *reference,
                  const struct resource_flags *flags, husk_error_t *err)
{
    struct resource_limits limits;
    if (resource_limits_parse(flags, &limits, err) < 0 ||
        resource_limits_check_host(&limits, err) < 0)
        return -1;
    if (!resource_limits_any(&limits))
        return husk_error_set(err, 0, "husk update needs at least one limit to change");
    struct target t;
    if (target_open(context, reference, false, &t, err) < 0)
        return -1;
    cleanup_json json_t *resources = resource_limits_to_spec(&limits);
    struct runtime_resources parsed;
    int rc = runtime_resources_parse(resources, &parsed, err);
    /* cgroup2 writes period and quota as one file, and its swap relative to
     * the memory limit: the half not given keeps its current value. */
    const struct runtime_resources *current = &t.spec->resources;
    if (rc == 0 && (parsed.cpu_quota != RUNTIME_UNSET) != (parsed.cpu_period != RUNTIME_UNSET)) {
        if (parsed.cpu_quota == RUNTIME_UNSET)
            parsed.cpu_quota = current->cpu_quota;
        if (parsed.cpu_period == RUNTIME_UNSET)
            parsed.cpu_period = current->cpu_period;
    }
    if (rc == 0 && parsed.memory_swap != RUNTIME_UNSET && parsed.memory_limit == RUNTIME_UNSET)
        parsed.memory_limit = current->memory_limit;
    if (rc == 0 && record_process_alive(t.handle.record))
        rc = cgroup_apply_limits(&t.layout, t.spec->cgroups_path, &parsed, err);
    if (rc == 0)
        rc = save_spec_resources(t.handle.directory, resources, err);
    if (rc == 0) {
        record_given(flags, json_object_get(t.handle.record, "HostConfig"));
        rc = container_save(context, &t.handle, err);
    }
    runtime_resources_free(&parsed);
    target_close(&t);
    return rc;
}

struct sample {
    char id[HUSK_ID_SIZE];
    char *name;
    pid_t pid;
    char *cgroups_path;
    struct cgroup_stats stats;
    uint64_t system_ns;
    uint64_t net_in, net_out;
};

/* All CPUs' time since boot, from /proc/stat's first line. */
static uint64_t system_cpu_ns(void)
{
    cleanup_free char *text = NULL;
    if (file_read_all(AT_FDCWD, "/proc/stat", &text, NULL, NULL) < 0)
        return 0;
    unsigned long long fields[8] = {0};
    sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &fields[0], &fields[1], &fields[2],
           &fields[3], &fields[4], &fields[5], &fields[6], &fields[7]);
    uint64_t ticks = 0;
    for (int i = 0; i < 8; i++)
        ticks += fields[i];
    return ticks * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

/* Bytes through every interface but lo, read in the container's own
 * network namespace (/proc/PID/net/dev). */
static void network_bytes(pid_t pid, uint64_t *in, uint64_t *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/net/dev", pid);
    cleanup_fclose FILE *dev = fopen(path, "re");
    char line[512];
    *in = *out = 0;
    while (dev != NULL && fgets(line, sizeof(line), dev) != NULL) {
        char name[32];
        unsigned long long rx, tx;
        if (sscanf(line, " %31[^:]: %llu %*u %*u %*u %*u %*u %*u %*u %llu", name, &rx, &tx) == 3 &&
            strcmp(name, "lo") != 0) {
            *in += rx;
            *out += tx;
        }
    }
}

static void take(const struct cgroup_layout *layout, struct sample *s)
{
    cgroup_read_stats(layout, s->cgroups_path, &s->stats, NULL);
    s->system_ns = system_cpu_ns();
    network_bytes(s->pid, &s->net_in, &s->net_out);
}

static bool sample_open(const struct engine_context *context, const char *reference,
                        struct sample *s, husk_error_t *err)
{
    struct container_handle handle;
    struct runtime_spec *spec = NULL;
    memset(s, 0, sizeof(*s));
    if (container_read(context, reference, &handle, err) < 0)
        return false;
    bool ok = record_process_alive(handle.record) &&
              runtime_spec_load(handle.directory, &spec, NULL) == 0 && spec->cgroups_path;
    if (ok) {
        snprintf(s->id, sizeof(s->id), "%s", handle.id);
        s->name = xstrdup(handle.name);
        s->pid = (pid_t)json_integer_value(
            json_object_get(json_object_get(handle.record, "State"), "Pid"));
        s->cgroups_path = xstrdup(spec->cgroups_path);
    } else {
        husk_error_set(err, 0, "container %s is not running", reference);
    }
    runtime_spec_free(spec);
    container_close(&handle);
    return ok;
}

static uint64_t host_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : UINT64_MAX;
}

static json_t *row_of(const struct sample *before, const struct sample *after)
{
    double cpu_delta = (double)(after->stats.cpu_ns - before->stats.cpu_ns);
    double system_delta = (double)(after->system_ns - before->system_ns);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    double cpu = system_delta > 0 ? cpu_delta / system_delta * (double)cpus * 100.0 : 0;
    uint64_t limit = after->stats.memory_limit;
    if (limit > host_memory())
        limit = host_memory();
    double memory = limit ? (double)after->stats.memory_usage / (double)limit * 100.0 : 0;
    return json_pack(
        "{s:s, s:s, s:f, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "ID", after->id, "Name",
        after->name, "CPUPerc", cpu, "MemUsage", (json_int_t)after->stats.memory_usage, "MemLimit",
        (json_int_t)limit, "MemPerc", memory, "NetInput", (json_int_t)after->net_in, "NetOutput",
        (json_int_t)after->net_out, "BlockInput", (json_int_t)after->stats.io_read, "BlockOutput",
        (json_int_t)after->stats.io_write, "PIDs", (json_int_t)after->stats.pids);
}

int engine_stats(const struct engine_context *context, char *const *names, size_t count,
                 int interval_ms, json_t **rows, husk_error_t *err)
{
    cleanup_strv char **ids = count == 0 ? container_list_ids(context) : NULL;
    size_t total = count;
    for (char **id = ids; id && *id; id++)
        total++;
    struct sample *before = xcalloc(total + 1, sizeof(*before));
    struct cgroup_layout layout;
    size_t used = 0;
    int rc = cgroup_layout_discover(&layout, err);
    bool discovered = rc == 0;
    for (size_t i = 0; rc == 0 && i < total; i++) {
        const char *reference = count ? names[i] : ids[i];
        if (sample_open(context, reference, &before[used], count ? err : NULL))
            take(&layout, &before[used++]);
        else if (count)
            rc = -1;
    }
    if (rc == 0) {
        nanosleep(&(struct timespec){interval_ms / 1000, (interval_ms % 1000) * 1000000L}, NULL);
        *rows = json_array();
        for (size_t i = 0; i < used; i++) {
            struct sample after = before[i];
            take(&layout, &after);
            json_array_append_new(*rows, row_of(&before[i], &after));
        }
    }
    if (discovered)
        cgroup_layout_free(&layout);
    for (size_t i = 0; i < used; i++) {
        free(before[i].name);
        free(before[i].cgroups_path);
    }
    free(before);
    return rc;
}
