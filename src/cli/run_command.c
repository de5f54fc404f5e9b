/* `husk run` and `husk create`: docker's flags, parsed with getopt_long from one
 * option table that also writes their --help. */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/identity.h"
#include "../engine/lifecycle.h"
#include "../engine/run.h"
#include "../engine/run_identity.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "health_options.h"
#include "identity_options.h"
#include "log_options.h"

enum {
    OPTION_NAME = 256,
    OPTION_NETWORK,
    OPTION_PRIVILEGED,
    OPTION_READ_ONLY,
    OPTION_RM,
    OPTION_HELP,
    OPTION_PID,
    OPTION_IPC,
    OPTION_UTS,
    OPTION_CGROUPNS,
    OPTION_USERNS,
    OPTION_EXPOSE,
    OPTION_SYSCTL,
    OPTION_CGROUP_PARENT,
    OPTION_PULL,
    OPTION_CAP_ADD,
    OPTION_CAP_DROP,
    OPTION_ULIMIT,
    OPTION_OOM_SCORE_ADJ,
    OPTION_ENTRYPOINT,
    OPTION_STOP_SIGNAL,
    OPTION_MOUNT,
    OPTION_TMPFS,
    OPTION_VOLUMES_FROM,
    OPTION_SECURITY_OPT,
    OPTION_DEVICE,
    OPTION_DEVICE_CGROUP_RULE,
    OPTION_INIT,
    OPTION_RESTART,
    OPTION_STORAGE_OPT,
};

/* Everything but -d, which only run has: create refuses it by not knowing it. */
/* clang-format off */
#define RUN_AND_CREATE_OPTIONS \
    {{"env", required_argument, NULL, 'e'}, 'e', "KEY=VALUE", \
     "set an environment variable (KEY alone: copy husk's)"}, \
    {{"hostname", required_argument, NULL, 'h'}, 'h', "NAME", \
     "container host name (default: short container id)"}, \
    {{"interactive", no_argument, NULL, 'i'}, 'i', NULL, "keep stdin attached"}, \
    {{"name", required_argument, NULL, OPTION_NAME}, 0, "NAME", "name the container"}, \
    {{"network", required_argument, NULL, OPTION_NETWORK}, 0, "MODE", \
     "bridge (default: husk0, NAT), a network's name,\n" \
     "none (only lo), host or container:NAME"}, \
    {{"net", required_argument, NULL, OPTION_NETWORK}, 0, NULL, NULL}, \
    {{"publish", required_argument, NULL, 'p'}, 'p', "[IP:][HOSTPORT:]PORT[/udp]", \
     "publish a container port on the host"}, \
    {{"publish-all", no_argument, NULL, 'P'}, 'P', NULL, \
     "publish every exposed port on a free host port"}, \
    {{"expose", required_argument, NULL, OPTION_EXPOSE}, 0, "PORT[/udp]", "expose a port (for -P)"}, \
    {{"sysctl", required_argument, NULL, OPTION_SYSCTL}, 0, "KEY=VALUE", \
     "a kernel setting the container's own namespaces isolate"}, \
    {{"cap-add", required_argument, NULL, OPTION_CAP_ADD}, 0, "CAP", \
     "add a capability (NET_ADMIN, CAP_NET_ADMIN or ALL)"}, \
    {{"cap-drop", required_argument, NULL, OPTION_CAP_DROP}, 0, "CAP", \
     "drop a capability (or ALL)"}, \
    {{"ulimit", required_argument, NULL, OPTION_ULIMIT}, 0, "NAME=SOFT[:HARD]", \
     "a resource limit, e.g. nofile=1024:2048 (-1: unlimited)"}, \
    {{"oom-score-adj", required_argument, NULL, OPTION_OOM_SCORE_ADJ}, 0, "N", \
     "the OOM killer's preference, -1000 to 1000"}, \
    {{"entrypoint", required_argument, NULL, OPTION_ENTRYPOINT}, 0, "CMD", \
     "run CMD instead of the image's entrypoint and Cmd (\"\": none)"}, \
    {{"stop-signal", required_argument, NULL, OPTION_STOP_SIGNAL}, 0, "SIGNAL", \
     "what `stop` sends first (default: the image's, else TERM)"}, \
    {{"volume", required_argument, NULL, 'v'}, 'v', "[SOURCE:]TARGET[:OPTIONS]", \
     "bind a host path or mount a volume (a name; none:\n" \
     "a new anonymous one); OPTIONS ro, rw, nocopy, z, Z,\n" \
     "a propagation (rprivate, rshared, rslave, ...)"}, \
    {{"mount", required_argument, NULL, OPTION_MOUNT}, 0, "type=TYPE,...", \
     "bind, volume or tmpfs: source=, target=, readonly,\n" \
     "bind-propagation=, volume-nocopy, tmpfs-size=, tmpfs-mode="}, \
    {{"tmpfs", required_argument, NULL, OPTION_TMPFS}, 0, "TARGET[:OPTIONS]", \
     "mount a tmpfs (OPTIONS as mount(8): size=64m,mode=1777)"}, \
    {{"volumes-from", required_argument, NULL, OPTION_VOLUMES_FROM}, 0, "CONTAINER[:ro|rw]", \
     "mount every volume and bind of CONTAINER"}, \
    {{"security-opt", required_argument, NULL, OPTION_SECURITY_OPT}, 0, "OPT", \
     "no-new-privileges[=BOOL], seccomp=unconfined|FILE,\n" \
     "apparmor=PROFILE, label=..., systempaths=unconfined"}, \
    {{"device", required_argument, NULL, OPTION_DEVICE}, 0, "HOST[:CONTAINER][:rwm]", \
     "a host device (or every one in a directory)"}, \
    {{"device-cgroup-rule", required_argument, NULL, OPTION_DEVICE_CGROUP_RULE}, 0, "RULE", \
     "let the container use devices, e.g. 'c 1:3 rwm'"}, \
    {{"init", optional_argument, NULL, OPTION_INIT}, 0, NULL, \
     "PID 1 is an init that reaps zombies and passes\n" \
     "signals on to the command"}, \
    CLI_IDENTITY_OPTIONS, \
    CLI_LOG_OPTIONS, \
    CLI_HEALTH_OPTIONS, \
    CLI_RESOURCE_OPTIONS, \
    {{"storage-opt", required_argument, NULL, OPTION_STORAGE_OPT}, 0, "size=SIZE", \
     "limit the writable layer (needs project quotas: xfs\n" \
     "with pquota, ext4 with prjquota)"}, \
    {{"cgroup-parent", required_argument, NULL, OPTION_CGROUP_PARENT}, 0, "PATH", \
     "the cgroup to create the container's under (default /husk)"}, \
    {{"pid", required_argument, NULL, OPTION_PID}, 0, "MODE", \
     "private (default), host or container:NAME"}, \
    {{"ipc", required_argument, NULL, OPTION_IPC}, 0, "MODE", \
     "private (default), shareable, none (no /dev/shm), host\n" \
     "or container:NAME (which must be shareable)"}, \
    {{"uts", required_argument, NULL, OPTION_UTS}, 0, "MODE", \
     "private (default) or host: host name and domain name"}, \
    {{"cgroupns", required_argument, NULL, OPTION_CGROUPNS}, 0, "MODE", \
     "private (default) or host: the cgroup namespace"}, \
    {{"userns", required_argument, NULL, OPTION_USERNS}, 0, "MODE", \
     "host (default) or private: container root is an\n" \
     "unprivileged host uid (see the README)"}, \
    {{"pull", required_argument, NULL, OPTION_PULL}, 0, "POLICY", \
     "missing (default): pull an image not in the store;\n" \
     "always; never"}, \
    {{"privileged", no_argument, NULL, OPTION_PRIVILEGED}, 0, NULL, \
     "all capabilities, no seccomp, host devices, writable /sys"}, \
    {{"read-only", no_argument, NULL, OPTION_READ_ONLY}, 0, NULL, \
     "mount the container's root file system read-only"}, \
    {{"rm", no_argument, NULL, OPTION_RM}, 0, NULL, "remove the container when it exits"}, \
    {{"restart", required_argument, NULL, OPTION_RESTART}, 0, "POLICY", \
     "no (default), on-failure[:MAX-RETRIES], always or\n" \
     "unless-stopped: run PID 1 again when it exits"}, \
    {{"tty", no_argument, NULL, 't'}, 't', NULL, "allocate a terminal"}, \
    {{"user", required_argument, NULL, 'u'}, 'u', "USER[:GROUP]", \
     "user name or uid (and group name or gid)"}, \
    {{"workdir", required_argument, NULL, 'w'}, 'w', "DIR", \
     "working directory inside the container"}, \
    CLI_HELP_OPTION(OPTION_HELP)
/* clang-format on */

static const struct cli_option run_options[] = {
    {{"detach", no_argument, NULL, 'd'},
     'd',
     NULL,
     "run in the background under a monitor; print the ID"},
    CLI_SIG_PROXY_OPTION,
    RUN_AND_CREATE_OPTIONS,
    CLI_OPTIONS_END,
};

static const struct cli_option create_options[] = {
    RUN_AND_CREATE_OPTIONS,
    CLI_OPTIONS_END,
};

static const char exit_status_text[] =
    "Exit status: the command's; 128+N when killed by signal N; 125 when husk fails;\n"
    "126 when the command cannot be executed; 127 when it is not found.\n";

const struct cli_help cli_run_help = {
    .usage = "run [OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Create and run a container from an image, in the foreground unless -d.\n",
    .options = run_options,
    .epilogue = exit_status_text,
};

const struct cli_help cli_create_help = {
    .usage = "create [OPTIONS] IMAGE [COMMAND [ARG...]]",
    .summary = "Create a container without starting it (husk start starts it); the options\n"
               "are those of husk run but -d.\n",
    .options = create_options,
    .epilogue = NULL,
};

static int flag_error(const char *command_name, int option, char **argv, husk_error_t *err)
{
    /* Inside a cluster such as -xi, argv[optind - 1] is not the bad flag:
     * getopt names a short one in optopt. */
    char short_flag[3] = {'-', (char)optopt, '\0'};
    bool is_short = optopt > 0 && optopt < 128 && isalnum(optopt);
    const char *word = is_short ? short_flag : argv[optind - 1];
    if (option == ':')
        return cli_usage_error(err, command_name, "flag %s needs an argument", word);
    return cli_usage_error(err, command_name, "unknown flag %s", word);
}

/* The run flags that only keep what was typed, and where: one value, one
 * more value of a list (sized for every argument, so never grown), or a
 * switch. */
enum flag_kind { FLAG_VALUE, FLAG_LIST, FLAG_SWITCH };
struct flag_slot {
    int option;
    enum flag_kind kind;
    size_t field; /* offsetof in struct run_options */
    size_t count; /* FLAG_LIST: offsetof its count */
};
/* Offsets that only compile for a field of the kind's type. */
#define TYPED_AT(field, type)                                                                      \
    (offsetof(struct run_options, field) +                                                         \
     0 * sizeof(_Generic(((struct run_options *)0)->field, type : 1)))
#define SWITCH_AT(field) TYPED_AT(field, bool)
#define VALUE_AT(field)  TYPED_AT(field, const char *)
#define LIST_AT(field)   TYPED_AT(field, const char **)
#define COUNT_AT(field)  TYPED_AT(field, size_t)

static const struct flag_slot flag_slots[] = {
    {'d', FLAG_SWITCH, SWITCH_AT(detach), 0},
    {'e', FLAG_LIST, LIST_AT(env), COUNT_AT(env_count)},
    {'h', FLAG_VALUE, VALUE_AT(hostname), 0},
    {'i', FLAG_SWITCH, SWITCH_AT(interactive), 0},
    {'t', FLAG_SWITCH, SWITCH_AT(tty), 0},
    {'u', FLAG_VALUE, VALUE_AT(user), 0},
    {'w', FLAG_VALUE, VALUE_AT(workdir), 0},
    {'p', FLAG_LIST, LIST_AT(publish), COUNT_AT(publish_count)},
    {'P', FLAG_SWITCH, SWITCH_AT(publish_all), 0},
    {OPTION_EXPOSE, FLAG_LIST, LIST_AT(expose), COUNT_AT(expose_count)},
    {OPTION_SYSCTL, FLAG_LIST, LIST_AT(sysctl), COUNT_AT(sysctl_count)},
    {OPTION_CAP_ADD, FLAG_LIST, LIST_AT(cap_add), COUNT_AT(cap_add_count)},
    {OPTION_CAP_DROP, FLAG_LIST, LIST_AT(cap_drop), COUNT_AT(cap_drop_count)},
    {OPTION_ULIMIT, FLAG_LIST, LIST_AT(ulimits), COUNT_AT(ulimit_count)},
    {OPTION_OOM_SCORE_ADJ, FLAG_VALUE, VALUE_AT(oom_score_adj), 0},
    {OPTION_ENTRYPOINT, FLAG_VALUE, VALUE_AT(entrypoint), 0},
    {OPTION_RESTART, FLAG_VALUE, VALUE_AT(restart), 0},
    {'v', FLAG_LIST, LIST_AT(volumes), COUNT_AT(volume_count)},
    {OPTION_MOUNT, FLAG_LIST, LIST_AT(mounts), COUNT_AT(mount_count)},
    {OPTION_TMPFS, FLAG_LIST, LIST_AT(tmpfs), COUNT_AT(tmpfs_count)},
    {OPTION_VOLUMES_FROM, FLAG_LIST, LIST_AT(volumes_from), COUNT_AT(volumes_from_count)},
    {OPTION_SECURITY_OPT, FLAG_LIST, LIST_AT(security_opts), COUNT_AT(security_opt_count)},
    {OPTION_DEVICE, FLAG_LIST, LIST_AT(devices), COUNT_AT(device_count)},
    {OPTION_DEVICE_CGROUP_RULE, FLAG_LIST, LIST_AT(device_cgroup_rules),
     COUNT_AT(device_cgroup_rule_count)},
    {OPTION_STORAGE_OPT, FLAG_LIST, LIST_AT(storage_opts), COUNT_AT(storage_opt_count)},
    {OPTION_CGROUP_PARENT, FLAG_VALUE, VALUE_AT(cgroup_parent), 0},
    {OPTION_PULL, FLAG_VALUE, VALUE_AT(pull), 0},
    {OPTION_NAME, FLAG_VALUE, VALUE_AT(name), 0},
    {OPTION_NETWORK, FLAG_VALUE, VALUE_AT(network), 0},
    {OPTION_PRIVILEGED, FLAG_SWITCH, SWITCH_AT(privileged), 0},
    {OPTION_READ_ONLY, FLAG_SWITCH, SWITCH_AT(read_only), 0},
    {OPTION_RM, FLAG_SWITCH, SWITCH_AT(auto_remove), 0},
    {OPTION_PID, FLAG_VALUE, VALUE_AT(pid_mode), 0},
    {OPTION_IPC, FLAG_VALUE, VALUE_AT(ipc_mode), 0},
    {OPTION_UTS, FLAG_VALUE, VALUE_AT(uts_mode), 0},
    {OPTION_CGROUPNS, FLAG_VALUE, VALUE_AT(cgroupns_mode), 0},
    {OPTION_USERNS, FLAG_VALUE, VALUE_AT(userns_mode), 0},
};

static void *field_of(struct run_options *o, size_t offset)
{
    return (char *)o + offset;
}

/* false: OPTION is not one of flag_slots. */
static bool store_flag(struct run_options *o, int option, const char *value)
{
    for (size_t i = 0; i < sizeof(flag_slots) / sizeof(flag_slots[0]); i++) {
        const struct flag_slot *slot = &flag_slots[i];
        if (slot->option != option)
            continue;
        if (slot->kind == FLAG_SWITCH) {
            *(bool *)field_of(o, slot->field) = true;
        } else if (slot->kind == FLAG_VALUE) {
            *(const char **)field_of(o, slot->field) = value;
        } else {
            size_t *count = field_of(o, slot->count);
            (*(const char ***)field_of(o, slot->field))[(*count)++] = value;
        }
        return true;
    }
    return false;
}

void cli_run_options_free(struct run_options *o)
{
    for (size_t i = 0; i < sizeof(flag_slots) / sizeof(flag_slots[0]); i++)
        if (flag_slots[i].kind == FLAG_LIST)
            free(*(const char ***)field_of(o, flag_slots[i].field));
    run_identity_free(&o->identity);
    cli_log_flags_free(&o->log);
}

/* The flags that check or default their value, or belong to a group. */
static int other_flag(const struct cli_help *help, const char *command_name, int option,
                      char **argv, struct run_options *o, husk_error_t *err)
{
    switch (option) {
    case OPTION_STOP_SIGNAL:
        if (signal_parse(optarg) <= 0)
            return cli_usage_error(err, command_name, "unknown signal \"%s\" in --stop-signal",
                                   optarg);
        o->stop_signal = optarg;
        return 0;
    case OPTION_INIT:
        o->init = optarg ? optarg : "true";
        return 0;
    case OPTION_HELP:
        cli_help_print(help, stdout);
        return 1;
    default:
        if (!cli_resource_flag(option, optarg, &o->resources) &&
            !cli_identity_flag(option, optarg, &o->identity) &&
            !cli_log_flag(option, optarg, &o->log) && !cli_health_flag(option, optarg, &o->health))
            return flag_error(command_name, option, argv, err);
        return 0;
    }
}

static int parse_as(const struct cli_help *help, const char *command_name, int argc, char **argv,
                    struct run_options *o, husk_error_t *err)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < sizeof(flag_slots) / sizeof(flag_slots[0]); i++)
        if (flag_slots[i].kind == FLAG_LIST)
            *(const char ***)field_of(o, flag_slots[i].field) =
                xcalloc((size_t)argc + 1, sizeof(char *));
    /* "+": options end at IMAGE; what follows belongs to the command. */
    struct cli_getopt table;
    cli_getopt_init(&table, help->options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (store_flag(o, option, optarg))
            continue;
        int handled = other_flag(help, command_name, option, argv, o, err);
        if (handled != 0)
            return handled;
    }
    if (optind >= argc)
        return cli_usage_error(err, command_name, "\"husk %s\" requires an IMAGE", command_name);
    o->image = argv[optind];
    o->command = optind + 1 < argc ? argv + optind + 1 : NULL;
    /* Here, in husk's working directory, before anything forks. */
    return run_identity_load(&o->identity, err);
}

int cli_run_parse(int argc, char **argv, struct run_options *o, husk_error_t *err)
{
    return parse_as(&cli_run_help, "run", argc, argv, o, err);
}

int cli_run(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct run_options options;
    int parsed = parse_as(&cli_run_help, "run", argc, argv, &options, &err);
    int status = 0;
    char id[HUSK_ID_SIZE];
    if (parsed == 0 && options.detach) {
        if (engine_run_detached(context, &options, id, &err) < 0)
            parsed = -1;
        else
            printf("%s\n", id);
    } else if (parsed == 0 && engine_run(context, &options, &status, &err) < 0) {
        parsed = -1;
    }
    cli_run_options_free(&options);
    if (parsed < 0)
        return cli_report(&err);
    return parsed == 1 ? 0 : status;
}

int cli_create(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct run_options options;
    int parsed = parse_as(&cli_create_help, "create", argc, argv, &options, &err);
    char id[HUSK_ID_SIZE];
    if (parsed == 0 && engine_create(context, &options, id, &err) < 0)
        parsed = -1;
    else if (parsed == 0)
        printf("%s\n", id);
    cli_run_options_free(&options);
    if (parsed < 0)
        return cli_report(&err);
    return 0;
}
