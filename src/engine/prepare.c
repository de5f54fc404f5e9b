#include "prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "dns_options.h"
#include "environment.h"
#include "health/health_config.h"
#include "images.h"
#include "namespace_join.h"
#include "network/network_attach.h"
#include "network/network_hosts.h"
#include "ports.h"
#include "sysctl_options.h"
#include "record.h"
#include "restart/restart_policy.h"
#include "logs/log_config.h"
#include "run_identity.h"
#include "spec_builder.h"
#include "storage_quota.h"
#include "store.h"
#include "../util/fault.h"

static int resolve_user(const struct run_options *options, struct prepared_container *c,
                        husk_error_t *err)
{
    const char *user = options->user;
    if (user == NULL)
        user = json_string_value(json_object_get(c->image->config, "User"));
    if (user == NULL || user[0] == '\0')
        user = "0";
    cleanup_free char *passwd = image_read_file(c->image, "/etc/passwd");
    cleanup_free char *group = image_read_file(c->image, "/etc/group");
    return user_resolve(user, passwd, group, &c->user, err);
}

static json_t *build_environment(const struct run_options *options,
                                 const struct prepared_container *c, const char *hostname,
                                 husk_error_t *err)
{
    cleanup_json json_t *env = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(c->image->config, "Env"), i, item)
    {
        if (json_is_string(item))
            environment_set(env, json_string_value(item));
    }
    if (!environment_has(env, "PATH"))
        environment_set(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    cleanup_free char *entry = xasprintf("HOSTNAME=%s", hostname);
    environment_set(env, entry);
    if (options->tty)
        environment_set(env, "TERM=xterm");
    /* As docker: --env-file's entries first, so that -e overrides them. */
    for (char **entry = options->identity.file_env; entry && *entry; entry++)
        environment_set(env, *entry);
    for (size_t k = 0; k < options->env_count; k++) {
        cleanup_free char *value = NULL;
        if (environment_option_parse(options->env[k], &value, err) < 0)
            return NULL;
        if (value != NULL)
            environment_set(env, value);
    }
    if (!environment_has(env, "HOME")) {
        cleanup_free char *home = xasprintf("HOME=%s", c->user.home ? c->user.home : "/");
        environment_set(env, home);
    }
    return steal_pointer(&env);
}

/* Entrypoint + (the user's command, or the image's Cmd). As docker, an
 * --entrypoint replaces the image's and drops its Cmd ("" : no entrypoint). */
static char **build_args(const struct run_options *options, const struct image *image)
{
    cleanup_json json_t *given = options->entrypoint && options->entrypoint[0]
                                     ? json_pack("[s]", options->entrypoint)
                                     : json_array();
    json_t *entrypoint = options->entrypoint ? given : json_object_get(image->config, "Entrypoint");
    json_t *cmd = options->entrypoint ? NULL : json_object_get(image->config, "Cmd");
    size_t count = json_array_size(entrypoint);
    size_t extra = 0;
    while (options->command && options->command[extra])
        extra++;
    count += options->command ? extra : json_array_size(cmd);
    char **args = xcalloc(count + 1, sizeof(char *));
    size_t n = 0, i;
    json_t *item;
    json_array_foreach(entrypoint, i, item) args[n++] = xstrdup(json_string_value(item) ?: "");
    if (options->command)
        for (size_t k = 0; k < extra; k++)
            args[n++] = xstrdup(options->command[k]);
    else
        json_array_foreach(cmd, i, item) args[n++] = xstrdup(json_string_value(item) ?: "");
    return args;
}

/* Where /etc/hosts and /etc/resolv.conf come from: the host's with its
 * network, the network donor's with --network container:NAME. */
struct network_files {
    const char *hostname;
    bool host_network;
    const char *donor_directory;
};

static int read_network_file(const struct network_files *n, const char *name, char **content)
{
    cleanup_free char *path = n->donor_directory != NULL
                                  ? xasprintf("%s/%s", n->donor_directory, name)
                                  : xasprintf("/etc/%s", name);
    return file_read_all(AT_FDCWD, path, content, NULL, NULL);
}

static int write_container_files(const struct engine_context *context,
                                 const struct prepared_container *c, const struct network_files *n,
                                 husk_error_t *err)
{
    cleanup_close int dir = open(c->directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *hosts = NULL, *host_resolv = NULL;
    const char *hostname = n->hostname;
    if (dir < 0)
        return husk_error_set(err, errno, "open %s", c->directory);
    cleanup_free char *hostname_line = xasprintf("%s\n", hostname);
    /* --add-host makes the file husk's own also with the host's network, as docker. */
    if (!(n->host_network || n->donor_directory) || network_hosts_have_extra(c->record) ||
        read_network_file(n, "hosts", &hosts) < 0)
        hosts = network_hosts_initial(context, c->record);
    if (read_network_file(n, "resolv.conf", &host_resolv) < 0)
        host_resolv = xstrdup("");
    cleanup_free char *resolv =
        dns_resolv_conf(host_resolv, json_object_get(c->record, "HostConfig"));
    if (file_write_all(dir, "hostname", hostname_line, strlen(hostname_line), 0644, err) < 0 ||
        file_write_all(dir, "hosts", hosts, strlen(hosts), 0644, err) < 0 ||
        file_write_all(dir, "resolv.conf", resolv, strlen(resolv), 0644, err) < 0)
        return -1;
    return 0;
}

/* docker's HostConfig.RestartPolicy (validated before) and RestartCount. */
static void record_restart_policy(const struct run_options *options, json_t *record)
{
    struct restart_policy policy = {.name = RESTART_NO};
    if (options->restart != NULL)
        restart_policy_parse(options->restart, &policy, NULL);
    json_object_set_new(json_object_get(record, "HostConfig"), "RestartPolicy",
                        restart_policy_to_json(&policy));
    json_object_set_new(record, "RestartCount", json_integer(0));
}

static json_t *build_record(const struct run_options *options, const struct prepared_container *c,
                            char **args, const char *hostname)
{
    char created[64];
    store_timestamp_now(created, sizeof(created));
    json_t *arguments = json_array();
    for (char **a = args + 1; *a; a++)
        json_array_append_new(arguments, json_string(*a));
    json_t *process = json_object_get(c->spec, "process");
    cleanup_free char *slash_name = xasprintf("/%s", c->name);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:b, s:i, s:i, s:s, s:s, s:s}, "
                     "s:{s:s, s:O, s:s, s:s, s:s, s:b, s:b, s:O}, s:{s:s, s:s, s:s, s:s, s:s, s:s, "
                     "s:b, s:b, s:b}}",
                     "Id", c->id, "Name", slash_name, "Created", created, "Path", args[0], "Args",
                     arguments, "State", "Status", "created", "Running", 0, "Pid", 0, "ExitCode", 0,
                     "Error", "", "StartedAt", "0001-01-01T00:00:00Z", "FinishedAt",
                     "0001-01-01T00:00:00Z", "Config", "Image", options->image, "Env",
                     json_object_get(process, "env"), "WorkingDir",
                     json_string_value(json_object_get(process, "cwd")), "User",
                     options->user ? options->user : "", "Hostname", hostname, "Tty", options->tty,
                     "OpenStdin", options->interactive, "Cmd", json_object_get(process, "args"),
                     "HostConfig", "NetworkMode", options->network ? options->network : "bridge",
                     "PidMode", options->pid_mode ? options->pid_mode : "private", "IpcMode",
                     options->ipc_mode ? options->ipc_mode : "private", "UTSMode",
                     options->uts_mode ? options->uts_mode : "private", "UsernsMode",
                     options->userns_mode ? options->userns_mode : "host", "CgroupnsMode",
                     options->cgroupns_mode ? options->cgroupns_mode : "private", "Privileged",
                     options->privileged, "AutoRemove", options->auto_remove, "ReadonlyRootfs",
                     options->read_only);
}

/* The limits as the spec and docker's HostConfig keep them; refused here
 * when this host cannot give them (more CPUs than it has, ...). */
static int resources_check(const struct run_options *options, struct prepared_container *c,
                           husk_error_t *err)
{
    struct resource_limits l;
    if (resource_limits_parse(&options->resources, &l, err) < 0 ||
        resource_limits_check_host(&l, err) < 0)
        return -1;
    c->resources = resource_limits_to_spec(&l);
    return 0;
}

static int check_network_exists(const struct engine_context *context, const char *mode,
                                husk_error_t *err)
{
    struct network network;
    if (mode == NULL || !network_mode_is_bridge(mode) || strcmp(mode, NETWORK_DEFAULT_NAME) == 0)
        return 0;
    if (network_load(context, mode, &network, err) < 0)
        return -1;
    network_free(&network);
    return 0;
}

/* Config.ExposedPorts (the image's, --expose, -p), HostConfig.PortBindings
 * (-p, and -P for every exposed port), and NetworkSettings naming the
 * bridge network to join: what the start reads to wire the container. */
static int record_network_settings(const struct run_options *options, struct prepared_container *c,
                                   husk_error_t *err)
{
    json_t *image_ports = json_object_get(c->image->config, "ExposedPorts");
    cleanup_json json_t *exposed =
        json_is_object(image_ports) ? json_deep_copy(image_ports) : json_object();
    cleanup_json json_t *bindings = json_object();
    for (size_t i = 0; i < options->expose_count; i++) {
        uint16_t port;
        char protocol[4], key[16];
        if (port_exposed_parse(options->expose[i], &port, protocol, err) < 0)
            return -1;
        snprintf(key, sizeof(key), "%u/%s", port, protocol);
        json_object_set_new(exposed, key, json_object());
    }
    for (size_t i = 0; i < options->publish_count; i++) {
        struct port_mapping mapping;
        char key[16];
        if (port_mapping_parse(options->publish[i], &mapping, err) < 0)
            return -1;
        snprintf(key, sizeof(key), "%u/%s", mapping.container_port, mapping.protocol);
        json_object_set_new(exposed, key, json_object());
        port_bindings_add(bindings, &mapping, false);
    }
    const char *key;
    json_t *value;
    json_object_foreach(exposed, key, value)
    {
        struct port_mapping any = {.host_port = 0};
        if (options->publish_all && json_object_get(bindings, key) == NULL &&
            port_exposed_parse(key, &any.container_port, any.protocol, NULL) == 0)
            port_bindings_add(bindings, &any, false);
    }
    json_object_set_new(json_object_get(c->record, "Config"), "ExposedPorts",
                        steal_pointer(&exposed));
    json_object_set_new(json_object_get(c->record, "HostConfig"), "PortBindings",
                        steal_pointer(&bindings));
    json_object_set(json_object_get(c->record, "HostConfig"), "Sysctls", c->sysctls);
    resource_limits_record(&options->resources, options->cgroup_parent,
                           json_object_get(c->record, "HostConfig"));
    json_t *networks = json_object();
    const char *mode = options->network ? options->network : NETWORK_DEFAULT_NAME;
    if (network_mode_is_bridge(mode))
        json_object_set_new(networks, mode, json_object());
    json_object_set_new(
        c->record, "NetworkSettings",
        json_pack("{s:s, s:o, s:{}}", "IPAddress", "", "Networks", networks, "Ports"));
    return 0;
}

static int build_spec(const struct run_options *options, struct prepared_container *c,
                      const char *hostname, husk_error_t *err)
{
    cleanup_json json_t *env = build_environment(options, c, hostname, err);
    if (env == NULL)
        return -1;
    cleanup_strv char **args = build_args(options, c->image);
    if (args[0] == NULL)
        return husk_error_set(err, 0, "no command given and image %s has no default command",
                              options->image);
    const char *cwd = options->workdir;
    if (cwd == NULL || cwd[0] == '\0')
        cwd = json_string_value(json_object_get(c->image->config, "WorkingDir"));
    struct spec_inputs inputs = {
        .options = options,
        .image = c->image,
        .user = &c->user,
        .env = env,
        .container_id = c->id,
        .container_directory = c->directory,
        .hostname = hostname,
        .args = args,
        .cwd = cwd && cwd[0] ? cwd : "/",
        .uid_range = c->private_userns ? &c->uid_range : NULL,
        .gid_range = c->private_userns ? &c->gid_range : NULL,
        .sysctls = c->sysctls,
        .resources = c->resources,
        .mounts = c->mounts.spec_mounts,
    };
    c->spec = spec_build(&inputs, err);
    if (c->spec == NULL || security_plan_apply(&c->security, c->spec, err) < 0)
        return -1;
    c->record = build_record(options, c, args, hostname);
    record_restart_policy(options, c->record);
    if (c->record == NULL)
        return husk_error_set(err, ENOMEM, "container record");
    /* As docker: the image's ID at the top, the name as given in Config. */
    json_object_set_new(c->record, "Image", json_string(c->image->id));
    json_t *labels = json_object_get(c->image->config, "Labels");
    json_object_set_new(json_object_get(c->record, "Config"), "Labels",
                        json_is_object(labels) ? json_deep_copy(labels) : json_object());
    /* StopSignal is used by stop; Volumes and Healthcheck are kept for
     * their own issues. */
    static const char *const kept[] = {"StopSignal", "Volumes", "Healthcheck"};
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        json_t *value = json_object_get(c->image->config, kept[i]);
        if (value != NULL && !json_is_null(value))
            json_object_set_new(json_object_get(c->record, "Config"), kept[i],
                                json_deep_copy(value));
    }
    if (options->stop_signal != NULL)
        json_object_set_new(json_object_get(c->record, "Config"), "StopSignal",
                            json_string(options->stop_signal));
    health_flags_apply(&options->health, json_object_get(c->record, "Config"));
    json_object_set(c->record, "Mounts", c->mounts.record_mounts);
    json_object_update(json_object_get(c->record, "HostConfig"), c->mounts.host_config);
    if (record_network_settings(options, c, err) < 0)
        return -1;
    security_plan_record(&c->security, c->spec, json_object_get(c->record, "HostConfig"));
    if (c->storage_record != NULL)
        json_object_set(json_object_get(c->record, "HostConfig"), "StorageOpt", c->storage_record);
    return 0;
}

static int save_spec(const struct prepared_container *c, husk_error_t *err)
{
    /* Compact, as containerd writes it: every exec parses this file, and
     * the indentation of the seccomp profile alone would double it. */
    cleanup_free char *text = json_dumps(c->spec, JSON_COMPACT);
    if (text == NULL)
        return husk_error_set(err, ENOMEM, "config.json");
    cleanup_free char *path = xasprintf("%s/config.json", c->directory);
    return file_write_all(AT_FDCWD, path, text, strlen(text), 0600, err);
}

/* A `husk rm` or `prune` that took the lock in the moment between mkdir
 * and flock, saw no record and removed the directory leaves it unlinked:
 * then this creation fails rather than fill a directory nobody can see. */
static int lock_directory(struct prepared_container *c, husk_error_t *err)
{
    struct stat st;
    c->lock_fd = open(c->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX) < 0 || fstat(c->lock_fd, &st) < 0)
        return husk_error_set(err, errno, "lock %s", c->directory);
    if (st.st_nlink == 0)
        return husk_error_set(err, ENOENT, "create %s: removed while being made", c->directory);
    return 0;
}

static int identify(const struct engine_context *context, const struct run_options *options,
                    struct prepared_container *c, husk_error_t *err)
{
    if (container_id_generate(c->id, err) < 0)
        return -1;
    if (options->name)
        snprintf(c->name, sizeof(c->name), "%s", options->name);
    else
        container_name_generate(c->id, c->name, sizeof(c->name));
    /* Directory first: a name whose container directory is missing counts as
     * stale, so the directory must exist before the name points at it. */
    if (store_container_create(context, c->id, err) < 0)
        return -1;
    c->directory_created = true;
    FAULT_POINT("create.directory");
    c->directory = store_container_directory(context, c->id);
    if (lock_directory(c, err) < 0 || store_name_reserve(context, c->name, c->id, err) < 0)
        return -1;
    c->name_reserved = true;
    FAULT_POINT("create.name");
    return 0;
}

/* container:NAME becomes container:ID now, so the record names the donor
 * even if it is renamed; whether it runs is checked when this one starts. */
static int resolve_donors(const struct engine_context *context, const struct run_options *options,
                          struct run_options *resolved, struct prepared_container *c,
                          husk_error_t *err)
{
    const char **modes[] = {&resolved->pid_mode, &resolved->ipc_mode, &resolved->network};
    *resolved = *options;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (namespace_donor_of(*modes[i]) == NULL)
            continue;
        cleanup_free char *id = namespace_donor_resolve(context, *modes[i], options->name, err);
        if (id == NULL)
            return -1;
        c->joined_modes[i] = xasprintf("container:%s", id);
        *modes[i] = c->joined_modes[i];
    }
    return 0;
}

/* Docker's choice: a container sharing another's network takes its name. */
static char *network_donor_hostname(const struct engine_context *context, const char *mode,
                                    char **donor_directory)
{
    struct container_handle donor;
    if (container_read(context, namespace_donor_of(mode), &donor, NULL) < 0)
        return NULL;
    json_t *config = json_object_get(donor.record, "Config");
    const char *hostname = json_string_value(json_object_get(config, "Hostname"));
    char *copy = xstrdup(hostname);
    *donor_directory = steal_pointer(&donor.directory);
    container_close(&donor);
    return copy;
}

/* The container's user and groups must exist inside its user namespace. */
static int choose_userns_ranges(const struct run_options *options, struct prepared_container *c,
                                husk_error_t *err)
{
    c->private_userns = options->userns_mode && strcmp(options->userns_mode, "private") == 0;
    if (!c->private_userns)
        return 0;
    userns_host_ranges(&c->uid_range, &c->gid_range);
    bool groups_fit = c->user.gid < c->gid_range.size;
    for (size_t i = 0; i < c->user.group_count; i++)
        groups_fit = groups_fit && c->user.groups[i] < c->gid_range.size;
    if (c->user.uid >= c->uid_range.size || !groups_fit)
        return husk_error_set(err, 0,
                              "user %u:%u is outside the %u ids the --userns private namespace "
                              "maps",
                              c->user.uid, c->user.gid, c->uid_range.size);
    return 0;
}

/* Owned by container root, so it may write its upper layer and its files;
 * the image below stays host root's and is only shown through the mapping. */
static int give_to_userns_root(const struct engine_context *context,
                               const struct prepared_container *c, husk_error_t *err)
{
    if (c->private_userns &&
        userns_make_reachable(context->data_root, c->directory, c->gid_range.start, err) < 0)
        return -1;
    static const char *const owned[] = {"upper", "work", "hosts", "hostname", "resolv.conf"};
    for (size_t i = 0; c->private_userns && i < sizeof(owned) / sizeof(owned[0]); i++) {
        /* upper/ and work/ may be in the btrfs subvolume of --storage-opt. */
        cleanup_free char *path = i < 2 ? store_container_layer_path(c->directory, owned[i])
                                        : xasprintf("%s/%s", c->directory, owned[i]);
        if (fchownat(AT_FDCWD, path, c->uid_range.start, c->gid_range.start, AT_SYMLINK_NOFOLLOW) <
            0)
            return husk_error_set(err, errno, "give %s to the user namespace's root", path);
    }
    return 0;
}

/* docker's --pull: "missing" pulls an image the store lacks (saying so on
 * stderr first), "always" pulls every time, "never" only looks. Pull
 * progress goes to stderr: stdout is the container's. */
static int open_image(const struct engine_context *context, const struct run_options *o,
                      struct image **image, husk_error_t *err)
{
    const char *policy = o->pull ? o->pull : "missing";
    if (strcmp(policy, "missing") != 0 && strcmp(policy, "always") != 0 &&
        strcmp(policy, "never") != 0)
        return husk_error_set(err, 0, "invalid --pull \"%s\": missing, always or never", policy);
    if (strcmp(policy, "always") != 0) {
        husk_error_t missing = NULL;
        if (image_open(context->data_root, o->image, image, &missing) == 0)
            return 0;
        if (strcmp(policy, "never") == 0 || strncmp(missing->message, "No such image", 13) != 0) {
            *err = missing;
            return -1;
        }
        husk_error_free(&missing);
    }
    /* docker's line, once the registry has the image: a pull that fails
     * leaves one line of error, not two. */
    cleanup_free char *announce = xasprintf("Unable to find image '%s' locally", o->image);
    struct image_pull_options pull = {
        .reference = o->image,
        .progress = stderr,
        .announce = strcmp(policy, "always") == 0 ? NULL : announce,
    };
    cleanup_free char *canonical = NULL;
    if (engine_image_pull(context, &pull, &canonical, err) < 0)
        return strcmp(policy, "always") == 0
                   ? -1
                   : husk_error_wrap(err,
                                     "No such image: %s (not in the store, and the pull "
                                     "failed)",
                                     o->image);
    return image_open(context->data_root, o->image, image, err);
}

int prepare_container(const struct engine_context *context, const struct run_options *options,
                      struct prepared_container *c, husk_error_t *err)
{
    memset(c, 0, sizeof(*c));
    c->lock_fd = -1;
    struct run_options resolved;
    cleanup_free char *donor_hostname = NULL, *donor_directory = NULL;
    if (storage_opt_parse(options->storage_opts, options->storage_opt_count, &c->storage,
                          &c->storage_record, err) < 0 ||
        security_plan_resolve(options, &c->security, err) < 0 ||
        sysctl_options_check(context, options, &c->sysctls, err) < 0 ||
        resources_check(options, c, err) < 0 || open_image(context, options, &c->image, err) < 0 ||
        resolve_user(options, c, err) < 0 || run_identity_resolve(context, options, c, err) < 0 ||
        choose_userns_ranges(options, c, err) < 0 ||
        resolve_donors(context, options, &resolved, c, err) < 0)
        goto fail;
    options = &resolved;
    if (check_network_exists(context, options->network, err) < 0)
        goto fail;
    if (namespace_donor_of(options->network) != NULL)
        donor_hostname = network_donor_hostname(context, options->network, &donor_directory);
    if (identify(context, options, c, err) < 0 ||
        (c->storage.size_given &&
         storage_quota_apply(context, c->id, c->directory, c->storage.size, err) < 0))
        goto fail;
    char short_id[CONTAINER_SHORT_ID_LENGTH + 1];
    memcpy(short_id, c->id, CONTAINER_SHORT_ID_LENGTH);
    short_id[CONTAINER_SHORT_ID_LENGTH] = '\0';
    bool host_network = options->network && strcmp(options->network, "host") == 0;
    bool host_uts = options->uts_mode && strcmp(options->uts_mode, "host") == 0;
    char host_name[256] = "";
    if (host_network || host_uts)
        gethostname(host_name, sizeof(host_name) - 1);
    const char *hostname = options->hostname          ? options->hostname
                           : host_network || host_uts ? host_name
                           : donor_hostname           ? donor_hostname
                                                      : short_id;
    struct network_files network = {hostname, host_network, donor_directory};
    struct id_shift shift = {c->uid_range.start, c->gid_range.start,
                             c->private_userns ? c->uid_range.size : 0};
    if (container_mounts_resolve(context, options, c->image, c->id, &shift, &c->mounts, err) < 0)
        goto fail;
    if (build_spec(options, c, hostname, err) < 0)
        goto fail;
    run_identity_apply(options, c);
    log_options_apply(options, c);
    if (write_container_files(context, c, &network, err) < 0 ||
        give_to_userns_root(context, c, err) < 0 || save_spec(c, err) < 0)
        goto fail;
    FAULT_POINT("create.spec");
    return 0;
fail:
    container_mounts_undo(context, &c->mounts, c->id);
    prepared_container_discard(context, c);
    prepared_container_free(c);
    return -1;
}

void prepared_container_discard(const struct engine_context *context, struct prepared_container *c)
{
    if (c->record != NULL)
        container_mounts_release(context, c->record, true);
    if (c->directory_created)
        store_container_remove(context, c->id, NULL, NULL);
    if (c->name_reserved)
        store_name_release(context, c->name, c->id);
    c->directory_created = c->name_reserved = false;
}

void prepared_container_free(struct prepared_container *c)
{
    for (size_t i = 0; i < sizeof(c->joined_modes) / sizeof(c->joined_modes[0]); i++)
        free(c->joined_modes[i]);
    free(c->directory);
    image_free(c->image);
    resolved_user_free(&c->user);
    json_decref(c->spec);
    json_decref(c->sysctls);
    json_decref(c->resources);
    json_decref(c->storage_record);
    json_decref(c->record);
    container_mounts_free(&c->mounts);
    security_plan_free(&c->security);
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    memset(c, 0, sizeof(*c));
    c->lock_fd = -1;
}
