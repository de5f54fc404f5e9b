#include "namespace_join.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/namespace.h"
#include "../util/cleanup.h"
#include "record.h"

static const struct join_kind {
    const char *mode_key; /* in HostConfig */
    const char *proc_name;
    const char *what;
    int type;
} join_kinds[NAMESPACE_JOIN_KINDS] = {
    {"PidMode", "pid", "PID", CLONE_NEWPID},
    {"IpcMode", "ipc", "IPC", CLONE_NEWIPC},
    {"NetworkMode", "net", "network", CLONE_NEWNET},
};

const char *namespace_donor_of(const char *mode)
{
    static const char prefix[] = "container:";
    if (mode == NULL || strncmp(mode, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    return mode + sizeof(prefix) - 1;
}

char *namespace_donor_resolve(const struct engine_context *context, const char *mode,
                              const char *self, husk_error_t *err)
{
    const char *reference = namespace_donor_of(mode);
    char id[HUSK_ID_SIZE];
    if (reference == NULL || reference[0] == '\0') {
        husk_error_set(err, 0, "invalid mode \"%s\": container: needs a container name", mode);
        return NULL;
    }
    if (self != NULL && strcmp(reference, self) == 0) {
        husk_error_set(err, 0, "%s: a container cannot join its own namespace", mode);
        return NULL;
    }
    if (container_lookup(context, reference, id, err) < 0) {
        husk_error_wrap(err, "%s", mode);
        return NULL;
    }
    return strdup(id);
}

static struct runtime_namespace *spec_namespace(struct runtime_spec *spec, int type)
{
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == type)
            return &spec->namespaces[i];
    return NULL;
}

/* Docker's rule: only a donor that offered its IPC may be joined. */
static int check_ipc_donor(const struct container_handle *donor, husk_error_t *err)
{
    json_t *host_config = json_object_get(donor->record, "HostConfig");
    const char *mode = json_string_value(json_object_get(host_config, "IpcMode"));
    if (mode != NULL && (strcmp(mode, "shareable") == 0 || strcmp(mode, "host") == 0))
        return 0;
    return husk_error_set(err, 0,
                          "container %s has a non-shareable IPC namespace (%s): start it with "
                          "--ipc shareable to let others join it",
                          donor->name, mode ? mode : "private");
}

static bool process_still_alive(int pidfd)
{
    struct pollfd exited = {.fd = pidfd, .events = POLLIN};
    return poll(&exited, 1, 0) == 0;
}

/* The donor's namespace, opened through its PID 1 while that process is
 * pinned by a pidfd: a reused PID cannot hand over a stranger's namespace. */
static int open_donor(const struct engine_context *context, const struct join_kind *kind,
                      const char *reference, struct namespace_joins *joins, size_t slot,
                      husk_error_t *err)
{
    struct container_handle donor;
    if (container_read(context, reference, &donor, err) < 0)
        return -1;
    int rc = -1;
    cleanup_close int pidfd = record_open_process(donor.record, "Pid", "PidStartTime");
    if (pidfd < 0) {
        husk_error_set(err, 0, "cannot join the %s namespace of container %s: it is not running",
                       kind->what, donor.name);
        goto out;
    }
    if (kind->type == CLONE_NEWIPC && check_ipc_donor(&donor, err) < 0)
        goto out;
    char path[64];
    pid_t pid =
        (pid_t)json_integer_value(json_object_get(json_object_get(donor.record, "State"), "Pid"));
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, kind->proc_name);
    joins->namespace_fds[slot] = open(path, O_RDONLY | O_CLOEXEC);
    if (joins->namespace_fds[slot] < 0 || !process_still_alive(pidfd)) {
        husk_error_set(err, errno, "cannot join the %s namespace of container %s: it stopped",
                       kind->what, donor.name);
        goto out;
    }
    if (kind->type == CLONE_NEWIPC) {
        joins->shm_fd = namespace_mount_clone(pidfd, "/dev/shm", err);
        if (joins->shm_fd < 0) {
            husk_error_wrap(err, "share /dev/shm of container %s", donor.name);
            goto out;
        }
    }
    rc = 0;
out:
    container_close(&donor);
    return rc;
}

int namespace_joins_open(const struct engine_context *context, json_t *host_config,
                         struct runtime_spec *spec, struct runtime_launch_options *launch,
                         struct namespace_joins *joins, husk_error_t *err)
{
    *joins = (struct namespace_joins){.shm_fd = -1};
    for (size_t i = 0; i < NAMESPACE_JOIN_KINDS; i++)
        joins->namespace_fds[i] = -1;
    for (size_t i = 0; i < NAMESPACE_JOIN_KINDS; i++) {
        const struct join_kind *kind = &join_kinds[i];
        const char *mode = json_string_value(json_object_get(host_config, kind->mode_key));
        const char *donor = namespace_donor_of(mode);
        struct runtime_namespace *entry = spec_namespace(spec, kind->type);
        if (donor == NULL)
            continue;
        if (entry == NULL)
            return husk_error_set(err, 0, "config.json has no %s namespace to join %s", kind->what,
                                  mode);
        if (open_donor(context, kind, donor, joins, i, err) < 0)
            return -1;
        free(entry->path);
        if (asprintf(&entry->path, "/proc/self/fd/%d", joins->namespace_fds[i]) < 0) {
            entry->path = NULL;
            return husk_error_set(err, ENOMEM, "namespace path");
        }
    }
    if (joins->shm_fd >= 0) {
        joins->shm =
            (struct runtime_attached_mount){.destination = "/dev/shm", .fd = joins->shm_fd};
        launch->attached_mounts = &joins->shm;
        launch->attached_mount_count = 1;
    }
    return 0;
}

void namespace_joins_close(struct namespace_joins *joins)
{
    for (size_t i = 0; i < NAMESPACE_JOIN_KINDS; i++)
        if (joins->namespace_fds[i] >= 0)
            close(joins->namespace_fds[i]);
    if (joins->shm_fd >= 0)
        close(joins->shm_fd);
    *joins = (struct namespace_joins){.shm_fd = -1, .namespace_fds = {-1, -1, -1}};
}
