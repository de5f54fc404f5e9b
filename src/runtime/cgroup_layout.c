#include "cgroup_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"

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
    if (copy == NULL || result == NULL) {
        free(result);
        return NULL;
    }
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

static int add_hierarchy(struct cgroup_layout *layout, const char *mount_point, bool unified,
                         char *controllers)
{
    if (controllers == NULL)
        return -1;
    if (layout_has(layout, unified, controllers)) {
        free(controllers);
        return 0;
    }
    struct cgroup_hierarchy *grown =
        realloc(layout->hierarchies, (layout->count + 1) * sizeof(*grown));
    char *mount_copy = strdup(mount_point);
    if (grown == NULL || mount_copy == NULL) {
        layout->hierarchies = grown ? grown : layout->hierarchies;
        free(mount_copy);
        free(controllers);
        return -1;
    }
    layout->hierarchies = grown;
    grown[layout->count++] = (struct cgroup_hierarchy){mount_copy, controllers, unified};
    return 0;
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
static int parse_mountinfo_line(char *line, struct cgroup_layout *layout)
{
    char *separator = strstr(line, " - ");
    if (separator == NULL)
        return 0;
    /* Most mounts are not cgroups: skip them before any scanf. */
    if (strncmp(separator + 3, "cgroup", 6) != 0)
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
    return add_hierarchy(layout, mount_point, unified,
                         unified ? strdup("") : controllers_from_options(super));
}

int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *layout, husk_error_t *err)
{
    cleanup_free char *copy = strdup(mountinfo);
    char *save = NULL;
    layout->hierarchies = NULL;
    layout->count = 0;
    if (copy == NULL)
        return husk_error_set(err, ENOMEM, "parse mountinfo");
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (parse_mountinfo_line(line, layout) < 0) {
            cgroup_layout_free(layout);
            return husk_error_set(err, ENOMEM, "parse mountinfo");
        }
    return 0;
}

int cgroup_layout_discover(struct cgroup_layout *layout, husk_error_t *err)
{
    cleanup_free char *mountinfo = NULL;
    layout->hierarchies = NULL;
    layout->count = 0;
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

json_t *cgroup_layout_to_json(const struct cgroup_layout *layout)
{
    json_t *list = json_array();
    for (size_t i = 0; i < layout->count; i++) {
        const struct cgroup_hierarchy *h = &layout->hierarchies[i];
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:b}", "mount", h->mount_point, "controllers",
                                        h->controllers, "unified", h->unified));
    }
    return list;
}

int cgroup_layout_from_json(json_t *list, struct cgroup_layout *layout, husk_error_t *err)
{
    layout->hierarchies = NULL;
    layout->count = 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *mount = NULL, *controllers = NULL;
        int unified = 0;
        if (json_unpack(item, "{s:s, s:s, s:b}", "mount", &mount, "controllers", &controllers,
                        "unified", &unified) < 0 ||
            mount[0] != '/' ||
            add_hierarchy(layout, mount, unified != 0, xstrdup(controllers)) < 0) {
            cgroup_layout_free(layout);
            return husk_error_set(err, 0, "a saved cgroup layout is malformed");
        }
    }
    if (!json_is_array(list) || layout->count == 0)
        return husk_error_set(err, 0, "a saved cgroup layout is malformed");
    return 0;
}

bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller)
{
    size_t length = strlen(controller);
    const char *list = h->controllers;
    if (length == 0)
        return false;
    for (const char *p = list; (p = strstr(p, controller)) != NULL; p += length)
        if ((p == list || p[-1] == ',') && (p[length] == '\0' || p[length] == ','))
            return true;
    return false;
}

const struct cgroup_hierarchy *cgroup_layout_find(const struct cgroup_layout *layout,
                                                  const char *controller)
{
    for (size_t i = 0; i < layout->count; i++)
        if (!layout->hierarchies[i].unified &&
            cgroup_hierarchy_has(&layout->hierarchies[i], controller))
            return &layout->hierarchies[i];
    return NULL;
}

const struct cgroup_hierarchy *cgroup_layout_unified(const struct cgroup_layout *layout)
{
    for (size_t i = 0; i < layout->count; i++)
        if (layout->hierarchies[i].unified)
            return &layout->hierarchies[i];
    return NULL;
}

const struct cgroup_hierarchy *cgroup_layout_controller(const struct cgroup_layout *layout,
                                                        const char *controller)
{
    const struct cgroup_hierarchy *h = cgroup_layout_find(layout, controller);
    return h != NULL ? h : cgroup_layout_unified(layout);
}

char *cgroup_path(const struct cgroup_hierarchy *h, const char *relpath, const char *file)
{
    if (relpath == NULL)
        relpath = "";
    while (*relpath == '/')
        relpath++;
    /* Trailing slashes too, so "husk/" and "husk" name the same file. */
    int length = (int)strlen(relpath);
    while (length > 0 && relpath[length - 1] == '/')
        length--;
    char *path = NULL;
    if (asprintf(&path, "%s%s%.*s%s%s", h->mount_point, length > 0 ? "/" : "", length, relpath,
                 file != NULL ? "/" : "", file != NULL ? file : "") < 0)
        return NULL;
    return path;
}

int cgroup_write(const struct cgroup_hierarchy *h, const char *relpath, const char *file,
                 const char *value, husk_error_t *err)
{
    cleanup_free char *path = cgroup_path(h, relpath, file);
    if (path == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    /* No O_CREAT: a file the kernel does not offer is a missing feature to
     * report, not one to make up. O_TRUNC means nothing to cgroupfs; it keeps
     * a stand-in tree (the unit tests') honest. */
    cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        return husk_error_set(err, errno, "write %s to %s", value, path);
    return 0;
}

int cgroup_read(const struct cgroup_hierarchy *h, const char *relpath, const char *file,
                char **text, husk_error_t *err)
{
    cleanup_free char *path = cgroup_path(h, relpath, file);
    *text = NULL;
    if (path == NULL)
        return husk_error_set(err, ENOMEM, "cgroup");
    return file_read_all(AT_FDCWD, path, text, NULL, err);
}
