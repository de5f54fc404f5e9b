#include "spec_builder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "namespace_join.h"
#include "process_flags.h"
#include "seccomp_profile.h"
#include "store.h"

const char *const spec_default_capabilities[] = {"CAP_CHOWN",
                                                 "CAP_DAC_OVERRIDE",
                                                 "CAP_FSETID",
                                                 "CAP_FOWNER",
                                                 "CAP_MKNOD",
                                                 "CAP_NET_RAW",
                                                 "CAP_SETGID",
                                                 "CAP_SETUID",
                                                 "CAP_SETFCAP",
                                                 "CAP_SETPCAP",
                                                 "CAP_NET_BIND_SERVICE",
                                                 "CAP_SYS_CHROOT",
                                                 "CAP_KILL",
                                                 "CAP_AUDIT_WRITE",
                                                 NULL};

json_t *spec_capability_list(bool all)
{
    json_t *list = json_array();
    if (!all) {
        for (const char *const *name = spec_default_capabilities; *name; name++)
            json_array_append_new(list, json_string(*name));
        return list;
    }
    /* "All" can only mean what husk itself may hand out: its bounding set. */
    for (int cap = 0; cap < (int)cap_max_bits() && cap < 64; cap++) {
        if (cap_get_bound(cap) != 1)
            continue;
        char *name = cap_to_name(cap);
        if (name == NULL)
            continue;
        /* libcap names are lower case without prefix: "cap_chown". */
        char upper[64];
        size_t i = 0;
        for (; name[i] && i < sizeof(upper) - 1; i++)
            upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
        upper[i] = '\0';
        cap_free(name);
        if (strncmp(upper, "CAP_", 4) == 0)
            json_array_append_new(list, json_string(upper));
    }
    return list;
}

static json_t *mount_entry(const char *destination, const char *type, const char *source,
                           const char *options)
{
    json_t *list = json_array();
    cleanup_free char *copy = xstrdup(options);
    char *save = NULL;
    for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save))
        json_array_append_new(list, json_string(word));
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", destination, "type", type, "source",
                     source, "options", list);
}

static bool is_mode(const char *mode, const char *word)
{
    return mode != NULL && strcmp(mode, word) == 0;
}

/* The init layer, then the image's layers top first: overlayfs's order. */
static char *lower_directories(const struct image *image)
{
    size_t length = strlen(image->init_layer) + 1;
    for (size_t i = 0; i < image->layer_count; i++)
        length += strlen(image->layers[i]) + 1;
    char *lower = xmalloc(length);
    strcpy(lower, image->init_layer);
    for (size_t i = 0; i < image->layer_count; i++) {
        strcat(lower, ":");
        strcat(lower, image->layers[i]);
    }
    return lower;
}

static json_t *build_mounts(const struct spec_inputs *in)
{
    const struct run_options *o = in->options;
    const char *dir = in->container_directory;
    json_t *mounts = json_array();
    /* "idmap": the runtime shows the image through the user namespace. */
    cleanup_free char *lower = lower_directories(in->image);
    cleanup_free char *upper = store_container_layer_path(dir, "upper");
    cleanup_free char *work = store_container_layer_path(dir, "work");
    cleanup_free char *overlay = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper,
                                           work, in->uid_range ? ",idmap" : "");
    cleanup_free char *hosts = xasprintf("%s/hosts", dir);
    cleanup_free char *hostname = xasprintf("%s/hostname", dir);
    cleanup_free char *resolv = xasprintf("%s/resolv.conf", dir);
    /* Mounted by the container's process inside its own mount namespace,
     * so the host's mount table never holds it and nothing can leak. */
    json_array_append_new(mounts, mount_entry("/", "overlay", "overlay", overlay));
    json_array_append_new(mounts, mount_entry("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(
        mounts, mount_entry("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(mounts, mount_entry("/dev/pts", "devpts", "devpts",
                                              "nosuid,noexec,newinstance,ptmxmode=0666,"
                                              "mode=0620,gid=5"));
    /* --ipc none: no /dev/shm at all; host: the host's own; container:NAME:
     * that container's, attached when this one starts. */
    if (is_mode(o->ipc_mode, "host"))
        json_array_append_new(mounts,
                              mount_entry("/dev/shm", "bind", "/dev/shm", "rbind,rprivate"));
    else if (!is_mode(o->ipc_mode, "none") && namespace_donor_of(o->ipc_mode) == NULL)
        json_array_append_new(mounts, mount_entry("/dev/shm", "tmpfs", "shm",
                                                  "nosuid,noexec,nodev,mode=1777,size=65536k"));
    json_array_append_new(mounts,
                          mount_entry("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    json_array_append_new(
        mounts, mount_entry("/sys", "sysfs", "sysfs",
                            o->privileged ? "nosuid,noexec,nodev,rw" : "nosuid,noexec,nodev,ro"));
    json_array_append_new(mounts,
                          mount_entry("/etc/resolv.conf", "bind", resolv, "rbind,rprivate"));
    json_array_append_new(mounts, mount_entry("/etc/hostname", "bind", hostname, "rbind,rprivate"));
    json_array_append_new(mounts, mount_entry("/etc/hosts", "bind", hosts, "rbind,rprivate"));
    json_array_extend(mounts, in->mounts);
    return mounts;
}

/* A namespace of its own unless the user asked for the host's; the user
 * namespace only on request (docker's default is the host's). */
static json_t *build_namespaces(const struct run_options *o)
{
    const char *user_mode = is_mode(o->userns_mode, "private") ? "private" : "host";
    const struct {
        const char *type, *mode;
    } namespaces[] = {
        {"pid", o->pid_mode},    {"ipc", o->ipc_mode},         {"uts", o->uts_mode},
        {"mount", NULL},         {"cgroup", o->cgroupns_mode}, {"time", NULL},
        {"network", o->network}, {"user", user_mode},
    };
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
        if (!is_mode(namespaces[i].mode, "host"))
            json_array_append_new(list, json_pack("{s:s}", "type", namespaces[i].type));
    return list;
}

static json_t *device_rule(const char *type, int major, int minor, const char *access)
{
    return json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type, "major",
                     (json_int_t)major, "minor", (json_int_t)minor, "access", access);
}

/* The device cgroup is what stops CAP_MKNOD from opening host disks. */
static json_t *build_device_rules(bool privileged)
{
    json_t *rules = json_array();
    if (privileged) {
        json_array_append_new(rules, json_pack("{s:b, s:s}", "allow", 1, "access", "rwm"));
        return rules;
    }
    json_array_append_new(rules, json_pack("{s:b, s:s}", "allow", 0, "access", "rwm"));
    json_array_append_new(rules, device_rule("c", -1, -1, "m"));
    json_array_append_new(rules, device_rule("b", -1, -1, "m"));
    static const int allowed[][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8},   {1, 9},
                                     {5, 0}, {5, 1}, {5, 2}, {136, -1}};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        json_array_append_new(rules, device_rule("c", allowed[i][0], allowed[i][1], "rwm"));
    return rules;
}

/* --privileged: the host's device nodes, as docker gives them. */
static void add_host_devices(json_t *devices, const char *directory)
{
    DIR *dir = opendir(directory);
    if (dir == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name);
        struct stat st;
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && strcmp(entry->d_name, "pts") != 0 &&
            strcmp(entry->d_name, "shm") != 0 && strcmp(entry->d_name, "mqueue") != 0) {
            add_host_devices(devices, path);
            continue;
        }
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
            continue;
        if (strcmp(path, "/dev/console") == 0 || strcmp(path, "/dev/ptmx") == 0 ||
            strncmp(path, "/dev/tty", 8) == 0)
            continue;
        json_array_append_new(devices,
                              json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", path, "type",
                                        S_ISBLK(st.st_mode) ? "b" : "c", "major",
                                        (json_int_t)major(st.st_rdev), "minor",
                                        (json_int_t)minor(st.st_rdev), "fileMode",
                                        (json_int_t)(st.st_mode & 07777), "uid",
                                        (json_int_t)st.st_uid, "gid", (json_int_t)st.st_gid));
    }
    closedir(dir);
}

static json_t *id_mappings(const struct id_range *range)
{
    return json_pack("[{s:i, s:I, s:I}]", "containerID", 0, "hostID", (json_int_t)range->start,
                     "size", (json_int_t)range->size);
}

static json_t *build_linux(const struct spec_inputs *in)
{
    const struct run_options *o = in->options;
    const char *parent = o->cgroup_parent ? o->cgroup_parent : "/husk";
    cleanup_free char *cgroups_path =
        xasprintf("%s%s/%s", parent[0] == '/' ? "" : "/", parent, in->container_id);
    json_t *devices = json_array();
    json_t *linux_section = json_pack("{s:o, s:s, s:{s:o}, s:o}", "namespaces", build_namespaces(o),
                                      "cgroupsPath", cgroups_path, "resources", "devices",
                                      build_device_rules(o->privileged), "devices", devices);
    if (in->resources != NULL)
        json_object_update(json_object_get(linux_section, "resources"), in->resources);
    if (json_object_size(in->sysctls) > 0)
        json_object_set(linux_section, "sysctl", in->sysctls);
    if (in->uid_range != NULL) {
        json_object_set_new(linux_section, "uidMappings", id_mappings(in->uid_range));
        json_object_set_new(linux_section, "gidMappings", id_mappings(in->gid_range));
    }
    if (o->privileged) {
        add_host_devices(devices, "/dev");
        return linux_section;
    }
    /* /proc/key-users counts every uid's kernel keys host-wide. */
    json_t *masked = json_pack("[s,s,s,s,s,s,s,s,s]", "/proc/acpi", "/proc/kcore", "/proc/keys",
                               "/proc/key-users", "/proc/latency_stats", "/proc/timer_list",
                               "/proc/sched_debug", "/proc/scsi", "/sys/firmware");
    json_t *readonly = json_pack("[s,s,s,s,s]", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                 "/proc/sysrq-trigger");
    json_object_set_new(linux_section, "maskedPaths", masked);
    json_object_set_new(linux_section, "readonlyPaths", readonly);
    json_object_set_new(linux_section, "seccomp", seccomp_profile_default());
    return linux_section;
}

static json_t *build_process(const struct spec_inputs *in, husk_error_t *err)
{
    const struct run_options *o = in->options;
    json_t *args = json_array();
    for (char **a = in->args; *a; a++)
        json_array_append_new(args, json_string(*a));
    json_t *groups = json_array();
    for (size_t i = 0; i < in->user->group_count; i++)
        json_array_append_new(groups, json_integer(in->user->groups[i]));
    cleanup_json json_t *caps = NULL, *rlimits = NULL;
    bool oom_given = false;
    int oom = 0;
    if (process_flags_capabilities(o, &caps, err) < 0 ||
        process_flags_rlimits(o, &rlimits, err) < 0 ||
        process_flags_oom_score_adj(o, &oom_given, &oom, err) < 0) {
        json_decref(args);
        json_decref(groups);
        return NULL;
    }
    json_t *process =
        json_pack("{s:b, s:{s:I, s:I, s:o}, s:o, s:O, s:s, s:{s:O, s:O, s:O, s:[]}, s:b}",
                  "terminal", o->tty, "user", "uid", (json_int_t)in->user->uid, "gid",
                  (json_int_t)in->user->gid, "additionalGids", groups, "args", args, "env", in->env,
                  "cwd", in->cwd, "capabilities", "bounding", caps, "effective", caps, "permitted",
                  caps, "inheritable", "noNewPrivileges", !o->privileged);
    if (rlimits != NULL)
        json_object_set(process, "rlimits", rlimits);
    if (oom_given)
        json_object_set_new(process, "oomScoreAdj", json_integer(oom));
    return process;
}

json_t *spec_build(const struct spec_inputs *in, husk_error_t *err)
{
    cleanup_json json_t *process = build_process(in, err);
    if (process == NULL)
        return NULL;
    cleanup_json json_t *mounts = build_mounts(in);
    cleanup_json json_t *linux_section = build_linux(in);
    cleanup_free char *rootfs = xasprintf("%s/rootfs", in->container_directory);
    if (process == NULL || mounts == NULL || linux_section == NULL) {
        husk_error_set(err, ENOMEM, "build the runtime spec");
        return NULL;
    }
    /* "o" hands each reference over to json_pack. */
    return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.0.2", "process",
                     steal_pointer(&process), "root", "path", rootfs, "readonly",
                     in->options->read_only, "hostname", in->hostname, "mounts",
                     steal_pointer(&mounts), "linux", steal_pointer(&linux_section));
}
