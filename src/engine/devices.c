#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "security_options.h"

/* The kernel's own dev_t: 12 bits of major, 20 of minor. A larger number
 * names no device, and the eBPF device filter compares 32-bit values. */
#define DEVICE_MAJOR_MAX 4095
#define DEVICE_MINOR_MAX 1048575

/* Go's path.Clean, which docker applies to these paths: no "//", ".",
 * "dir/.." or trailing '/'. */
static char *path_clean(const char *path)
{
    bool rooted = path[0] == '/';
    cleanup_free char *copy = xstrdup(path);
    char *out = xcalloc(strlen(path) + 2, 1);
    size_t length = 0, fixed = 0; /* FIXED: leading ".." a relative path keeps */
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0 && length > fixed) {
            while (length > fixed && out[length - 1] != '/')
                length--;
            length -= length > fixed ? 1 : 0;
            continue;
        }
        if (strcmp(part, "..") == 0 && rooted)
            continue;
        length += (size_t)sprintf(out + length, "%s%s", length > 0 ? "/" : "", part);
        if (strcmp(part, "..") == 0)
            fixed = length;
    }
    out[length] = '\0';
    char *clean = xasprintf("%s%s", rooted ? "/" : "", length > 0 || rooted ? out : ".");
    free(out);
    return clean;
}

/* r, w and m, each at most once, at least one. */
static bool device_mode_valid(const char *mode)
{
    if (mode[0] == '\0' || strlen(mode) > 3 || strspn(mode, "rwm") != strlen(mode))
        return false;
    for (const char *c = mode; *c; c++)
        if (strchr(c + 1, *c) != NULL)
            return false;
    return true;
}

static int invalid_device(husk_error_t *err, const char *text, const char *why, const char *what)
{
    return husk_error_set(err, 0, "invalid --device \"%s\": %s%s", text, what ? what : "", why);
}

int device_mapping_parse(const char *text, struct device_mapping *m, husk_error_t *err)
{
    *m = (struct device_mapping){.permissions = "rwm"};
    size_t count = 1;
    for (const char *c = text; *c; c++)
        count += *c == ':';
    if (count > 3 || text[0] == '\0' || text[0] == ':')
        return invalid_device(err, text, text, "bad format for path: ");
    cleanup_free char *copy = xstrdup(text);
    char *parts[3] = {copy, NULL, NULL};
    for (size_t i = 1; i < count; i++) {
        parts[i] = strchr(parts[i - 1], ':');
        *parts[i]++ = '\0';
    }
    const char *mode = count == 3                                  ? parts[2]
                       : count == 2 && device_mode_valid(parts[1]) ? parts[1]
                                                                   : NULL;
    if (count == 3 && !device_mode_valid(mode))
        return invalid_device(err, text, mode, "bad mode specified: ");
    /* docker cleans the path it checks, but not one after a CONTAINER path. */
    const char *container = count == 1 || (count == 2 && mode != NULL) ? NULL : parts[1];
    if ((container ? container : parts[0])[0] != '/')
        return invalid_device(err, text, " is not an absolute path",
                              container ? container : parts[0]);
    m->host = container ? xstrdup(parts[0]) : path_clean(parts[0]);
    m->container =
        container ? (count == 2 ? path_clean(container) : xstrdup(container)) : xstrdup(m->host);
    if (mode != NULL)
        snprintf(m->permissions, sizeof(m->permissions), "%s", mode);
    return 0;
}

void device_mapping_free(struct device_mapping *m)
{
    free(m->host);
    free(m->container);
    m->host = m->container = NULL;
}

json_t *device_mapping_record(const struct device_mapping *m)
{
    return json_pack("{s:s, s:s, s:s}", "PathOnHost", m->host, "PathInContainer", m->container,
                     "CgroupPermissions", m->permissions);
}

/* PATH's node as a linux.devices entry at CONTAINER_PATH, and its cgroup
 * rule (a fifo needs none). 1: not a device node; -1: lstat failed. */
static int add_node(const char *path, const char *container_path, const char *access,
                    json_t *devices, json_t *rules)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return -1;
    const char *type = S_ISCHR(st.st_mode)    ? "c"
                       : S_ISBLK(st.st_mode)  ? "b"
                       : S_ISFIFO(st.st_mode) ? "p"
                                              : NULL;
    if (type == NULL)
        return 1;
    json_int_t major = (json_int_t)major(st.st_rdev), minor = (json_int_t)minor(st.st_rdev);
    cleanup_free char *clean = path_clean(container_path);
    json_array_append_new(devices, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", clean,
                                             "type", type, "major", major, "minor", minor,
                                             "fileMode", (json_int_t)(st.st_mode & 07777), "uid",
                                             (json_int_t)st.st_uid, "gid", (json_int_t)st.st_gid));
    if (type[0] != 'p')
        json_array_append_new(rules,
                              json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type,
                                        "major", major, "minor", minor, "access", access));
    return 0;
}

/* As docker's filepath.WalkDir: every node below, in name order, symlinks
 * (to directories too) not followed; what is no device is skipped. */
static void add_directory(const char *host, const char *container, const char *access,
                          json_t *devices, json_t *rules)
{
    struct dirent **entries;
    int count = scandir(host, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        const char *name = entries[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            cleanup_free char *below = xasprintf("%s/%s", host, name);
            cleanup_free char *inside = xasprintf("%s/%s", container, name);
            struct stat st;
            if (lstat(below, &st) == 0 && S_ISDIR(st.st_mode))
                add_directory(below, inside, access, devices, rules);
            else
                add_node(below, inside, access, devices, rules);
        }
        free(entries[i]);
    }
    if (count >= 0)
        free(entries);
}

int device_mapping_resolve(const struct device_mapping *m, json_t *devices, json_t *rules,
                           husk_error_t *err)
{
    /* A symlink (/dev/disk/by-id/...) stands for the node it names. */
    struct stat st;
    cleanup_free char *resolved =
        lstat(m->host, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(m->host, NULL) : NULL;
    const char *path = resolved ? resolved : m->host;
    int rc = add_node(path, m->container, m->permissions, devices, rules);
    int saved = errno;
    if (rc == 0)
        return 0;
    size_t before = json_array_size(devices);
    if (rc == 1 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        add_directory(path, m->container, m->permissions, devices, rules);
    if (json_array_size(devices) > before)
        return 0;
    char why[128] = "not a device node";
    if (rc < 0)
        security_errno_text(saved, why, sizeof(why));
    return husk_error_set(err, 0,
                          "error gathering device information while adding custom device \"%s\": "
                          "%s",
                          m->host, why);
}

/* A major or minor of a cgroup rule: digits up to MAX, or '*' (-1). */
static bool device_number(const char **text, json_int_t max, json_int_t *value)
{
    if (**text == '*') {
        (*text)++;
        *value = -1;
        return true;
    }
    const char *start = *text;
    while (**text >= '0' && **text <= '9')
        (*text)++;
    if (*text == start || *text - start > 9)
        return false;
    *value = strtoll(start, NULL, 10);
    return *value <= max;
}

json_t *device_cgroup_rule_parse(const char *text, husk_error_t *err)
{
    const char *p = text + 2;
    json_int_t major, minor;
    char type[2] = {text[0], '\0'};
    bool valid = text[0] != '\0' && strchr("acb", text[0]) != NULL && text[1] == ' ' &&
                 device_number(&p, DEVICE_MAJOR_MAX, &major) && *p++ == ':' &&
                 device_number(&p, DEVICE_MINOR_MAX, &minor) && *p++ == ' ' && strlen(p) >= 1 &&
                 strlen(p) <= 3 && strspn(p, "rwm") == strlen(p);
    if (!valid) {
        husk_error_set(err, 0,
                       "invalid --device-cgroup-rule \"%s\": use 'TYPE MAJOR:MINOR ACCESS' as in "
                       "'c 1:3 rwm' (TYPE a, b or c; numbers up to %d:%d, or *; ACCESS of r, w, m)",
                       text, DEVICE_MAJOR_MAX, DEVICE_MINOR_MAX);
        return NULL;
    }
    return json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type, "major", major, "minor",
                     minor, "access", p);
}
