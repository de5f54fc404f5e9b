/* `husk system check` / `husk system repair` (see repair.h): containers
 * first, one at a time under their own lock, then what belongs to no
 * container any more (names, cgroups, network state, temporary files). */
#include "repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/cgroup_scan.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "identity.h"
#include "lifecycle.h"
#include "network/network_release.h"
#include "record.h"
#include "repair_files.h"
#include "store.h"

void repair_note(struct repair *r, const char *kind, const char *object, const char *problem,
                 int rc, husk_error_t *err)
{
    json_t *finding =
        json_pack("{s:s, s:s, s:s}", "Kind", kind, "Object", object, "Problem", problem);
    if (r->fix) {
        json_object_set_new(finding, "Repaired", json_boolean(rc == 0));
        if (rc < 0)
            json_object_set_new(finding, "Error",
                                json_string(err && *err ? (*err)->message : "failed"));
    }
    husk_error_free(err);
    json_array_append_new(r->findings, finding);
}

void repair_notef(struct repair *r, const char *kind, int rc, husk_error_t err, const char *object,
                  const char *problem_format, ...)
{
    va_list ap;
    va_start(ap, problem_format);
    cleanup_free char *problem = xvasprintf(problem_format, ap);
    va_end(ap);
    repair_note(r, kind, object, problem, rc, &err);
}

/* Containers whose lock someone holds (a command in progress) and those
 * that run: what they hold is not looked at. */
struct container_states {
    char **ids;
    bool *live; /* running, paused, restarting, busy, or a monitor alive */
};

static bool container_is_live(json_t *record)
{
    const char *status = record_status(record);
    return strcmp(status, "running") == 0 || strcmp(status, "paused") == 0 ||
           strcmp(status, "restarting") == 0 || record_monitor_alive(record);
}

/* The container's cgroups (from its config.json) when it does not run:
 * a killed start made them, or its processes outlived PID 1. */
static void container_cgroups_repair(struct repair *r, const char *id, const char *directory)
{
    struct runtime_spec *spec = NULL;
    struct cgroup_layout layout;
    if (runtime_spec_load(directory, &spec, NULL) < 0)
        return;
    if (spec->cgroups_path != NULL && cgroup_layout_discover(&layout, NULL) == 0) {
        struct cgroup_presence presence;
        cgroup_scan_path(&layout, spec->cgroups_path, &presence);
        if (presence.exists) {
            husk_error_t err = NULL;
            int rc = r->fix ? cgroup_destroy(&layout, spec->cgroups_path, &err) : 0;
            if (presence.processes > 0)
                repair_notef(r, "process", rc, NULL, spec->cgroups_path,
                             "%zu processes of container %.12s, which is not running",
                             presence.processes, id);
            repair_notef(r, "cgroup", rc, err, spec->cgroups_path,
                         "of container %.12s, which is not running", id);
        }
        cgroup_layout_free(&layout);
    }
    runtime_spec_free(spec);
}

/* Mounts in husk's own namespace under the directory of a container that
 * does not run: husk mounts its root file system only in the container's
 * namespace, so any here were left. */
static void container_mounts_repair(struct repair *r, const char *directory)
{
    cleanup_free char *mountinfo = NULL;
    if (file_read_all(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, NULL) < 0)
        return;
    size_t length = strlen(directory);
    char *save = NULL;
    /* The deepest first: /proc/self/mountinfo lists in mount order. */
    cleanup_strv char **points = xcalloc(1, sizeof(char *));
    size_t count = 0;
    for (char *line = strtok_r(mountinfo, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char point[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
            strncmp(point, directory, length) != 0 || (point[length] != '/' && point[length]))
            continue;
        points = xreallocarray(points, count + 2, sizeof(char *));
        points[count++] = xstrdup(point);
        points[count] = NULL;
    }
    while (count-- > 0) {
        husk_error_t err = NULL;
        int rc = r->fix && umount2(points[count], MNT_DETACH) < 0
                     ? husk_error_set(&err, errno, "unmount %s", points[count])
                     : 0;
        repair_notef(r, "mount", rc, err, points[count], "left by a container that is not running");
    }
}

/* A directory whose record never came (husk killed while it created the
 * container): rm -f removes it, with its cgroups and network state, once
 * nothing runs in it. */
static void unrecorded_repair(struct repair *r, const char *id)
{
    husk_error_t err = NULL;
    int rc = r->fix ? engine_remove(r->context, id, true, false, &err) : 0;
    repair_notef(r, "container", rc, err, id, "has no record (its creation was interrupted)");
}

/* One container, under its lock (skipped when someone holds it). */
static bool container_repair(struct repair *r, const char *id)
{
    cleanup_free char *directory = store_container_directory(r->context, id);
    cleanup_close int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
        return true;
    if (faccessat(fd, "container.json", F_OK, 0) < 0 && errno == ENOENT) {
        container_mounts_repair(r, directory);
        close(fd);
        fd = -1;
        unrecorded_repair(r, id);
        return false;
    }
    struct container_handle handle;
    if (container_read(r->context, id, &handle, NULL) < 0)
        return true; /* unreadable: rm -f says why; nothing is touched */
    bool live = container_is_live(handle.record);
    container_close(&handle);
    if (!live) {
        container_cgroups_repair(r, id, directory);
        container_mounts_repair(r, directory);
    }
    return live;
}

static struct container_states containers_repair(struct repair *r)
{
    struct container_states states = {container_list_ids(r->context), NULL};
    size_t count = 0;
    while (states.ids && states.ids[count])
        count++;
    states.live = xcalloc(count + 1, sizeof(bool));
    for (size_t i = 0; i < count; i++)
        states.live[i] = container_repair(r, states.ids[i]);
    return states;
}

static bool container_id_is_valid(const char *text)
{
    return strlen(text) == CONTAINER_ID_LENGTH &&
           strspn(text, "0123456789abcdef") == CONTAINER_ID_LENGTH;
}

static bool known_container(const struct container_states *states, const char *id)
{
    for (size_t i = 0; states->ids && states->ids[i]; i++)
        if (strcmp(states->ids[i], id) == 0)
            return true;
    return false;
}

/* Cgroups under /husk of IDs this state root does not have. Another state
 * root's containers live there too: only an empty one that has not
 * changed for a while is a leftover (a start fills its cgroup at once). */
static void stray_cgroups_repair(struct repair *r, const struct container_states *states)
{
    struct cgroup_layout layout;
    if (cgroup_layout_discover(&layout, NULL) < 0)
        return;
    cleanup_strv char **names = cgroup_scan_children(&layout, "/husk");
    for (char **name = names; *name; name++) {
        if (!container_id_is_valid(*name) || known_container(states, *name))
            continue;
        cleanup_free char *path = xasprintf("/husk/%s", *name);
        struct cgroup_presence presence;
        cgroup_scan_path(&layout, path, &presence);
        if (presence.processes > 0 || time(NULL) - presence.changed < 10)
            continue;
        husk_error_t err = NULL;
        int rc = r->fix ? cgroup_destroy(&layout, path, &err) : 0;
        repair_notef(r, "cgroup", rc, err, path, "empty, of no container");
    }
    cgroup_layout_free(&layout);
}

static void container_states_free(struct container_states *states)
{
    cleanup_strvp(&states->ids);
    free(states->live);
}

int engine_system_check(const struct engine_context *context, bool fix, json_t **findings,
                        husk_error_t *err)
{
    (void)err;
    struct repair r = {context, fix, json_array()};
    struct container_states states = containers_repair(&r);
    names_repair(&r);
    stray_cgroups_repair(&r, &states);
    network_repair(&r);
    temporary_files_repair(&r);
    container_states_free(&states);
    *findings = r.findings;
    return 0;
}
