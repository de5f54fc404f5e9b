#include "run_identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "identity_parse.h"
#include "namespace_join.h"
#include "network/network_attach.h"
#include "network/network_store.h"

void flag_list_add(struct flag_list *list, const char *value)
{
    list->values = xreallocarray(list->values, list->count + 1, sizeof(char *));
    list->values[list->count++] = value;
}

/* Every FILES' entries, one list, in order. */
static int load_files(const struct flag_list *files, bool from_environment, const char *flag,
                      char ***entries, husk_error_t *err)
{
    size_t count = 0;
    *entries = xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < files->count; i++) {
        cleanup_free char *text = NULL;
        cleanup_strv char **more = NULL;
        size_t length = 0;
        if (file_read_all(AT_FDCWD, files->values[i], &text, &length, err) < 0)
            return husk_error_wrap(err, "%s", flag);
        if (kv_file_parse(text, length, from_environment, &more, err) < 0)
            return husk_error_wrap(err, "%s: invalid env file (%s)", flag, files->values[i]);
        for (char **entry = more; *entry; entry++) {
            *entries = xreallocarray(*entries, count + 2, sizeof(char *));
            (*entries)[count++] = steal_pointer(entry);
            (*entries)[count] = NULL;
        }
    }
    return 0;
}

/* Made now, empty, as docker's client makes it: a second run naming the
 * same file fails before it creates anything. */
static int cidfile_make(struct identity_flags *f, husk_error_t *err)
{
    if (f->cidfile == NULL || f->cidfile[0] == '\0')
        return 0;
    char cwd[4096];
    if (f->cidfile[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
        return husk_error_set(err, errno, "failed to create the container ID file");
    cleanup_free char *path =
        f->cidfile[0] == '/' ? xstrdup(f->cidfile) : xasprintf("%s/%s", cwd, f->cidfile);
    struct stat st;
    int fd = lstat(path, &st) == 0
                 ? (errno = EEXIST, -1)
                 : open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST)
        return husk_error_set(err, 0,
                              "container ID file found, make sure the other container isn't "
                              "running or delete %s",
                              f->cidfile);
    if (fd < 0)
        return husk_error_set(err, errno, "failed to create the container ID file %s", f->cidfile);
    f->cidfile_fd = fd;
    f->cidfile_path = steal_pointer(&path);
    return 0;
}

int run_identity_load(struct identity_flags *f, husk_error_t *err)
{
    if (load_files(&f->env_files, true, "--env-file", &f->file_env, err) < 0 ||
        load_files(&f->label_files, false, "--label-file", &f->file_labels, err) < 0)
        return -1;
    return cidfile_make(f, err);
}

void run_identity_free(struct identity_flags *f)
{
    struct flag_list *lists[] = {
        &f->env_files, &f->labels,     &f->label_files, &f->attach,    &f->add_hosts,
        &f->dns,       &f->dns_search, &f->dns_options, &f->group_add, &f->network_aliases};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        free(lists[i]->values);
        *lists[i] = (struct flag_list){NULL, 0};
    }
    cleanup_strvp(&f->file_env);
    cleanup_strvp(&f->file_labels);
    f->file_env = f->file_labels = NULL;
    struct stat st;
    if (f->cidfile_path != NULL) {
        if (fstat(f->cidfile_fd, &st) == 0 && st.st_size == 0)
            unlink(f->cidfile_path);
        close(f->cidfile_fd);
        free(f->cidfile_path);
        f->cidfile_path = NULL;
    }
}

void run_identity_created(const struct run_options *o, const char *id)
{
    if (o->identity.cidfile_path != NULL &&
        pwrite(o->identity.cidfile_fd, id, strlen(id), 0) != (ssize_t)strlen(id)) {
        /* As docker: the container exists; only the file is short. */
    }
}

void run_identity_discarded(const struct run_options *o)
{
    if (o->identity.cidfile_path != NULL && ftruncate(o->identity.cidfile_fd, 0) < 0) {
        /* It keeps naming a container that is gone. */
    }
}

static bool is_mode(const char *mode, const char *word)
{
    return mode != NULL && strcmp(mode, word) == 0;
}

/* A network made with `husk network create`: only there are addresses
 * chosen and names shared, as on docker's user-defined networks. */
static bool on_user_network(const struct run_options *o)
{
    return network_mode_is_bridge(o->network) && strcmp(o->network, NETWORK_DEFAULT_NAME) != 0;
}

int run_identity_attached_streams(const struct run_options *o)
{
    int streams = 0, stream;
    for (size_t i = 0; i < o->identity.attach.count; i++)
        if (attach_stream_parse(o->identity.attach.values[i], &stream, NULL) == 0)
            streams |= stream;
    return streams;
}

bool run_identity_sig_proxy(const struct run_options *o)
{
    bool proxy = true;
    if (o->identity.sig_proxy != NULL)
        bool_flag_parse("--sig-proxy", o->identity.sig_proxy, &proxy, NULL);
    return proxy;
}

static int validate_process(const struct run_options *o, husk_error_t *err)
{
    const struct identity_flags *f = &o->identity;
    for (size_t i = 0; i < f->labels.count; i++) {
        cleanup_free char *key = NULL, *value = NULL;
        if (label_parse(f->labels.values[i], &key, &value, err) < 0)
            return -1;
    }
    int stream, seconds;
    bool proxy;
    for (size_t i = 0; i < f->attach.count; i++)
        if (attach_stream_parse(f->attach.values[i], &stream, err) < 0)
            return -1;
    if (f->attach.count > 0 && o->detach)
        return husk_error_set(err, 0,
                              "conflicting options: cannot specify both --attach and --detach");
    if ((f->sig_proxy && bool_flag_parse("--sig-proxy", f->sig_proxy, &proxy, err) < 0) ||
        (f->stop_timeout && stop_timeout_parse(f->stop_timeout, &seconds, err) < 0))
        return -1;
    for (size_t i = 0; i < f->group_add.count; i++)
        if (f->group_add.values[i][0] == '\0')
            return husk_error_set(err, 0, "invalid --group-add \"\": empty");
    return 0;
}

/* The UTS and IPC sides: names, and the /dev/shm the container owns. */
static int validate_namespaces(const struct run_options *o, husk_error_t *err)
{
    const struct identity_flags *f = &o->identity;
    int64_t bytes;
    if (o->hostname != NULL && !hostname_valid(o->hostname, 64))
        return husk_error_set(err, 0,
                              "invalid --hostname \"%s\": not an RFC 1123 host name (letters, "
                              "digits, inner '-', labels joined by '.')",
                              o->hostname);
    if (f->domainname != NULL && f->domainname[0] != '\0' && !hostname_valid(f->domainname, 64))
        return husk_error_set(err, 0, "invalid --domainname \"%s\": not an RFC 1123 domain name",
                              f->domainname);
    if (f->domainname != NULL && f->domainname[0] != '\0' && is_mode(o->uts_mode, "host"))
        return husk_error_set(err, 0,
                              "conflicting options: --domainname and --uts host (the host's "
                              "domain name would change)");
    if (f->shm_size == NULL)
        return 0;
    if (shm_size_parse(f->shm_size, &bytes, err) < 0)
        return -1;
    if (is_mode(o->ipc_mode, "host") || is_mode(o->ipc_mode, "none") ||
        namespace_donor_of(o->ipc_mode) != NULL)
        return husk_error_set(err, 0,
                              "conflicting options: --shm-size and --ipc %s (the container has "
                              "no /dev/shm of its own)",
                              o->ipc_mode);
    return 0;
}

static int validate_names(const struct run_options *o, husk_error_t *err)
{
    const struct identity_flags *f = &o->identity;
    bool donor = namespace_donor_of(o->network) != NULL;
    char address[46];
    for (size_t i = 0; i < f->add_hosts.count; i++) {
        cleanup_free char *entry = NULL;
        if (extra_host_parse(f->add_hosts.values[i], &entry, err) < 0)
            return -1;
    }
    if (donor && f->add_hosts.count > 0)
        return husk_error_set(err, 0,
                              "conflicting options: --add-host and --network %s (the container "
                              "takes that container's /etc/hosts)",
                              o->network);
    for (size_t i = 0; i < f->dns.count; i++)
        if (!ip_address_canonical(f->dns.values[i], address))
            return husk_error_set(err, 0,
                                  "invalid --dns \"%s\": IP address is not correctly formatted",
                                  f->dns.values[i]);
    if (donor && f->dns.count > 0)
        return husk_error_set(err, 0,
                              "conflicting options: --dns and --network %s (the container takes "
                              "that container's /etc/resolv.conf)",
                              o->network);
    for (size_t i = 0; i < f->dns_search.count; i++)
        if (!dns_search_valid(f->dns_search.values[i]))
            return husk_error_set(err, 0, "invalid --dns-search \"%s\": not a valid domain",
                                  f->dns_search.values[i]);
    for (size_t i = 0; i < f->dns_options.count; i++) {
        const char *option = f->dns_options.values[i];
        if (option[0] == '\0' || strcspn(option, " \t\n\r\v\f") != strlen(option))
            return husk_error_set(
                err, 0, "invalid --dns-option \"%s\": one option, such as ndots:2", option);
    }
    return 0;
}

/* What only a bridge network has (an eth0 and its MAC), and only a
 * user-defined one (chosen addresses, names others resolve). */
static int validate_endpoint(const struct run_options *o, husk_error_t *err)
{
    const struct identity_flags *f = &o->identity;
    uint32_t address;
    uint8_t mac[6];
    for (size_t i = 0; i < f->network_aliases.count; i++) {
        const char *alias = f->network_aliases.values[i];
        if (!network_alias_valid(alias))
            return husk_error_set(err, 0,
                                  "invalid --network-alias \"%s\": letters, digits, '-', '_' and "
                                  "'.' only",
                                  alias);
        if (!on_user_network(o))
            return husk_error_set(err, 0,
                                  "invalid --network-alias \"%s\": network-scoped aliases are "
                                  "only supported for user-defined networks",
                                  alias);
    }
    if (f->ip != NULL && !ipv4_address_parse(f->ip, &address))
        return husk_error_set(err, 0, "invalid --ip \"%s\": not an IPv4 address", f->ip);
    if (f->ip != NULL && !on_user_network(o))
        return husk_error_set(err, 0,
                              "invalid --ip \"%s\": user-specified IP address is supported on "
                              "user-defined networks only",
                              f->ip);
    if (f->mac_address != NULL && mac_address_parse(f->mac_address, mac, err) < 0)
        return -1;
    if (f->mac_address != NULL && o->network != NULL && !network_mode_is_bridge(o->network))
        return husk_error_set(err, 0,
                              "conflicting options: --mac-address and --network %s (the "
                              "container has no interface of its own)",
                              o->network);
    return 0;
}

int run_identity_validate(const struct run_options *o, husk_error_t *err)
{
    if (validate_process(o, err) < 0 || validate_namespaces(o, err) < 0 ||
        validate_names(o, err) < 0 || validate_endpoint(o, err) < 0)
        return -1;
    return 0;
}

/* docker refuses these when it starts the container; husk knows at once. */
static int check_ip(const struct engine_context *context, const struct run_options *o,
                    husk_error_t *err)
{
    struct network network;
    uint32_t address;
    if (o->identity.ip == NULL || !ipv4_address_parse(o->identity.ip, &address))
        return 0;
    if (network_load(context, o->network, &network, err) < 0)
        return -1;
    char subnet[IPV4_CIDR_TEXT_SIZE];
    ipv4_subnet_format(&network.subnet, subnet);
    struct network_lease *leases = NULL;
    size_t count = network_lease_list(context, &network, &leases);
    bool taken = address == network.gateway;
    for (size_t i = 0; i < count; i++)
        taken = taken || leases[i].address == address;
    free(leases);
    bool inside = ipv4_subnet_contains(&network.subnet, address) &&
                  address >= ipv4_subnet_first(&network.subnet) &&
                  address <= ipv4_subnet_last(&network.subnet);
    network_free(&network);
    if (!inside)
        return husk_error_set(err, 0, "invalid --ip \"%s\": no host address of network %s (%s)",
                              o->identity.ip, o->network, subnet);
    if (taken)
        return husk_error_set(err, EADDRINUSE,
                              "invalid --ip \"%s\": the address is already in use in network %s",
                              o->identity.ip, o->network);
    return 0;
}

int run_identity_resolve(const struct engine_context *context, const struct run_options *o,
                         struct prepared_container *c, husk_error_t *err)
{
    if (check_ip(context, o, err) < 0)
        return -1;
    if (o->identity.group_add.count == 0)
        return 0;
    cleanup_free char *group = image_read_file(c->image, "/etc/group");
    return user_add_groups(o->identity.group_add.values, o->identity.group_add.count, group,
                           &c->user, err);
}

/* docker's JSON for a list flag: [] or, for some fields, null when empty. */
static json_t *string_array(const struct flag_list *list, bool null_when_empty)
{
    if (list->count == 0 && null_when_empty)
        return json_null();
    json_t *array = json_array();
    for (size_t i = 0; i < list->count; i++)
        json_array_append_new(array, json_string(list->values[i]));
    return array;
}

/* Config.Labels: the image's, then --label-file's, then -l's, each over the last. */
static void record_labels(const struct run_options *o, json_t *config)
{
    json_t *labels = json_object_get(config, "Labels");
    for (char **entry = o->identity.file_labels; entry && *entry; entry++) {
        char *equals = strchr(*entry, '=');
        cleanup_free char *key = xstrndup(*entry, (size_t)(equals - *entry));
        json_object_set_new(labels, key, json_string(equals + 1));
    }
    for (size_t i = 0; i < o->identity.labels.count; i++) {
        cleanup_free char *key = NULL, *value = NULL;
        if (label_parse(o->identity.labels.values[i], &key, &value, NULL) == 0)
            json_object_set_new(labels, key, json_string(value));
    }
}

/* As docker's client sets them: -i attaches stdin, no -a means stdout and
 * stderr, -d none at all. */
static void record_config(const struct run_options *o, json_t *config)
{
    const struct identity_flags *f = &o->identity;
    int streams = run_identity_attached_streams(o);
    if (f->attach.count == 0)
        streams = ATTACH_STDOUT | ATTACH_STDERR;
    if (o->interactive)
        streams |= ATTACH_STDIN;
    if (o->detach)
        streams = 0;
    record_labels(o, config);
    json_object_set_new(config, "Domainname", json_string(f->domainname ? f->domainname : ""));
    json_object_set_new(config, "AttachStdin", json_boolean(streams & ATTACH_STDIN));
    json_object_set_new(config, "AttachStdout", json_boolean(streams & ATTACH_STDOUT));
    json_object_set_new(config, "AttachStderr", json_boolean(streams & ATTACH_STDERR));
    json_object_set_new(config, "StdinOnce",
                        json_boolean(o->interactive && (streams & ATTACH_STDIN)));
    int seconds;
    if (f->stop_timeout != NULL && stop_timeout_parse(f->stop_timeout, &seconds, NULL) == 0)
        json_object_set_new(config, "StopTimeout", json_integer(seconds));
    if (f->mac_address != NULL)
        json_object_set_new(config, "MacAddress", json_string(f->mac_address));
}

static void record_host_config(const struct run_options *o, json_t *host_config)
{
    const struct identity_flags *f = &o->identity;
    json_t *extra_hosts = f->add_hosts.count ? json_array() : json_null();
    for (size_t i = 0; i < f->add_hosts.count; i++) {
        char *entry = NULL;
        if (extra_host_parse(f->add_hosts.values[i], &entry, NULL) == 0)
            json_array_append_new(extra_hosts, json_string(entry));
        free(entry);
    }
    json_t *dns = json_array();
    char address[46];
    for (size_t i = 0; i < f->dns.count; i++)
        if (ip_address_canonical(f->dns.values[i], address))
            json_array_append_new(dns, json_string(address));
    int64_t shm = SHM_SIZE_DEFAULT;
    if (f->shm_size != NULL)
        shm_size_parse(f->shm_size, &shm, NULL);
    json_object_set_new(host_config, "ContainerIDFile", json_string(f->cidfile ? f->cidfile : ""));
    json_object_set_new(host_config, "ExtraHosts", extra_hosts);
    json_object_set_new(host_config, "Dns", dns);
    json_object_set_new(host_config, "DnsOptions", string_array(&f->dns_options, false));
    json_object_set_new(host_config, "DnsSearch", string_array(&f->dns_search, false));
    json_object_set_new(host_config, "GroupAdd", string_array(&f->group_add, true));
    json_object_set_new(host_config, "ShmSize", json_integer(shm));
}

/* The endpoint on the network the container is run on: what its start
 * asks of that network (network_attach.c keeps these across starts). */
static void record_endpoint(const struct run_options *o, json_t *record)
{
    const struct identity_flags *f = &o->identity;
    json_t *networks = json_object_get(json_object_get(record, "NetworkSettings"), "Networks");
    json_t *endpoint = json_object_get(networks, o->network ? o->network : NETWORK_DEFAULT_NAME);
    if (endpoint == NULL)
        return;
    if (f->ip != NULL)
        json_object_set_new(endpoint, "IPAMConfig", json_pack("{s:s}", "IPv4Address", f->ip));
    if (f->network_aliases.count > 0)
        json_object_set_new(endpoint, "Aliases", string_array(&f->network_aliases, false));
    if (f->mac_address != NULL)
        json_object_set_new(endpoint, "MacAddress", json_string(f->mac_address));
}

/* The /dev/shm tmpfs spec_builder makes (source "shm", 64m) takes
 * --shm-size; a --tmpfs or -v the user put on /dev/shm keeps its own. */
static void spec_shm_size(json_t *spec, int64_t bytes)
{
    size_t i;
    json_t *mount;
    json_array_foreach(json_object_get(spec, "mounts"), i, mount)
    {
        const char *destination = json_string_value(json_object_get(mount, "destination"));
        const char *source = json_string_value(json_object_get(mount, "source"));
        if (destination == NULL || strcmp(destination, "/dev/shm") != 0 || source == NULL ||
            strcmp(source, "shm") != 0)
            continue;
        json_t *options = json_object_get(mount, "options");
        for (size_t k = json_array_size(options); k-- > 0;)
            if (strncmp(json_string_value(json_array_get(options, k)) ?: "", "size=", 5) == 0)
                json_array_remove(options, k);
        cleanup_free char *size = xasprintf("size=%lld", (long long)bytes);
        json_array_append_new(options, json_string(size));
    }
}

void run_identity_apply(const struct run_options *o, struct prepared_container *c)
{
    const struct identity_flags *f = &o->identity;
    record_config(o, json_object_get(c->record, "Config"));
    record_host_config(o, json_object_get(c->record, "HostConfig"));
    record_endpoint(o, c->record);
    int64_t bytes;
    if (f->shm_size != NULL && shm_size_parse(f->shm_size, &bytes, NULL) == 0)
        spec_shm_size(c->spec, bytes);
    /* The runtime sets it with setdomainname(2) in the new UTS namespace. */
    if (f->domainname != NULL && f->domainname[0] != '\0')
        json_object_set_new(c->spec, "domainname", json_string(f->domainname));
}
