/* start, stop, kill, restart, wait, rm and container prune: each takes one or
 * more containers by name, ID or unique ID prefix, as docker's do. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/attach.h"
#include "../engine/lifecycle.h"
#include "../engine/restart/restart_commands.h"
#include "../util/cleanup.h"
#include "cli.h"

/* The engine work for one container; the CLI prints the reference on success. */
struct per_container {
    const char *command;
    const struct cli_help *help;
    int signal;
    int timeout;
    bool force;
    bool volumes; /* rm -v */
    bool print_reference;
    int (*act)(const struct engine_context *context, const char *reference,
               struct per_container *request, husk_error_t *err);
};

/* docker's commands other than run exit 1 on failure. */
static int report_one(husk_error_t *err)
{
    cli_report(err);
    return 1;
}

static int for_each_container(const struct engine_context *context, int argc, char **argv,
                              struct per_container *request)
{
    if (optind >= argc) {
        husk_error_t err = NULL;
        cli_usage_error(&err, request->command, "\"husk %s\" requires at least one container",
                        request->command);
        return report_one(&err);
    }
    int status = 0;
    for (int i = optind; i < argc; i++) {
        husk_error_t err = NULL;
        if (request->act(context, argv[i], request, &err) < 0) {
            status = report_one(&err);
            continue;
        }
        if (request->print_reference)
            printf("%s\n", argv[i]);
    }
    return status;
}

/* Parses the few flags these commands have; returns 1 after --help, -1 on error. */
static int parse_flags(int argc, char **argv, struct per_container *request)
{
    struct cli_getopt table;
    cli_getopt_init(&table, request->help->options, "+");
    opterr = 0;
    optind = 0;
    int option;
    husk_error_t err = NULL;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'H':
            cli_help_print(request->help, stdout);
            return 1;
        case 'f':
            request->force = true;
            break;
        case 'v':
            request->volumes = true;
            break;
        case 't': {
            char *end = NULL;
            long value = strtol(optarg, &end, 10);
            if (*end != '\0' || value < 0 || value > 86400) {
                cli_usage_error(&err, request->command, "invalid timeout \"%s\"", optarg);
                return report_one(&err), -1;
            }
            request->timeout = (int)value;
            break;
        }
        case 's':
            request->signal = signal_parse(optarg);
            if (request->signal < 0) {
                husk_error_set(&err, 0, "invalid signal \"%s\"", optarg);
                return report_one(&err), -1;
            }
            break;
        default:
            cli_usage_error(&err, request->command, "unknown flag %s",
                            optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                       : argv[optind - 1]);
            return report_one(&err), -1;
        }
    }
    return 0;
}

static const struct cli_option help_only[] = {CLI_HELP_OPTION('H'), CLI_OPTIONS_END};

static int act_start(const struct engine_context *c, const char *ref, struct per_container *r,
                     husk_error_t *err)
{
    (void)r;
    return engine_start(c, ref, err);
}

static int act_stop(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    return engine_stop(c, ref, r->timeout, err);
}

static int act_restart(const struct engine_context *c, const char *ref, struct per_container *r,
                       husk_error_t *err)
{
    return engine_restart(c, ref, r->timeout, err);
}

static int act_kill(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    return engine_kill(c, ref, r->signal, err);
}

static int act_remove(const struct engine_context *c, const char *ref, struct per_container *r,
                      husk_error_t *err)
{
    return engine_remove(c, ref, r->force, r->volumes, err);
}

static int act_wait(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    (void)r;
    int code = 0;
    if (engine_wait(c, ref, &code, err) < 0)
        return -1;
    printf("%d\n", code);
    fflush(stdout);
    return 0;
}

static int run_per_container(const struct engine_context *context, int argc, char **argv,
                             struct per_container *request)
{
    int parsed = parse_flags(argc, argv, request);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    return for_each_container(context, argc, argv, request);
}

static const struct cli_option start_options[] = {
    {{"attach", no_argument, NULL, 'a'},
     'a',
     NULL,
     "attach stdout and stderr; exit with the container's status"},
    {{"interactive", no_argument, NULL, 'i'},
     'i',
     NULL,
     "attach stdin too (the container was created with -i)"},
    {{"all", no_argument, NULL, 'A'},
     0,
     NULL,
     "every stopped container a restart policy would run\n"
     "(at boot: see contrib/husk-restart.service)"},
    {{"filter", required_argument, NULL, 'f'},
     'f',
     "restart-policy=P",
     "with --all: only these policies (repeatable)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_start_help = {
    .usage = "start [OPTIONS] CONTAINER...",
    .summary = "Start created or stopped containers, each under a new monitor.\n",
    .options = start_options,
};

/* --filter restart-policy=P: P is one of docker's policy names. */
static int add_policy_filter(const char *filter, const char **policies, size_t *count,
                             husk_error_t *err)
{
    static const char key[] = "restart-policy=";
    static const char *const known[] = {"no", "always", "unless-stopped", "on-failure"};
    if (strncmp(filter, key, sizeof(key) - 1) != 0)
        return cli_usage_error(err, "start", "unsupported filter \"%s\" (restart-policy=P)",
                               filter);
    const char *value = filter + sizeof(key) - 1;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(value, known[i]) == 0) {
            policies[(*count)++] = known[i];
            return 0;
        }
    return cli_usage_error(err, "start",
                           "invalid restart policy \"%s\" in --filter: no, always, "
                           "unless-stopped or on-failure",
                           value);
}

/* `start --all`: the containers their policies name, each reported. */
static int start_all(const struct engine_context *context, const char **policies)
{
    cleanup_strv char **ids = engine_restart_candidates(context, policies[0] ? policies : NULL);
    int status = 0;
    for (char **id = ids; *id; id++) {
        husk_error_t err = NULL;
        if (engine_start(context, *id, &err) < 0)
            status = report_one(&err);
        else
            printf("%s\n", *id);
    }
    return status;
}

int cli_start(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, start_options, "+");
    bool attach = false, interactive = false, all = false;
    const char *policies[CLI_OPTIONS_MAX + 1] = {0};
    size_t policy_count = 0;
    husk_error_t err = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'a')
            attach = true;
        else if (option == 'i')
            interactive = true;
        else if (option == 'A')
            all = true;
        else if (option == 'f' && policy_count < CLI_OPTIONS_MAX) {
            if (add_policy_filter(optarg, policies, &policy_count, &err) < 0)
                return report_one(&err);
        } else if (option == 'H')
            return cli_help_print(&cli_start_help, stdout), 0;
        else
            return cli_usage_error(&err, "start", "unknown flag %s", argv[optind - 1]),
                   report_one(&err);
    }
    if (policy_count > 0 && !all)
        return cli_usage_error(&err, "start", "--filter needs --all"), report_one(&err);
    if (all && (attach || interactive || optind < argc))
        return cli_usage_error(&err, "start", "--all takes no container and no -a or -i"),
               report_one(&err);
    if (all)
        return start_all(context, policies);
    if (!attach && !interactive) {
        struct per_container request = {
            .command = "start", .help = &cli_start_help, .print_reference = true, .act = act_start};
        return for_each_container(context, argc, argv, &request);
    }
    if (argc - optind != 1)
        return cli_usage_error(&err, "start", "\"husk start -a\" takes exactly one container"),
               report_one(&err);
    int status = 0;
    if (engine_start_attached(context, argv[optind], interactive, &status, &err) < 0)
        return report_one(&err);
    return status;
}

const struct cli_help cli_attach_help = {
    .usage = "attach CONTAINER",
    .summary = "Attach husk's stdin, stdout and stderr to a running container; exit with its\n"
               "status.\n",
    .options = help_only,
};

int cli_attach(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return cli_help_print(&cli_attach_help, stdout), 0;
    if (argc != 2)
        return cli_usage_error(&err, "attach", "\"husk attach\" takes exactly one container"),
               report_one(&err);
    int status = 0;
    if (engine_attach(context, argv[1], &status, &err) < 0)
        return report_one(&err);
    return status;
}

static const struct cli_option time_options[] = {
    {{"time", required_argument, NULL, 't'},
     't',
     "N",
     "seconds to wait after SIGTERM before SIGKILL\n"
     "(default: the container's --stop-timeout, else 10)"},
    {{"timeout", required_argument, NULL, 't'}, 0, NULL, NULL},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_stop_help = {
    .usage = "stop [OPTIONS] CONTAINER...",
    .summary = "Send SIGTERM to each container's PID 1, then SIGKILL after the timeout.\n",
    .options = time_options,
};

int cli_stop(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "stop",
        .help = &cli_stop_help,
        .timeout = ENGINE_STOP_TIMEOUT_DEFAULT,
        .print_reference = true,
        .act = act_stop,
    };
    return run_per_container(context, argc, argv, &request);
}

const struct cli_help cli_restart_help = {
    .usage = "restart [OPTIONS] CONTAINER...",
    .summary = "Stop (as husk stop) and start each container.\n",
    .options = time_options,
};

int cli_restart(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "restart",
        .help = &cli_restart_help,
        .timeout = ENGINE_STOP_TIMEOUT_DEFAULT,
        .print_reference = true,
        .act = act_restart,
    };
    return run_per_container(context, argc, argv, &request);
}

static const struct cli_option kill_options[] = {
    {{"signal", required_argument, NULL, 's'},
     's',
     "SIGNAL",
     "the signal, by name (KILL, SIGTERM) or number (default KILL)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_kill_help = {
    .usage = "kill [OPTIONS] CONTAINER...",
    .summary = "Send a signal to each container's PID 1.\n",
    .options = kill_options,
};

int cli_kill(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "kill",
        .help = &cli_kill_help,
        .signal = 9,
        .print_reference = true,
        .act = act_kill,
    };
    return run_per_container(context, argc, argv, &request);
}

static const struct cli_option rm_options[] = {
    {{"force", no_argument, NULL, 'f'}, 'f', NULL, "kill a running container first"},
    {{"volumes", no_argument, NULL, 'v'},
     'v',
     NULL,
     "remove its anonymous volumes too (named ones stay)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_rm_help = {
    .usage = "rm [OPTIONS] CONTAINER...",
    .summary = "Remove containers: their records, upper layers and names.\n",
    .options = rm_options,
};

int cli_rm(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "rm",
        .help = &cli_rm_help,
        .print_reference = true,
        .act = act_remove,
    };
    return run_per_container(context, argc, argv, &request);
}

const struct cli_help cli_wait_help = {
    .usage = "wait CONTAINER...",
    .summary = "Wait for each container to exit and print its exit code.\n",
    .options = help_only,
};

int cli_wait(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "wait",
        .help = &cli_wait_help,
        .act = act_wait,
    };
    return run_per_container(context, argc, argv, &request);
}

static const struct cli_option prune_options[] = {
    {{"force", no_argument, NULL, 'f'},
     'f',
     NULL,
     "do not ask (husk never asks; accepted as docker's is)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_container_help = {
    .usage = "container COMMAND",
    .summary = "Manage containers: docker's management commands.\n\n"
               "  container prune [-f]   remove all stopped containers\n"
               "  container ls|list     husk ps\n"
               "  container rm|remove   husk rm\n"
               "  container run, create, start, stop, restart, kill, wait, inspect, exec,\n"
               "  attach, logs, top, port, stats, update, pause, unpause, cp, diff, rename,\n"
               "  export, commit: the husk command of that name\n",
    .options = prune_options,
};

/* `container ls` is `ps`, as docker's management command is. */
static const char *container_command_name(const char *word)
{
    static const char *const aliases[][2] = {
        {"ls", "ps"}, {"list", "ps"}, {"ps", "ps"}, {"remove", "rm"}};
    static const char *const same[] = {"run",  "create", "start",   "stop",   "restart", "kill",
                                       "wait", "rm",     "inspect", "exec",   "attach",  "logs",
                                       "top",  "port",   "stats",   "update", "pause",   "unpause",
                                       "cp",   "diff",   "rename",  "export", "commit"};
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(word, aliases[i][0]) == 0)
            return aliases[i][1];
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if (strcmp(word, same[i]) == 0)
            return same[i];
    return NULL;
}

static int run_as(const struct engine_context *context, const char *name, int argc, char **argv)
{
    size_t count;
    const struct cli_command *commands = cli_commands(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].run(context, argc, argv);
    return 1;
}

int cli_container(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_container_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const char *same = container_command_name(argv[1]);
    if (same != NULL)
        return run_as(context, same, argc - 1, argv + 1);
    if (strcmp(argv[1], "prune") != 0) {
        husk_error_set(&err, 0, "unknown command \"container %s\" (see 'husk container --help')",
                       argv[1]);
        return report_one(&err);
    }
    struct cli_getopt table;
    cli_getopt_init(&table, prune_options, "+");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc - 1, argv + 1, table.short_options, table.long_options,
                                 NULL)) != -1) {
        if (option == 'H')
            return cli_help_print(&cli_container_help, stdout), 0;
        if (option != 'f')
            return cli_usage_error(&err, "container", "unknown flag %s", argv[optind]),
                   report_one(&err);
    }
    if (optind + 1 < argc)
        return cli_usage_error(&err, "container", "\"husk container prune\" takes no arguments"),
               report_one(&err);
    cleanup_strv char **removed = NULL;
    if (engine_prune(context, &removed, &err) < 0)
        return report_one(&err);
    printf("Deleted Containers:\n");
    for (char **id = removed; id && *id; id++)
        printf("%s\n", *id);
    printf("\nTotal reclaimed space: 0B\n");
    return 0;
}
