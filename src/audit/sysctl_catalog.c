#include "sysctl_catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "../util/cleanup.h"
#include "../util/file.h"

static bool isolated_by(const struct probe_observation *o, bool unprivileged_write)
{
    if (o->leaked)
        return false;
    /* A write the unprivileged root got through can only have gone to a
     * namespace it owns; real root's (net, plain) only counts when the
     * different value stayed inside. */
    return o->mutated || o->wrote_other || (unprivileged_write && o->wrote_same);
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
            if (isolated_by(&observations[t], true)) {
                json_object_set_new(entry, "Class", json_string("isolated"));
                json_object_set_new(entry, "Namespace", json_string(probe_type_names[t]));
                return entry;
            }
        }
    }
    json_t *hidden_in = types_where(observations, hidden, key->host_mode);
    json_t *read_only_in = types_where(observations, read_only, key->host_mode);
    const char *class = json_array_size(hidden_in) > 0      ? "global-hidden-inside"
                        : !(key->host_mode & S_IRUSR)       ? "write-only"
                        : key->host_value == NULL           ? "unreadable"
                        : json_array_size(read_only_in) > 0 ? "global-read-only-inside"
                                                            : "global-visible";
    json_object_set_new(entry, "Class", json_string(class));
    if (json_array_size(hidden_in) > 0)
        json_object_set(entry, "HiddenIn", hidden_in);
    if (json_array_size(read_only_in) > 0 && strcmp(class, "global-read-only-inside") == 0)
        json_object_set(entry, "ReadOnlyIn", read_only_in);
    json_decref(hidden_in);
    json_decref(read_only_in);
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
    json_t *keys = json_object();
    for (size_t i = 0; i < result.count; i++)
        json_object_set_new(
            keys, result.keys[i].name,
            sysctl_classify(&result.keys[i], &result.observations[i * PROBE_TYPE_COUNT]));
    sysctl_probe_free(&result);
    struct utsname uts;
    uname(&uts);
    char stamp[32];
    time_t t = time(NULL);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    return json_pack("{s:i, s:s, s:s, s:I, s:o}", "Version", SYSCTL_CATALOG_VERSION, "Kernel",
                     uts.release, "ClassifiedAt", stamp, "Milliseconds",
                     (json_int_t)(now_milliseconds() - start + 0.5), "Keys", keys);
}

static json_t *catalog_read(const char *path, const char *release)
{
    json_t *catalog = json_load_file(path, 0, NULL);
    json_t *keys = json_object_get(catalog, "Keys");
    if (!json_is_object(keys) ||
        json_integer_value(json_object_get(catalog, "Version")) != SYSCTL_CATALOG_VERSION ||
        !json_is_string(json_object_get(catalog, "Kernel")) ||
        strcmp(json_string_value(json_object_get(catalog, "Kernel")), release) != 0) {
        json_decref(catalog);
        return NULL;
    }
    return catalog;
}

int sysctl_catalog_load(const char *directory, bool refresh, json_t **catalog, husk_error_t *err)
{
    struct utsname uts;
    uname(&uts);
    char path[4096];
    snprintf(path, sizeof(path), "%s/sysctl-%s.json", directory, uts.release);
    *catalog = refresh ? NULL : catalog_read(path, uts.release);
    if (*catalog != NULL) {
        json_object_set_new(*catalog, "Cached", json_true());
        return 0;
    }
    *catalog = catalog_build(err);
    if (*catalog == NULL)
        return -1;
    cleanup_free char *text = json_dumps(*catalog, JSON_SORT_KEYS | JSON_COMPACT);
    if (text == NULL || directory_create_parents(directory, 0700, err) < 0 ||
        file_write_atomic(path, text, strlen(text), false, err) < 0) {
        json_decref(*catalog);
        *catalog = NULL;
        return husk_error_wrap(err, "cache the sysctl classification in %s", directory);
    }
    json_object_set_new(*catalog, "Cached", json_false());
    return 0;
}

json_t *sysctl_catalog_entry(json_t *catalog, const char *key)
{
    char canonical[256];
    sysctl_key_canonical(key, canonical, sizeof(canonical));
    return json_object_get(json_object_get(catalog, "Keys"), canonical);
}
