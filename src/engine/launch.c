#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "events/events.h"
#include "health/health_state.h"
#include "namespace_join.h"
#include "network/network_attach.h"
#include "network/network_release.h"
#include "record.h"
#include "store.h"
#include "streams.h"
#include "volumes/container_mounts.h"
#include "../util/fault.h"

/* What the before_start hook needs: it runs once PID 1 exists, in its
 * cgroups, and before it does anything. */
struct launch_start {
    const struct engine_context *context;
    json_t *record;
    bool as_sibling;
};

static int record_save(const struct launch_start *s, husk_error_t *err)
{
    const char *id = json_string_value(json_object_get(s->record, "Id"));
    if (id == NULL)
        return husk_error_set(err, 0, "the container's record has no Id");
    return store_record_save(s->context, id, s->record, err);
}

/* Recorded as running from the moment PID 1 exists, before it execs the
 * command, and saved before it may: should the caller die from here on,
 * the record still names the process, and the kernel says whether it runs
 * (`ps` shows a PID 1 that died before its exec as exited, status
 * unknown; `rm -f` and `stop` end one that lives on). Its monitor is its
 * parent: the caller, or with as_sibling the caller's parent. */
static void record_running(json_t *record, pid_t pid, bool as_sibling)
{
    pid_t monitor = as_sibling ? getppid() : getpid();
    record_set_state(record, "running", pid, 0, NULL);
    json_t *state = json_object_get(record, "State");
    json_object_set_new(state, "MonitorPid", json_integer(monitor));
    json_object_set_new(state, "MonitorStartTime",
                        json_integer((json_int_t)process_start_time(monitor)));
    /* Only a monitor probes (health/health_timer.c): a foreground run has
     * no State.Health rather than one starting for ever. */
    if (as_sibling)
        health_state_begin(record);
}

static bool wants_network(json_t *record)
{
    json_t *networks = json_object_get(json_object_get(record, "NetworkSettings"), "Networks");
    return json_object_size(networks) > 0;
}

/* In the helper: attach, save the record naming what was attached, and
 * report (as one JSON document) to the launching process. Never returns. */
_Noreturn static void helper_main(const struct launch_start *s, pid_t pid, int report_fd)
{
    husk_error_t err = NULL;
    struct network_start network = {s->context, s->record};
    int rc = network_before_start(&network, pid, &err);
    if (rc == 0)
        FAULT_POINT("start.network");
    /* Nothing may be held that the record on disk does not name. */
    if (rc == 0 && (rc = record_save(s, &err)) < 0)
        network_detach_all(s->context, s->record);
    if (rc == 0)
        FAULT_POINT("start.record");
    json_t *report = rc == 0 ? json_pack("{s:b, s:O}", "ok", 1, "NetworkSettings",
                                         json_object_get(s->record, "NetworkSettings"))
                             : json_pack("{s:b, s:i, s:i, s:s}", "ok", 0, "status",
                                         err ? err->exit_status : HUSK_EXIT_ENGINE, "errno",
                                         err ? err->errno_value : 0, "message",
                                         err && err->message ? err->message : "wire the network");
    if (report != NULL)
        json_dumpfd(report, report_fd, JSON_COMPACT);
    _exit(rc < 0);
}

/* The launching process's side: the helper's report, read to its end. */
static int helper_result(const struct launch_start *s, int report_fd, husk_error_t *err)
{
    json_error_t parse_error;
    json_t *report = json_loadfd(report_fd, 0, &parse_error);
    if (report == NULL)
        return husk_error_set(err, 0, "wire the network: its helper died");
    int rc = 0;
    if (json_is_true(json_object_get(report, "ok")))
        json_object_set(s->record, "NetworkSettings", json_object_get(report, "NetworkSettings"));
    else
        rc = husk_error_set_status(err, (int)json_integer_value(json_object_get(report, "status")),
                                   (int)json_integer_value(json_object_get(report, "errno")), "%s",
                                   json_string_value(json_object_get(report, "message"))
                                       ?: "wire the network");
    json_decref(report);
    return rc;
}

/* The network is wired by a child of the launching process, which waits for
 * it: a SIGKILL of the launching process (a `husk run` the user killed)
 * cannot cut the wiring in half. The helper attaches all or nothing and
 * saves the record naming the lease, veth and ports before it exits, so
 * `husk rm` finds them even when nobody waited for the helper. PID 1 itself
 * dies with a killed `husk run` (PDEATHSIG until its exec). */
static int attach_in_helper(const struct launch_start *s, pid_t pid, husk_error_t *err)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "wire the network: pipe");
    pid_t helper = fork();
    if (helper == 0) {
        close(report[0]);
        helper_main(s, pid, report[1]);
    }
    int fork_errno = errno;
    close(report[1]);
    if (helper < 0) {
        close(report[0]);
        return husk_error_set(err, fork_errno, "wire the network: fork");
    }
    int rc = helper_result(s, report[0], err);
    close(report[0]);
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    /* A helper killed before it saved the record: what it attached is
     * named nowhere but by the container's ID. */
    if (rc < 0)
        network_release_container(s->context, json_string_value(json_object_get(s->record, "Id")));
    return rc;
}

static int before_start(void *data, pid_t pid, husk_error_t *err)
{
    const struct launch_start *s = data;
    record_running(s->record, pid, s->as_sibling);
    if (wants_network(s->record))
        return attach_in_helper(s, pid, err);
    return record_save(s, err);
}

static int load_spec(json_t *document, const char *directory, struct runtime_spec **spec,
                     husk_error_t *err)
{
    if (document != NULL)
        return runtime_spec_parse(document, directory, spec, err);
    return runtime_spec_load(directory, spec, err);
}

int engine_launch(const struct engine_context *context, json_t *record, const char *directory,
                  json_t *spec_document, const struct engine_launch_io *io,
                  struct engine_launched *launched, husk_error_t *err)
{
    *launched = (struct engine_launched){.process = {.pid = -1, .pidfd = -1, .terminal_fd = -1}};
    struct runtime_launch_options options = {
        .window = io->window,
        .stdio = {-1, -1, -1},
        .as_sibling = io->as_sibling,
    };
    struct namespace_joins joins = {.shm_fd = -1, .namespace_fds = {-1, -1, -1}};
    struct launch_start start = {context, record, io->as_sibling};
    json_t *host_config = json_object_get(record, "HostConfig");
    int rc = load_spec(spec_document, directory, &launched->spec, err);
    if (rc == 0)
        rc = container_mounts_ready(context, record, err);
    if (rc == 0)
        FAULT_POINT("start.mounts");
    if (rc == 0)
        rc = cgroup_layout_discover(&launched->layout, err);
    if (rc == 0 && io->open_stdio != NULL)
        rc = io->open_stdio(io->data, launched->spec, options.stdio, err);
    if (rc == 0)
        rc = namespace_joins_open(context, host_config, launched->spec, &options, &joins, err);
    if (rc == 0) {
        options.before_start = before_start;
        options.before_start_data = &start;
        rc = runtime_container_launch(launched->spec, &launched->layout, &options,
                                      &launched->process, err);
        if (rc < 0)
            network_detach_all(context, record);
        else
            engine_event_container(context, "start", record, NULL);
    }
    namespace_joins_close(&joins);
    stdio_close_child_ends(options.stdio);
    return rc;
}

void engine_launched_free(struct engine_launched *launched)
{
    cgroup_layout_free(&launched->layout);
    runtime_spec_free(launched->spec);
    launched->spec = NULL;
}
