/* `husk run`: docker's flags, parsed with getopt_long. */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/identity.h"
#include "../engine/lifecycle.h"
#include "../engine/run.h"
#include "../util/xalloc.h"
#include "cli.h"

static const char run_usage[] =
    "Usage: husk run [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
    "Create and run a container from an image, in the foreground unless -d.\n\n"
    "Options:\n"
    "  -d, --detach             run in the background under a monitor; print the ID\n"
    "  -e, --env KEY=VALUE      set an environment variable (KEY alone: copy husk's)\n"
    "  -h, --hostname NAME      container host name (default: short container id)\n"
    "  -i, --interactive        keep stdin attached\n"
    "      --name NAME          name the container\n"
    "      --network MODE       bridge (default: husk0, NAT), a network's name, none\n"
    "                           (only lo), host or container:NAME (alias --net)\n"
    "  -p, --publish [IP:][HOSTPORT:]PORT[/udp]  publish a container port on the host\n"
    "  -P, --publish-all        publish every exposed port on a free host port\n"
    "      --expose PORT[/udp]  expose a port (for -P)\n"
    "      --sysctl KEY=VALUE   a kernel setting the container's own namespaces isolate\n"
    "  -m, --memory SIZE        memory limit (b, k, m, g), at least 6m\n"
    "      --memory-swap SIZE   memory + swap limit (-1: unlimited swap)\n"
    "      --memory-reservation SIZE  soft limit, kept under memory pressure\n"
    "      --oom-kill-disable   do not OOM-kill (cgroup v1 only)\n"
    "      --cpus N             CPU time, e.g. 0.5 (period 100 ms)\n"
    "  -c, --cpu-shares N       relative CPU weight (default 1024)\n"
    "      --cpu-period US, --cpu-quota US  CFS period and quota in microseconds\n"
    "      --cpuset-cpus LIST, --cpuset-mems LIST  CPUs and memory nodes, e.g. 0-1\n"
    "      --pids-limit N       at most N tasks (-1: unlimited)\n"
    "      --blkio-weight N     relative block I/O weight, 10 to 1000\n"
    "      --cgroup-parent PATH the cgroup to create the container's under (default /husk)\n"
    "      --pid MODE           private (default), host or container:NAME\n"
    "      --ipc MODE           private (default), shareable, none (no /dev/shm), host\n"
    "                           or container:NAME (which must be shareable)\n"
    "      --uts MODE           private (default) or host: host name and domain name\n"
    "      --cgroupns MODE      private (default) or host: the cgroup namespace\n"
    "      --userns MODE        host (default) or private: container root is an\n"
    "                           unprivileged host uid (see the README)\n"
    "      --privileged         all capabilities, no seccomp, host devices, writable /sys\n"
    "      --read-only          mount the container's root file system read-only\n"
    "      --rm                 remove the container when it exits\n"
    "  -t, --tty                allocate a terminal\n"
    "  -u, --user USER[:GROUP]  user name or uid (and group name or gid)\n"
    "  -w, --workdir DIR        working directory inside the container\n"
    "      --help               print this help\n\n"
    "Exit status: the command's; 128+N when killed by signal N; 125 when husk fails;\n"
    "126 when the command cannot be executed; 127 when it is not found.\n";

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
};

static const struct option run_flags[] = {
    {"detach", no_argument, NULL, 'd'},
    {"env", required_argument, NULL, 'e'},
    {"hostname", required_argument, NULL, 'h'},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"workdir", required_argument, NULL, 'w'},
    {"name", required_argument, NULL, OPTION_NAME},
    {"network", required_argument, NULL, OPTION_NETWORK},
    {"net", required_argument, NULL, OPTION_NETWORK},
    {"privileged", no_argument, NULL, OPTION_PRIVILEGED},
    {"read-only", no_argument, NULL, OPTION_READ_ONLY},
    {"rm", no_argument, NULL, OPTION_RM},
    {"help", no_argument, NULL, OPTION_HELP},
    {"pid", required_argument, NULL, OPTION_PID},
    {"ipc", required_argument, NULL, OPTION_IPC},
    {"uts", required_argument, NULL, OPTION_UTS},
    {"cgroupns", required_argument, NULL, OPTION_CGROUPNS},
    {"userns", required_argument, NULL, OPTION_USERNS},
    {"publish", required_argument, NULL, 'p'},
    {"publish-all", no_argument, NULL, 'P'},
    {"expose", required_argument, NULL, OPTION_EXPOSE},
    {"sysctl", required_argument, NULL, OPTION_SYSCTL},
    CLI_RESOURCE_OPTIONS,
    {"cgroup-parent", required_argument, NULL, OPTION_CGROUP_PARENT},
    {NULL, 0, NULL, 0},
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

void cli_run_options_free(struct run_options *o)
{
    free(o->env);
    free(o->publish);
    free(o->expose);
    free(o->sysctl);
}

static int parse_as(const char *command_name, int argc, char **argv, struct run_options *o,
                    husk_error_t *err)
{
    memset(o, 0, sizeof(*o));
    o->env = xcalloc((size_t)argc + 1, sizeof(char *));
    o->publish = xcalloc((size_t)argc + 1, sizeof(char *));
    o->expose = xcalloc((size_t)argc + 1, sizeof(char *));
    o->sysctl = xcalloc((size_t)argc + 1, sizeof(char *));
    opterr = 0;
    optind = 0;
    int option;
    /* "+": options end at IMAGE; what follows belongs to the command. */
    while ((option = getopt_long(argc, argv, "+:de:h:itu:w:p:Pm:c:", run_flags, NULL)) != -1) {
        switch (option) {
        case 'd':
            o->detach = true;
            break;
        case 'e':
            o->env[o->env_count++] = optarg;
            break;
        case 'h':
            o->hostname = optarg;
            break;
        case 'i':
            o->interactive = true;
            break;
        case 't':
            o->tty = true;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'w':
            o->workdir = optarg;
            break;
        case 'p':
            o->publish[o->publish_count++] = optarg;
            break;
        case 'P':
            o->publish_all = true;
            break;
        case OPTION_EXPOSE:
            o->expose[o->expose_count++] = optarg;
            break;
        case OPTION_SYSCTL:
            o->sysctl[o->sysctl_count++] = optarg;
            break;
        case OPTION_CGROUP_PARENT:
            o->cgroup_parent = optarg;
            break;
        case OPTION_NAME:
            o->name = optarg;
            break;
        case OPTION_NETWORK:
            o->network = optarg;
            break;
        case OPTION_PRIVILEGED:
            o->privileged = true;
            break;
        case OPTION_READ_ONLY:
            o->read_only = true;
            break;
        case OPTION_RM:
            o->auto_remove = true;
            break;
        case OPTION_PID:
            o->pid_mode = optarg;
            break;
        case OPTION_IPC:
            o->ipc_mode = optarg;
            break;
        case OPTION_UTS:
            o->uts_mode = optarg;
            break;
        case OPTION_CGROUPNS:
            o->cgroupns_mode = optarg;
            break;
        case OPTION_USERNS:
            o->userns_mode = optarg;
            break;
        case OPTION_HELP:
            if (strcmp(command_name, "create") == 0)
                fputs("Usage: husk create [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
                      "Create a container without starting it; the options are those of "
                      "husk run.\n\n",
                      stdout);
            fputs(run_usage, stdout);
            return 1;
        default:
            if (!cli_resource_flag(option, optarg, &o->resources))
                return flag_error(command_name, option, argv, err);
            break;
        }
    }
    if (optind >= argc)
        return cli_usage_error(err, command_name, "\"husk %s\" requires an IMAGE", command_name);
    o->image = argv[optind];
    o->command = optind + 1 < argc ? argv + optind + 1 : NULL;
    return 0;
}

int cli_run_parse(int argc, char **argv, struct run_options *o, husk_error_t *err)
{
    return parse_as("run", argc, argv, o, err);
}

int cli_run(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct run_options options;
    int parsed = parse_as("run", argc, argv, &options, &err);
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
    int parsed = parse_as("create", argc, argv, &options, &err);
    char id[HUSK_ID_SIZE];
    if (parsed == 0 && options.detach)
        parsed = cli_usage_error(&err, "create", "unknown flag -d");
    if (parsed == 0 && engine_create(context, &options, id, &err) < 0)
        parsed = -1;
    else if (parsed == 0)
        printf("%s\n", id);
    cli_run_options_free(&options);
    if (parsed < 0)
        return cli_report(&err);
    return 0;
}
