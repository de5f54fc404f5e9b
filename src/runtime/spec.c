#include "spec.h"

#include <fcntl.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>

#include "../util/json_text.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int strv_from_json(json_t *array, const char *field, char ***out, husk_error_t *err)
{
    *out = NULL;
    if (array == NULL || json_is_null(array))
        return 0;
    if (!json_is_array(array))
        return husk_error_set(err, 0, "config.json: %s must be an array of strings", field);
    size_t count = json_array_size(array);
    char **strv = xcalloc(count + 1, sizeof(char *));
    for (size_t i = 0; i < count; i++) {
        const char *value = json_string_value(json_array_get(array, i));
        if (value == NULL) {
            cleanup_strvp(&strv);
            return husk_error_set(err, 0, "config.json: %s[%zu] must be a string", field, i);
        }
        strv[i] = xstrdup(value);
    }
    *out = strv;
    return 0;
}

static char *string_or_null(json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return xstrdup(value);
}

struct mount_flag_word {
    const char *word;
    bool clear;
    unsigned long flag;
    bool propagation;
};

static const struct mount_flag_word mount_flag_words[] = {
    {"ro", false, MS_RDONLY, false},
    {"rw", true, MS_RDONLY, false},
    {"nosuid", false, MS_NOSUID, false},
    {"suid", true, MS_NOSUID, false},
    {"nodev", false, MS_NODEV, false},
    {"dev", true, MS_NODEV, false},
    {"noexec", false, MS_NOEXEC, false},
    {"exec", true, MS_NOEXEC, false},
    {"sync", false, MS_SYNCHRONOUS, false},
    {"async", true, MS_SYNCHRONOUS, false},
    {"dirsync", false, MS_DIRSYNC, false},
    {"remount", false, MS_REMOUNT, false},
    {"mand", false, MS_MANDLOCK, false},
    {"nomand", true, MS_MANDLOCK, false},
    {"atime", true, MS_NOATIME, false},
    {"noatime", false, MS_NOATIME, false},
    {"diratime", true, MS_NODIRATIME, false},
    {"nodiratime", false, MS_NODIRATIME, false},
    {"relatime", false, MS_RELATIME, false},
    {"norelatime", true, MS_RELATIME, false},
    {"strictatime", false, MS_STRICTATIME, false},
    {"nostrictatime", true, MS_STRICTATIME, false},
    {"private", false, MS_PRIVATE, true},
    {"rprivate", false, MS_PRIVATE | MS_REC, true},
    {"shared", false, MS_SHARED, true},
    {"rshared", false, MS_SHARED | MS_REC, true},
    {"slave", false, MS_SLAVE, true},
    {"rslave", false, MS_SLAVE | MS_REC, true},
    {"unbindable", false, MS_UNBINDABLE, true},
    {"runbindable", false, MS_UNBINDABLE | MS_REC, true},
};

static void append_data(char **data, const char *word)
{
    char *joined = xasprintf("%s%s%s", *data ? *data : "", *data ? "," : "", word);
    free(*data);
    *data = joined;
}

static const struct mount_flag_word *mount_flag_word_find(const char *word)
{
    for (size_t k = 0; k < sizeof(mount_flag_words) / sizeof(mount_flag_words[0]); k++)
        if (strcmp(word, mount_flag_words[k].word) == 0)
            return &mount_flag_words[k];
    return NULL;
}

/* "ro", "exec", "rshared" ...; and "rro", "rnosuid" ..., the recursive
 * forms (mount_setattr's AT_RECURSIVE) of the flag words. */
static bool mount_flag_word_apply(const char *word, struct runtime_mount *mount)
{
    const struct mount_flag_word *w = mount_flag_word_find(word);
    if (w != NULL && w->propagation) {
        mount->propagation = w->flag;
    } else if (w != NULL) {
        mount->flags = w->clear ? mount->flags & ~w->flag : mount->flags | w->flag;
        mount->cleared = w->clear ? mount->cleared | w->flag : mount->cleared & ~w->flag;
    } else if (word[0] == 'r' && (w = mount_flag_word_find(word + 1)) != NULL && !w->propagation &&
               w->flag != MS_REMOUNT) {
        unsigned long *to = w->clear ? &mount->recursive_cleared : &mount->recursive_set;
        unsigned long *from = w->clear ? &mount->recursive_set : &mount->recursive_cleared;
        *to |= w->flag;
        *from &= ~w->flag;
    }
    return w != NULL;
}

int runtime_mount_options_parse(json_t *options, struct runtime_mount *mount, husk_error_t *err)
{
    size_t i;
    json_t *item;
    if (options != NULL && !json_is_array(options))
        return husk_error_set(err, 0, "config.json: mount %s: options must be an array",
                              mount->destination);
    json_array_foreach(options, i, item)
    {
        const char *word = json_string_value(item);
        if (word == NULL)
            return husk_error_set(err, 0, "config.json: mount %s: option %zu is not a string",
                                  mount->destination, i);
        if (strcmp(word, "idmap") == 0 || strcmp(word, "ridmap") == 0) {
            mount->idmap = true;
            mount->idmap_recursive = mount->idmap_recursive || word[0] == 'r';
            continue;
        }
        if (strcmp(word, "bind") == 0 || strcmp(word, "rbind") == 0) {
            mount->bind = true;
            mount->recursive = mount->recursive || word[0] == 'r';
            continue;
        }
        bool known = mount_flag_word_apply(word, mount);
        /* tmpcopyup and friends are runtime extensions husk does not implement;
         * everything else is file-system data such as "mode=755". */
        if (!known && strcmp(word, "tmpcopyup") != 0)
            append_data(&mount->data, word);
    }
    return 0;
}

int runtime_capability_from_name(const char *name)
{
    cap_value_t value;
    if (name == NULL || strncmp(name, "CAP_", 4) != 0)
        return -1;
    if (cap_from_name(name, &value) < 0)
        return -1;
    return (int)value;
}

static const struct {
    const char *name;
    int flag;
} namespace_names[] = {
    {"mount", CLONE_NEWNS},      {"uts", CLONE_NEWUTS},     {"ipc", CLONE_NEWIPC},
    {"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int runtime_namespace_flag(const char *type)
{
    for (size_t i = 0; type && i < sizeof(namespace_names) / sizeof(namespace_names[0]); i++)
        if (strcmp(type, namespace_names[i].name) == 0)
            return namespace_names[i].flag;
    return 0;
}

const struct runtime_mount *runtime_spec_root_mount(const struct runtime_spec *spec)
{
    for (size_t i = 0; i < spec->mount_count; i++)
        if (strcmp(spec->mounts[i].destination, "/") == 0)
            return &spec->mounts[i];
    return NULL;
}

bool runtime_spec_creates_namespace(const struct runtime_spec *spec, int type)
{
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == type)
            return spec->namespaces[i].path == NULL;
    return false;
}

bool runtime_spec_has_namespace(const struct runtime_spec *spec, int type)
{
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == type)
            return true;
    return false;
}

static int parse_capability_set(json_t *capabilities, const char *set, uint64_t *bits,
                                husk_error_t *err)
{
    json_t *names = json_object_get(capabilities, set);
    size_t i;
    json_t *item;
    *bits = 0;
    if (names != NULL && !json_is_array(names))
        return husk_error_set(err, 0, "config.json: process.capabilities.%s must be an array", set);
    json_array_foreach(names, i, item)
    {
        int value = runtime_capability_from_name(json_string_value(item));
        if (value < 0 || value > 63)
            return husk_error_set(
                err, 0, "config.json: unknown capability %s in %s",
                json_string_value(item) ? json_string_value(item) : "(non-string)", set);
        *bits |= UINT64_C(1) << value;
    }
    return 0;
}

static int parse_user(json_t *user, struct runtime_spec *spec, husk_error_t *err)
{
    json_int_t uid = 0, gid = 0;
    json_t *groups = NULL;
    if (user == NULL)
        return 0;
    if (json_unpack(user, "{s?I, s?I, s?o}", "uid", &uid, "gid", &gid, "additionalGids", &groups) <
            0 ||
        uid < 0 || gid < 0 || uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
        return husk_error_set(err, 0, "config.json: process.user needs numeric uid and gid");
    spec->uid = (uid_t)uid;
    spec->gid = (gid_t)gid;
    size_t count = json_array_size(groups);
    spec->additional_gids = xcalloc(count + 1, sizeof(gid_t));
    for (size_t i = 0; i < count; i++) {
        json_t *g = json_array_get(groups, i);
        if (!json_is_integer(g) || json_integer_value(g) < 0)
            return husk_error_set(err, 0, "config.json: process.user.additionalGids[%zu]", i);
        spec->additional_gids[i] = (gid_t)json_integer_value(g);
    }
    spec->additional_gid_count = count;
    return 0;
}

static int parse_process(json_t *process, struct runtime_spec *spec, husk_error_t *err)
{
    if (!json_is_object(process))
        return husk_error_set(err, 0, "config.json: process must be an object");
    if (strv_from_json(json_object_get(process, "args"), "process.args", &spec->args, err) < 0)
        return -1;
    if (spec->args == NULL || spec->args[0] == NULL || spec->args[0][0] == '\0')
        return husk_error_set(err, 0, "config.json: process.args must name a command");
    if (strv_from_json(json_object_get(process, "env"), "process.env", &spec->env, err) < 0)
        return -1;
    spec->cwd = string_or_null(process, "cwd");
    if (spec->cwd == NULL || spec->cwd[0] != '/')
        return husk_error_set(err, 0, "config.json: process.cwd must be an absolute path");
    spec->terminal = json_is_true(json_object_get(process, "terminal"));
    spec->no_new_privileges = json_is_true(json_object_get(process, "noNewPrivileges"));
    if (parse_user(json_object_get(process, "user"), spec, err) < 0)
        return -1;
    json_t *caps = json_object_get(process, "capabilities");
    struct runtime_capabilities *c = &spec->capabilities;
    if (parse_capability_set(caps, "bounding", &c->bounding, err) < 0 ||
        parse_capability_set(caps, "effective", &c->effective, err) < 0 ||
        parse_capability_set(caps, "permitted", &c->permitted, err) < 0 ||
        parse_capability_set(caps, "inheritable", &c->inheritable, err) < 0 ||
        parse_capability_set(caps, "ambient", &c->ambient, err) < 0)
        return -1;
    return runtime_spec_parse_process_extras(process, spec, err);
}

static int parse_mounts(json_t *mounts, const char *bundle, struct runtime_spec *spec,
                        husk_error_t *err)
{
    size_t count = json_array_size(mounts), i;
    json_t *item;
    if (mounts != NULL && !json_is_array(mounts))
        return husk_error_set(err, 0, "config.json: mounts must be an array");
    spec->mounts = xcalloc(count + 1, sizeof(*spec->mounts));
    json_array_foreach(mounts, i, item)
    {
        struct runtime_mount *m = &spec->mounts[spec->mount_count++];
        m->destination = string_or_null(item, "destination");
        m->type = string_or_null(item, "type");
        m->source = string_or_null(item, "source");
        if (m->destination == NULL || m->destination[0] != '/')
            return husk_error_set(err, 0, "config.json: mounts[%zu].destination must be absolute",
                                  i);
        if (runtime_mount_options_parse(json_object_get(item, "options"), m, err) < 0)
            return -1;
        if (m->type != NULL && strcmp(m->type, "bind") == 0)
            m->bind = true;
        if (m->bind && m->source == NULL)
            return husk_error_set(err, 0, "config.json: bind mount %s has no source",
                                  m->destination);
        if (m->bind && m->source[0] != '/' && bundle != NULL) {
            /* The runtime-spec: relative to the bundle. */
            char *absolute = xasprintf("%s/%s", bundle, m->source);
            free(m->source);
            m->source = absolute;
        }
    }
    return 0;
}

static int parse_namespaces(json_t *namespaces, struct runtime_spec *spec, husk_error_t *err)
{
    size_t count = json_array_size(namespaces), i;
    json_t *item;
    spec->namespaces = xcalloc(count + 1, sizeof(*spec->namespaces));
    json_array_foreach(namespaces, i, item)
    {
        const char *type = json_string_value(json_object_get(item, "type"));
        int flag = runtime_namespace_flag(type);
        if (flag == 0)
            return husk_error_set(err, 0, "config.json: unknown namespace type %s",
                                  type ? type : "(none)");
        if (runtime_spec_has_namespace(spec, flag))
            return husk_error_set(err, 0, "config.json: namespace %s listed twice", type);
        spec->namespaces[spec->namespace_count].type = flag;
        spec->namespaces[spec->namespace_count++].path = string_or_null(item, "path");
    }
    return 0;
}

static int parse_id_mappings(json_t *list, const char *key, struct runtime_id_mapping **mappings,
                             size_t *count, husk_error_t *err)
{
    size_t total = json_array_size(list), i;
    json_t *item;
    if (list != NULL && !json_is_array(list))
        return husk_error_set(err, 0, "config.json: linux.%s must be an array", key);
    *mappings = xcalloc(total + 1, sizeof(**mappings));
    json_array_foreach(list, i, item)
    {
        json_int_t container_id = -1, host_id = -1, size = 0;
        if (json_unpack(item, "{s:I, s:I, s:I}", "containerID", &container_id, "hostID", &host_id,
                        "size", &size) < 0 ||
            container_id < 0 || host_id < 0 || size <= 0 || container_id > UINT32_MAX ||
            host_id > UINT32_MAX || size > UINT32_MAX - container_id || size > UINT32_MAX - host_id)
            return husk_error_set(err, 0,
                                  "config.json: linux.%s[%zu] needs containerID, hostID and a "
                                  "positive size within 32 bits",
                                  key, i);
        (*mappings)[(*count)++] =
            (struct runtime_id_mapping){(uint32_t)container_id, (uint32_t)host_id, (uint32_t)size};
    }
    return 0;
}

/* A new user namespace is useless without mappings: every id would be
 * the overflow id. Mappings without one have nothing to apply to. */
static int check_user_namespace(const struct runtime_spec *spec, husk_error_t *err)
{
    bool new_user_namespace = false;
    for (size_t i = 0; i < spec->namespace_count; i++)
        if (spec->namespaces[i].type == CLONE_NEWUSER)
            new_user_namespace = spec->namespaces[i].path == NULL;
    bool mapped = spec->uid_mapping_count > 0 || spec->gid_mapping_count > 0;
    if (new_user_namespace && (spec->uid_mapping_count == 0 || spec->gid_mapping_count == 0))
        return husk_error_set(err, 0,
                              "config.json: a new user namespace needs linux.uidMappings and "
                              "linux.gidMappings");
    if (!new_user_namespace && mapped)
        return husk_error_set(err, 0,
                              "config.json: linux.uidMappings given without a new user "
                              "namespace");
    return 0;
}

static int parse_devices(json_t *devices, struct runtime_spec *spec, husk_error_t *err)
{
    size_t count = json_array_size(devices), i;
    json_t *item;
    spec->devices = xcalloc(count + 1, sizeof(*spec->devices));
    json_array_foreach(devices, i, item)
    {
        const char *path = NULL, *type = NULL;
        json_int_t major = 0, minor = 0, mode = 0666, uid = 0, gid = 0;
        if (json_unpack(item, "{s:s, s:s, s?I, s?I, s?I, s?I, s?I}", "path", &path, "type", &type,
                        "major", &major, "minor", &minor, "fileMode", &mode, "uid", &uid, "gid",
                        &gid) < 0 ||
            type[0] == '\0' || strchr("cbup", type[0]) == NULL || path[0] != '/')
            return husk_error_set(err, 0, "config.json: linux.devices[%zu] is malformed", i);
        struct runtime_device *d = &spec->devices[spec->device_count++];
        d->path = xstrdup(path);
        d->type = type[0] == 'u' ? 'c' : type[0];
        d->major = major;
        d->minor = minor;
        d->mode = (mode_t)mode;
        d->uid = (uid_t)uid;
        d->gid = (gid_t)gid;
    }
    return 0;
}

static int parse_device_rules(json_t *rules, struct runtime_spec *spec, husk_error_t *err)
{
    size_t count = json_array_size(rules), i;
    json_t *item;
    spec->device_rules = xcalloc(count + 1, sizeof(*spec->device_rules));
    json_array_foreach(rules, i, item)
    {
        int allow = 0;
        const char *type = "a", *access = "rwm";
        json_int_t major = -1, minor = -1;
        if (json_unpack(item, "{s:b, s?s, s?I, s?I, s?s}", "allow", &allow, "type", &type, "major",
                        &major, "minor", &minor, "access", &access) < 0 ||
            type[0] == '\0' || strchr("acb", type[0]) == NULL || strlen(access) > 3 ||
            strspn(access, "rwm") != strlen(access))
            return husk_error_set(err, 0, "config.json: linux.resources.devices[%zu] is malformed",
                                  i);
        struct runtime_device_rule *r = &spec->device_rules[spec->device_rule_count++];
        r->allow = allow;
        r->type = type[0];
        r->major = major;
        r->minor = minor;
        snprintf(r->access, sizeof(r->access), "%s", access);
    }
    return 0;
}

static int resource_integer(json_t *object, const char *key, const char *section, int64_t *value,
                            husk_error_t *err)
{
    json_t *item = json_object_get(object, key);
    if (item == NULL)
        return 0;
    if (!json_is_integer(item))
        return husk_error_set(err, 0, "config.json: linux.resources.%s.%s must be an integer",
                              section, key);
    /* 0 is "not set" (docker writes cpu.shares and blockIO.weight 0 for
     * that; runc skips them), never a limit: no cgroup takes 0 for these. */
    *value = json_integer_value(item) == 0 ? RUNTIME_UNSET : json_integer_value(item);
    return 0;
}

int runtime_resources_parse(json_t *resources, struct runtime_resources *r, husk_error_t *err)
{
    *r = (struct runtime_resources){RUNTIME_UNSET, RUNTIME_UNSET, RUNTIME_UNSET, false,
                                    RUNTIME_UNSET, RUNTIME_UNSET, RUNTIME_UNSET, NULL,
                                    NULL,          RUNTIME_UNSET, RUNTIME_UNSET};
    json_t *memory = json_object_get(resources, "memory"), *cpu = json_object_get(resources, "cpu");
    if (resource_integer(memory, "limit", "memory", &r->memory_limit, err) < 0 ||
        resource_integer(memory, "reservation", "memory", &r->memory_reservation, err) < 0 ||
        resource_integer(memory, "swap", "memory", &r->memory_swap, err) < 0 ||
        resource_integer(cpu, "shares", "cpu", &r->cpu_shares, err) < 0 ||
        resource_integer(cpu, "quota", "cpu", &r->cpu_quota, err) < 0 ||
        resource_integer(cpu, "period", "cpu", &r->cpu_period, err) < 0 ||
        resource_integer(json_object_get(resources, "pids"), "limit", "pids", &r->pids_limit, err) <
            0 ||
        resource_integer(json_object_get(resources, "blockIO"), "weight", "blockIO",
                         &r->blkio_weight, err) < 0)
        return -1;
    r->disable_oom_killer = json_is_true(json_object_get(memory, "disableOOMKiller"));
    r->cpuset_cpus = string_or_null(cpu, "cpus");
    r->cpuset_mems = string_or_null(cpu, "mems");
    return runtime_resources_parse_files(resources, r, err);
}

void runtime_resources_free(struct runtime_resources *r)
{
    free(r->cpuset_cpus);
    free(r->cpuset_mems);
    r->cpuset_cpus = r->cpuset_mems = NULL;
    runtime_resources_free_files(r);
}

static int parse_linux(json_t *linux_section, struct runtime_spec *spec, husk_error_t *err)
{
    if (parse_namespaces(json_object_get(linux_section, "namespaces"), spec, err) < 0 ||
        parse_devices(json_object_get(linux_section, "devices"), spec, err) < 0 ||
        parse_device_rules(json_object_get(json_object_get(linux_section, "resources"), "devices"),
                           spec, err) < 0 ||
        strv_from_json(json_object_get(linux_section, "maskedPaths"), "linux.maskedPaths",
                       &spec->masked_paths, err) < 0 ||
        strv_from_json(json_object_get(linux_section, "readonlyPaths"), "linux.readonlyPaths",
                       &spec->readonly_paths, err) < 0 ||
        parse_id_mappings(json_object_get(linux_section, "uidMappings"), "uidMappings",
                          &spec->uid_mappings, &spec->uid_mapping_count, err) < 0 ||
        parse_id_mappings(json_object_get(linux_section, "gidMappings"), "gidMappings",
                          &spec->gid_mappings, &spec->gid_mapping_count, err) < 0 ||
        check_user_namespace(spec, err) < 0)
        return -1;
    spec->cgroups_path = string_or_null(linux_section, "cgroupsPath");
    if (runtime_resources_parse(json_object_get(linux_section, "resources"), &spec->resources,
                                err) < 0)
        return -1;
    json_t *seccomp = json_object_get(linux_section, "seccomp");
    spec->seccomp = json_is_object(seccomp) ? json_incref(seccomp) : NULL;
    json_t *sysctl = json_object_get(linux_section, "sysctl");
    spec->sysctl = json_is_object(sysctl) ? json_incref(sysctl) : NULL;

    spec->rootfs_propagation = MS_REC | MS_PRIVATE;
    const char *propagation =
        json_string_value(json_object_get(linux_section, "rootfsPropagation"));
    if (propagation != NULL) {
        struct runtime_mount probe = {.destination = "/"};
        cleanup_json json_t *words = json_pack("[s]", propagation);
        int rc = runtime_mount_options_parse(words, &probe, err);
        free(probe.data);
        if (rc < 0 || probe.propagation == 0)
            return husk_error_set(err, 0, "config.json: bad linux.rootfsPropagation %s",
                                  propagation);
        spec->rootfs_propagation = probe.propagation;
    }
    return 0;
}

int runtime_spec_parse(json_t *document, const char *bundle, struct runtime_spec **out,
                       husk_error_t *err)
{
    if (!json_is_object(document))
        return husk_error_set(err, 0, "config.json: not a JSON object");
    struct runtime_spec *spec = xcalloc(1, sizeof(*spec));
    json_t *root = json_object_get(document, "root");
    const char *root_path = json_string_value(json_object_get(root, "path"));
    int rc = -1;
    if (root_path == NULL) {
        husk_error_set(err, 0, "config.json: root.path is missing");
        goto out;
    }
    if (root_path[0] == '/' || bundle == NULL)
        spec->root_path = xstrdup(root_path);
    else
        spec->root_path = xasprintf("%s/%s", bundle, root_path);
    spec->root_readonly = json_is_true(json_object_get(root, "readonly"));
    spec->hostname = string_or_null(document, "hostname");
    spec->domainname = string_or_null(document, "domainname");
    const char *init = json_string_value(
        json_object_get(json_object_get(document, "annotations"), RUNTIME_INIT_ANNOTATION));
    spec->init = init != NULL && strcmp(init, "true") == 0;
    if (parse_process(json_object_get(document, "process"), spec, err) < 0 ||
        parse_mounts(json_object_get(document, "mounts"), bundle, spec, err) < 0 ||
        runtime_spec_parse_hooks(json_object_get(document, "hooks"), spec, err) < 0 ||
        runtime_spec_parse_scheduling(json_object_get(document, "process"),
                                      json_object_get(document, "linux"), spec, err) < 0 ||
        parse_linux(json_object_get(document, "linux"), spec, err) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        runtime_spec_free(spec);
    else
        *out = spec;
    return rc;
}

int runtime_spec_load(const char *bundle, struct runtime_spec **spec, husk_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/config.json", bundle);
    json_error_t parse_error;
    cleanup_json json_t *document = json_load_path(AT_FDCWD, path, &parse_error);
    if (document == NULL)
        return husk_error_set(err, 0, "%s: line %d: %s", path, parse_error.line, parse_error.text);
    return runtime_spec_parse(document, bundle, spec, err);
}

int runtime_spec_parse_process(json_t *process, struct runtime_spec **out, husk_error_t *err)
{
    struct runtime_spec *spec = xcalloc(1, sizeof(*spec));
    if (parse_process(process, spec, err) < 0 ||
        runtime_spec_parse_scheduling(process, NULL, spec, err) < 0) {
        runtime_spec_free(spec);
        return -1;
    }
    *out = spec;
    return 0;
}

void runtime_spec_free(struct runtime_spec *spec)
{
    if (spec == NULL)
        return;
    cleanup_strvp(&spec->args);
    cleanup_strvp(&spec->env);
    free(spec->cwd);
    free(spec->additional_gids);
    free(spec->root_path);
    free(spec->hostname);
    for (size_t i = 0; i < spec->mount_count; i++) {
        free(spec->mounts[i].destination);
        free(spec->mounts[i].type);
        free(spec->mounts[i].source);
        free(spec->mounts[i].data);
    }
    free(spec->mounts);
    for (size_t i = 0; i < spec->namespace_count; i++)
        free(spec->namespaces[i].path);
    free(spec->namespaces);
    free(spec->uid_mappings);
    runtime_resources_free(&spec->resources);
    free(spec->gid_mappings);
    for (size_t i = 0; i < spec->device_count; i++)
        free(spec->devices[i].path);
    free(spec->devices);
    free(spec->device_rules);
    cleanup_strvp(&spec->masked_paths);
    cleanup_strvp(&spec->readonly_paths);
    free(spec->cgroups_path);
    json_decref(spec->seccomp);
    json_decref(spec->sysctl);
    runtime_spec_free_extras(spec);
    free(spec);
}
