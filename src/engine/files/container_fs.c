#include "container_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/idmap.h"
#include "../../runtime/overlay.h"
#include "../../runtime/spec.h"
#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

static void id_map_of(const struct runtime_spec *spec, struct copy_id_map *ids)
{
    *ids = (struct copy_id_map){.active = false};
    const struct runtime_id_mapping *uid = NULL, *gid = NULL;
    for (size_t i = 0; i < spec->uid_mapping_count; i++)
        if (spec->uid_mappings[i].container_id == 0)
            uid = &spec->uid_mappings[i];
    for (size_t i = 0; i < spec->gid_mapping_count; i++)
        if (spec->gid_mappings[i].container_id == 0)
            gid = &spec->gid_mappings[i];
    if (uid == NULL || gid == NULL)
        return;
    *ids = (struct copy_id_map){.active = true,
                                .uid_start = uid->host_id,
                                .gid_start = gid->host_id,
                                .size = uid->size < gid->size ? uid->size : gid->size};
}

static int open_process_root(json_t *record, int pidfd, const char *reference, husk_error_t *err)
{
    pid_t pid = (pid_t)json_integer_value(json_object_get(json_object_get(record, "State"), "Pid"));
    char path[32];
    snprintf(path, sizeof(path), "/proc/%d", pid);
    cleanup_close int proc = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    /* The pid may have been reused since the pidfd was checked against the
     * record: only while the pidfd can still signal is /proc/PID its PID 1. */
    if (proc < 0 || syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
        return husk_error_set(err, 0, "container %s is stopping; try again", reference);
    int root = openat(proc, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return husk_error_set(err, errno, "open the root of container %s", reference);
    return root;
}

/* A user namespace with the container's mappings, for as long as it takes
 * to idmap its layers into it: a child that unshares one and waits. */
static int idmapped_overlay(const struct runtime_spec *spec, husk_error_t *err)
{
    int ready[2], hold[2];
    if (pipe2(ready, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    if (pipe2(hold, O_CLOEXEC) < 0) {
        close(ready[0]);
        close(ready[1]);
        return husk_error_set(err, errno, "pipe");
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c = 'n';
        close(ready[0]);
        close(hold[1]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWUSER) == 0)
            c = 'y';
        if (write(ready[1], &c, 1) == 1)
            (void)!read(hold[0], &c, 1); /* until the parent closes its end */
        _exit(0);
    }
    close(ready[1]);
    close(hold[0]);
    char answer = 'n';
    int fd = -1;
    if (pid < 0 || read(ready[0], &answer, 1) != 1 || answer != 'y')
        husk_error_set(err, pid < 0 ? errno : 0, "make a user namespace for the container's ids");
    else if (idmap_write_mappings(pid, spec, err) == 0)
        fd = idmap_root_overlay(spec, pid, err);
    close(hold[1]);
    close(ready[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return fd;
}

/* The root the runtime would mount, detached: nothing else sees it, and it
 * goes with its last fd. */
static int open_overlay(const struct runtime_spec *spec, bool writable, husk_error_t *err)
{
    const struct runtime_mount *root = runtime_spec_root_mount(spec);
    if (root == NULL || root->type == NULL || strcmp(root->type, "overlay") != 0)
        return husk_error_set(err, 0, "the container's spec has no overlay root");
    cleanup_close int mount_fd =
        root->idmap ? idmapped_overlay(spec, err) : overlay_mount_fd(root->data, err);
    if (mount_fd < 0)
        return -1;
    struct mount_attr attributes = {.attr_set = MOUNT_ATTR_RDONLY};
    if (!writable && syscall(SYS_mount_setattr, mount_fd, "", AT_EMPTY_PATH, &attributes,
                             sizeof(attributes)) < 0)
        return husk_error_set(err, errno, "make the container's root read-only");
    int fd = openat(mount_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : husk_error_set(err, errno, "open the container's root");
}

int container_fs_open(const struct engine_context *context, const char *reference, bool writable,
                      struct container_fs *fs, husk_error_t *err)
{
    memset(fs, 0, sizeof(*fs));
    fs->root_fd = -1;
    if (container_open(context, reference, &fs->handle, err) < 0)
        return -1;
    struct runtime_spec *spec = NULL;
    if (runtime_spec_load(fs->handle.directory, &spec, err) < 0) {
        container_close(&fs->handle);
        return husk_error_wrap(err, "container %s", reference);
    }
    id_map_of(spec, &fs->ids);
    json_t *host_config = json_object_get(fs->handle.record, "HostConfig");
    fs->read_only = json_is_true(json_object_get(host_config, "ReadonlyRootfs"));
    cleanup_close int pidfd = record_open_process(fs->handle.record, "Pid", "PidStartTime");
    fs->running = pidfd >= 0;
    fs->root_fd = fs->running ? open_process_root(fs->handle.record, pidfd, reference, err)
                              : open_overlay(spec, writable, err);
    runtime_spec_free(spec);
    if (fs->root_fd < 0) {
        container_close(&fs->handle);
        return fs->running ? -1 : husk_error_wrap(err, "container %s", reference);
    }
    return 0;
}

int container_fs_layers(const char *directory, char **lower, char **upper, struct copy_id_map *ids,
                        husk_error_t *err)
{
    struct runtime_spec *spec = NULL;
    if (runtime_spec_load(directory, &spec, err) < 0)
        return -1;
    id_map_of(spec, ids);
    const struct runtime_mount *root = runtime_spec_root_mount(spec);
    cleanup_free char *data = xstrdup(root && root->data ? root->data : "");
    runtime_spec_free(spec);
    *lower = *upper = NULL;
    char *save = NULL;
    for (char *option = strtok_r(data, ",", &save); option; option = strtok_r(NULL, ",", &save))
        if (strncmp(option, "lowerdir=", 9) == 0)
            *lower = xstrdup(option + 9);
        else if (strncmp(option, "upperdir=", 9) == 0)
            *upper = xstrdup(option + 9);
    if (*lower == NULL || *upper == NULL) {
        free(*lower);
        free(*upper);
        *lower = *upper = NULL;
        return husk_error_set(err, 0, "the container's spec has no overlay root");
    }
    return 0;
}

void container_fs_close(struct container_fs *fs)
{
    if (fs->root_fd >= 0)
        close(fs->root_fd);
    fs->root_fd = -1;
    container_close(&fs->handle);
}
