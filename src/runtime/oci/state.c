#include "state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/json_text.h"
#include "../../util/xalloc.h"
#include "../cgroup_state.h"

int oci_id_check(const char *id, husk_error_t *err)
{
    size_t length = id ? strlen(id) : 0;
    bool valid = length > 0 && length <= 1024 && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
    for (size_t i = 0; valid && i < length; i++)
        valid = isalnum((unsigned char)id[i]) || strchr("_+-.", id[i]) != NULL;
    if (!valid)
        return husk_error_set(err, 0, "invalid container ID \"%s\": use letters, digits, _ + - .",
                              id ? id : "");
    return 0;
}

/* The lock is on the directory FD names: one a `delete` removed while
 * we waited for it (or one made since under the same name) is no more
 * this container. */
static int still_there(const char *dir, const char *id, int fd, husk_error_t *err)
{
    struct stat held, named;
    if (fstat(fd, &held) < 0 || held.st_nlink == 0 || stat(dir, &named) < 0 ||
        held.st_ino != named.st_ino || held.st_dev != named.st_dev)
        return husk_error_set(err, ENOENT, "container \"%s\" does not exist", id);
    return 0;
}

static int open_locked(const char *dir, const char *id, int *fd, husk_error_t *err)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (*fd < 0)
        return errno == ENOENT ? husk_error_set(err, ENOENT, "container \"%s\" does not exist", id)
                               : husk_error_set(err, errno, "open %s", dir);
    if (flock(*fd, LOCK_EX) < 0)
        return husk_error_set(err, errno, "lock %s", dir);
    return still_there(dir, id, *fd, err);
}

int oci_container_unlock(struct oci_container *c)
{
    return flock(c->dir_fd, LOCK_UN);
}

int oci_container_relock(struct oci_container *c, husk_error_t *err)
{
    if (flock(c->dir_fd, LOCK_EX) < 0)
        return husk_error_set(err, errno, "lock %s", c->dir);
    return still_there(c->dir, c->id, c->dir_fd, err);
}

int oci_container_new(const char *root, const char *id, struct oci_container *c, husk_error_t *err)
{
    *c = (struct oci_container){.dir_fd = -1};
    if (oci_id_check(id, err) < 0 || directory_create_parents(root, 0700, err) < 0)
        return -1;
    cleanup_free char *dir = xasprintf("%s/%s", root, id);
    if (mkdir(dir, 0700) < 0)
        return errno == EEXIST ? husk_error_set(err, EEXIST, "container \"%s\" already exists", id)
                               : husk_error_set(err, errno, "create %s", dir);
    if (open_locked(dir, id, &c->dir_fd, err) < 0) {
        rmdir(dir);
        return -1;
    }
    c->id = xstrdup(id);
    c->dir = dir;
    dir = NULL;
    c->state = json_pack("{s:s}", "id", id);
    return 0;
}

int oci_container_open(const char *root, const char *id, struct oci_container *c, husk_error_t *err)
{
    *c = (struct oci_container){.dir_fd = -1};
    if (oci_id_check(id, err) < 0)
        return -1;
    c->id = xstrdup(id);
    c->dir = xasprintf("%s/%s", root, id);
    if (open_locked(c->dir, id, &c->dir_fd, err) < 0) {
        oci_container_close(c);
        return -1;
    }
    json_error_t parse_error;
    c->state = json_load_path(c->dir_fd, "state.json", &parse_error);
    if (!json_is_object(c->state)) {
        /* A create that died before its first save (it held the lock
         * until then): "creating" for ever, for `delete` to remove. */
        json_decref(c->state);
        c->state = json_pack("{s:s}", "id", id);
    }
    return 0;
}

int oci_container_save(struct oci_container *c, husk_error_t *err)
{
    cleanup_free char *text = json_dumps(c->state, JSON_COMPACT);
    cleanup_free char *path = xasprintf("%s/state.json", c->dir);
    return file_write_atomic(path, text, strlen(text), false, err);
}

int oci_container_remove(struct oci_container *c, husk_error_t *err)
{
    return directory_remove_tree(c->dir, err);
}

void oci_container_close(struct oci_container *c)
{
    if (c->dir_fd >= 0)
        close(c->dir_fd);
    free(c->id);
    free(c->dir);
    json_decref(c->state);
    *c = (struct oci_container){.dir_fd = -1};
}

unsigned long long oci_process_start_time(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    char *p = strrchr(text, ')');
    if (p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X')
        return 0;
    /* Field 3 is the state; field 22 the start time. */
    for (int field = 2; p != NULL && field < 22; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

pid_t oci_container_pid(const struct oci_container *c)
{
    return (pid_t)json_integer_value(json_object_get(c->state, "pid"));
}

static bool process_alive(const struct oci_container *c)
{
    pid_t pid = oci_container_pid(c);
    json_int_t started = json_integer_value(json_object_get(c->state, "start_time"));
    return pid > 0 && started > 0 && oci_process_start_time(pid) == (unsigned long long)started;
}

int oci_container_pidfd(const struct oci_container *c)
{
    pid_t pid = oci_container_pid(c);
    int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
    if (fd >= 0 && !process_alive(c)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        errno = ESRCH;
    return fd;
}

const char *oci_container_cgroups_path(const struct oci_container *c)
{
    return json_string_value(json_object_get(c->state, "cgroups_path"));
}

int oci_container_layout(const struct oci_container *c, struct cgroup_layout *layout,
                         husk_error_t *err)
{
    json_t *saved = json_object_get(c->state, "cgroup_layout");
    if (saved != NULL)
        return cgroup_layout_from_json(saved, layout, err);
    return cgroup_layout_discover(layout, err);
}

enum oci_status oci_container_status(const struct oci_container *c)
{
    if (json_object_get(c->state, "start_time") == NULL)
        return OCI_CREATING;
    if (!process_alive(c))
        return OCI_STOPPED;
    if (faccessat(c->dir_fd, OCI_START_FIFO, F_OK, 0) == 0)
        return OCI_CREATED;
    struct cgroup_layout layout = {0};
    const char *path = oci_container_cgroups_path(c);
    bool paused = path != NULL && oci_container_layout(c, &layout, NULL) == 0 &&
                  cgroup_is_frozen(&layout, path);
    cgroup_layout_free(&layout);
    return paused ? OCI_PAUSED : OCI_RUNNING;
}

const char *oci_status_name(enum oci_status status)
{
    static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
    return names[status];
}

json_t *oci_container_public_state(const struct oci_container *c)
{
    enum oci_status status = oci_container_status(c);
    json_t *annotations = json_object_get(c->state, "annotations");
    json_t *state =
        json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "ociVersion", OCI_VERSION, "id",
                  c->id, "status", oci_status_name(status), "pid",
                  (json_int_t)(status == OCI_STOPPED ? 0 : oci_container_pid(c)), "bundle",
                  json_string_value(json_object_get(c->state, "bundle")) ?: "", "rootfs",
                  json_string_value(json_object_get(c->state, "rootfs")) ?: "", "created",
                  json_string_value(json_object_get(c->state, "created")) ?: "", "owner", "");
    json_object_set_new(state, "annotations",
                        annotations ? json_incref(annotations) : json_object());
    return state;
}

static bool is_container_name(const char *name)
{
    return name[0] != '.';
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **oci_container_ids(const char *root)
{
    char **names = directory_names(root, is_container_name);
    if (names == NULL)
        return xcalloc(1, sizeof(char *));
    size_t count = 0;
    while (names[count])
        count++;
    qsort(names, count, sizeof(char *), compare_names);
    return names;
}
