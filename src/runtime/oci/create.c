/* create, start and run: a container's first process set up from a bundle,
 * waiting on a fifo until `start` (runc's protocol, so `start` is a write),
 * or started at once. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/json_text.h"
#include "../../util/timestamp.h"
#include "../../util/xalloc.h"
#include "../cgroup.h"
#include "../container.h"
#include "../hooks.h"
#include "../relay.h"
#include "internal.h"
#include "oci.h"

struct creation {
    const struct oci_create_options *o;
    struct oci_container c;
    struct runtime_spec *spec;
    struct cgroup_layout layout;
    char *bundle;
    char *config_text; /* config.json as read, kept as it is in the state */
    json_t *document;  /* parsed, borrowed */
    int seccomp_listener;
    size_t config_length;
};

static int load_bundle(struct creation *k, json_t **document, husk_error_t *err)
{
    k->bundle = realpath(k->o->bundle ? k->o->bundle : ".", NULL);
    if (k->bundle == NULL)
        return husk_error_set(err, errno, "bundle %s", k->o->bundle ? k->o->bundle : ".");
    cleanup_free char *path = xasprintf("%s/config.json", k->bundle);
    if (file_read_all(AT_FDCWD, path, &k->config_text, &k->config_length, err) < 0)
        return -1;
    json_error_t parse_error;
    *document = json_loadb_uint64(k->config_text, k->config_length, &parse_error);
    if (*document == NULL)
        return husk_error_set(err, 0, "%s: line %d: %s", path, parse_error.line, parse_error.text);
    const char *version = json_string_value(json_object_get(*document, "ociVersion"));
    unsigned minor, patch;
    char end;
    if (version == NULL || sscanf(version, "1.%u.%u%c", &minor, &patch, &end) < 2 ||
        (sscanf(version, "1.%u.%u%c", &minor, &patch, &end) == 3 && end != '-' && end != '+'))
        return husk_error_set(err, 0, "%s: ociVersion \"%s\" is not a 1.x.y version", path,
                              version ? version : "");
    if (runtime_spec_parse(*document, k->bundle, &k->spec, err) < 0)
        return husk_error_wrap(err, "%s", path);
    return 0;
}

/* What runc allows every container on top of the spec's rules: the
 * standard nodes, pseudo-terminals and tun, mknod of anything, and the
 * spec's own linux.devices. */
static void allow_default_devices(struct runtime_spec *spec)
{
    static const struct runtime_device_rule defaults[] = {
        {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
        {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 7, "rwm"},    {true, 'c', 1, 8, "rwm"},
        {true, 'c', 1, 9, "rwm"}, {true, 'c', 5, 0, "rwm"},    {true, 'c', 5, 1, "rwm"},
        {true, 'c', 5, 2, "rwm"}, {true, 'c', 136, -1, "rwm"}, {true, 'c', 10, 200, "rwm"},
    };
    size_t count = sizeof(defaults) / sizeof(defaults[0]);
    spec->device_rules =
        xreallocarray(spec->device_rules, spec->device_rule_count + count + spec->device_count + 1,
                      sizeof(*spec->device_rules));
    for (size_t i = 0; i < count; i++)
        spec->device_rules[spec->device_rule_count++] = defaults[i];
    for (size_t i = 0; i < spec->device_count; i++) {
        const struct runtime_device *d = &spec->devices[i];
        if (d->type != 'c' && d->type != 'b')
            continue;
        spec->device_rules[spec->device_rule_count++] =
            (struct runtime_device_rule){true, d->type, d->major, d->minor, "rwm"};
    }
}

/* What husk cannot apply here is said, not silently dropped. */
static void warn_unsupported(const struct creation *k, json_t *document)
{
    json_t *process = json_object_get(document, "process");
    json_t *linux_section = json_object_get(document, "linux");
    if (k->spec->apparmor_profile != NULL && access("/sys/kernel/security/apparmor", F_OK) < 0)
        fprintf(stderr,
                "husk-oci: warning: process.apparmorProfile %s ignored: AppArmor is not "
                "enabled on this host\n",
                k->spec->apparmor_profile);
    const char *label = json_string_value(json_object_get(process, "selinuxLabel"));
    if (label != NULL && label[0] != '\0')
        fprintf(stderr,
                "husk-oci: warning: process.selinuxLabel %s ignored: husk does not "
                "apply SELinux labels\n",
                label);
    if (json_object_get(linux_section, "intelRdt") != NULL)
        fprintf(stderr, "husk-oci: warning: linux.intelRdt ignored: not supported\n");
}

static int check_options(const struct creation *k, husk_error_t *err)
{
    const struct oci_create_options *o = k->o;
    if (o->systemd_cgroup && access("/run/systemd/system", F_OK) < 0)
        return husk_error_set(err, 0,
                              "--systemd-cgroup: systemd is not running on this host; use the "
                              "cgroupfs driver (drop the flag)");
    bool relayed = o->run && !o->detach;
    if (k->spec->terminal && o->console_socket == NULL && !relayed)
        return husk_error_set(err, 0,
                              "process.terminal is true: a detached container needs "
                              "--console-socket to hand its terminal to");
    if (!k->spec->terminal && o->console_socket != NULL)
        return husk_error_set(err, 0, "--console-socket needs process.terminal: true");
    return 0;
}

/* The record a later command needs: saved before the process exists, so a
 * crash of create leaves a directory `delete` can remove. */
static int record_container(struct creation *k, json_t *document, husk_error_t *err)
{
    if (file_write_all(k->c.dir_fd, "config.json", k->config_text, k->config_length, 0600, err) < 0)
        return -1;
    json_t *state = k->c.state;
    /* start and delete then parse config.json only for hooks that exist. */
    json_object_set_new(state, "poststart",
                        json_boolean(k->spec->hooks[RUNTIME_HOOK_POSTSTART].count > 0));
    json_object_set_new(state, "poststop",
                        json_boolean(k->spec->hooks[RUNTIME_HOOK_POSTSTOP].count > 0));
    json_object_set_new(state, "bundle", json_string(k->bundle));
    json_object_set_new(state, "rootfs", json_string(k->spec->root_path));
    char created[64];
    timestamp_now(created, sizeof(created));
    json_object_set_new(state, "created", json_string(created));
    json_object_set_new(state, "cgroups_path", json_string(k->spec->cgroups_path));
    json_object_set_new(state, "cgroup_layout", cgroup_layout_to_json(&k->layout));
    json_t *annotations = json_object_get(document, "annotations");
    if (json_is_object(annotations))
        json_object_set(state, "annotations", annotations);
    return oci_container_save(&k->c, err);
}

static int open_start_fifo(struct creation *k, husk_error_t *err)
{
    if (mkfifoat(k->c.dir_fd, OCI_START_FIFO, 0600) < 0)
        return husk_error_set(err, errno, "create the start fifo");
    /* Read end, non-blocking: the process polls it, and a fifo that never
     * had a writer does not read as closed. */
    int fd = openat(k->c.dir_fd, OCI_START_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return husk_error_set(err, errno, "open the start fifo");
    return fd;
}

/* Once the process exists, before it does anything: its PID on record,
 * then the prestart and createRuntime hooks. */
static int process_born(void *data, pid_t pid, husk_error_t *err)
{
    struct creation *k = data;
    json_object_set_new(k->c.state, "pid", json_integer(pid));
    json_object_set_new(k->c.state, "start_time",
                        json_integer((json_int_t)oci_process_start_time(pid)));
    if (oci_container_save(&k->c, err) < 0)
        return -1;
    if (k->spec->hooks[RUNTIME_HOOK_PRESTART].count +
            k->spec->hooks[RUNTIME_HOOK_CREATE_RUNTIME].count ==
        0)
        return 0;
    cleanup_free char *state = oci_hook_state_text(&k->c, "created");
    oci_container_unlock(&k->c);
    int rc = hooks_run(&k->spec->hooks[RUNTIME_HOOK_PRESTART], "prestart", state, err);
    if (rc == 0)
        rc = hooks_run(&k->spec->hooks[RUNTIME_HOOK_CREATE_RUNTIME], "createRuntime", state, err);
    if (oci_container_relock(&k->c, rc < 0 ? NULL : err) < 0)
        return -1;
    return rc;
}

static int launch(struct creation *k, int start_fd, struct runtime_process *process,
                  husk_error_t *err)
{
    struct winsize window = {.ws_row = k->spec->console_height, .ws_col = k->spec->console_width};
    /* "o" takes the reference given: a new one of the record's
     * annotations, or the only one of a fresh empty object. */
    json_t *annotations = json_object_get(k->c.state, "annotations");
    cleanup_json json_t *hook_state = json_pack(
        "{s:s, s:s, s:s, s:o}", "ociVersion", OCI_VERSION, "id", k->c.id, "bundle", k->bundle,
        "annotations", annotations != NULL ? json_incref(annotations) : json_object());
    struct runtime_launch_options options = {
        .window = window.ws_row || window.ws_col ? &window : NULL,
        .stdio = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO},
        .before_start = process_born,
        .before_start_data = k,
        .wait_for_start = start_fd >= 0,
        .start_fd = start_fd,
        .preserve_fds = k->o->preserve_fds,
        .hook_state = hook_state,
        .seccomp_listener = &k->seccomp_listener,
    };
    return runtime_container_launch(k->spec, &k->layout, &options, process, err);
}

static int hand_over(struct creation *k, struct runtime_process *process, husk_error_t *err)
{
    if (k->seccomp_listener >= 0) {
        json_t *seccomp = json_object_get(json_object_get(k->document, "linux"), "seccomp");
        int rc = oci_send_seccomp_listener(&k->c, seccomp, k->seccomp_listener, err);
        close(k->seccomp_listener);
        k->seccomp_listener = -1;
        if (rc < 0)
            return -1;
    }
    if (k->o->console_socket != NULL && process->terminal_fd >= 0 &&
        oci_send_console(k->o->console_socket, process->terminal_fd, err) < 0)
        return -1;
    if (k->o->pid_file != NULL && oci_write_pid_file(k->o->pid_file, process->pid, err) < 0)
        return -1;
    if (k->o->run) {
        cleanup_free char *state = oci_hook_state_text(&k->c, "running");
        oci_hooks_warn(k->spec, RUNTIME_HOOK_POSTSTART, state);
    }
    return 0;
}

/* run in the foreground: the process is husk's child; its terminal, if
 * any, is relayed to husk's own. */
static int wait_foreground(struct creation *k, struct runtime_process *process, int *exit_status,
                           husk_error_t *err)
{
    struct relay_io io = {.terminal_stdin = process->terminal_fd >= 0,
                          .stdin_pipe = -1,
                          .stdout_pipe = -1,
                          .stderr_pipe = -1};
    oci_container_unlock(&k->c);
    int rc = relay_foreground(process, &io, exit_status, err);
    if (oci_container_relock(&k->c, NULL) < 0)
        return rc; /* deleted meanwhile: nothing left to do */
    if (rc == 0 && !k->o->keep)
        rc = oci_destroy(&k->c, err);
    return rc;
}

static void creation_free(struct creation *k)
{
    oci_container_close(&k->c);
    runtime_spec_free(k->spec);
    cgroup_layout_free(&k->layout);
    free(k->bundle);
    free(k->config_text);
    if (k->seccomp_listener >= 0)
        close(k->seccomp_listener);
}

static int create_container(struct creation *k, int *exit_status, husk_error_t *err)
{
    cleanup_json json_t *document = NULL;
    if (load_bundle(k, &document, err) < 0 || check_options(k, err) < 0)
        return -1;
    k->document = document;
    warn_unsupported(k, document);
    allow_default_devices(k->spec);
    char *cgroups_path = oci_cgroups_path(k->spec->cgroups_path, k->o->id);
    free(k->spec->cgroups_path);
    k->spec->cgroups_path = cgroups_path;
    if (cgroup_layout_discover(&k->layout, err) < 0 ||
        oci_container_new(k->o->root, k->o->id, &k->c, err) < 0)
        return -1;
    cleanup_close int start_fd = -1;
    struct runtime_process process = {.pid = -1, .pidfd = -1, .terminal_fd = -1};
    if (record_container(k, document, err) < 0 ||
        (!k->o->run && (start_fd = open_start_fifo(k, err)) < 0) ||
        launch(k, start_fd, &process, err) < 0) {
        oci_container_remove(&k->c, NULL);
        return -1;
    }
    int rc = hand_over(k, &process, err);
    if (rc == 0 && k->o->run && !k->o->detach)
        rc = wait_foreground(k, &process, exit_status, err);
    else if (rc < 0)
        oci_destroy(&k->c, NULL); /* kills what it left half-handed-over */
    if (process.pidfd >= 0)
        close(process.pidfd);
    if (process.terminal_fd >= 0)
        close(process.terminal_fd);
    return rc;
}

int oci_create(const struct oci_create_options *o, int *exit_status, husk_error_t *err)
{
    struct creation k = {.o = o, .seccomp_listener = -1};
    *exit_status = 0;
    if (oci_check_preserved_fds(o->preserve_fds, err) < 0)
        return -1;
    /* A foreground run forwards these to the process; blocked from before
     * its birth so none is lost. */
    sigset_t forwarded, saved;
    runtime_forwarded_signals(&forwarded);
    bool foreground = o->run && !o->detach;
    if (foreground)
        sigprocmask(SIG_BLOCK, &forwarded, &saved);
    int rc = create_container(&k, exit_status, err);
    if (foreground)
        sigprocmask(SIG_SETMASK, &saved, NULL);
    creation_free(&k);
    return rc;
}

/* Lets the process waiting on the start fifo go on. */
static int release(struct oci_container *c, husk_error_t *err)
{
    enum oci_status status = oci_container_status(c);
    if (status != OCI_CREATED)
        return husk_error_set(err, 0,
                              "container \"%s\" is %s, not created: only a created container "
                              "starts",
                              c->id, oci_status_name(status));
    cleanup_close int fifo = openat(c->dir_fd, OCI_START_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0 || write(fifo, "0", 1) != 1)
        return husk_error_set(err, errno == ENXIO ? 0 : errno,
                              "container \"%s\" is not waiting to start (its process died?)",
                              c->id);
    unlinkat(c->dir_fd, OCI_START_FIFO, 0);
    return 0;
}

int oci_start(const char *root, const char *id, husk_error_t *err)
{
    struct oci_container c;
    if (oci_container_open(root, id, &c, err) < 0)
        return -1;
    int rc = release(&c, err);
    struct runtime_spec *spec = NULL;
    cleanup_free char *state = NULL;
    if (rc == 0 && json_is_true(json_object_get(c.state, "poststart")) &&
        oci_container_spec(&c, &spec, NULL) == 0)
        state = oci_hook_state_text(&c, "running");
    /* The hooks may ask husk-oci about the container. */
    oci_container_close(&c);
    if (spec != NULL) {
        oci_hooks_warn(spec, RUNTIME_HOOK_POSTSTART, state);
        runtime_spec_free(spec);
    }
    return rc;
}
