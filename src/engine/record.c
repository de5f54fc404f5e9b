#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/json_text.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "identity.h"
#include "record_reserve.h"
#include "store.h"

static bool is_container_id(const char *text)
{
    return strlen(text) == CONTAINER_ID_LENGTH &&
           strspn(text, "0123456789abcdef") == CONTAINER_ID_LENGTH;
}

static bool is_container_id_entry(const char *name)
{
    return is_container_id(name);
}

char **container_list_ids(const struct engine_context *context)
{
    cleanup_free char *path = xasprintf("%s/containers", context->data_root);
    return directory_names(path, is_container_id_entry);
}

static int lookup_name(const struct engine_context *context, const char *name,
                       char id[HUSK_ID_SIZE])
{
    cleanup_free char *link =
        xasprintf("%s/names/%s", context->data_root, name[0] == '/' ? name + 1 : name);
    ssize_t n = readlink(link, id, CONTAINER_ID_LENGTH);
    if (n != CONTAINER_ID_LENGTH)
        return -1;
    id[n] = '\0';
    cleanup_free char *directory = store_container_directory(context, id);
    return access(directory, F_OK) == 0 ? 0 : -1;
}

static bool full_id_exists(const struct engine_context *context, const char *id)
{
    cleanup_free char *directory = store_container_directory(context, id);
    return directory != NULL && access(directory, F_OK) == 0;
}

int container_lookup(const struct engine_context *context, const char *reference,
                     char id[HUSK_ID_SIZE], husk_error_t *err)
{
    if (reference == NULL || reference[0] == '\0')
        return husk_error_set(err, 0, "No such container: \"\"");
    /* docker's order: a full ID, then a name, then an ID prefix. */
    if (container_name_is_full_id(reference) && reference[0] != '/' &&
        full_id_exists(context, reference)) {
        snprintf(id, HUSK_ID_SIZE, "%s", reference);
        return 0;
    }
    if (container_name_valid(reference[0] == '/' ? reference + 1 : reference) &&
        lookup_name(context, reference, id) == 0)
        return 0;
    size_t length = strlen(reference);
    if (length > CONTAINER_ID_LENGTH || strspn(reference, "0123456789abcdef") != length)
        return husk_error_set(err, 0, "No such container: %s", reference);
    cleanup_strv char **ids = container_list_ids(context);
    size_t matches = 0;
    char candidates[512] = "";
    for (char **candidate = ids; *candidate; candidate++) {
        if (strncmp(*candidate, reference, length) != 0)
            continue;
        if (matches++ == 0)
            snprintf(id, HUSK_ID_SIZE, "%s", *candidate);
        size_t used = strlen(candidates);
        snprintf(candidates + used, sizeof(candidates) - used, "%s%.12s", used ? ", " : "",
                 *candidate);
    }
    if (matches == 1)
        return 0;
    if (matches == 0)
        return husk_error_set(err, 0, "No such container: %s", reference);
    return husk_error_set(err, 0, "container ID prefix \"%s\" is ambiguous: it matches %s",
                          reference, candidates);
}

static int load_record(struct container_handle *handle, const char *reference, bool lock,
                       husk_error_t *err)
{
    handle->lock_fd = open(handle->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (handle->lock_fd < 0 || (lock && flock(handle->lock_fd, LOCK_EX) < 0))
        return husk_error_set(err, errno, "No such container: %s", reference);
    json_error_t parse_error;
    cleanup_free char *path = xasprintf("%s/container.json", handle->directory);
    handle->record = json_load_path(AT_FDCWD, path, &parse_error);
    if (handle->record == NULL && parse_error.line == -1 && parse_error.position == 0)
        return husk_error_set(err, errno, "container %.12s: read its record", handle->id);
    if (handle->record == NULL)
        return husk_error_set(err, 0, "container %.12s: record unreadable (%s)", handle->id,
                              parse_error.text);
    record_reserve_apply(handle->directory, handle->record);
    const char *name = json_string_value(json_object_get(handle->record, "Name"));
    handle->name = xstrdup(name && name[0] == '/' ? name + 1 : name ? name : "");
    return 0;
}

static int open_handle(const struct engine_context *context, const char *reference,
                       struct container_handle *handle, bool lock, husk_error_t *err)
{
    memset(handle, 0, sizeof(*handle));
    handle->lock_fd = -1;
    if (container_lookup(context, reference, handle->id, err) < 0)
        return -1;
    handle->directory = store_container_directory(context, handle->id);
    if (load_record(handle, reference, lock, err) < 0) {
        container_close(handle);
        return -1;
    }
    return 0;
}

int container_open(const struct engine_context *context, const char *reference,
                   struct container_handle *handle, husk_error_t *err)
{
    return open_handle(context, reference, handle, true, err);
}

/* Records are replaced by rename(), so an unlocked read sees a whole one. */
int container_read(const struct engine_context *context, const char *reference,
                   struct container_handle *handle, husk_error_t *err)
{
    return open_handle(context, reference, handle, false, err);
}

void container_close(struct container_handle *handle)
{
    if (handle->lock_fd >= 0)
        close(handle->lock_fd);
    free(handle->name);
    free(handle->directory);
    json_decref(handle->record);
    memset(handle, 0, sizeof(*handle));
    handle->lock_fd = -1;
}

int container_save(const struct engine_context *context, struct container_handle *handle,
                   husk_error_t *err)
{
    return store_record_save(context, handle->id, handle->record, err);
}

unsigned long long process_start_time(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    cleanup_free char *stat = NULL;
    if (pid <= 0)
        return 0;
    if (file_read_all(AT_FDCWD, path, &stat, NULL, NULL) < 0)
        return errno == ENOENT || errno == ESRCH ? 0 : PROCESS_START_UNKNOWN;
    /* comm (field 2) may hold spaces and parentheses: count from the last ')'. */
    char *cursor = strrchr(stat, ')');
    /* A zombie has exited: only its parent's wait is missing. */
    if (cursor && (cursor[2] == 'Z' || cursor[2] == 'X'))
        return 0;
    for (int field = 2; cursor && field < 22; field++)
        cursor = strchr(cursor + 1, ' ');
    return cursor ? strtoull(cursor + 1, NULL, 10) : 0;
}

static bool process_matches(json_t *state, const char *pid_key, const char *start_key)
{
    pid_t pid = (pid_t)json_integer_value(json_object_get(state, pid_key));
    unsigned long long recorded =
        (unsigned long long)json_integer_value(json_object_get(state, start_key));
    if (pid <= 0)
        return false;
    unsigned long long actual = process_start_time(pid);
    /* Out of descriptors or memory is no proof of death: a caller that
     * acts on it (rm, stop) would tear down a running container. */
    return actual != 0 && (actual == recorded || actual == PROCESS_START_UNKNOWN);
}

/* Opened first, checked after: a matching start time means the pidfd pins
 * the very process recorded, not a later one that reused its PID. */
int record_open_process(json_t *record, const char *pid_key, const char *start_key)
{
    json_t *state = json_object_get(record, "State");
    pid_t pid = (pid_t)json_integer_value(json_object_get(state, pid_key));
    errno = ESRCH;
    if (pid <= 0)
        return -1;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return -1;
    unsigned long long recorded =
        (unsigned long long)json_integer_value(json_object_get(state, start_key));
    unsigned long long actual = process_start_time(pid);
    if (actual != recorded) {
        int error = actual == PROCESS_START_UNKNOWN ? errno : ESRCH;
        close(pidfd);
        errno = error;
        return -1;
    }
    return pidfd;
}

bool record_process_alive(json_t *record)
{
    return process_matches(json_object_get(record, "State"), "Pid", "PidStartTime");
}

bool record_is_paused(json_t *record)
{
    const char *status =
        json_string_value(json_object_get(json_object_get(record, "State"), "Status"));
    return status != NULL && strcmp(status, "paused") == 0;
}

bool record_monitor_alive(json_t *record)
{
    return process_matches(json_object_get(record, "State"), "MonitorPid", "MonitorStartTime");
}

const char *record_status(json_t *record)
{
    json_t *state = json_object_get(record, "State");
    const char *status = json_string_value(json_object_get(state, "Status"));
    if (status == NULL)
        return "dead";
    bool active = strcmp(status, "running") == 0 || strcmp(status, "paused") == 0;
    if (active && !record_process_alive(record))
        return "exited";
    /* Between two runs under a restart policy only the monitor is left. */
    if (strcmp(status, "restarting") == 0 && !record_monitor_alive(record))
        return "exited";
    return status;
}

void record_set_state(json_t *record, const char *status, pid_t pid, int exit_code,
                      const char *error)
{
    json_t *state = json_object_get(record, "State");
    char now[64];
    store_timestamp_now(now, sizeof(now));
    bool running = strcmp(status, "running") == 0;
    bool restarting = strcmp(status, "restarting") == 0;
    json_object_set_new(state, "Status", json_string(status));
    /* docker's: a container between two runs of its restart policy still
     * counts as running. */
    json_object_set_new(state, "Running", json_boolean(running || restarting));
    json_object_set_new(state, "Restarting", json_boolean(restarting));
    json_object_set_new(state, "Paused", json_false());
    if (running)
        json_object_set_new(state, "OOMKilled", json_false());
    json_object_set_new(state, "Pid", json_integer(pid));
    json_object_set_new(state, "PidStartTime", json_integer((json_int_t)process_start_time(pid)));
    json_object_set_new(state, "ExitCode", json_integer(exit_code));
    json_object_set_new(state, "Error", json_string(error ? error : ""));
    if (running)
        json_object_set_new(state, "StartedAt", json_string(now));
    else if (strcmp(status, "exited") == 0 || restarting)
        json_object_set_new(state, "FinishedAt", json_string(now));
}
