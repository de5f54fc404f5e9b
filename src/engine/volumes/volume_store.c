#include "volume_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/spec.h"
#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/json_text.h"
#include "../../util/timestamp.h"
#include "../../util/xalloc.h"
#include "../events/events.h"
#include "../store.h"
#include "mount_spec.h"

static char *volume_path(const struct engine_context *context, const char *name, const char *file)
{
    return xasprintf("%s/volumes%s%s%s%s", context->data_root, name ? "/" : "", name ? name : "",
                     file ? "/" : "", file ? file : "");
}

char *volume_mountpoint(const struct engine_context *context, const char *name)
{
    return volume_path(context, name, "_data");
}

/* Held while a volume's users change or it is removed, so a container
 * never starts using a volume that is on its way out. */
static int volume_lock(const struct engine_context *context, const char *name, husk_error_t *err)
{
    cleanup_free char *path = volume_path(context, name, NULL);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? husk_error_set_status(err, 1, 0, "No such volume: %s", name)
                               : husk_error_set(err, errno, "open volume %s", name);
    struct stat st;
    if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
        close(fd);
        return husk_error_set(err, errno, "lock volume %s", name);
    }
    /* Removed while we waited: renamed away and emptied. */
    if (st.st_nlink == 0 || faccessat(fd, "volume.json", F_OK, 0) < 0) {
        close(fd);
        return husk_error_set_status(err, 1, 0, "No such volume: %s", name);
    }
    return fd;
}

static int random_name(char name[65], husk_error_t *err)
{
    unsigned char bytes[32];
    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
        return husk_error_set(err, errno, "name a volume");
    for (size_t i = 0; i < sizeof(bytes); i++)
        sprintf(name + 2 * i, "%02x", bytes[i]);
    return 0;
}

/* `-o type=tmpfs,device=tmpfs,o=size=64m`, `-o type=none,o=bind,device=PATH`:
 * the local driver's three keys, the way mount(8) would take them. */
static int options_check(json_t *options, husk_error_t *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(options, key, value)
    {
        if (strcmp(key, "type") != 0 && strcmp(key, "device") != 0 && strcmp(key, "o") != 0)
            return husk_error_set(err, 0, "invalid option key: \"%s\" (type, device or o)", key);
        if (!json_is_string(value))
            return husk_error_set(err, 0, "invalid option %s: not a string", key);
    }
    const char *type = json_string_value(json_object_get(options, "type"));
    const char *device = json_string_value(json_object_get(options, "device"));
    if ((type == NULL) != (device == NULL) && json_object_size(options) > 0)
        return husk_error_set(err, 0, "a volume with -o needs both type= and device=");
    const char *o = json_string_value(json_object_get(options, "o"));
    bool bind = o && (strstr(o, "bind") != NULL);
    struct stat st;
    if (bind && (device[0] != '/' || stat(device, &st) < 0 || !S_ISDIR(st.st_mode)))
        return husk_error_set(err, errno ? errno : ENOTDIR,
                              "invalid device %s for a bind volume: not a directory", device);
    return 0;
}

static json_t *volume_document(const char *name, json_t *labels, json_t *options)
{
    char created[64];
    timestamp_now(created, sizeof(created));
    /* docker shows seconds: "2026-12-03T14:25:55Z". */
    char *dot = strchr(created, '.');
    if (dot != NULL)
        strcpy(dot, "Z");
    return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s}", "CreatedAt", created, "Driver", "local",
                     "Labels", labels ? json_deep_copy(labels) : json_object(), "Name", name,
                     "Options",
                     options && json_object_size(options) ? json_deep_copy(options) : json_null(),
                     "Scope", "local");
}

/* Made whole in a directory of its own, then renamed into place: a volume
 * is either absent or complete. */
static int volume_make(const struct engine_context *context, const char *name, json_t *labels,
                       json_t *options, bool *created, husk_error_t *err)
{
    cleanup_free char *temporary = volume_path(context, ".new-XXXXXX", NULL);
    cleanup_free char *final = volume_path(context, name, NULL);
    if (mkdtemp(temporary) == NULL)
        return husk_error_set(err, errno, "create volume %s", name);
    cleanup_json json_t *document = volume_document(name, labels, options);
    cleanup_free char *text = json_dumps(document, JSON_INDENT(4));
    cleanup_free char *data = xasprintf("%s/_data", temporary);
    cleanup_free char *users = xasprintf("%s/users", temporary);
    cleanup_free char *json_path = xasprintf("%s/volume.json", temporary);
    int rc = mkdir(data, 0755) < 0 || mkdir(users, 0700) < 0 || chmod(temporary, 0755) < 0
                 ? husk_error_set(err, errno, "create volume %s", name)
                 : file_write_all(AT_FDCWD, json_path, text, strlen(text), 0600, err);
    if (rc == 0 && rename(temporary, final) == 0) {
        *created = true;
        return 0;
    }
    int saved = errno;
    directory_remove_tree(temporary, NULL);
    if (rc == 0 && saved != EEXIST && saved != ENOTEMPTY)
        return husk_error_set(err, saved, "create volume %s", name);
    return rc;
}

int volume_create(const struct engine_context *context, const char *name, json_t *labels,
                  json_t *options, char **name_out, bool *created, husk_error_t *err)
{
    char generated[65];
    bool made = false;
    if (name == NULL && random_name(generated, err) < 0)
        return -1;
    if (name == NULL)
        name = generated;
    if (!mount_spec_volume_name_valid(name))
        return husk_error_set(err, 0,
                              "\"%s\" includes invalid characters for a local volume name, only "
                              "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                              name);
    if (options != NULL && options_check(options, err) < 0)
        return -1;
    cleanup_free char *root = volume_path(context, NULL, NULL);
    cleanup_free char *existing = volume_path(context, name, "volume.json");
    /* 0701, as docker's: a --userns private root (another host uid) must
     * reach _data to bind it, and nobody may list the volumes. */
    if (directory_create_parents(root, 0701, err) < 0 || chmod(root, 0701) < 0)
        return err && *err ? -1 : husk_error_set(err, errno, "chmod %s", root);
    if (access(existing, F_OK) < 0 && volume_make(context, name, labels, options, &made, err) < 0)
        return -1;
    if (made)
        engine_event_volume(context, "create", name);
    if (created != NULL)
        *created = made;
    if (name_out != NULL)
        *name_out = xstrdup(name);
    return 0;
}

int volume_load(const struct engine_context *context, const char *name, json_t **document,
                husk_error_t *err)
{
    cleanup_free char *path = volume_path(context, name, "volume.json");
    json_error_t parse_error;
    if (!mount_spec_volume_name_valid(name) || access(path, F_OK) < 0)
        return husk_error_set_status(err, 1, 0, "No such volume: %s", name);
    *document = json_load_file(path, 0, &parse_error);
    if (*document == NULL)
        return husk_error_set(err, 0, "volume %s: volume.json: %s", name, parse_error.text);
    cleanup_free char *mountpoint = volume_mountpoint(context, name);
    json_object_set_new(*document, "Mountpoint", json_string(mountpoint));
    return 0;
}

static bool visible_name(const char *name)
{
    return name[0] != '.';
}

char **volume_names(const struct engine_context *context)
{
    cleanup_free char *root = volume_path(context, NULL, NULL);
    return directory_names(root, visible_name);
}

int volume_use(const struct engine_context *context, const char *name, const char *container_id,
               husk_error_t *err)
{
    cleanup_close int lock = volume_lock(context, name, err);
    if (lock < 0)
        return -1;
    cleanup_close int user = openat(lock, "users", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int mark =
        user < 0 ? -1 : openat(user, container_id, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (mark < 0)
        return husk_error_set(err, errno, "mark volume %s in use", name);
    return 0;
}

void volume_release(const struct engine_context *context, const char *name,
                    const char *container_id)
{
    cleanup_free char *mark = volume_path(context, name, "users");
    cleanup_free char *path = xasprintf("%s/%s", mark, container_id);
    unlink(path);
}

/* A mark whose container is gone (a crash between the mark and the
 * record, or a removal that died) does not hold the volume. */
static bool container_exists(const struct engine_context *context, const char *id)
{
    cleanup_free char *directory = store_container_directory(context, id);
    return access(directory, F_OK) == 0;
}

char **volume_users(const struct engine_context *context, const char *name)
{
    cleanup_free char *path = volume_path(context, name, "users");
    char **ids = directory_names(path, visible_name);
    size_t kept = 0;
    for (size_t i = 0; ids[i] != NULL; i++) {
        if (container_exists(context, ids[i]))
            ids[kept++] = ids[i];
        else
            free(ids[i]);
    }
    ids[kept] = NULL;
    return ids;
}

static bool being_removed(const char *name)
{
    return strncmp(name, ".removing-", 10) == 0;
}

/* What a removal that died (SIGKILL, a failure half way) left, renamed
 * away where no name leads to it. */
void volume_sweep_removals(const struct engine_context *context)
{
    cleanup_free char *root = volume_path(context, NULL, NULL);
    cleanup_strv char **left = directory_names(root, being_removed);
    for (char **name = left; *name; name++) {
        /* Its remover holds the lock it took as a volume: busy is alive. */
        cleanup_free char *path = volume_path(context, *name, NULL);
        cleanup_close int held = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (held < 0 || flock(held, LOCK_EX | LOCK_NB) < 0)
            continue;
        directory_remove_tree(path, NULL);
    }
}

static bool is_mount_root(const char *path)
{
    struct statx st;
    return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) == 0 &&
           (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static char *users_text(char **ids)
{
    size_t length = 1;
    for (char **id = ids; *id; id++)
        length += strlen(*id) + 2;
    char *text = xcalloc(1, length);
    for (char **id = ids; *id; id++) {
        if (id != ids)
            strcat(text, ", ");
        strcat(text, *id);
    }
    return text;
}

int volume_remove(const struct engine_context *context, const char *name, husk_error_t *err)
{
    if (!mount_spec_volume_name_valid(name))
        return husk_error_set_status(err, 1, 0, "No such volume: %s", name);
    cleanup_close int lock = volume_lock(context, name, err);
    if (lock < 0)
        return -1;
    cleanup_strv char **users = volume_users(context, name);
    if (users[0] != NULL) {
        cleanup_free char *list = users_text(users);
        return husk_error_set_status(err, 1, 0, "remove %s: volume is in use - [%s]", name, list);
    }
    cleanup_free char *data = volume_mountpoint(context, name);
    if (is_mount_root(data) && umount2(data, MNT_DETACH) < 0)
        return husk_error_set(err, errno, "unmount volume %s", name);
    cleanup_free char *path = volume_path(context, name, NULL);
    /* Renamed onto an empty directory of a unique name, then emptied with
     * the volume's lock still held (see volume_sweep_removals). */
    cleanup_free char *trash = volume_path(context, ".removing-XXXXXX", NULL);
    if (mkdtemp(trash) == NULL || rename(path, trash) < 0)
        return husk_error_set(err, errno, "remove volume %s", name);
    /* Gone from here on, for every listing, even if emptying it fails. */
    engine_event_volume(context, "destroy", name);
    int rc = directory_remove_tree(trash, err);
    close(steal_fd(&lock));
    volume_sweep_removals(context);
    return rc < 0 ? husk_error_wrap(err, "remove volume %s (`husk volume prune` tries again)", name)
                  : 0;
}

/* `o` as mount(8) reads it: flags (ro, nosuid, bind, ...) and the rest as
 * the file system's data, through the runtime's own option parser. */
static int device_mount(const char *type, const char *device, const char *o, const char *target,
                        husk_error_t *err)
{
    struct runtime_mount m = {.destination = (char *)target};
    cleanup_json json_t *words = json_array();
    cleanup_free char *copy = xstrdup(o ? o : "");
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        json_array_append_new(words, json_string(w));
    if (runtime_mount_options_parse(words, &m, err) < 0)
        return -1;
    cleanup_free char *data = m.data;
    unsigned long flags = m.flags | (m.bind ? MS_BIND | (m.recursive ? MS_REC : 0) : 0);
    const char *fs_type = m.bind || strcmp(type, "none") == 0 ? NULL : type;
    if (mount(device, target, fs_type, flags, data) < 0)
        return husk_error_set(err, errno, "mount %s (%s) on %s", device, type, target);
    return 0;
}

int volume_mount_device(const struct engine_context *context, const char *name, husk_error_t *err)
{
    cleanup_json json_t *document = NULL;
    if (volume_load(context, name, &document, err) < 0)
        return -1;
    json_t *options = json_object_get(document, "Options");
    const char *type = json_string_value(json_object_get(options, "type"));
    const char *device = json_string_value(json_object_get(options, "device"));
    if (type == NULL || device == NULL)
        return 0;
    cleanup_close int lock = volume_lock(context, name, err);
    if (lock < 0)
        return -1;
    cleanup_free char *data = volume_mountpoint(context, name);
    if (is_mount_root(data))
        return 0;
    const char *o = json_string_value(json_object_get(options, "o"));
    if (device_mount(type, device, o, data, err) < 0)
        return husk_error_wrap(err, "volume %s", name);
    return 1;
}
