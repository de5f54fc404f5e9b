#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "attach.h"
#include "events/events.h"
#include "exit_wait.h"
#include "monitor/monitor.h"
#include "network/network_attach.h"
#include "network/network_release.h"
#include "volumes/container_mounts.h"
#include "resource_commands.h"
#include "record.h"
#include "record_reserve.h"
#include "restart/restart_record.h"
#include "run.h"
#include "run_identity.h"
#include "store.h"
#include "../util/fault.h"

int signal_parse(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return -1;
    char *end = NULL;
    long number = strtol(text, &end, 10);
    if (*end == '\0')
        return number > 0 && number < NSIG ? (int)number : -1;
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev != NULL && strcasecmp(abbrev, name) == 0)
            return sig;
    }
    return -1;
}

/* Running, or about to run again under its restart policy: `start` has
 * nothing to do. */
static bool container_active(json_t *record)
{
    const char *status = record_status(record);
    return strcmp(status, "running") == 0 || strcmp(status, "restarting") == 0 ||
           strcmp(status, "paused") == 0;
}

/* Settled: a start in the moment before the old monitor recorded PID 1's
 * exit would have that record written over the new run's. */
int engine_start(const struct engine_context *context, const char *reference, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open_settled(context, reference, &handle, err) < 0)
        return -1;
    int rc = 0;
    if (!container_active(handle.record)) {
        restart_record_user_started(handle.record);
        rc = monitor_start(context, &handle, -1, err);
    }
    container_close(&handle);
    return rc;
}

int engine_start_attached(const struct engine_context *context, const char *reference,
                          bool interactive, int *exit_status, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open_settled(context, reference, &handle, err) < 0)
        return -1;
    if (container_active(handle.record)) {
        container_close(&handle);
        return husk_error_set(err, 0, "container %s is already running (use husk attach)",
                              reference);
    }
    restart_record_user_started(handle.record);
    json_t *config = json_object_get(handle.record, "Config");
    struct attach_client_options options = {
        .stdin_open = interactive && json_is_true(json_object_get(config, "OpenStdin")),
        .tty = json_is_true(json_object_get(config, "Tty")),
    };
    /* Connected before the monitor starts PID 1, so no output is missed. */
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        container_close(&handle);
        return husk_error_set(err, errno, "socketpair");
    }
    int rc = monitor_start(context, &handle, pair[1], err);
    close(pair[1]);
    container_close(&handle);
    if (rc == 0)
        rc = attach_client_run(pair[0], &options, exit_status, err);
    close(pair[0]);
    return rc;
}

int engine_run_detached(const struct engine_context *context, const struct run_options *options,
                        char id[HUSK_ID_SIZE], husk_error_t *err)
{
    if (run_options_validate(options, err) < 0)
        return -1;
    if (monitor_run(context, options, id, err) == 0) {
        run_identity_created(options, id);
        return 0;
    }
    if (id[0] != '\0')
        engine_remove(context, id, true, true, NULL);
    return -1;
}

struct running {
    int process; /* pidfd of PID 1, or -1 */
    int monitor; /* pidfd of its monitor, or -1 */
    pid_t pid;   /* PID 1's, as recorded */
};

static void running_close(struct running *r)
{
    if (r->process >= 0)
        close(r->process);
    if (r->monitor >= 0)
        close(r->monitor);
    r->process = r->monitor = -1;
}

enum container_activity { ACTIVITY_RUNNING, ACTIVITY_NOT_RUNNING, ACTIVITY_RESTARTING };

/* A stop, kill or forced removal by the user ends the restart policy until
 * the next start (HALT): said in the record under the same lock the monitor
 * takes to decide on a restart, so the two never cross. */
static void halt_restart_policy(const struct engine_context *context,
                                struct container_handle *handle, bool halt,
                                enum container_activity activity)
{
    if (!halt || activity == ACTIVITY_NOT_RUNNING ||
        restart_record_manually_stopped(handle->record))
        return;
    restart_record_user_stopped(handle->record);
    container_save(context, handle, NULL);
}

/* Under the lock: pidfds of PID 1 and the monitor. Returns ACTIVITY_RUNNING
 * when PID 1 runs, ACTIVITY_RESTARTING when only its monitor does, between
 * two runs of a restart policy (r->monitor is then open), and
 * ACTIVITY_NOT_RUNNING otherwise (id is set either way); -1 for an unknown
 * or ambiguous reference. */
static int open_running(const struct engine_context *context, const char *reference, bool halt,
                        struct running *r, char id[HUSK_ID_SIZE], husk_error_t *err)
{
    struct container_handle handle;
    r->process = r->monitor = -1;
    id[0] = '\0';
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    snprintf(id, HUSK_ID_SIZE, "%s", handle.id);
    r->process = record_open_process(handle.record, "Pid", "PidStartTime");
    int process_errno = errno;
    r->monitor = record_open_process(handle.record, "MonitorPid", "MonitorStartTime");
    int monitor_errno = errno;
    if ((r->process < 0 && process_errno != ESRCH) || (r->monitor < 0 && monitor_errno != ESRCH)) {
        /* Out of descriptors: not knowing is no licence to tear down. */
        int error = r->process < 0 && process_errno != ESRCH ? process_errno : monitor_errno;
        container_close(&handle);
        running_close(r);
        return husk_error_set(err, error, "container %s: cannot tell whether it runs", reference);
    }
    r->pid =
        (pid_t)json_integer_value(json_object_get(json_object_get(handle.record, "State"), "Pid"));
    enum container_activity activity = ACTIVITY_RUNNING;
    /* A record still "running" without PID 1 (record_status() says
     * "exited") is an exit its live monitor has yet to record, and maybe
     * restart from: the same wait. */
    const char *status =
        json_string_value(json_object_get(json_object_get(handle.record, "State"), "Status"));
    if (status == NULL)
        status = "dead";
    if (r->process < 0)
        activity =
            (strcmp(status, "restarting") == 0 || strcmp(status, "running") == 0) && r->monitor >= 0
                ? ACTIVITY_RESTARTING
                : ACTIVITY_NOT_RUNNING;
    halt_restart_policy(context, &handle, halt, activity);
    container_close(&handle);
    if (activity == ACTIVITY_NOT_RUNNING)
        running_close(r);
    return (int)activity;
}

/* docker's rule: a paused container is unpaused before it is stopped or
 * killed (a frozen v1 task would not even die of SIGKILL). */
static int refuse_paused(const struct engine_context *context, const char *id,
                         const char *reference, husk_error_t *err)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return 0;
    bool paused = record_is_paused(handle.record);
    container_close(&handle);
    if (paused)
        return husk_error_set(err, 0, "container %s is paused: unpause it first", reference);
    return 0;
}

static int send_signal(int pidfd, int sig, const char *reference, husk_error_t *err)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
        return husk_error_set(err, errno, "signal container %s", reference);
    return 0;
}

/* send_signal, and docker's "kill" event (kill, stop and rm -f all send one). */
static int kill_container(const struct engine_context *context, const char *id, int pidfd, int sig,
                          const char *reference, husk_error_t *err)
{
    if (send_signal(pidfd, sig, reference, err) < 0)
        return -1;
    engine_event_container_id(context, "kill", id,
                              json_pack("{s:o}", "signal", json_sprintf("%d", sig)));
    return 0;
}

static bool wait_readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc;
    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0;
}

/* The image's STOPSIGNAL (kept in the record's Config), else SIGTERM. */
static int stop_signal_of(const struct engine_context *context, const char *id)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return SIGTERM;
    const char *name =
        json_string_value(json_object_get(json_object_get(handle.record, "Config"), "StopSignal"));
    int signal = name ? signal_parse(name) : -1;
    container_close(&handle);
    return signal > 0 ? signal : SIGTERM;
}

int engine_kill(const struct engine_context *context, const char *reference, int sig,
                husk_error_t *err)
{
    struct running r;
    char id[HUSK_ID_SIZE];
    /* docker's: SIGKILL or the stop signal ends the restart policy (even
     * between two runs); another signal is only passed on. */
    bool ending = sig == SIGKILL || sig == stop_signal_of(context, reference);
    int rc = open_running(context, reference, ending, &r, id, err);
    if (rc == ACTIVITY_RESTARTING && ending) {
        wait_readable(r.monitor, -1);
        running_close(&r);
        return 0;
    }
    if (rc == ACTIVITY_RESTARTING) {
        /* Or PID 1 has just exited, and that is being recorded. */
        bool restarting = exit_wait_recorded(context, id, r.monitor, r.pid, EXIT_WAIT_BRIEF_MS) ==
                          EXIT_RECORDED_RESTARTING;
        running_close(&r);
        return restarting ? husk_error_set(err, 0,
                                           "container %s is restarting: wait until it runs, or "
                                           "stop it",
                                           reference)
                          : husk_error_set(err, 0, "container %s is not running", reference);
    }
    if (rc == ACTIVITY_NOT_RUNNING)
        return husk_error_set(err, 0, "container %s is not running", reference);
    if (rc < 0)
        return -1;
    if (refuse_paused(context, id, reference, err) < 0) {
        running_close(&r);
        return -1;
    }
    rc = kill_container(context, id, r.process, sig, reference, err);
    running_close(&r);
    return rc;
}

/* Until the monitor has recorded PID 1's exit; when that was for good, the
 * monitor is about to exit, and its --rm and its clients are done once it
 * has. Under a restart policy it waits to run PID 1 again. */
static void wait_for_monitor(const struct engine_context *context, const char *id,
                             struct running *r)
{
    if (exit_wait_recorded(context, id, r->monitor, r->pid, -1) == EXIT_RECORDED_FINAL)
        wait_readable(r->monitor, -1);
}

/* After PID 1 is gone: the monitor records the exit; without a monitor (it
 * was killed) husk records what it knows itself. */
static void settle_exit(const struct engine_context *context, const char *id, struct running *r)
{
    if (r->monitor >= 0) {
        wait_for_monitor(context, id, r);
        return;
    }
    struct container_handle handle;
    if (container_open(context, id, &handle, NULL) < 0)
        return;
    const char *status =
        json_string_value(json_object_get(json_object_get(handle.record, "State"), "Status"));
    if (status && strcmp(status, "running") == 0) {
        record_set_state(handle.record, "exited", 0, -1,
                         "the monitor was gone: exit status unknown");
        container_save(context, &handle, NULL);
        engine_event_container_exit(context, handle.record);
    }
    container_close(&handle);
}

/* A record that still says running while PID 1 is gone: wait for its
 * monitor to record the exit, or record it if the monitor is gone too. */
static void settle_stale(const struct engine_context *context, const char *id)
{
    struct container_handle handle;
    if (container_open(context, id, &handle, NULL) < 0)
        return;
    const char *status =
        json_string_value(json_object_get(json_object_get(handle.record, "State"), "Status"));
    struct running r = {.process = -1, .monitor = -1};
    r.pid =
        (pid_t)json_integer_value(json_object_get(json_object_get(handle.record, "State"), "Pid"));
    if (status && strcmp(status, "running") == 0 && !record_process_alive(handle.record))
        r.monitor = record_open_process(handle.record, "MonitorPid", "MonitorStartTime");
    else
        status = NULL;
    container_close(&handle);
    if (status != NULL)
        settle_exit(context, id, &r);
    running_close(&r);
}

/* A full state root: the exit status is only in the record's reserve
 * (record_reserve.h), which the user must hear of. */
static int exit_kept(const struct engine_context *context, const char *id, const char *reference,
                     husk_error_t *err)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return 0;
    json_t *state = json_object_get(handle.record, "State");
    const char *error = json_string_value(json_object_get(state, "Error"));
    int rc = 0;
    if (error != NULL && strcmp(error, RECORD_RESERVE_NOT_RECORDED) == 0)
        rc = husk_error_set(err, ENOSPC,
                            "container %s stopped (exit code %lld), but its record could not be "
                            "updated; free space in the state root",
                            reference,
                            (long long)json_integer_value(json_object_get(state, "ExitCode")));
    container_close(&handle);
    return rc;
}

/* The -t given, else the container's --stop-timeout (Config.StopTimeout),
 * else docker's 10 seconds; in milliseconds for poll, -1 (for ever) for a
 * negative one as docker. */
static int stop_timeout_ms(const struct engine_context *context, const char *id, int timeout)
{
    struct container_handle handle;
    if (timeout == ENGINE_STOP_TIMEOUT_DEFAULT) {
        timeout = 10;
        json_t *given = NULL;
        if (container_read(context, id, &handle, NULL) == 0) {
            given = json_object_get(json_object_get(handle.record, "Config"), "StopTimeout");
            if (json_is_integer(given))
                timeout = (int)json_integer_value(given);
            container_close(&handle);
        }
    }
    return timeout < 0 || timeout > INT_MAX / 1000 ? -1 : timeout * 1000;
}

/* The stop signal, SIGKILL after timeout seconds, then wait for the exit to
 * be recorded. */
static int stop_running(const struct engine_context *context, const char *reference,
                        struct running *r, const char *id, int timeout, husk_error_t *err)
{
    int rc = kill_container(context, id, r->process, stop_signal_of(context, id), reference, err);
    if (rc == 0 && !wait_readable(r->process, stop_timeout_ms(context, id, timeout))) {
        rc = kill_container(context, id, r->process, SIGKILL, reference, err);
        wait_readable(r->process, -1);
    }
    settle_exit(context, id, r);
    running_close(r);
    if (rc == 0)
        rc = exit_kept(context, id, reference, err);
    if (rc == 0)
        engine_event_container_id(context, "stop", id, NULL);
    return rc;
}

int engine_stop(const struct engine_context *context, const char *reference, int timeout,
                husk_error_t *err)
{
    struct running r;
    char id[HUSK_ID_SIZE];
    int rc = open_running(context, reference, true, &r, id, err);
    if (rc == ACTIVITY_RESTARTING) {
        /* The monitor sees the record change and records the exit. */
        wait_readable(r.monitor, -1);
        running_close(&r);
        return 0;
    }
    if (rc == ACTIVITY_NOT_RUNNING)
        return husk_error_set(err, 0, "container %s is not running", reference);
    if (rc < 0)
        return -1;
    if (refuse_paused(context, id, reference, err) < 0) {
        running_close(&r);
        return -1;
    }
    return stop_running(context, reference, &r, id, timeout, err);
}

/* As docker: a container that does not run is simply started. */
int engine_restart(const struct engine_context *context, const char *reference, int timeout,
                   husk_error_t *err)
{
    struct running r;
    char id[HUSK_ID_SIZE];
    int rc = open_running(context, reference, true, &r, id, err);
    if (rc < 0)
        return -1;
    if (rc == ACTIVITY_RUNNING && stop_running(context, reference, &r, id, timeout, err) < 0)
        return -1;
    if (rc == ACTIVITY_RESTARTING) {
        wait_readable(r.monitor, -1);
        running_close(&r);
    }
    if (rc == ACTIVITY_NOT_RUNNING)
        settle_stale(context, id);
    if (engine_start(context, id, err) < 0)
        return -1;
    engine_event_container_id(context, "restart", id, NULL);
    return 0;
}

int engine_wait(const struct engine_context *context, const char *reference, int *exit_code,
                husk_error_t *err)
{
    struct running r;
    char id[HUSK_ID_SIZE];
    int rc = open_running(context, reference, false, &r, id, err);
    if (rc < 0)
        return -1;
    if (rc == ACTIVITY_RUNNING)
        wait_readable(r.process, -1);
    /* Also when PID 1 was reaped but its monitor has yet to record the
     * exit: the record's ExitCode is still the created container's 0. */
    if (rc == ACTIVITY_RUNNING || rc == ACTIVITY_RESTARTING) {
        settle_exit(context, id, &r);
    } else if (rc == ACTIVITY_NOT_RUNNING) {
        settle_stale(context, id);
    }
    running_close(&r);
    struct container_handle handle;
    if (container_open(context, id, &handle, err) < 0)
        return -1;
    *exit_code = (int)json_integer_value(
        json_object_get(json_object_get(handle.record, "State"), "ExitCode"));
    container_close(&handle);
    return 0;
}

/* Where the spec put them: /husk/ID, or under --cgroup-parent. PID 1 of a
 * `husk run` that was killed is killed too (PDEATHSIG) but may still be on
 * its way out, and rmdir refuses its cgroups until it is gone. */
static void destroy_cgroups(const char *directory)
{
    struct cgroup_layout layout;
    struct runtime_spec *spec = NULL;
    if (runtime_spec_load(directory, &spec, NULL) < 0)
        return;
    if (spec->cgroups_path != NULL && cgroup_layout_discover(&layout, NULL) == 0) {
        /* cgroup_destroy waits out EBUSY itself. */
        cgroup_destroy(&layout, spec->cgroups_path, NULL);
        cgroup_layout_free(&layout);
    }
    runtime_spec_free(spec);
}

static bool is_name(const char *entry)
{
    return entry[0] != '.';
}

/* A directory without a record has no name on record either: whichever
 * names point at it go (DATA/names/NAME -> ID, see store.h). */
static void release_names_of(const struct engine_context *context, const char *id)
{
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/names", context->data_root) < 0)
        return;
    cleanup_strv char **names = directory_names(path, is_name);
    for (char **name = names; name && *name; name++)
        store_name_release(context, *name, id);
}

/* A container directory without a record: a husk killed while it created
 * the container (or removed it) left it. Creation holds the directory's
 * lock from its mkdir until the record is written (whole, by rename), so
 * once the lock is ours and there is still no record, none will come. */
static int remove_unrecorded(const struct engine_context *context, const char *reference,
                             husk_error_t *err)
{
    char id[HUSK_ID_SIZE];
    if (container_lookup(context, reference, id, err) < 0) {
        /* The name of an rm killed after the directory went. */
        store_name_release_stale(context, reference);
        return -1;
    }
    int abandoned = store_container_abandoned(context, id, true, err);
    if (abandoned < 0)
        return -1;
    if (abandoned == 1) {
        release_names_of(context, id);
        return 0;
    }
    /* There is a record: say what is wrong with it. */
    struct container_handle handle;
    if (container_read(context, id, &handle, err) < 0)
        return -1;
    container_close(&handle);
    return husk_error_set(err, EAGAIN, "container %s changed while it was being removed",
                          reference);
}

/* PID 1 runs: with FORCE it is killed (thawed first, or SIGKILL waits)
 * and its exit settled; without, nothing changes. */
static int end_running(const struct engine_context *context, const char *reference,
                       struct running *r, const char *id, bool force, husk_error_t *err)
{
    if (!force) {
        running_close(r);
        return husk_error_set(err, 0, "cannot remove running container %s: stop it first or use -f",
                              reference);
    }
    kill_container(context, id, r->process, SIGKILL, reference, NULL);
    engine_thaw(context, id);
    wait_readable(r->process, -1);
    settle_exit(context, id, r);
    running_close(r);
    return 0;
}

int engine_remove(const struct engine_context *context, const char *reference, bool force,
                  bool remove_volumes, husk_error_t *err)
{
    struct running r = {-1, -1, 0};
    char id[HUSK_ID_SIZE] = "";
    husk_error_t not_open = NULL;
    int state = open_running(context, reference, force, &r, id, &not_open);
    if (state < 0) {
        /* Unless there is no record at all, why it could not be opened. */
        int rc = remove_unrecorded(context, reference, err);
        if (rc < 0 && not_open != NULL) {
            husk_error_free(err);
            *err = steal_pointer(&not_open);
        }
        husk_error_free(&not_open);
        return rc;
    }
    if (state == ACTIVITY_RUNNING && end_running(context, reference, &r, id, force, err) < 0)
        return -1;
    if (state == ACTIVITY_RESTARTING) {
        if (!force) {
            running_close(&r);
            return husk_error_set(err, 0,
                                  "cannot remove restarting container %s: stop it first or "
                                  "use -f",
                                  reference);
        }
        wait_readable(r.monitor, -1);
        running_close(&r);
    }
    FAULT_POINT("rm.opened");
    if (state == ACTIVITY_NOT_RUNNING)
        settle_stale(context, id);
    struct container_handle handle;
    if (container_open(context, id, &handle, err) < 0) {
        /* Removed meanwhile by its own --rm: what was asked is done. */
        husk_error_free(err);
        return 0;
    }
    /* A husk or monitor that was killed left the cgroups, the address
     * lease, the veth and the published ports; remove them too. */
    destroy_cgroups(handle.directory);
    FAULT_POINT("rm.cgroups");
    network_detach_all(context, handle.record);
    /* Also what the record does not name: a start killed between wiring
     * the network and saving the record left it. */
    network_release_container(context, handle.id);
    FAULT_POINT("rm.network");
    container_mounts_release(context, handle.record, remove_volumes);
    FAULT_POINT("rm.volumes");
    int rc = store_container_remove(context, handle.id, handle.name, err);
    if (rc == 0)
        engine_event_container(context, "destroy", handle.record, NULL);
    container_close(&handle);
    return rc;
}

/* What `husk ps -a` cannot show: a directory whose record never came. */
static bool prune_unrecorded(const struct engine_context *context, const char *id)
{
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) == 0) {
        container_close(&handle);
        return false;
    }
    return remove_unrecorded(context, id, NULL) == 0;
}

int engine_prune(const struct engine_context *context, char ***removed, husk_error_t *err)
{
    cleanup_strv char **ids = container_list_ids(context);
    size_t count = 0;
    *removed = calloc(1, sizeof(char *));
    for (char **id = ids; id && *id; id++) {
        struct container_handle handle;
        bool removable;
        if (container_open(context, *id, &handle, NULL) == 0) {
            removable = strcmp(record_status(handle.record), "running") != 0;
            container_close(&handle);
            removable = removable && engine_remove(context, *id, false, false, NULL) == 0;
        } else {
            removable = prune_unrecorded(context, *id);
        }
        if (!removable)
            continue;
        char **grown = realloc(*removed, (count + 2) * sizeof(char *));
        if (grown == NULL)
            return husk_error_set(err, ENOMEM, "prune");
        *removed = grown;
        (*removed)[count++] = strdup(*id);
        (*removed)[count] = NULL;
    }
    store_names_release_stale(context);
    return 0;
}
