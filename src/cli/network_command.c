/* `husk network create|ls|inspect|rm|connect|disconnect|prune` and `husk port`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/network/network_commands.h"
#include "../util/cleanup.h"
#include "cli.h"
#include "humanize.h"

/* Each flag belongs to one subcommand (parse_flags checks which); -f is
 * accepted by all, as docker's rm and prune take it. */
static const struct cli_option network_options[] = {
    {{"subnet", required_argument, NULL, 's'},
     0,
     "CIDR",
     "create: the network's IPv4 subnet (default: a free 10.89.N.0/24)"},
    {{"gateway", required_argument, NULL, 'g'},
     0,
     "IP",
     "create: the bridge's address (default: the subnet's first)"},
    {{"internal", no_argument, NULL, 'i'}, 0, NULL, "create: no way in or out"},
    {{"ip", required_argument, NULL, 'a'}, 0, "IP", "connect: the container's address on it"},
    {{"force", no_argument, NULL, 'f'}, 'f', NULL, "accepted and ignored (docker's rm and prune)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_network_help = {
    .usage = "network COMMAND",
    .summary = "Manage bridge networks.\n\n"
               "Commands:\n"
               "  create [--subnet CIDR] [--gateway IP] [--internal] NAME\n"
               "                       a network with its own bridge; containers on it reach each\n"
               "                       other by name\n"
               "  ls                   list networks\n"
               "  inspect NAME...      networks with their containers, as JSON\n"
               "  rm NAME...           remove networks no running container is on\n"
               "  connect [--ip IP] NETWORK CONTAINER\n"
               "  disconnect NETWORK CONTAINER\n"
               "  prune                remove the networks no container is on\n",
    .options = network_options,
};

const struct cli_help cli_port_help = {
    .usage = "port CONTAINER [PORT[/PROTO]]",
    .summary = "List the container's published ports.\n",
    .options = (const struct cli_option[]){CLI_HELP_OPTION('H'), CLI_OPTIONS_END},
};

/* Parses the flags of a network subcommand; the operands stay in argv.
 * Returns 1 after --help. */
struct network_flags {
    const char *subnet, *gateway, *ip;
    bool internal;
};

static int parse_flags(const char *command, int argc, char **argv, struct network_flags *flags,
                       husk_error_t *err)
{
    struct cli_getopt table;
    cli_getopt_init(&table, network_options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H') {
            cli_help_print(&cli_network_help, stdout);
            return 1;
        }
        bool allowed = (strcmp(command, "create") == 0 && strchr("sgi", option)) ||
                       (strcmp(command, "connect") == 0 && option == 'a') || option == 'f';
        if (option == '?' || option == ':' || !allowed)
            return cli_usage_error(err, "network",
                                   option == ':' ? "flag %s needs an argument"
                                                 : "unknown flag %s for network %s",
                                   argv[optind - 1], command);
        if (option == 's')
            flags->subnet = optarg;
        else if (option == 'g')
            flags->gateway = optarg;
        else if (option == 'i')
            flags->internal = true;
        else if (option == 'a')
            flags->ip = optarg;
    }
    return 0;
}

static int operands_expected(const char *command, int have, int want, bool at_least,
                             husk_error_t *err)
{
    if (at_least ? have >= want : have == want)
        return 0;
    return cli_usage_error(err, "network", "\"husk network %s\" requires %s%d argument%s", command,
                           at_least ? "at least " : "exactly ", want, want == 1 ? "" : "s");
}

static void print_list(json_t *networks)
{
    struct table *table = table_new(5);
    table_add_row(table, (const char *[]){"NETWORK ID", "NAME", "DRIVER", "SUBNET", "INTERNAL"});
    size_t i;
    json_t *network;
    json_array_foreach(networks, i, network)
    {
        char id[13];
        snprintf(id, sizeof(id), "%.12s", json_string_value(json_object_get(network, "Id")));
        table_add_row(table,
                      (const char *[]){
                          id, json_string_value(json_object_get(network, "Name")), "bridge",
                          json_string_value(json_object_get(network, "Subnet")),
                          json_is_true(json_object_get(network, "Internal")) ? "true" : "false"});
    }
    table_print(table, stdout);
    table_free(table);
}

static int run_each(const struct engine_context *context, char **names, int count,
                    husk_error_t *err)
{
    int status = 0;
    for (int i = 0; i < count; i++) {
        if (engine_network_remove(context, names[i], err) < 0)
            status = cli_report(err);
        else
            printf("%s\n", names[i]);
    }
    return status;
}

static int dispatch(const struct engine_context *context, const char *command, char **operands,
                    const struct network_flags *flags, husk_error_t *err)
{
    char id[HUSK_ID_SIZE];
    if (strcmp(command, "create") == 0) {
        struct network_create_options create = {operands[0], flags->subnet, flags->gateway,
                                                flags->internal};
        if (engine_network_create(context, &create, id, err) < 0)
            return -1;
        printf("%s\n", id);
    } else if (strcmp(command, "connect") == 0) {
        return engine_network_connect(context, operands[0], operands[1], flags->ip, err);
    } else if (strcmp(command, "disconnect") == 0) {
        return engine_network_disconnect(context, operands[0], operands[1], err);
    } else {
        cleanup_strv char **removed = NULL;
        if (engine_network_prune(context, &removed, err) < 0)
            return -1;
        printf("Deleted Networks:\n");
        for (char **name = removed; *name; name++)
            printf("%s\n", *name);
    }
    return 0;
}

int cli_network(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_network_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? HUSK_EXIT_ENGINE : 0;
    }
    const char *command = strcmp(argv[1], "list") == 0 ? "ls" : argv[1];
    static const struct {
        const char *name;
        int operands;
        bool at_least;
    } commands[] = {{"create", 1, false}, {"ls", 0, false},      {"inspect", 1, true},
                    {"rm", 1, true},      {"connect", 2, false}, {"disconnect", 2, false},
                    {"prune", 0, false}};
    size_t k = 0;
    while (k < sizeof(commands) / sizeof(commands[0]) && strcmp(commands[k].name, command) != 0)
        k++;
    struct network_flags flags = {0};
    if (k == sizeof(commands) / sizeof(commands[0])) {
        husk_error_set(&err, 0, "unknown command \"network %s\" (see 'husk network --help')",
                       argv[1]);
        return cli_report(&err);
    }
    int parsed = parse_flags(command, argc - 1, argv + 1, &flags, &err);
    if (parsed != 0)
        return parsed < 0 ? cli_report(&err) : 0;
    int count = argc - 1 - optind;
    char **operands = argv + 1 + optind;
    if (operands_expected(command, count, commands[k].operands, commands[k].at_least, &err) < 0)
        return cli_report(&err);
    if (strcmp(command, "ls") == 0) {
        cleanup_json json_t *networks = engine_network_list(context);
        print_list(networks);
        return 0;
    }
    if (strcmp(command, "inspect") == 0)
        return cli_inspect_documents(context, operands, count, engine_network_inspect, NULL);
    if (strcmp(command, "rm") == 0)
        return run_each(context, operands, count, &err);
    return dispatch(context, command, operands, &flags, &err) < 0 ? cli_report(&err) : 0;
}

int cli_port(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_port_help, argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : HUSK_EXIT_ENGINE;
    }
    cleanup_json json_t *ports = NULL;
    if (engine_port(context, argv[1], &ports, &err) < 0)
        return cli_report(&err);
    char wanted[24] = "";
    if (argc == 3)
        snprintf(wanted, sizeof(wanted), "%s%s", argv[2], strchr(argv[2], '/') ? "" : "/tcp");
    const char *key;
    json_t *list;
    int shown = 0;
    json_object_foreach(ports, key, list)
    {
        size_t i;
        json_t *binding;
        if (wanted[0] && strcmp(wanted, key) != 0)
            continue;
        json_array_foreach(list, i, binding)
        {
            const char *address = json_string_value(json_object_get(binding, "HostIp"));
            const char *port = json_string_value(json_object_get(binding, "HostPort"));
            if (wanted[0])
                printf("%s:%s\n", address, port);
            else
                printf("%s -> %s:%s\n", key, address, port);
            shown++;
        }
    }
    if (wanted[0] && shown == 0) {
        husk_error_set(&err, 0, "no public port '%s' published for %s", wanted, argv[1]);
        return cli_report(&err);
    }
    return 0;
}
