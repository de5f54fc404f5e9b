/* The monitor's restarter: a child the monitor forks each time PID 1 has
 * exited. It does everything that touches the record (cleanup, the exit,
 * events, --rm) and, under a restart policy, the back-off and the next
 * start, so that the monitor, which idles for the container's whole life,
 * never touches that code or its heap (idle Pss). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "../../runtime/cgroup.h"
#include "../../runtime/cgroup_state.h"
#include "../../runtime/container.h"
#include "../../runtime/spec.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/timestamp.h"
#include "../events/events.h"
#include "monitor_internal.h"
#include "../network/network_attach.h"
#include "../restart/restart_record.h"
#include "../store.h"
#include "../volumes/container_mounts.h"
#include "../../util/fault.h"

/* Read before the cgroups go: the kernel counts its OOM kills there. */
static bool remove_cgroups(const char *directory)
{
    struct runtime_spec *spec = NULL;
    struct cgroup_layout layout = {0};
    bool oom_killed = false;
    if (runtime_spec_load(directory, &spec, NULL) == 0 &&
        cgroup_layout_discover(&layout, NULL) == 0) {
        oom_killed = spec->cgroups_path && cgroup_oom_kills(&layout, spec->cgroups_path) > 0;
        runtime_container_cleanup(spec, &layout, NULL);
    }
    runtime_spec_free(spec);
    cgroup_layout_free(&layout);
    return oom_killed;
}

/* How long PID 1 ran, from its recorded start: the monitor keeps no clock
 * (one more page of its own each). */
static uint64_t ran_for_ms(json_t *record)
{
    char now[64];
    timestamp_now(now, sizeof(now));
    int64_t ns = timestamp_between_ns(
        json_string_value(json_object_get(json_object_get(record, "State"), "StartedAt")), now);
    return ns > 0 ? (uint64_t)ns / 1000000 : 0;
}

/* Under the container's lock: removes the cgroups, records the exit, then
 * removes the container if --rm. True when the restart policy runs PID 1
 * again (the record then says restarting; *DELAY_MS is the back-off). */
static bool record_exit(const struct engine_context *context, const struct monitor_exit *e,
                        uint64_t *delay_ms)
{
    struct container_handle handle;
    if (container_open(context, e->id, &handle, NULL) < 0)
        return false;
    bool oom_killed = remove_cgroups(handle.directory);
    FAULT_POINT("monitor.exit");
    network_detach_all(context, handle.record);
    *delay_ms = e->delay_ms;
    bool restart = !e->auto_remove && restart_record_exit(handle.record, e->exit_status,
                                                          ran_for_ms(handle.record), delay_ms);
    if (!restart)
        record_set_state(handle.record, "exited", 0, e->exit_status, NULL);
    json_object_set_new(json_object_get(handle.record, "State"), "OOMKilled",
                        json_boolean(oom_killed));
    container_save(context, &handle, NULL);
    engine_event_container_exit(context, handle.record);
    FAULT_POINT("monitor.recorded");
    if (e->auto_remove) {
        container_mounts_release(context, handle.record, true);
        store_container_remove(context, e->id, handle.name, NULL);
        engine_event_container(context, "destroy", handle.record, NULL);
    }
    container_close(&handle);
    return restart;
}

/* The record still says restarting and the user has not stopped it (stop
 * and rm -f say so in the record, then wait for the monitor). */
static bool restart_still_wanted(json_t *record)
{
    const char *status =
        json_string_value(json_object_get(json_object_get(record, "State"), "Status"));
    return status != NULL && strcmp(status, "restarting") == 0 &&
           !restart_record_manually_stopped(record);
}

static bool restart_still_wanted_now(const struct engine_context *context, const char *id)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return false;
    bool wanted = restart_still_wanted(handle.record);
    container_close(&handle);
    return wanted;
}

/* docker's back-off before PID 1 runs again; a stop meanwhile (the record
 * renamed into place) ends the wait at once. False when it was stopped. */
static bool wait_backoff(const struct engine_context *context, const char *id, uint64_t delay_ms)
{
    cleanup_free char *directory = store_container_directory(context, id);
    cleanup_close int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    cleanup_close int watch = inotify_init1(IN_CLOEXEC);
    struct itimerspec when = {.it_value = {.tv_sec = (time_t)(delay_ms / 1000),
                                           .tv_nsec = (long)(delay_ms % 1000) * 1000000}};
    if (directory == NULL || timer < 0 || watch < 0 || timerfd_settime(timer, 0, &when, NULL) < 0 ||
        inotify_add_watch(watch, directory, IN_MOVED_TO | IN_DELETE_SELF) < 0)
        return false;
    while (restart_still_wanted_now(context, id)) {
        struct pollfd fds[2] = {{.fd = timer, .events = POLLIN}, {.fd = watch, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            return false;
        if (fds[0].revents & POLLIN)
            return true;
        char events[4096];
        if ((fds[1].revents & POLLIN) && read(watch, events, sizeof(events)) < 0 && errno != EINTR)
            return false;
    }
    return false;
}

/* No next run after all: the record says exited, keeping the last exit
 * code, unless the container is gone already. */
static void record_not_restarted(const struct engine_context *context,
                                 struct container_handle *handle)
{
    json_t *state = json_object_get(handle->record, "State");
    const char *status = json_string_value(json_object_get(state, "Status"));
    if (status != NULL && strcmp(status, "restarting") == 0) {
        int exit_code = (int)json_integer_value(json_object_get(state, "ExitCode"));
        record_set_state(handle->record, "exited", 0, exit_code, NULL);
        container_save(context, handle, NULL);
    }
}

static void send_decision(int channel_fd, bool restart, uint64_t delay_ms)
{
    struct monitor_exit_decision decision = {.restart = restart, .delay_ms = delay_ms};
    ssize_t n;
    do
        n = send(channel_fd, &decision, sizeof(decision), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
}

_Noreturn void monitor_restarter_main(const struct engine_context *context,
                                      const struct monitor_exit *e, int channel_fd)
{
    /* Not the monitor's: an attach client's socket held here would not see
     * its end before the back-off is over. */
    int keep[1] = {channel_fd};
    fd_close_all_but(keep, 1);
    /* It must not start a PID 1 for a monitor that is gone (no one would
     * watch it), nor pass for the monitor in `ps`. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != e->monitor)
        _exit(1);
    prctl(PR_SET_NAME, "husk-restarter", 0, 0, 0);
    FAULT_POINT("monitor.reaped");
    uint64_t delay_ms = 0;
    bool restart = record_exit(context, e, &delay_ms);
    send_decision(channel_fd, restart, delay_ms);
    if (!restart)
        _exit(0);
    bool due = wait_backoff(context, e->id, delay_ms);
    /* The start is decided under the lock the user's stop and rm -f take. */
    struct container_handle handle;
    if (container_open(context, e->id, &handle, NULL) < 0)
        _exit(0);
    if (!due || !restart_still_wanted(handle.record)) {
        record_not_restarted(context, &handle);
        container_close(&handle);
        _exit(0);
    }
    struct monitor_request request = {.handle = &handle, .restart = true};
    monitor_launcher_main(context, &request, -1, channel_fd);
}
