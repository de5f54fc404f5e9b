#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "cgroup_devices.h"
#include "cgroup_limits.h"

/* Mount options that are not controllers in a v1 super block option list. */
static bool is_generic_option(const char *word)
{
    static const char *const generic[] = {"rw",
                                          "ro",
                                          "relatime",
                                          "noatime",
                                          "nosuid",
                                          "nodev",
                                          "noexec",
                                          "clone_children",
                                          "noprefix",
                                          "nsdelegate",
                                          "memory_recursiveprot",
                                          "xattr",
                                          "cpuset_v2_mode",
                                          "memory_localevents",
                                          "favordynmods"};
    for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
        if (strcmp(word, generic[i]) == 0)
            return true;
    return strncmp(word, "release_agent=", 14) == 0;
}

static char *controllers_from_options(const char *options)
{
    cleanup_free char *copy = strdup(options);
    char *result = calloc(1, strlen(options) + 1);
    char *save = NULL;
    for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
        if (is_generic_option(word))
            continue;
        if (result[0] != '\0')
            strcat(result, ",");
        strcat(result, word);
    }
    return result;
}

static bool layout_has(const struct cgroup_layout *layout, bool unified, const char *controllers)
{
    for (size_t i = 0; i < layout->count; i++)
        if (layout->hierarchies[i].unified == unified &&
            strcmp(layout->hierarchies[i].controllers, controllers) == 0)
            return true;
    return false;
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
static int parse_mountinfo_line(char *line, struct cgroup_layout *layout)
{
    char *separator = strstr(line, " - ");
    if (separator == NULL)
        return 0;
    *separator = '\0';
    char fstype[32], source[256], super[1024];
    if (sscanf(separator + 3, "%31s %255s %1023s", fstype, source, super) != 3)
        return 0;
    bool unified = strcmp(fstype, "cgroup2") == 0;
    if (!unified && strcmp(fstype, "cgroup") != 0)
        return 0;
    char root[1024], mount_point[1024];
    if (sscanf(line, "%*s %*s %*s %1023s %1023s", root, mount_point) != 2)
        return 0;
    /* A bind of a sub-cgroup is not where the hierarchy's root is visible. */
    if (strcmp(root, "/") != 0)
        return 0;
    char *controllers = unified ? strdup("") : controllers_from_options(super);
    if (layout_has(layout, unified, controllers)) {
        free(controllers);
        return 0;
    }
    struct cgroup_hierarchy *grown =
        realloc(layout->hierarchies, (layout->count + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(controllers);
        return -1;
    }
    layout->hierarchies = grown;
    grown[layout->count].mount_point = strdup(mount_point);
    grown[layout->count].controllers = controllers;
    grown[layout->count].unified = unified;
    layout->count++;
    return 0;
}

int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *layout, husk_error_t *err)
{
    cleanup_free char *copy = strdup(mountinfo);
    char *save = NULL;
    layout->hierarchies = NULL;
    layout->count = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (parse_mountinfo_line(line, layout) < 0)
            return husk_error_set(err, ENOMEM, "parse mountinfo");
    return 0;
}

int cgroup_layout_discover(struct cgroup_layout *layout, husk_error_t *err)
{
    cleanup_free char *mountinfo = NULL;
    if (file_read_all(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
        return -1;
    if (cgroup_layout_parse(mountinfo, layout, err) < 0)
        return -1;
    if (layout->count == 0)
        return husk_error_set(err, 0, "no cgroup file system is mounted");
    return 0;
}

void cgroup_layout_free(struct cgroup_layout *layout)
{
    for (size_t i = 0; i < layout->count; i++) {
        free(layout->hierarchies[i].mount_point);
        free(layout->hierarchies[i].controllers);
    }
    free(layout->hierarchies);
    layout->hierarchies = NULL;
    layout->count = 0;
}

const struct cgroup_hierarchy *cgroup_layout_find(const struct cgroup_layout *layout,
                                                  const char *controller)
{
    size_t length = strlen(controller);
    if (length == 0)
        return NULL;
    for (size_t i = 0; i < layout->count; i++) {
        const char *list = layout->hierarchies[i].controllers;
        for (const char *p = list; (p = strstr(p, controller)) != NULL; p += length)
            if ((p == list || p[-1] == ',') && (p[length] == '\0' || p[length] == ','))
                return &layout->hierarchies[i];
    }
    return NULL;
}

const struct cgroup_hierarchy *cgroup_layout_unified(const struct cgroup_layout *layout)
{
    for (size_t i = 0; i < layout->count; i++)
        if (layout->hierarchies[i].unified)
            return &layout->hierarchies[i];
    return NULL;
}

static int write_cgroup_file(const char *directory, const char *file, const char *value,
                             husk_error_t *err)
{
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s", directory, file) < 0)
        return husk_error_set(err, ENOMEM, "cgroup");
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        return husk_error_set(err, errno, "write %s to %s", value, path);
    return 0;
}

/* A v1 cpuset cgroup starts with no CPUs and memory nodes, and refuses tasks
 * until both are copied down from its parent. */
static int cpuset_inherit(const char *directory, husk_error_t *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *mine = NULL, *parent_path = NULL, *parent = NULL, *own_path = NULL;
        if (asprintf(&own_path, "%s/%s", directory, files[i]) < 0 ||
            asprintf(&parent_path, "%s/../%s", directory, files[i]) < 0)
            return husk_error_set(err, ENOMEM, "cgroup");
        if (file_read_all(AT_FDCWD, own_path, &mine, NULL, err) < 0)
            return -1;
        if (mine[0] != '\n' && mine[0] != '\0')
            continue;
        if (file_read_all(AT_FDCWD, parent_path, &parent, NULL, err) < 0 ||
            write_cgroup_file(directory, files[i], parent, err) < 0)
            return -1;
    }
    return 0;
}

/* OCI writes cgroupsPath as "/husk/ID": relative to each hierarchy's root. */
static const char *relative(const char *path)
{
    while (*path == '/')
        path++;
    return path;
}

static int create_in_hierarchy(const struct cgroup_hierarchy *hierarchy, const char *path,
                               husk_error_t *err)
{
    bool cpuset = !hierarchy->unified && strstr(hierarchy->controllers, "cpuset") != NULL;
    cleanup_free char *full = NULL;
    if (asprintf(&full, "%s/%s", hierarchy->mount_point, relative(path)) < 0)
        return husk_error_set(err, ENOMEM, "cgroup");
    /* Walk down one level at a time: cpuset needs each level initialised,
     * and a concurrent cgroup_destroy may remove an empty parent under us. */
    for (char *slash = full + strlen(hierarchy->mount_point) + 1;; slash++) {
        bool end = *slash == '\0';
        if (*slash != '/' && !end)
            continue;
        *slash = '\0';
        int attempts = 0;
        while (mkdir(full, 0755) < 0 && errno != EEXIST) {
            if (errno != ENOENT || ++attempts > 3)
                return husk_error_set(err, errno, "create cgroup %s", full);
        }
        if (cpuset && cpuset_inherit(full, err) < 0)
            return -1;
        if (end)
            return 0;
        *slash = '/';
    }
}

static int apply_device_rules(const struct cgroup_layout *layout, const char *path,
                              const struct runtime_spec *spec, husk_error_t *err)
{
    if (spec == NULL || spec->device_rule_count == 0)
        return 0;
    const struct cgroup_hierarchy *devices = cgroup_layout_find(layout, "devices");
    cleanup_free char *directory = NULL;
    if (devices == NULL) {
        /* cgroup2 has no devices files: the same rules as a BPF program. */
        const struct cgroup_hierarchy *unified = NULL;
        for (size_t i = 0; i < layout->count; i++)
            if (layout->hierarchies[i].unified)
                unified = &layout->hierarchies[i];
        if (unified == NULL)
            return husk_error_set(err, 0, "no devices cgroup to restrict device access");
        if (asprintf(&directory, "%s/%s", unified->mount_point, relative(path)) < 0)
            return husk_error_set(err, ENOMEM, "cgroup");
        return cgroup_devices_attach(directory, spec, err);
    }
    if (asprintf(&directory, "%s/%s", devices->mount_point, relative(path)) < 0)
        return husk_error_set(err, ENOMEM, "cgroup");
    for (size_t i = 0; i < spec->device_rule_count; i++) {
        const struct runtime_device_rule *r = &spec->device_rules[i];
        char rule[64], major[24] = "*", minor[24] = "*";
        if (r->major >= 0)
            snprintf(major, sizeof(major), "%lld", (long long)r->major);
        if (r->minor >= 0)
            snprintf(minor, sizeof(minor), "%lld", (long long)r->minor);
        if (r->type == 'a')
            snprintf(rule, sizeof(rule), "a");
        else
            snprintf(rule, sizeof(rule), "%c %s:%s %s", r->type, major, minor, r->access);
        if (write_cgroup_file(directory, r->allow ? "devices.allow" : "devices.deny", rule, err) <
            0)
            return -1;
    }
    return 0;
}

int cgroup_create(const struct cgroup_layout *layout, const char *path,
                  const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < layout->count; i++)
        if (create_in_hierarchy(&layout->hierarchies[i], path, err) < 0)
            goto fail;
    if (apply_device_rules(layout, path, spec, err) < 0 ||
        (spec != NULL && cgroup_apply_limits(layout, path, &spec->resources, err) < 0))
        goto fail;
    return 0;
fail:
    cgroup_destroy(layout, path, NULL);
    return -1;
}

int cgroup_enter(const struct cgroup_layout *layout, const char *path, pid_t pid, husk_error_t *err)
{
    char pid_text[24];
    snprintf(pid_text, sizeof(pid_text), "%d", pid);
    for (size_t i = 0; i < layout->count; i++) {
        cleanup_free char *directory = NULL;
        if (asprintf(&directory, "%s/%s", layout->hierarchies[i].mount_point, relative(path)) < 0)
            return husk_error_set(err, ENOMEM, "cgroup");
        if (write_cgroup_file(directory, "cgroup.procs", pid_text, err) < 0)
            return -1;
    }
    return 0;
}

int cgroup_destroy(const struct cgroup_layout *layout, const char *path, husk_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < layout->count; i++) {
        cleanup_free char *full = NULL;
        if (asprintf(&full, "%s/%s", layout->hierarchies[i].mount_point, relative(path)) < 0)
            return husk_error_set(err, ENOMEM, "cgroup");
        size_t root_length = strlen(layout->hierarchies[i].mount_point);
        if (rmdir(full) < 0 && errno != ENOENT && rc == 0)
            rc = husk_error_set(err, errno, "remove cgroup %s", full);
        /* husk's own parent goes once empty (rmdir refuses a cgroup with
         * children); a --cgroup-parent is the user's and stays. */
        char *slash = strrchr(full, '/');
        if (slash != NULL && (size_t)(slash - full) > root_length) {
            *slash = '\0';
            const char *parent = strrchr(full, '/');
            if (parent != NULL && strcmp(parent, "/husk") == 0)
                rmdir(full);
        }
    }
    return rc;
}
