#include "cgroup_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"

static bool add(struct cgroup_write *writes, size_t *count, const char *controller,
                const char *file, const char *fmt, long long value)
{
    if (*count >= CGROUP_WRITES_MAX)
        return false;
    struct cgroup_write *w = &writes[(*count)++];
    w->controller = controller;
    w->file = file;
    snprintf(w->value, sizeof(w->value), fmt, value);
    return true;
}

static void add_text(struct cgroup_write *writes, size_t *count, const char *controller,
                     const char *file, const char *text)
{
    if (*count < CGROUP_WRITES_MAX) {
        struct cgroup_write *w = &writes[(*count)++];
        w->controller = controller;
        w->file = file;
        snprintf(w->value, sizeof(w->value), "%s", text);
    }
}

static int memory_writes(const struct runtime_resources *r, bool v2, struct cgroup_write *writes,
                         size_t *count, husk_error_t *err)
{
    if (r->memory_limit != RUNTIME_UNSET)
        add(writes, count, "memory", v2 ? "memory.max" : "memory.limit_in_bytes",
            r->memory_limit < 0 && v2 ? "max" : "%lld", r->memory_limit);
    /* Right after the limit: cgroup_apply_limits retries that pair in the
     * other order when lowering. */
    if (r->memory_swap != RUNTIME_UNSET) {
        bool unlimited =
            r->memory_swap < 0 || (r->memory_limit != RUNTIME_UNSET && r->memory_limit < 0);
        /* v1 limits memory + swap; v2 limits swap alone. */
        if (!v2)
            add(writes, count, "memory", "memory.memsw.limit_in_bytes", "%lld", r->memory_swap);
        else if (unlimited)
            add_text(writes, count, "memory", "memory.swap.max", "max");
        else
            add(writes, count, "memory", "memory.swap.max", "%lld",
                r->memory_swap - (r->memory_limit == RUNTIME_UNSET ? 0 : r->memory_limit));
    }
    if (r->memory_reservation != RUNTIME_UNSET)
        add(writes, count, "memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", "%lld",
            r->memory_reservation);
    if (r->disable_oom_killer) {
        if (v2)
            return husk_error_set(err, 0,
                                  "--oom-kill-disable: cgroup v2 has no way to turn the OOM "
                                  "killer off");
        add_text(writes, count, "memory", "memory.oom_control", "1");
    }
    return 0;
}

static void cpu_writes(const struct runtime_resources *r, bool v2, struct cgroup_write *writes,
                       size_t *count)
{
    if (r->cpu_shares != RUNTIME_UNSET) {
        /* v2's weight 1..10000 from v1's shares 2..262144, as runc maps it. */
        long long weight = 1 + ((r->cpu_shares - 2) * 9999) / 262142;
        add(writes, count, "cpu", v2 ? "cpu.weight" : "cpu.shares", "%lld",
            v2 ? weight : r->cpu_shares);
    }
    if (v2 && (r->cpu_quota != RUNTIME_UNSET || r->cpu_period != RUNTIME_UNSET)) {
        char value[64];
        long long period = r->cpu_period != RUNTIME_UNSET ? r->cpu_period : 100000;
        if (r->cpu_quota == RUNTIME_UNSET || r->cpu_quota < 0)
            snprintf(value, sizeof(value), "max %lld", period);
        else
            snprintf(value, sizeof(value), "%lld %lld", (long long)r->cpu_quota, period);
        add_text(writes, count, "cpu", "cpu.max", value);
    } else {
        /* The period first: a quota is checked against it. */
        if (r->cpu_period != RUNTIME_UNSET)
            add(writes, count, "cpu", "cpu.cfs_period_us", "%lld", r->cpu_period);
        if (r->cpu_quota != RUNTIME_UNSET)
            add(writes, count, "cpu", "cpu.cfs_quota_us", "%lld", r->cpu_quota);
    }
}

int cgroup_limit_writes(const struct runtime_resources *r,
                        bool (*unified)(const char *controller, const void *data), const void *data,
                        struct cgroup_write writes[CGROUP_WRITES_MAX], size_t *count,
                        husk_error_t *err)
{
    *count = 0;
    if (memory_writes(r, unified("memory", data), writes, count, err) < 0)
        return -1;
    cpu_writes(r, unified("cpu", data), writes, count);
    if (r->cpuset_cpus)
        add_text(writes, count, "cpuset", "cpuset.cpus", r->cpuset_cpus);
    if (r->cpuset_mems)
        add_text(writes, count, "cpuset", "cpuset.mems", r->cpuset_mems);
    if (r->pids_limit != RUNTIME_UNSET)
        add(writes, count, "pids", "pids.max", r->pids_limit < 0 ? "max" : "%lld", r->pids_limit);
    if (r->blkio_weight != RUNTIME_UNSET) {
        bool v2 = unified("blkio", data);
        /* v2's io.weight 1..10000 from v1's 10..1000. */
        long long weight = v2 ? 1 + ((r->blkio_weight - 10) * 9999) / 990 : r->blkio_weight;
        add(writes, count, v2 ? "io" : "blkio", v2 ? "io.weight" : "blkio.weight",
            v2 ? "default %lld" : "%lld", weight);
    }
    return 0;
}

static bool controller_unified(const char *controller, const void *data)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(data, controller);
    return h != NULL && h->unified;
}

/* BFQ names v1's weight file blkio.bfq.weight; CFQ named it blkio.weight. */
static const char *existing_file(const struct cgroup_hierarchy *h, const char *path,
                                 const char *file)
{
    static const char bfq[] = "blkio.bfq.weight";
    if (strcmp(file, "blkio.weight") != 0)
        return file;
    cleanup_free char *cfq_path = cgroup_path(h, path, file);
    cleanup_free char *bfq_path = cgroup_path(h, path, bfq);
    if (cfq_path != NULL && access(cfq_path, F_OK) == 0)
        return file;
    return bfq_path != NULL && access(bfq_path, F_OK) == 0 ? bfq : NULL;
}

/* Whether the space-separated LIST (cgroup.subtree_control) names WORD. */
static bool word_listed(const char *list, const char *word)
{
    size_t length = strlen(word);
    for (const char *p = list; p != NULL && *p != '\0';) {
        p += strspn(p, " \n");
        size_t span = strcspn(p, " \n");
        if (span == length && strncmp(p, word, length) == 0)
            return true;
        p += span;
    }
    return false;
}

/* cgroup2 gives a child a controller's files only when every ancestor lists
 * the controller in cgroup.subtree_control: enable it from the root down to
 * the container's parent, only when a limit needs it. */
static int enable_controller(const struct cgroup_hierarchy *h, const char *path,
                             const char *controller, husk_error_t *err)
{
    while (*path == '/')
        path++;
    cleanup_free char *ancestor = strdup(path);
    if (ancestor == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    char wanted[32];
    snprintf(wanted, sizeof(wanted), "+%s", controller);
    /* The root (the empty prefix), then PATH up to each '/'. */
    for (char *cut = ancestor; cut != NULL; cut = *cut != '\0' ? strchr(cut + 1, '/') : NULL) {
        char saved = *cut;
        *cut = '\0';
        cleanup_free char *enabled = NULL;
        cgroup_read(h, ancestor, "cgroup.subtree_control", &enabled, NULL);
        if (!word_listed(enabled, controller) &&
            cgroup_write(h, ancestor, "cgroup.subtree_control", wanted, err) < 0)
            return husk_error_wrap(err, "cgroup2: enable the %s controller", controller);
        *cut = saved;
    }
    return 0;
}

static int write_limit(const struct cgroup_layout *layout, const char *path,
                       const struct cgroup_write *w, husk_error_t *err)
{
    const struct cgroup_hierarchy *h = cgroup_layout_controller(layout, w->controller);
    if (h == NULL)
        return husk_error_set(err, 0, "the %s cgroup controller is not mounted on this host",
                              w->controller);
    if (h->unified && enable_controller(h, path, w->controller, err) < 0)
        return -1;
    const char *file = existing_file(h, path, w->file);
    if (file == NULL)
        return husk_error_set(err, 0, "this kernel offers no %s (is the BFQ I/O scheduler loaded?)",
                              w->file);
    if (cgroup_write(h, path, file, w->value, err) == 0)
        return 0;
    if (err != NULL && *err != NULL && (*err)->errno_value == ENOENT)
        husk_error_set(err, ENOENT, "this kernel has no %s (%s)", file,
                       strcmp(file, "memory.memsw.limit_in_bytes") == 0
                           ? "swap accounting is off"
                           : "controller feature missing");
    return -1;
}

/* R->files: each to its controller's hierarchy (v1, else cgroup2), or to
 * cgroup2 for "unified:" ones; a controller this host lacks is an error. */
static int write_files(const struct cgroup_layout *layout, const char *path,
                       const struct runtime_resources *r, husk_error_t *err)
{
    for (size_t i = 0; i < r->file_count; i++) {
        const struct runtime_cgroup_file *f = &r->files[i];
        bool unified = strncmp(f->controller, "unified:", 8) == 0;
        const struct cgroup_hierarchy *h = unified
                                               ? cgroup_layout_unified(layout)
                                               : cgroup_layout_controller(layout, f->controller);
        if (h == NULL)
            return husk_error_set(err, ENOTSUP, "linux.resources: no %s cgroup on this host for %s",
                                  unified ? "cgroup2" : f->controller, f->file);
        if (h->unified && strcmp(f->file, "memory.swappiness") == 0)
            continue; /* cgroup2 has none, and runc ignores it there too */
        if (!unified && h->unified && strcmp(f->controller, "blkio") == 0)
            return husk_error_set(err, ENOTSUP, "linux.resources.blockIO: %s needs cgroup v1",
                                  f->file);
        if (cgroup_write(h, path, f->file, f->value, err) < 0)
            return husk_error_wrap(err, "linux.resources");
    }
    return 0;
}

int cgroup_apply_limits(const struct cgroup_layout *layout, const char *path,
                        const struct runtime_resources *r, husk_error_t *err)
{
    if (write_files(layout, path, r, err) < 0)
        return -1;
    struct cgroup_write writes[CGROUP_WRITES_MAX];
    size_t count;
    if (cgroup_limit_writes(r, controller_unified, layout, writes, &count, err) < 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (write_limit(layout, path, &writes[i], err) == 0)
            continue;
        /* v1 wants memory <= memory+swap at every step: when lowering both,
         * memsw must go first. One retry in the other order. */
        bool memory_pair = i + 1 < count && strcmp(writes[i].file, "memory.limit_in_bytes") == 0 &&
                           strcmp(writes[i + 1].file, "memory.memsw.limit_in_bytes") == 0;
        if (!memory_pair || write_limit(layout, path, &writes[i + 1], NULL) < 0 ||
            write_limit(layout, path, &writes[i], err) < 0)
            return -1;
        i++;
    }
    return 0;
}
