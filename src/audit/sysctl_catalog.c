#include "sysctl_catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "../util/json_text.h"
#include "../util/cleanup.h"
#include "../util/file.h"

/* A different value that stayed inside, a change the namespace's own call
 * made, or a write the unprivileged root got through: the kernel grants that
 * root only what its namespaces own (the plain probe, as real root, never
 * writes the same value, so wrote_same is always the owned probe's). */
static bool isolated_by(const struct probe_observation *o)
{
    return !o->leaked && (o->mutated || o->wrote_other || o->wrote_same);
}

static json_t *types_where(const struct probe_observation observations[PROBE_TYPE_COUNT],
                           bool (*test)(const struct probe_observation *, mode_t), mode_t mode)
{
    json_t *types = json_array();
    for (int t = 0; t < PROBE_TYPE_COUNT; t++)
        if (test(&observations[t], mode))
            json_array_append_new(types, json_string(probe_type_names[t]));
    return types;
}

static bool hidden(const struct probe_observation *o, mode_t host_mode)
{
    (void)host_mode;
    return !o->visible;
}

static bool read_only(const struct probe_observation *o, mode_t host_mode)
{
    return o->visible && (host_mode & S_IWUSR) && !o->writable_mode;
}

json_t *sysctl_classify(const struct probe_key *key,
                        const struct probe_observation observations[PROBE_TYPE_COUNT])
{
    json_t *entry = json_pack("{s:b}", "HostWritable", (key->host_mode & S_IWUSR) != 0);
    if (key->host_value != NULL) {
        for (int t = 0; t < PROBE_TYPE_COUNT; t++) {
            if (isolated_by(&observations[t])) {
                json_object_set_new(entry, "Class", json_string("isolated"));
                json_object_set_new(entry, "Namespace", json_string(probe_type_names[t]));
                return entry;
            }
        }
    }
    cleanup_json json_t *hidden_in = types_where(observations, hidden, key->host_mode);
    cleanup_json json_t *read_only_in = types_where(observations, read_only, key->host_mode);
    const char *class = json_array_size(hidden_in) > 0      ? "global-hidden-inside"
                        : !(key->host_mode & S_IRUSR)       ? "write-only"
                        : key->host_value == NULL           ? "unreadable"
                        : json_array_size(read_only_in) > 0 ? "global-read-only-inside"
                        : key->one_way                      ? "one-way"
                                                            : "global-visible";
    json_object_set_new(entry, "Class", json_string(class));
    if (json_array_size(hidden_in) > 0)
        json_object_set(entry, "HiddenIn", hidden_in);
    if (json_array_size(read_only_in) > 0 && strcmp(class, "global-read-only-inside") == 0)
        json_object_set(entry, "ReadOnlyIn", read_only_in);
    for (int t = 0; t < PROBE_TYPE_COUNT; t++)
        if (observations[t].not_restored)
            json_object_set_new(entry, "HostChanged", json_true());
    return entry;
}

static double now_milliseconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static json_t *catalog_build(husk_error_t *err)
{
    double start = now_milliseconds();
    struct probe_result result;
    if (sysctl_probe_run(&result, err) < 0)
        return NULL;
    json_t *keys = json_object(), *changed = json_array();
    for (size_t i = 0; i < result.count; i++) {
        json_t *entry =
            sysctl_classify(&result.keys[i], &result.observations[i * PROBE_TYPE_COUNT]);
        if (json_is_true(json_object_get(entry, "HostChanged")))
            json_array_append_new(changed, json_string(result.keys[i].name));
        json_object_set_new(keys, result.keys[i].name, entry);
    }
    json_t *limitations = json_array();
    if (result.limitation != NULL)
        json_array_append_new(limitations, json_string(result.limitation));
    sysctl_probe_free(&result);
    struct utsname uts;
    uname(&uts);
    char stamp[32];
    time_t t = time(NULL);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    return json_pack("{s:i, s:s, s:s, s:I, s:o, s:o, s:o}", "Version", SYSCTL_CATALOG_VERSION,
                     "Kernel", uts.release, "ClassifiedAt", stamp, "Milliseconds",
                     (json_int_t)(now_milliseconds() - start + 0.5), "Keys", keys, "NotRestored",
                     changed, "Limitations", limitations);
}

/* Probes and writes the cache; the new catalog says Cached false. */
static int catalog_make(const char *path, json_t **catalog, husk_error_t *err)
{
    *catalog = NULL;
    cleanup_json json_t *built = catalog_build(err);
    if (built == NULL)
        return -1;
    cleanup_free char *text = json_dumps(built, JSON_SORT_KEYS | JSON_COMPACT);
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "write %s", path);
    if (file_write_atomic(path, text, strlen(text), false, err) < 0)
        return -1;
    json_object_set_new(built, "Cached", json_false());
    *catalog = steal_pointer(&built);
    return 0;
}

/* Every entry has a text Class: a damaged cache is made again, not trusted. */
static bool keys_valid(json_t *keys)
{
    const char *key;
    json_t *entry;
    json_object_foreach(keys, key, entry)
    {
        json_t *namespace = json_object_get(entry, "Namespace");
        if (!json_is_string(json_object_get(entry, "Class")) ||
            (namespace != NULL && !json_is_string(namespace)))
            return false;
    }
    return true;
}

bool sysctl_catalog_usable(json_t *catalog, const char *release)
{
    json_t *keys = json_object_get(catalog, "Keys");
    return json_is_object(keys) && keys_valid(keys) &&
           json_is_array(json_object_get(catalog, "NotRestored")) &&
           json_integer_value(json_object_get(catalog, "Version")) == SYSCTL_CATALOG_VERSION &&
           json_is_string(json_object_get(catalog, "Kernel")) &&
           strcmp(json_string_value(json_object_get(catalog, "Kernel")), release) == 0;
}

static json_t *catalog_read(const char *path, const char *release)
{
    cleanup_json json_t *catalog = json_load_path(AT_FDCWD, path, NULL);
    if (!sysctl_catalog_usable(catalog, release))
        return NULL;
    return steal_pointer(&catalog);
}

/* Under DIRECTORY/.lock: two husk processes never probe at once (one would
 * take the other's probe values for the host's), and the second finds the
 * first one's cache. */
static int catalog_lock(const char *directory, husk_error_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/.lock", directory);
    if (directory_create_parents(directory, 0700, err) < 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            close(fd);
            return husk_error_set(err, errno, "lock %s", path);
        }
    return fd;
}

int sysctl_catalog_load(const char *directory, bool refresh, json_t **catalog, husk_error_t *err)
{
    struct utsname uts;
    uname(&uts);
    char path[4096];
    snprintf(path, sizeof(path), "%s/sysctl-%s.json", directory, uts.release);
    *catalog = refresh ? NULL : catalog_read(path, uts.release);
    if (*catalog == NULL) {
        cleanup_close int lock = catalog_lock(directory, err);
        if (lock < 0)
            return -1;
        *catalog = refresh ? NULL : catalog_read(path, uts.release);
        if (*catalog == NULL && catalog_make(path, catalog, err) < 0)
            return husk_error_wrap(err, "classify the kernel's settings (cache in %s)", directory);
    }
    if (!json_object_get(*catalog, "Cached"))
        json_object_set_new(*catalog, "Cached", json_true());
    return 0;
}

json_t *sysctl_catalog_entry(json_t *catalog, const char *key)
{
    char canonical[256];
    sysctl_key_canonical(key, canonical, sizeof(canonical));
    return json_object_get(json_object_get(catalog, "Keys"), canonical);
}
