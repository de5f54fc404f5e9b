#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../runtime/cgroup.h"
#include "../runtime/cgroup_state.h"
#include "../runtime/container.h"
#include "../runtime/relay.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "environment.h"
#include "events/events.h"
#include "health/health_config.h"
#include "identity.h"
#include "launch.h"
#include "logs/log_config.h"
#include "logs/log_writer.h"
#include "namespace_join.h"
#include "network/network_attach.h"
#include "ports.h"
#include "prepare.h"
#include "record.h"
#include "run_attached.h"
#include "restart/restart_policy.h"
#include "run_identity.h"
#include "streams.h"
#include "store.h"
#include "user.h"

/* MODE is one of the NULL-terminated WORDS, or "container:NAME" where that
 * is allowed; NULL (not given) is fine. */
static bool mode_is_one_of(const char *mode, const char *const *words, bool joinable)
{
    if (mode == NULL)
        return true;
    const char *donor = namespace_donor_of(mode);
    if (donor != NULL)
        return joinable && donor[0] != '\0';
    for (; *words != NULL; words++)
        if (strcmp(mode, *words) == 0)
            return true;
    return false;
}

static bool mode_is(const char *mode, const char *word)
{
    return mode != NULL && strcmp(mode, word) == 0;
}

/* A private user namespace owns the container's other namespaces; the
 * host's or another container's belong to another one and cannot be joined,
 * and --privileged would mean nothing inside it. */
static int userns_conflicts(const struct run_options *o, husk_error_t *err)
{
    const struct {
        const char *flag, *mode;
    } shared[] = {{"--pid", o->pid_mode},
                  {"--ipc", o->ipc_mode},
                  {"--uts", o->uts_mode},
                  {"--network", o->network}};
    if (o->privileged)
        return husk_error_set(err, 0, "conflicting options: --privileged and --userns private");
    for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
        if (mode_is(shared[i].mode, "host") || namespace_donor_of(shared[i].mode) != NULL)
            return husk_error_set(err, 0,
                                  "conflicting options: --userns private and %s %s (that "
                                  "namespace belongs to another user namespace)",
                                  shared[i].flag, shared[i].mode);
    return 0;
}

/* A user-defined network: any other valid name (whether it exists is
 * known only at create). */
static bool network_is_named(const char *mode)
{
    return mode != NULL && namespace_donor_of(mode) == NULL && strcmp(mode, "host") != 0 &&
           strcmp(mode, "none") != 0 && strcmp(mode, "bridge") != 0 && container_name_valid(mode);
}

static int ports_validate(const struct run_options *o, husk_error_t *err)
{
    for (size_t i = 0; i < o->publish_count; i++) {
        struct port_mapping mapping;
        if (port_mapping_parse(o->publish[i], &mapping, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->expose_count; i++) {
        uint16_t port;
        char protocol[4];
        if (port_exposed_parse(o->expose[i], &port, protocol, err) < 0)
            return -1;
    }
    if ((o->publish_count > 0 || o->publish_all) && o->network != NULL &&
        !network_mode_is_bridge(o->network))
        return husk_error_set(err, 0,
                              "conflicting options: port publishing and --network %s (published "
                              "ports need a bridge network)",
                              o->network);
    return 0;
}

static int namespace_modes_validate(const struct run_options *o, husk_error_t *err)
{
    static const char *const host_or_private[] = {"host", "private", NULL};
    static const char *const ipc_modes[] = {"host", "private", "shareable", "none", NULL};
    static const char *const network_modes[] = {"host", "none", "bridge", NULL};
    const struct {
        const char *flag, *mode, *choices;
        const char *const *words;
        bool joinable;
    } checks[] = {
        {"--pid", o->pid_mode, "host, private or container:NAME", host_or_private, true},
        {"--ipc", o->ipc_mode, "host, private, shareable, none or container:NAME", ipc_modes, true},
        {"--uts", o->uts_mode, "host or private", host_or_private, false},
        {"--cgroupns", o->cgroupns_mode, "host or private", host_or_private, false},
        {"--network", network_is_named(o->network) ? NULL : o->network,
         "bridge, none, host, container:NAME or a network's name", network_modes, true},
        {"--userns", o->userns_mode, "host or private", host_or_private, false},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (!mode_is_one_of(checks[i].mode, checks[i].words, checks[i].joinable))
            return husk_error_set(err, 0, "invalid %s mode \"%s\": use %s", checks[i].flag,
                                  checks[i].mode, checks[i].choices);
    if (mode_is(o->uts_mode, "host") && o->hostname != NULL)
        return husk_error_set(err, 0,
                              "conflicting options: --hostname and --uts host (the host's name "
                              "would change)");
    if (mode_is(o->userns_mode, "private") && userns_conflicts(o, err) < 0)
        return -1;
    if (namespace_donor_of(o->network) != NULL && o->hostname != NULL)
        return husk_error_set(err, 0,
                              "conflicting options: --hostname and --network %s (the container "
                              "takes that container's host name)",
                              o->network);
    return 0;
}

int run_options_validate(const struct run_options *o, husk_error_t *err)
{
    if (o->name != NULL && !container_name_valid(o->name))
        return husk_error_set(err, 0,
                              "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                              "is allowed",
                              o->name);
    if (o->name != NULL && container_name_is_full_id(o->name))
        return husk_error_set(
            err, 0, "invalid container name \"%s\": 64 hex digits are a container ID", o->name);
    struct resource_limits limits;
    if (namespace_modes_validate(o, err) < 0 || ports_validate(o, err) < 0 ||
        resource_limits_parse(&o->resources, &limits, err) < 0)
        return -1;
    if (o->cgroup_parent != NULL &&
        (o->cgroup_parent[0] == '\0' || strstr(o->cgroup_parent, "..") != NULL ||
         strspn(o->cgroup_parent,
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") !=
             strlen(o->cgroup_parent)))
        return husk_error_set(err, 0, "invalid --cgroup-parent \"%s\": use a path such as /mygroup",
                              o->cgroup_parent);
    if (o->workdir != NULL && o->workdir[0] != '/')
        return husk_error_set(err, 0, "invalid workdir \"%s\": it must be an absolute path",
                              o->workdir);
    if (o->hostname != NULL && (o->hostname[0] == '\0' || strlen(o->hostname) > 64))
        return husk_error_set(err, 0, "invalid hostname \"%s\": 1 to 64 characters", o->hostname);
    for (size_t i = 0; i < o->env_count; i++) {
        cleanup_free char *value = NULL;
        if (environment_option_parse(o->env[i], &value, err) < 0)
            return -1;
    }
    if (o->user != NULL) {
        cleanup_free char *user = NULL, *group = NULL;
        if (user_spec_split(o->user, &user, &group, err) < 0)
            return -1;
    }
    if (o->restart != NULL) {
        struct restart_policy policy;
        if (restart_policy_parse(o->restart, &policy, err) < 0)
            return -1;
        if (policy.name != RESTART_NO && o->auto_remove)
            return husk_error_set(err, 0, "conflicting options: --restart %s and --rm", o->restart);
    }
    if (health_flags_validate(&o->health, err) < 0 || run_identity_validate(o, err) < 0)
        return -1;
    return log_options_validate(o, err);
}

static bool run_wants_monitor(const struct run_options *o)
{
    struct restart_policy policy;
    return o->restart != NULL && restart_policy_parse(o->restart, &policy, NULL) == 0 &&
           policy.name != RESTART_NO;
}

/* The foreground husk is its container's monitor: it records the exit
 * (engine_launch recorded the start). */
static void record_exit(const struct engine_context *context, struct prepared_container *c,
                        int exit_code)
{
    record_set_state(c->record, "exited", 0, exit_code, NULL);
    json_t *state = json_object_get(c->record, "State");
    json_object_set_new(state, "MonitorPid", json_integer(0));
    json_object_set_new(state, "MonitorStartTime", json_integer(0));
    store_record_save(context, c->id, c->record, NULL);
    engine_event_container_exit(context, c->record);
}

struct foreground {
    const struct run_options *options;
    const char *directory;
    const json_t *record;
    struct engine_launched launched;
    struct relay_io io;
    struct log_writer log;
    sigset_t saved_mask;
};

static void log_output(void *context, int stream, const char *data, size_t length)
{
    log_writer_append(context, stream == STDERR_FILENO ? LOG_STDERR : LOG_STDOUT, data, length);
}

/* Pipes husk relays (or the pty the runtime makes), never the caller's fds. */
static int open_stdio(void *data, const struct runtime_spec *spec, int stdio[3], husk_error_t *err)
{
    struct foreground *f = data;
    (void)spec;
    if (stdio_pipes_open(f->options->tty, f->options->interactive, &f->io, stdio, err) < 0)
        return -1;
    /* As with a detached container, `husk logs` shows what it printed. */
    if (log_writer_open(&f->log, f->record, f->directory, err) < 0)
        return -1;
    f->io.observe_output = log_output;
    f->io.observe_context = &f->log;
    return 0;
}

static int start_foreground(const struct engine_context *context, struct prepared_container *c,
                            struct foreground *f, husk_error_t *err)
{
    sigset_t forwarded;
    runtime_forwarded_signals(&forwarded);
    sigprocmask(SIG_BLOCK, &forwarded, &f->saved_mask);
    struct winsize window;
    bool have_window = f->options->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &window) == 0;
    struct engine_launch_io io = {
        .open_stdio = open_stdio,
        .data = f,
        .window = have_window ? &window : NULL,
    };
    return engine_launch(context, c->record, c->directory, c->spec, &io, &f->launched, err);
}

static void finish_foreground(struct foreground *f)
{
    if (f->launched.process.pidfd >= 0)
        close(f->launched.process.pidfd);
    if (f->launched.process.terminal_fd >= 0)
        close(f->launched.process.terminal_fd);
    stdio_close_relay_ends(&f->io);
    log_writer_close(&f->log);
    sigprocmask(SIG_SETMASK, &f->saved_mask, NULL);
    engine_launched_free(&f->launched);
}

/* From PID 1's exec to its end: husk is its monitor, records its state and
 * relays its stdio. */
static int run_to_end(const struct engine_context *context, struct prepared_container *c,
                      struct foreground *f, int *exit_status, husk_error_t *err)
{
    struct engine_launched *l = &f->launched;
    /* Started and recorded: others may act on it now (stop, exec, kill). */
    close(steal_fd(&c->lock_fd));
    int rc = relay_foreground(&l->process, &f->io, exit_status, err);
    bool oom_killed =
        l->spec->cgroups_path && cgroup_oom_kills(&l->layout, l->spec->cgroups_path) > 0;
    runtime_container_cleanup(l->spec, &l->layout, NULL);
    network_detach_all(context, c->record);
    json_object_set_new(json_object_get(c->record, "State"), "OOMKilled", json_boolean(oom_killed));
    record_exit(context, c, rc == 0 ? *exit_status : HUSK_EXIT_ENGINE);
    return rc;
}

int engine_run(const struct engine_context *context, const struct run_options *o, int *exit_status,
               husk_error_t *err)
{
    if (run_options_validate(o, err) < 0)
        return -1;
    /* A restart policy needs a monitor to run PID 1 again. */
    if (run_identity_attached_streams(o) != 0 || !run_identity_sig_proxy(o) || run_wants_monitor(o))
        return engine_run_attached(context, o, exit_status, err);
    struct prepared_container c;
    if (prepare_container(context, o, &c, err) < 0)
        return -1;
    store_record_save(context, c.id, c.record, NULL);
    engine_event_container(context, "create", c.record, NULL);
    run_identity_created(o, c.id);
    struct foreground f = {
        .options = o,
        .directory = c.directory,
        .record = c.record,
        .launched = {.process = {.pid = -1, .pidfd = -1, .terminal_fd = -1}},
        .io = {.stdin_pipe = -1, .stdout_pipe = -1, .stderr_pipe = -1},
        .log = {.fd = -1, .directory = -1},
    };
    sigemptyset(&f.saved_mask);
    sigprocmask(SIG_SETMASK, NULL, &f.saved_mask);
    int rc = start_foreground(context, &c, &f, err);
    if (rc == 0)
        rc = run_to_end(context, &c, &f, exit_status, err);
    finish_foreground(&f);
    /* A container that never started is not kept: bad input leaves nothing. */
    if (rc < 0 || o->auto_remove) {
        prepared_container_discard(context, &c);
        engine_event_container(context, "destroy", c.record, NULL);
    }
    if (rc < 0)
        run_identity_discarded(o);
    prepared_container_free(&c);
    return rc;
}
