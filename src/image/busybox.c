/* The default image, made from Debian's busybox-static without any network:
 * one layer (a tar written here, kept as its blob like any pulled layer),
 * a config, and the reference docker.io/library/busybox:latest. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "image.h"
#include "platform.h"
#include "tar_writer.h"

extern char **environ;

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                             "bin:x:2:2:bin:/bin:/bin/false\n"
                             "sys:x:3:3:sys:/dev:/bin/false\n"
                             "www-data:x:33:33:www-data:/var/www:/bin/false\n"
                             "nobody:x:65534:65534:nobody:/home:/bin/false\n";
static const char group[] = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\n"
                            "tty:x:5:\ndisk:x:6:\nwheel:x:10:root\nstaff:x:50:\n"
                            "www-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n";

/* `busybox --list-full` names every applet with its usual directory. */
static int list_applets(const char *busybox, char **output, husk_error_t *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return husk_error_set(err, errno, "pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    char *argv[] = {(char *)busybox, "--list-full", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, busybox, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        return husk_error_set(err, rc, "run %s --list-full", busybox);
    }
    rc = file_read_all(pipe_fds[0], "", output, NULL, err);
    close(pipe_fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        return husk_error_set(err, 0, "%s --list-full failed", busybox);
    return rc;
}

/* The tar, in memory: the layer is a few MiB. */
struct buffer {
    char *data;
    size_t length, capacity;
};

static int buffer_write(void *data, const void *block, size_t length)
{
    struct buffer *b = data;
    if (b->length + length > b->capacity) {
        b->capacity = (b->length + length) * 2;
        b->data = xrealloc(b->data, b->capacity);
    }
    memcpy(b->data + b->length, block, length);
    b->length += length;
    return 0;
}

static int add_directories(struct tar_writer *tar, int64_t mtime, husk_error_t *err)
{
    static const struct {
        const char *name;
        mode_t mode;
    } directories[] = {{"bin", 0755},     {"dev", 0755},      {"etc", 0755},  {"home", 0755},
                       {"mnt", 0755},     {"proc", 0755},     {"root", 0700}, {"run", 0755},
                       {"sbin", 0755},    {"sys", 0755},      {"tmp", 01777}, {"usr", 0755},
                       {"usr/bin", 0755}, {"usr/sbin", 0755}, {"var", 0755},  {"var/tmp", 01777},
                       {"var/www", 0755}};
    for (size_t i = 0; i < sizeof(directories) / sizeof(directories[0]); i++) {
        struct tar_member m = {.name = directories[i].name,
                               .mode = S_IFDIR | directories[i].mode,
                               .mtime = mtime,
                               .data_fd = -1};
        if (tar_writer_add(tar, &m, err) < 0)
            return -1;
    }
    return 0;
}

static int add_applets(struct tar_writer *tar, char *applets, int64_t mtime, husk_error_t *err)
{
    char *save = NULL;
    for (char *line = strtok_r(applets, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strcmp(line, "bin/busybox") == 0 || strstr(line, "..") != NULL || line[0] == '/')
            continue;
        struct tar_member m = {.name = line,
                               .mode = S_IFLNK | 0777,
                               .mtime = mtime,
                               .link_target = "/bin/busybox",
                               .data_fd = -1};
        if (tar_writer_add(tar, &m, err) < 0)
            return -1;
    }
    return 0;
}

static int write_layer(const char *busybox, struct buffer *out, int64_t *mtime_out,
                       husk_error_t *err)
{
    cleanup_close int binary = open(busybox, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (binary < 0 || fstat(binary, &st) < 0 || !S_ISREG(st.st_mode))
        return husk_error_set(err, errno ? errno : EINVAL, "%s (install busybox-static)", busybox);
    /* Every time in the layer is the binary's: the same busybox always gives
     * the same layer, and so the same image ID. */
    int64_t mtime = st.st_mtime;
    *mtime_out = mtime;
    cleanup_free char *applets = NULL;
    if (list_applets(busybox, &applets, err) < 0)
        return -1;
    struct tar_writer *tar;
    if (tar_writer_open(buffer_write, out, &tar, err) < 0)
        return -1;
    struct tar_member binary_member = {.name = "bin/busybox",
                                       .mode = S_IFREG | 0755,
                                       .mtime = mtime,
                                       .size = (size_t)st.st_size,
                                       .data_fd = binary};
    struct tar_member files[] = {
        {.name = "etc/passwd",
         .mode = S_IFREG | 0644,
         .mtime = mtime,
         .data = passwd,
         .size = sizeof(passwd) - 1,
         .data_fd = -1},
        {.name = "etc/group",
         .mode = S_IFREG | 0644,
         .mtime = mtime,
         .data = group,
         .size = sizeof(group) - 1,
         .data_fd = -1},
    };
    if (add_directories(tar, mtime, err) < 0 || tar_writer_add(tar, &binary_member, err) < 0 ||
        add_applets(tar, applets, mtime, err) < 0 || tar_writer_add(tar, &files[0], err) < 0 ||
        tar_writer_add(tar, &files[1], err) < 0) {
        tar_writer_close(tar, NULL);
        return -1;
    }
    return tar_writer_close(tar, err);
}

static char *config_text(const char *diff_id, int64_t mtime)
{
    char created[32];
    time_t when = (time_t)mtime;
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
    cleanup_json json_t *config = json_pack(
        "{s:s, s:s, s:s, s:{s:[s], s:[s]}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "architecture",
        platform_architecture(), "os", "linux", "created", created, "config", "Env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "Cmd", "sh", "rootfs",
        "type", "layers", "diff_ids", diff_id, "history", "created", created, "created_by",
        "husk: the host's static busybox");
    return json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
}

int image_busybox_install(struct image_store *store, const char *busybox, husk_error_t *err)
{
    if (image_store_use(store, err) < 0)
        return -1;
    struct buffer layer = {0};
    int64_t mtime = 0;
    if (write_layer(busybox, &layer, &mtime, err) < 0) {
        free(layer.data);
        return -1;
    }
    char config_digest[DIGEST_TEXT_SIZE];
    struct layer_added added;
    struct layer_source source = {.stream = memory_stream_new(layer.data, layer.length),
                                  .size = -1};
    int rc = image_store_layer_add(store, &source, &added, err);
    byte_stream_close(source.stream);
    free(layer.data);
    if (rc < 0)
        return -1;
    cleanup_free char *config = config_text(added.diff_id, mtime);
    if (image_store_blob_put(store, config, strlen(config), config_digest, err) < 0 ||
        image_store_image_add(store,
                              &(struct image_record){.config = config_digest,
                                                     .size = added.size,
                                                     .layer_blobs = (const char *[]){added.digest},
                                                     .layer_blob_count = 1},
                              err) < 0 ||
        image_store_lock(store, err) < 0)
        return -1;
    rc = image_store_tag(store, "docker.io/library/busybox:latest", config_digest, err);
    image_store_unlock(store);
    return rc;
}
