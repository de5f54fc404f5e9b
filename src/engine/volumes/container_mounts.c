#include "container_mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../record.h"
#include "mount_spec.h"
#include "volume_store.h"

struct mount_list {
    struct mount_request *items;
    bool *given; /* by -v, --mount or --tmpfs (not --volumes-from or the image) */
    size_t count;
};

static struct mount_request *mount_list_find(struct mount_list *list, const char *target)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].target, target) == 0)
            return &list->items[i];
    return NULL;
}

/* A flag's mount replaces one --volumes-from brought to the same target;
 * two flags naming one target are an error, as in docker. */
static int mount_list_add(struct mount_list *list, struct mount_request *m, bool given,
                          husk_error_t *err)
{
    struct mount_request *same = mount_list_find(list, m->target);
    if (same != NULL && given && list->given[same - list->items]) {
        husk_error_set(err, 0, "Duplicate mount point: %s", m->target);
        mount_request_free(m);
        return -1;
    }
    if (same != NULL) {
        mount_request_free(same);
        *same = *m;
        list->given[same - list->items] = given;
        return 0;
    }
    list->items = xreallocarray(list->items, list->count + 1, sizeof(*list->items));
    list->given = xreallocarray(list->given, list->count + 1, sizeof(*list->given));
    list->items[list->count] = *m;
    list->given[list->count++] = given;
    return 0;
}

static void mount_list_free(struct mount_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        mount_request_free(&list->items[i]);
    free(list->items);
    free(list->given);
}

/* One of the donor's record Mounts as a request of this container. */
static void donor_mount(json_t *entry, const char *mode, struct mount_request *m)
{
    const char *type = json_string_value(json_object_get(entry, "Type"));
    const char *propagation = json_string_value(json_object_get(entry, "Propagation"));
    bool volume = strcmp(type, "volume") == 0;
    memset(m, 0, sizeof(*m));
    m->kind = volume ? MOUNT_VOLUME : MOUNT_BIND;
    m->source = xstrdup(json_string_value(json_object_get(entry, volume ? "Name" : "Source")));
    m->target = xstrdup(json_string_value(json_object_get(entry, "Destination")));
    m->readonly = mode ? strcmp(mode, "ro") == 0 : !json_is_true(json_object_get(entry, "RW"));
    m->propagation = propagation && propagation[0] ? xstrdup(propagation) : NULL;
    m->nocopy = true;
}

static int add_volumes_from(const struct engine_context *context, const char *text,
                            struct mount_list *list, husk_error_t *err)
{
    cleanup_free char *reference = xstrdup(text);
    char *mode = strchr(reference, ':');
    if (mode != NULL)
        *mode++ = '\0';
    if (mode != NULL && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
        return husk_error_set(err, 0, "invalid mode for --volumes-from %s: %s (ro or rw)", text,
                              mode);
    struct container_handle donor;
    if (container_read(context, reference, &donor, err) < 0)
        return -1;
    json_t *entries = json_object_get(donor.record, "Mounts");
    size_t i;
    json_t *entry;
    int rc = 0;
    json_array_foreach(entries, i, entry)
    {
        const char *type = json_string_value(json_object_get(entry, "Type"));
        if (rc < 0 || type == NULL || strcmp(type, "tmpfs") == 0)
            continue;
        struct mount_request m;
        donor_mount(entry, mode, &m);
        rc = mount_list_add(list, &m, false, err);
    }
    container_close(&donor);
    return rc;
}

static int add_given(const struct run_options *o, struct mount_list *list, husk_error_t *err)
{
    size_t total = o->volume_count + o->mount_count + o->tmpfs_count;
    for (size_t i = 0; i < total; i++) {
        struct mount_request m;
        int rc =
            i < o->volume_count ? mount_spec_parse_volume(o->volumes[i], &m, err)
            : i < o->volume_count + o->mount_count
                ? mount_spec_parse_mount(o->mounts[i - o->volume_count], &m, err)
                : mount_spec_parse_tmpfs(o->tmpfs[i - o->volume_count - o->mount_count], &m, err);
        if (rc < 0) {
            mount_request_free(&m);
            return -1;
        }
        if (mount_list_add(list, &m, true, err) < 0)
            return -1;
    }
    return 0;
}

/* The image's Volumes not covered by a flag: anonymous volumes. */
static void add_image_volumes(const struct image *image, struct mount_list *list)
{
    json_t *volumes = json_object_get(image->config, "Volumes");
    const char *path;
    json_t *value;
    json_object_foreach(volumes, path, value)
    {
        struct mount_request m = {.kind = MOUNT_VOLUME, .target = mount_spec_clean_target(path)};
        if (m.target == NULL || strcmp(m.target, "/") == 0 || mount_list_find(list, m.target)) {
            mount_request_free(&m);
            continue;
        }
        mount_list_add(list, &m, false, NULL);
    }
}

/* -v makes a missing host directory; --mount refuses it, as docker. */
static int check_bind_sources(const struct mount_list *list, husk_error_t *err)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct mount_request *m = &list->items[i];
        struct stat st;
        if (m->kind != MOUNT_BIND || stat(m->source, &st) == 0)
            continue;
        if (errno != ENOENT)
            return husk_error_set(err, errno, "bind source %s", m->source);
        if (!m->create_source)
            return husk_error_set(err, 0,
                                  "invalid mount config for type \"bind\": bind source path does "
                                  "not exist: %s",
                                  m->source);
    }
    for (size_t i = 0; i < list->count; i++) {
        const struct mount_request *m = &list->items[i];
        if (m->kind == MOUNT_BIND && m->create_source &&
            directory_create_parents(m->source, 0755, err) < 0)
            return husk_error_wrap(err, "create the bind source %s", m->source);
    }
    return 0;
}

static void strv_push(char ***list, const char *value)
{
    size_t count = 0;
    while (*list && (*list)[count])
        count++;
    *list = xreallocarray(*list, count + 2, sizeof(char *));
    (*list)[count] = xstrdup(value);
    (*list)[count + 1] = NULL;
}

/* The volume made or found, marked in use, and filled from the image when
 * it is empty (unless nocopy). */
static int volume_prepare(const struct engine_context *context, struct mount_request *m,
                          const struct image *image, const char *container_id,
                          const struct id_shift *shift, struct container_mounts *mounts,
                          husk_error_t *err)
{
    cleanup_json json_t *labels = m->source ? NULL : json_pack("{s:s}", VOLUME_ANONYMOUS_LABEL, "");
    char *name = NULL;
    bool created = false;
    if (volume_create(context, m->source, labels, NULL, &name, &created, err) < 0)
        return -1;
    free(m->source);
    m->source = name;
    if (created)
        strv_push(&mounts->created, name);
    if (volume_use(context, name, container_id, err) < 0)
        return -1;
    strv_push(&mounts->used, name);
    cleanup_free char *data = volume_mountpoint(context, name);
    if (volume_mount_device(context, name, err) < 0)
        return -1;
    if (created && shift->size > 0 && chown(data, shift->uid_start, shift->gid_start) < 0)
        return husk_error_set(err, errno, "give volume %s to the user namespace's root", name);
    if (m->nocopy)
        return 0;
    return volume_copy_up(image, m->target, data, shift, err);
}

static size_t depth_of(const char *path)
{
    size_t depth = 0;
    for (; *path; path++)
        depth += *path == '/';
    return depth;
}

static int by_depth(const void *a, const void *b)
{
    const struct mount_request *x = a, *y = b;
    size_t dx = depth_of(x->target), dy = depth_of(y->target);
    return dx != dy ? (dx < dy ? -1 : 1) : strcmp(x->target, y->target);
}

static json_t *spec_entry(const struct engine_context *context, const struct mount_request *m)
{
    json_t *options = json_array();
    if (m->kind == MOUNT_TMPFS) {
        /* docker's defaults first: a word of the user's (exec) may undo one. */
        json_array_append_new(options, json_string("nosuid"));
        json_array_append_new(options, json_string("nodev"));
        json_array_append_new(options, json_string("noexec"));
        cleanup_free char *data = xstrdup(m->tmpfs_data ? m->tmpfs_data : "");
        char *save = NULL;
        for (char *w = strtok_r(data, ",", &save); w; w = strtok_r(NULL, ",", &save))
            json_array_append_new(options, json_string(w));
    } else {
        json_array_append_new(options, json_string(m->nonrecursive ? "bind" : "rbind"));
        json_array_append_new(options, json_string(m->propagation ? m->propagation : "rprivate"));
    }
    if (m->readonly)
        json_array_append_new(options, json_string("ro"));
    cleanup_free char *source = m->kind == MOUNT_VOLUME ? volume_mountpoint(context, m->source)
                                : m->kind == MOUNT_BIND ? xstrdup(m->source)
                                                        : xstrdup("tmpfs");
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", m->target, "type",
                     m->kind == MOUNT_TMPFS ? "tmpfs" : "bind", "source", source, "options",
                     options);
}

/* docker's MountPoint as `inspect` shows it. */
static json_t *record_entry(const struct engine_context *context, const struct mount_request *m)
{
    static const char *const types[] = {"bind", "volume", "tmpfs"};
    cleanup_free char *source = m->kind == MOUNT_VOLUME ? volume_mountpoint(context, m->source)
                                : m->kind == MOUNT_BIND ? xstrdup(m->source)
                                                        : xstrdup("");
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", types[m->kind], "Source",
                              source, "Destination", m->target, "Mode", m->mode ? m->mode : "",
                              "RW", !m->readonly, "Propagation",
                              m->kind != MOUNT_BIND ? ""
                              : m->propagation      ? m->propagation
                                                    : "rprivate");
    if (m->kind == MOUNT_VOLUME) {
        json_object_set_new(entry, "Name", json_string(m->source));
        json_object_set_new(entry, "Driver", json_string("local"));
    }
    return entry;
}

/* HostConfig as docker keeps the flags: Binds, Mounts, Tmpfs, VolumesFrom. */
static json_t *host_config_of(const struct run_options *o)
{
    json_t *binds = o->volume_count ? json_array() : json_null();
    json_t *mounts = o->mount_count ? json_array() : json_null();
    json_t *tmpfs = o->tmpfs_count ? json_object() : json_null();
    json_t *from = o->volumes_from_count ? json_array() : json_null();
    for (size_t i = 0; i < o->volume_count; i++)
        json_array_append_new(binds, json_string(o->volumes[i]));
    for (size_t i = 0; i < o->mount_count; i++)
        json_array_append_new(mounts, json_string(o->mounts[i]));
    for (size_t i = 0; i < o->tmpfs_count; i++) {
        const char *colon = strchr(o->tmpfs[i], ':');
        cleanup_free char *path =
            colon ? strndup(o->tmpfs[i], (size_t)(colon - o->tmpfs[i])) : xstrdup(o->tmpfs[i]);
        json_object_set_new(tmpfs, path, json_string(colon ? colon + 1 : ""));
    }
    for (size_t i = 0; i < o->volumes_from_count; i++)
        json_array_append_new(from, json_string(o->volumes_from[i]));
    return json_pack("{s:o, s:o, s:o, s:o}", "Binds", binds, "Mounts", mounts, "Tmpfs", tmpfs,
                     "VolumesFrom", from);
}

static bool selinux_enabled(void)
{
    return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int container_mounts_resolve(const struct engine_context *context, const struct run_options *o,
                             const struct image *image, const char *container_id,
                             const struct id_shift *shift, struct container_mounts *mounts,
                             husk_error_t *err)
{
    memset(mounts, 0, sizeof(*mounts));
    struct mount_list list = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->volumes_from_count; i++)
        rc = add_volumes_from(context, o->volumes_from[i], &list, err);
    if (rc == 0)
        rc = add_given(o, &list, err);
    if (rc == 0) {
        add_image_volumes(image, &list);
        rc = check_bind_sources(&list, err);
    }
    bool relabel = false;
    for (size_t i = 0; rc == 0 && i < list.count; i++) {
        relabel = relabel || list.items[i].relabel;
        if (list.items[i].kind == MOUNT_VOLUME)
            rc = volume_prepare(context, &list.items[i], image, container_id, shift, mounts, err);
    }
    if (rc == 0 && relabel && !selinux_enabled())
        fprintf(stderr, "husk: note: :z and :Z ask for an SELinux relabel; SELinux is not enabled "
                        "on this host, so nothing was relabelled\n");
    if (rc == 0) {
        if (list.count > 1) /* qsort's array must not be NULL, even empty */
            qsort(list.items, list.count, sizeof(*list.items), by_depth);
        mounts->spec_mounts = json_array();
        mounts->record_mounts = json_array();
        for (size_t i = 0; i < list.count; i++) {
            json_array_append_new(mounts->spec_mounts, spec_entry(context, &list.items[i]));
            json_array_append_new(mounts->record_mounts, record_entry(context, &list.items[i]));
        }
        mounts->host_config = host_config_of(o);
    }
    mount_list_free(&list);
    if (rc < 0)
        container_mounts_undo(context, mounts, container_id);
    return rc;
}

void container_mounts_undo(const struct engine_context *context, struct container_mounts *mounts,
                           const char *container_id)
{
    for (char **name = mounts->used; name && *name; name++)
        volume_release(context, *name, container_id);
    for (char **name = mounts->created; name && *name; name++)
        volume_remove(context, *name, NULL);
    cleanup_strvp(&mounts->used);
    cleanup_strvp(&mounts->created);
    mounts->used = mounts->created = NULL;
}

void container_mounts_free(struct container_mounts *mounts)
{
    json_decref(mounts->spec_mounts);
    json_decref(mounts->record_mounts);
    json_decref(mounts->host_config);
    cleanup_strvp(&mounts->used);
    cleanup_strvp(&mounts->created);
    memset(mounts, 0, sizeof(*mounts));
}

static const char *volume_name_of(json_t *entry)
{
    const char *type = json_string_value(json_object_get(entry, "Type"));
    if (type == NULL || strcmp(type, "volume") != 0)
        return NULL;
    return json_string_value(json_object_get(entry, "Name"));
}

int container_mounts_ready(const struct engine_context *context, json_t *record, husk_error_t *err)
{
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(record, "Mounts"), i, entry)
    {
        const char *name = volume_name_of(entry);
        if (name != NULL && volume_mount_device(context, name, err) < 0)
            return -1;
    }
    return 0;
}

static bool volume_is_anonymous(const struct engine_context *context, const char *name)
{
    cleanup_json json_t *document = NULL;
    if (volume_load(context, name, &document, NULL) < 0)
        return false;
    return json_object_get(json_object_get(document, "Labels"), VOLUME_ANONYMOUS_LABEL) != NULL;
}

void container_mounts_release(const struct engine_context *context, json_t *record,
                              bool remove_anonymous)
{
    const char *id = json_string_value(json_object_get(record, "Id"));
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(record, "Mounts"), i, entry)
    {
        const char *name = volume_name_of(entry);
        if (name == NULL || id == NULL)
            continue;
        volume_release(context, name, id);
        if (remove_anonymous && volume_is_anonymous(context, name))
            volume_remove(context, name, NULL);
    }
}
