/* exec: a further process in a created or running container, described by
 * a whole process.json or by the container's own process with overrides. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/json_text.h"
#include "../../util/xalloc.h"
#include "../container.h"
#include "../exec_state.h"
#include "../relay.h"
#include "internal.h"
#include "oci.h"

/* ENV's entries replace the process's of the same name, or are added. */
static void merge_env(json_t *process, json_t *env)
{
    json_t *current = json_object_get(process, "env");
    if (!json_is_array(current)) {
        current = json_array();
        json_object_set_new(process, "env", current);
    }
    size_t i;
    json_t *item;
    json_array_foreach(env, i, item)
    {
        const char *entry = json_string_value(item);
        const char *equals = entry ? strchr(entry, '=') : NULL;
        size_t name_length = equals ? (size_t)(equals - entry) : (entry ? strlen(entry) : 0);
        bool replaced = false;
        for (size_t j = 0; entry && j < json_array_size(current) && !replaced; j++) {
            const char *old = json_string_value(json_array_get(current, j));
            if (old && strncmp(old, entry, name_length) == 0 && old[name_length] == '=') {
                json_array_set(current, j, item);
                replaced = true;
            }
        }
        if (entry && !replaced)
            json_array_append(current, item);
    }
}

static void add_capabilities(json_t *process, json_t *names)
{
    json_t *caps = json_object_get(process, "capabilities");
    if (!json_is_object(caps)) {
        caps = json_object();
        json_object_set_new(process, "capabilities", caps);
    }
    static const char *const sets[] = {"bounding", "effective", "permitted"};
    for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
        json_t *list = json_object_get(caps, sets[s]);
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(caps, sets[s], list);
        }
        json_array_extend(list, names);
    }
}

/* The container's config.json process, with O's overrides applied. */
static json_t *process_with_overrides(const struct oci_container *c, json_t *overrides,
                                      husk_error_t *err)
{
    json_error_t parse_error;
    cleanup_json json_t *config = json_load_path(c->dir_fd, "config.json", &parse_error);
    json_t *own = json_object_get(config, "process");
    if (!json_is_object(own)) {
        husk_error_set(err, 0, "%s/config.json: %s", c->dir, parse_error.text);
        return NULL;
    }
    json_t *process = json_deep_copy(own);
    const char *key;
    json_t *value;
    json_object_foreach(overrides, key, value)
    {
        if (strcmp(key, "env") == 0)
            merge_env(process, value);
        else if (strcmp(key, "capabilities") == 0)
            add_capabilities(process, value);
        else if (strcmp(key, "user") == 0 && json_is_object(json_object_get(process, "user")))
            json_object_update(json_object_get(process, "user"), value);
        else
            json_object_set(process, key, value);
    }
    return process;
}

struct exec_target {
    struct exec_state state;
    int pidfd;
};

static int prepare(const struct oci_exec_options *o, struct exec_target *t, husk_error_t *err)
{
    struct oci_container c;
    if (oci_container_open(o->root, o->id, &c, err) < 0)
        return -1;
    int rc = -1;
    enum oci_status status = oci_container_status(&c);
    cleanup_json json_t *process =
        o->process ? json_incref(o->process) : process_with_overrides(&c, o->overrides, err);
    struct runtime_spec *spec = NULL;
    if (status != OCI_RUNNING && status != OCI_CREATED) {
        husk_error_set(err, 0, "cannot exec in container \"%s\": it is %s", o->id,
                       oci_status_name(status));
    } else if (process != NULL && runtime_spec_parse_process(process, &spec, err) == 0 &&
               exec_state_load(c.dir_fd, &t->state, err) == 0) {
        /* As create made them: systemd's spelling converted, "/ID" by default. */
        const char *path = oci_container_cgroups_path(&c);
        spec->cgroups_path = path ? xstrdup(path) : NULL;
        cgroup_layout_free(&t->state.layout);
        if (oci_container_layout(&c, &t->state.layout, err) < 0) {
            runtime_spec_free(spec);
            exec_state_free(&t->state);
            oci_container_close(&c);
            return -1;
        }
        runtime_spec_free(t->state.spec);
        t->state.spec = spec;
        spec = NULL;
        t->pidfd = oci_container_pidfd(&c);
        rc = t->pidfd < 0 ? husk_error_set(err, 0, "container \"%s\" is not running", o->id) : 0;
        if (rc < 0)
            exec_state_free(&t->state);
    }
    runtime_spec_free(spec);
    oci_container_close(&c);
    return rc;
}

static int run_process(const struct oci_exec_options *o, struct exec_target *t, int *exit_status,
                       husk_error_t *err)
{
    const struct runtime_spec *spec = t->state.spec;
    if (spec->terminal && o->console_socket == NULL && o->detach)
        return husk_error_set(err, 0, "a detached exec with a terminal needs --console-socket");
    struct winsize window = {.ws_row = spec->console_height, .ws_col = spec->console_width};
    struct runtime_launch_options launch = {
        .window = window.ws_row || window.ws_col ? &window : NULL,
        .stdio = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO},
        .exec = true,
        .exec_seccomp = &t->state.seccomp,
        .preserve_fds = o->preserve_fds,
    };
    struct runtime_process process;
    if (runtime_container_exec(spec, t->pidfd, &t->state.layout, &launch, &process, err) < 0)
        return -1;
    int rc = 0;
    if (o->console_socket != NULL && process.terminal_fd >= 0)
        rc = oci_send_console(o->console_socket, process.terminal_fd, err);
    if (rc == 0 && o->pid_file != NULL)
        rc = oci_write_pid_file(o->pid_file, process.pid, err);
    if (rc < 0)
        kill(process.pid, SIGKILL);
    if (rc == 0 && !o->detach) {
        struct relay_io io = {.terminal_stdin = process.terminal_fd >= 0,
                              .stdin_pipe = -1,
                              .stdout_pipe = -1,
                              .stderr_pipe = -1};
        if (o->console_socket != NULL && process.terminal_fd >= 0) {
            close(process.terminal_fd);
            process.terminal_fd = -1;
            io.terminal_stdin = false;
        }
        rc = relay_foreground(&process, &io, exit_status, err);
    }
    close(process.pidfd);
    if (process.terminal_fd >= 0)
        close(process.terminal_fd);
    return rc;
}

int oci_exec(const struct oci_exec_options *o, int *exit_status, husk_error_t *err)
{
    *exit_status = 0;
    struct exec_target t = {.pidfd = -1};
    if (oci_check_preserved_fds(o->preserve_fds, err) < 0)
        return -1;
    if (prepare(o, &t, err) < 0)
        return -1;
    sigset_t forwarded, saved;
    runtime_forwarded_signals(&forwarded);
    sigprocmask(SIG_BLOCK, &forwarded, &saved);
    int rc = run_process(o, &t, exit_status, err);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    close(t.pidfd);
    exec_state_free(&t.state);
    return rc;
}
