#include "exit_wait.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "store.h"

static bool status_active(const char *status)
{
    return status != NULL && (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0);
}

bool record_exit_pending(json_t *record)
{
    const char *status =
        json_string_value(json_object_get(json_object_get(record, "State"), "Status"));
    return status_active(status) && !record_process_alive(record) && record_monitor_alive(record);
}

/* Whether the record still says PID 1 runs, or the monitor recorded its
 * exit, and whether its restart policy runs it again. */
static enum exit_record exit_recorded(const struct engine_context *context, const char *id,
                                      pid_t pid)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return EXIT_RECORDED_FINAL;
    json_t *state = json_object_get(handle.record, "State");
    const char *status = json_string_value(json_object_get(state, "Status"));
    enum exit_record recorded = EXIT_RECORDED_FINAL;
    if (status != NULL && strcmp(status, "restarting") == 0)
        recorded = EXIT_RECORDED_RESTARTING;
    else if (status_active(status))
        recorded = json_integer_value(json_object_get(state, "Pid")) == pid
                       ? EXIT_NOT_RECORDED
                       : EXIT_RECORDED_RESTARTING;
    container_close(&handle);
    return recorded;
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* What is left of TIMEOUT_MS from START, -1 for no limit. */
static int left_ms(long long start, int timeout_ms)
{
    if (timeout_ms < 0)
        return -1;
    long long left = start + timeout_ms - now_ms();
    return left > 0 ? (int)left : 0;
}

/* The monitor renames the new record into place (seen with inotify) or
 * removes the directory (--rm). */
enum exit_record exit_wait_recorded(const struct engine_context *context, const char *id,
                                    int monitor_pidfd, pid_t pid, int timeout_ms)
{
    long long start = now_ms();
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_close int watch = inotify_init1(IN_CLOEXEC);
    bool watching = directory != NULL && watch >= 0 &&
                    inotify_add_watch(watch, directory, IN_MOVED_TO | IN_DELETE_SELF) >= 0;
    enum exit_record recorded;
    while ((recorded = exit_recorded(context, id, pid)) == EXIT_NOT_RECORDED) {
        int left = left_ms(start, timeout_ms);
        if (left == 0)
            break;
        struct pollfd fds[2] = {{.fd = monitor_pidfd, .events = POLLIN},
                                {.fd = watching ? watch : -1, .events = POLLIN}};
        if (poll(fds, 2, left) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN)
            return exit_recorded(context, id, pid);
        char events[4096];
        if ((fds[1].revents & POLLIN) && read(watch, events, sizeof(events)) < 0 && errno != EINTR)
            break;
    }
    return recorded;
}

int container_open_settled(const struct engine_context *context, const char *reference,
                           struct container_handle *handle, husk_error_t *err)
{
    if (container_open(context, reference, handle, err) < 0)
        return -1;
    if (!record_exit_pending(handle->record))
        return 0;
    /* The monitor takes this lock to record the exit. */
    int monitor = record_open_process(handle->record, "MonitorPid", "MonitorStartTime");
    pid_t pid =
        (pid_t)json_integer_value(json_object_get(json_object_get(handle->record, "State"), "Pid"));
    char id[HUSK_ID_SIZE];
    snprintf(id, sizeof(id), "%s", handle->id);
    container_close(handle);
    if (monitor >= 0) {
        exit_wait_recorded(context, id, monitor, pid, EXIT_WAIT_BRIEF_MS);
        close(monitor);
    }
    /* By the user's word: an error (gone meanwhile with --rm) names it. */
    return container_open(context, reference, handle, err);
}
