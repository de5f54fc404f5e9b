#include "cgroup_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"

/* The directory of PATH in the hierarchy holding CONTROLLER (or cgroup2). */
static char *controller_directory(const struct cgroup_layout *layout, const char *controller,
                                  const char *path, bool *unified)
{
    const struct cgroup_hierarchy *h = cgroup_layout_find(layout, controller);
    if (h == NULL)
        h = cgroup_layout_unified(layout);
    if (h == NULL)
        return NULL;
    *unified = h->unified;
    while (*path == '/')
        path++;
    char *directory = NULL;
    if (asprintf(&directory, "%s/%s", h->mount_point, path) < 0)
        return NULL;
    return directory;
}

static char *read_file(const char *directory, const char *file)
{
    cleanup_free char *path = NULL;
    char *text = NULL;
    if (asprintf(&path, "%s/%s", directory, file) < 0 ||
        file_read_all(AT_FDCWD, path, &text, NULL, NULL) < 0)
        return NULL;
    return text;
}

/* "KEY VALUE" lines (memory.stat, cpu.stat, memory.events): KEY's value. */
static bool keyed_value(const char *text, const char *key, uint64_t *value)
{
    size_t length = strlen(key);
    for (const char *line = text; line != NULL && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, length) == 0 && line[length] == ' ') {
            *value = strtoull(line + length + 1, NULL, 10);
            return true;
        }
    return false;
}

static int write_file(const char *directory, const char *file, const char *value, husk_error_t *err)
{
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s", directory, file) < 0)
        return husk_error_set(err, ENOMEM, "cgroup");
    return file_write_all(AT_FDCWD, path, value, strlen(value), 0, err);
}

int cgroup_freeze(const struct cgroup_layout *layout, const char *path, bool frozen,
                  husk_error_t *err)
{
    bool unified = false;
    cleanup_free char *directory = controller_directory(layout, "freezer", path, &unified);
    if (directory == NULL)
        return husk_error_set(err, 0, "no freezer cgroup on this host to pause with");
    const char *file = unified ? "cgroup.freeze" : "freezer.state";
    if (write_file(directory, file, unified ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED"),
                   err) < 0)
        return -1;
    /* The kernel finishes freezing in the background; the state says when.
     * It takes microseconds to a few milliseconds: wait up to 5 s. */
    for (int attempt = 0; attempt < 5000; attempt++) {
        cleanup_free char *state =
            read_file(directory, unified ? "cgroup.events" : "freezer.state");
        uint64_t value = 0;
        bool done = unified ? state && keyed_value(state, "frozen", &value) && value == frozen
                            : state && strncmp(state, frozen ? "FROZEN" : "THAWED", 6) == 0;
        if (done)
            return 0;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return husk_error_set(err, ETIMEDOUT, "the container's processes did not %s within 5 s",
                          frozen ? "freeze" : "thaw");
}

uint64_t cgroup_oom_kills(const struct cgroup_layout *layout, const char *path)
{
    bool unified = false;
    cleanup_free char *directory = controller_directory(layout, "memory", path, &unified);
    cleanup_free char *text =
        directory ? read_file(directory, unified ? "memory.events" : "memory.oom_control") : NULL;
    uint64_t kills = 0;
    if (text != NULL)
        keyed_value(text, "oom_kill", &kills);
    return kills;
}

static uint64_t number_in(const char *directory, const char *file, uint64_t fallback)
{
    cleanup_free char *text = directory ? read_file(directory, file) : NULL;
    if (text == NULL)
        return fallback;
    if (strncmp(text, "max", 3) == 0)
        return UINT64_MAX;
    return strtoull(text, NULL, 10);
}

/* v1 blkio.throttle.io_service_bytes ("8:0 Read 123") or v2 io.stat
 * ("8:0 rbytes=123 wbytes=..."): totals over all devices. */
static void io_totals(const char *text, bool unified, uint64_t *read, uint64_t *write)
{
    *read = *write = 0;
    for (const char *p = text; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        unsigned long long value;
        const char *r = unified ? strstr(p, "rbytes=") : NULL,
                   *w = unified ? strstr(p, "wbytes=") : NULL;
        const char *end = strchr(p, '\n');
        if (unified) {
            if (r && (!end || r < end))
                *read += strtoull(r + 7, NULL, 10);
            if (w && (!end || w < end))
                *write += strtoull(w + 7, NULL, 10);
        } else if (sscanf(p, "%*u:%*u Read %llu", &value) == 1) {
            *read += value;
        } else if (sscanf(p, "%*u:%*u Write %llu", &value) == 1) {
            *write += value;
        }
    }
}

int cgroup_read_stats(const struct cgroup_layout *layout, const char *path,
                      struct cgroup_stats *stats, husk_error_t *err)
{
    *stats = (struct cgroup_stats){.memory_limit = UINT64_MAX};
    bool unified = false;
    cleanup_free char *cpu = controller_directory(layout, "cpuacct", path, &unified);
    if (cpu == NULL)
        return husk_error_set(err, 0, "no cpu accounting cgroup on this host");
    if (unified) {
        cleanup_free char *text = read_file(cpu, "cpu.stat");
        uint64_t usec = 0;
        if (text && keyed_value(text, "usage_usec", &usec))
            stats->cpu_ns = usec * 1000;
    } else {
        stats->cpu_ns = number_in(cpu, "cpuacct.usage", 0);
    }
    cleanup_free char *memory = controller_directory(layout, "memory", path, &unified);
    cleanup_free char *memory_stat = memory ? read_file(memory, "memory.stat") : NULL;
    uint64_t inactive = 0;
    if (memory_stat)
        keyed_value(memory_stat, unified ? "inactive_file" : "total_inactive_file", &inactive);
    uint64_t usage = number_in(memory, unified ? "memory.current" : "memory.usage_in_bytes", 0);
    stats->memory_usage = usage > inactive ? usage - inactive : usage;
    stats->memory_limit =
        number_in(memory, unified ? "memory.max" : "memory.limit_in_bytes", UINT64_MAX);
    cleanup_free char *io = controller_directory(layout, "blkio", path, &unified);
    cleanup_free char *io_text =
        io ? read_file(io, unified ? "io.stat" : "blkio.throttle.io_service_bytes") : NULL;
    io_totals(io_text, unified, &stats->io_read, &stats->io_write);
    cleanup_free char *pids = controller_directory(layout, "pids", path, &unified);
    stats->pids = number_in(pids, "pids.current", 0);
    return 0;
}

pid_t *cgroup_processes(const struct cgroup_layout *layout, const char *path, size_t *count)
{
    bool unified;
    cleanup_free char *directory = controller_directory(layout, "pids", path, &unified);
    cleanup_free char *text = directory ? read_file(directory, "cgroup.procs") : NULL;
    *count = 0;
    size_t capacity = 0;
    pid_t *pids = NULL;
    for (char *p = text, *end; p != NULL && *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            pid_t *bigger = realloc(pids, capacity * sizeof(*pids));
            if (bigger == NULL)
                break;
            pids = bigger;
        }
        pids[(*count)++] = (pid_t)pid;
    }
    return pids;
}
