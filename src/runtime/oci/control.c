/* state, list, kill, delete, pause, resume, ps, update and stats: commands
 * on a container that exists. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/json_text.h"
#include "../../util/xalloc.h"
#include "../cgroup.h"
#include "../cgroup_limits.h"
#include "../cgroup_state.h"
#include "../hooks.h"
#include "internal.h"
#include "oci.h"

int oci_container_spec(const struct oci_container *c, struct runtime_spec **spec, husk_error_t *err)
{
    json_error_t parse_error;
    cleanup_json json_t *document = json_load_path(c->dir_fd, "config.json", &parse_error);
    if (document == NULL)
        return husk_error_set(err, 0, "%s/config.json: %s", c->dir, parse_error.text);
    return runtime_spec_parse(document, json_string_value(json_object_get(c->state, "bundle")),
                              spec, err);
}

char *oci_hook_state_text(const struct oci_container *c, const char *status)
{
    cleanup_json json_t *state = oci_container_public_state(c);
    json_object_set_new(state, "status", json_string(status));
    json_object_del(state, "rootfs");
    json_object_del(state, "created");
    json_object_del(state, "owner");
    return json_dumps(state, JSON_COMPACT);
}

void oci_hooks_warn(const struct runtime_spec *spec, enum runtime_hook_kind kind, const char *state)
{
    /* Each one runs, whatever the ones before it did. */
    for (size_t i = 0; i < spec->hooks[kind].count; i++) {
        struct runtime_hook_list one = {.hooks = &spec->hooks[kind].hooks[i], .count = 1};
        husk_error_t err = NULL;
        if (hooks_run(&one, hooks_kind_name(kind), state, &err) < 0) {
            cleanup_free char *text = husk_error_text(err);
            fprintf(stderr, "husk-oci: warning: %s\n", text);
            husk_error_free(&err);
        }
    }
}

/* Waits until the process behind PIDFD has exited (it need not be ours). */
static void wait_exit(int pidfd)
{
    struct pollfd exited = {.fd = pidfd, .events = POLLIN};
    while (pidfd >= 0 && poll(&exited, 1, -1) < 0 && errno == EINTR)
        ;
}

int oci_destroy(struct oci_container *c, husk_error_t *err)
{
    struct runtime_spec *spec = NULL;
    if (json_is_true(json_object_get(c->state, "poststop")))
        oci_container_spec(c, &spec, NULL);
    const char *path = oci_container_cgroups_path(c);
    struct cgroup_layout layout = {0};
    int rc = 0;
    if (path != NULL && oci_container_layout(c, &layout, err) == 0) {
        /* A paused container's processes die only once thawed. */
        if (cgroup_is_frozen(&layout, path))
            cgroup_freeze(&layout, path, false, NULL);
        rc = cgroup_destroy(&layout, path, err);
    }
    cgroup_layout_free(&layout);
    cleanup_free char *state = spec ? oci_hook_state_text(c, "stopped") : NULL;
    if (rc == 0)
        rc = oci_container_remove(c, err);
    /* After the delete, before it returns (runtime-spec); the directory is
     * gone, so a hook asking about the container hears that, not a wait. */
    if (spec != NULL) {
        oci_hooks_warn(spec, RUNTIME_HOOK_POSTSTOP, state);
        runtime_spec_free(spec);
    }
    return rc;
}

int oci_state(const char *root, const char *id, json_t **state, husk_error_t *err)
{
    struct oci_container c;
    if (oci_container_open(root, id, &c, err) < 0)
        return -1;
    *state = oci_container_public_state(&c);
    oci_container_close(&c);
    return 0;
}

json_t *oci_list(const char *root)
{
    json_t *list = json_array();
    char **ids = oci_container_ids(root);
    for (char **id = ids; *id; id++) {
        struct oci_container c;
        if (oci_container_open(root, *id, &c, NULL) == 0)
            json_array_append_new(list, oci_container_public_state(&c));
        oci_container_close(&c);
    }
    cleanup_strvp(&ids);
    return list;
}

static int signal_all(const struct oci_container *c, int signal, husk_error_t *err)
{
    struct cgroup_layout layout = {0};
    const char *path = oci_container_cgroups_path(c);
    if (path == NULL || oci_container_layout(c, &layout, err) < 0)
        return path == NULL ? husk_error_set(err, 0, "container has no cgroup") : -1;
    size_t count = 0;
    cleanup_free pid_t *pids = cgroup_processes(&layout, path, &count);
    for (size_t i = 0; i < count; i++)
        kill(pids[i], signal);
    /* SIGKILL reaches a frozen task only once it is thawed. */
    if (signal == SIGKILL && cgroup_is_frozen(&layout, path))
        cgroup_freeze(&layout, path, false, NULL);
    cgroup_layout_free(&layout);
    return 0;
}

int oci_kill(const char *root, const char *id, int signal, bool all, husk_error_t *err)
{
    struct oci_container c;
    if (oci_container_open(root, id, &c, err) < 0)
        return -1;
    int rc = -1;
    enum oci_status status = oci_container_status(&c);
    cleanup_close int pidfd = oci_container_pidfd(&c);
    if (status == OCI_STOPPED || status == OCI_CREATING || pidfd < 0) {
        husk_error_set(err, 0, "container \"%s\" is not running", id);
    } else if (all) {
        rc = signal_all(&c, signal, err);
    } else if (syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0) < 0) {
        husk_error_set(err, errno, "send signal %d to container \"%s\"", signal, id);
    } else {
        rc = 0;
    }
    oci_container_close(&c);
    return rc;
}

int oci_delete(const char *root, const char *id, bool force, husk_error_t *err)
{
    struct oci_container c;
    husk_error_t open_error = NULL;
    if (oci_container_open(root, id, &c, &open_error) < 0) {
        /* runc: deleting what is gone with --force succeeds (containerd's
         * shim deletes twice). */
        if (force && open_error != NULL && open_error->errno_value == ENOENT) {
            husk_error_free(&open_error);
            return 0;
        }
        *err = open_error;
        return -1;
    }
    int rc = -1;
    /* Declared before the first goto: its cleanup runs on every return. */
    cleanup_close int pidfd = -1;
    enum oci_status status = oci_container_status(&c);
    if ((status == OCI_RUNNING || status == OCI_PAUSED) && !force) {
        husk_error_set(err, 0, "cannot delete container \"%s\": it is %s (stop it or use --force)",
                       id, oci_status_name(status));
        goto out;
    }
    /* Created (waiting for start) or forced: its first process dies first,
     * then whatever else is in its cgroups (oci_destroy). */
    pidfd = oci_container_pidfd(&c);
    if (pidfd >= 0) {
        if (status == OCI_PAUSED)
            signal_all(&c, SIGKILL, NULL);
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        wait_exit(pidfd);
    }
    rc = oci_destroy(&c, err);
out:
    oci_container_close(&c);
    return rc;
}

/* Opens ID, checks it is in one of the statuses WANTED allows, and gives
 * its layout and cgroups path. */
static int open_running(const char *root, const char *id, struct oci_container *c,
                        struct cgroup_layout *layout, const char **path, husk_error_t *err)
{
    *layout = (struct cgroup_layout){0};
    if (oci_container_open(root, id, c, err) < 0)
        return -1;
    enum oci_status status = oci_container_status(c);
    *path = oci_container_cgroups_path(c);
    if (status == OCI_STOPPED || status == OCI_CREATING || *path == NULL) {
        husk_error_set(err, 0, "container \"%s\" is not running", id);
        oci_container_close(c);
        return -1;
    }
    if (oci_container_layout(c, layout, err) < 0) {
        oci_container_close(c);
        return -1;
    }
    return 0;
}

int oci_pause(const char *root, const char *id, bool paused, husk_error_t *err)
{
    struct oci_container c;
    struct cgroup_layout layout;
    const char *path;
    if (open_running(root, id, &c, &layout, &path, err) < 0)
        return -1;
    enum oci_status status = oci_container_status(&c);
    int rc;
    if (paused && status != OCI_RUNNING)
        rc = husk_error_set(err, 0, "container \"%s\" is %s, not running", id,
                            oci_status_name(status));
    else if (!paused && status != OCI_PAUSED)
        rc = husk_error_set(err, 0, "container \"%s\" is not paused", id);
    else
        rc = cgroup_freeze(&layout, path, paused, err);
    cgroup_layout_free(&layout);
    oci_container_close(&c);
    return rc;
}

int oci_pids(const char *root, const char *id, json_t **pids, husk_error_t *err)
{
    struct oci_container c;
    struct cgroup_layout layout;
    const char *path;
    if (open_running(root, id, &c, &layout, &path, err) < 0)
        return -1;
    size_t count = 0;
    cleanup_free pid_t *list = cgroup_processes(&layout, path, &count);
    *pids = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(*pids, json_integer(list[i]));
    cgroup_layout_free(&layout);
    oci_container_close(&c);
    return 0;
}

int oci_update(const char *root, const char *id, json_t *resources, husk_error_t *err)
{
    struct oci_container c;
    struct cgroup_layout layout;
    const char *path;
    if (open_running(root, id, &c, &layout, &path, err) < 0)
        return -1;
    struct runtime_resources r;
    int rc = runtime_resources_parse(resources, &r, err);
    if (rc == 0) {
        rc = cgroup_apply_limits(&layout, path, &r, err);
        runtime_resources_free(&r);
    }
    cgroup_layout_free(&layout);
    oci_container_close(&c);
    return rc;
}

int oci_stats(const char *root, const char *id, json_t **stats, husk_error_t *err)
{
    struct oci_container c;
    struct cgroup_layout layout;
    const char *path;
    if (open_running(root, id, &c, &layout, &path, err) < 0)
        return -1;
    struct cgroup_stats s;
    int rc = cgroup_read_stats(&layout, path, &s, err);
    if (rc == 0)
        *stats =
            json_pack("{s:{s:{s:I}}, s:{s:{s:I, s:I}}, s:{s:I}, s:{}}", "cpu", "usage", "total",
                      (json_int_t)s.cpu_ns, "memory", "usage", "usage", (json_int_t)s.memory_usage,
                      "limit", (json_int_t)(s.memory_limit == UINT64_MAX ? 0 : s.memory_limit),
                      "pids", "current", (json_int_t)s.pids, "blkio");
    cgroup_layout_free(&layout);
    oci_container_close(&c);
    return rc;
}

/* Connects to the unix socket at PATH and sends DATA with FD attached. */
static int send_fd(const char *path, const char *what, const char *text, int fd, husk_error_t *err)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(address.sun_path))
        return husk_error_set(err, ENAMETOOLONG, "%s %s", what, path);
    strcpy(address.sun_path, path);
    cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&address, sizeof(address)) < 0)
        return husk_error_set(err, errno, "connect to %s %s", what, path);
    struct iovec data = {.iov_base = (void *)text, .iov_len = strlen(text)};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control = {0};
    struct msghdr message = {.msg_iov = &data,
                             .msg_iovlen = 1,
                             .msg_control = control.buffer,
                             .msg_controllen = sizeof(control.buffer)};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    if (sendmsg(sock, &message, MSG_NOSIGNAL) < 0)
        return husk_error_set(err, errno, "send to %s %s", what, path);
    return 0;
}

int oci_send_console(const char *path, int fd, husk_error_t *err)
{
    return send_fd(path, "--console-socket", "/dev/ptmx", fd, err);
}

int oci_send_seccomp_listener(const struct oci_container *c, json_t *seccomp, int fd,
                              husk_error_t *err)
{
    json_t *metadata = json_object_get(seccomp, "listenerMetadata");
    cleanup_json json_t *state =
        json_pack("{s:s, s:[s], s:I, s:s, s:o}", "ociVersion", OCI_VERSION, "fds", "seccompFd",
                  "pid", (json_int_t)oci_container_pid(c), "metadata",
                  json_string_value(metadata) ? json_string_value(metadata) : "", "state",
                  oci_container_public_state(c));
    cleanup_free char *text = json_dumps(state, JSON_COMPACT);
    const char *path = json_string_value(json_object_get(seccomp, "listenerPath"));
    return send_fd(path ? path : "", "linux.seccomp.listenerPath", text, fd, err);
}

int oci_check_preserved_fds(int count, husk_error_t *err)
{
    for (int fd = 3; fd < 3 + count; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            return husk_error_set(err, EBADF, "--preserve-fds %d: fd %d is not open", count, fd);
    return 0;
}

int oci_write_pid_file(const char *path, pid_t pid, husk_error_t *err)
{
    char text[16];
    int length = snprintf(text, sizeof(text), "%d", pid);
    cleanup_free char *absolute = path[0] == '/' ? xstrdup(path) : NULL;
    if (absolute == NULL) {
        cleanup_free char *cwd = getcwd(NULL, 0);
        absolute = xasprintf("%s/%s", cwd ? cwd : ".", path);
    }
    if (file_write_atomic(absolute, text, (size_t)length, false, err) < 0)
        return husk_error_wrap(err, "--pid-file");
    return 0;
}

/* "a-b-c.slice" -> "a.slice/a-b.slice/a-b-c.slice", as systemd nests them. */
static char *expand_slice(const char *slice)
{
    size_t length = strlen(slice);
    if (strcmp(slice, "-.slice") == 0 || length < 6 || strcmp(slice + length - 6, ".slice") != 0)
        return xstrdup(strcmp(slice, "-.slice") == 0 ? "" : slice);
    cleanup_free char *stem = xstrndup(slice, length - 6);
    char *path = xstrdup("");
    for (char *dash = stem;; dash++) {
        if (*dash != '-' && *dash != '\0')
            continue;
        char *next = xasprintf("%s/%.*s.slice", path, (int)(dash - stem), stem);
        free(path);
        path = next;
        if (*dash == '\0')
            return path;
    }
}

char *oci_cgroups_path(const char *spec_path, const char *id)
{
    if (spec_path == NULL || spec_path[0] == '\0')
        return xasprintf("/%s", id);
    const char *first = strchr(spec_path, ':');
    const char *second = first ? strchr(first + 1, ':') : NULL;
    if (spec_path[0] == '/' || second == NULL || strchr(second + 1, ':') != NULL)
        return xstrdup(spec_path);
    cleanup_free char *slice = xstrndup(spec_path, (size_t)(first - spec_path));
    cleanup_free char *prefix = xstrndup(first + 1, (size_t)(second - first - 1));
    const char *name = second + 1;
    cleanup_free char *parent = expand_slice(slice[0] ? slice : "system.slice");
    size_t name_length = strlen(name);
    if (name_length > 6 && strcmp(name + name_length - 6, ".slice") == 0)
        return xasprintf("%s/%s", parent, name);
    return xasprintf("%s/%s%s%s.scope", parent, prefix, prefix[0] ? "-" : "", name);
}
