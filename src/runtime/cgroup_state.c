#include "cgroup_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/cleanup.h"

/* FILE of PATH's cgroup in the hierarchy holding CONTROLLER; NULL when
 * there is none or the file cannot be read. */
static char *read_controller_file(const struct cgroup_layout *layout, const char *controller,
                                  const char *path, const char *file)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(layout, controller);
    char *text = NULL;
    if (h == NULL || cgroup_read(h, path, file, &text, NULL) < 0)
        return NULL;
    return text;
}

/* Whether CONTROLLER's files are cgroup2's (it has no v1 hierarchy here). */
static bool controller_unified(const struct cgroup_layout *layout, const char *controller)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(layout, controller);
    return h != NULL && h->unified;
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

int cgroup_freeze(const struct cgroup_layout *layout, const char *path, bool frozen,
                  husk_error_t *err)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(layout, "freezer");
    if (h == NULL)
        return husk_error_set(err, 0, "no freezer cgroup on this host to pause with");
    bool unified = h->unified;
    const char *file = unified ? "cgroup.freeze" : "freezer.state";
    if (cgroup_write(h, path, file, unified ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED"),
                     err) < 0)
        return -1;
    /* The kernel finishes freezing in the background; the state says when.
     * It takes microseconds to a few milliseconds: wait up to 5 s. */
    for (int attempt = 0; attempt < 5000; attempt++) {
        cleanup_free char *state = NULL;
        cgroup_read(h, path, unified ? "cgroup.events" : "freezer.state", &state, NULL);
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

bool cgroup_is_frozen(const struct cgroup_layout *layout, const char *path)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(layout, "freezer");
    cleanup_free char *state = NULL;
    if (h == NULL ||
        cgroup_read(h, path, h->unified ? "cgroup.events" : "freezer.state", &state, NULL) < 0)
        return false;
    uint64_t value = 0;
    return h->unified ? keyed_value(state, "frozen", &value) && value == 1
                      : strncmp(state, "FROZEN", 6) == 0;
}

uint64_t cgroup_oom_kills(const struct cgroup_layout *layout, const char *path)
{
    cleanup_free char *text = read_controller_file(
        layout, "memory", path,
        controller_unified(layout, "memory") ? "memory.events" : "memory.oom_control");
    uint64_t kills = 0;
    if (text != NULL)
        keyed_value(text, "oom_kill", &kills);
    return kills;
}

/* A file holding one number, or "max" (UINT64_MAX); FALLBACK when unreadable. */
static uint64_t number_in(const struct cgroup_layout *layout, const char *controller,
                          const char *path, const char *file, uint64_t fallback)
{
    cleanup_free char *text = read_controller_file(layout, controller, path, file);
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

static void read_memory(const struct cgroup_layout *layout, const char *path,
                        struct cgroup_stats *stats)
{
    bool unified = controller_unified(layout, "memory");
    cleanup_free char *memory_stat = read_controller_file(layout, "memory", path, "memory.stat");
    uint64_t inactive = 0;
    if (memory_stat)
        keyed_value(memory_stat, unified ? "inactive_file" : "total_inactive_file", &inactive);
    uint64_t usage =
        number_in(layout, "memory", path, unified ? "memory.current" : "memory.usage_in_bytes", 0);
    stats->memory_usage = usage > inactive ? usage - inactive : usage;
    stats->memory_limit = number_in(layout, "memory", path,
                                    unified ? "memory.max" : "memory.limit_in_bytes", UINT64_MAX);
}

int cgroup_read_stats(const struct cgroup_layout *layout, const char *path,
                      struct cgroup_stats *stats, husk_error_t *err)
{
    *stats = (struct cgroup_stats){.memory_limit = UINT64_MAX};
    if (cgroup_layout_controller(layout, "cpuacct") == NULL)
        return husk_error_set(err, 0, "no cpu accounting cgroup on this host");
    if (controller_unified(layout, "cpuacct")) {
        cleanup_free char *text = read_controller_file(layout, "cpuacct", path, "cpu.stat");
        uint64_t usec = 0;
        if (text && keyed_value(text, "usage_usec", &usec))
            stats->cpu_ns = usec * 1000;
    } else {
        stats->cpu_ns = number_in(layout, "cpuacct", path, "cpuacct.usage", 0);
    }
    read_memory(layout, path, stats);
    bool unified = controller_unified(layout, "blkio");
    cleanup_free char *io_text = read_controller_file(
        layout, "blkio", path, unified ? "io.stat" : "blkio.throttle.io_service_bytes");
    io_totals(io_text, unified, &stats->io_read, &stats->io_write);
    stats->pids = number_in(layout, "pids", path, "pids.current", 0);
    return 0;
}

pid_t *cgroup_processes(const struct cgroup_layout *layout, const char *path, size_t *count)
{
    cleanup_free char *text = read_controller_file(layout, "pids", path, "cgroup.procs");
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
