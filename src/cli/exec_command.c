/* `husk exec [OPTIONS] CONTAINER COMMAND [ARG...]` */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/exec.h"
#include "../util/xalloc.h"
#include "cli.h"

static const struct cli_option exec_options[] = {
    {{"detach", no_argument, NULL, 'd'}, 'd', NULL, "run in the background"},
    {{"env", required_argument, NULL, 'e'}, 'e', "KEY=VALUE", "set an environment variable"},
    {{"interactive", no_argument, NULL, 'i'}, 'i', NULL, "keep stdin attached"},
    {{"privileged", no_argument, NULL, 'P'}, 0, NULL, "all capabilities, no seccomp filter"},
    {{"tty", no_argument, NULL, 't'}, 't', NULL, "allocate a terminal"},
    {{"user", required_argument, NULL, 'u'}, 'u', "USER[:GROUP]", "user name or uid (and group)"},
    {{"workdir", required_argument, NULL, 'w'}, 'w', "DIR", "working directory"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_exec_help = {
    .usage = "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
    .summary = "Run a command in a running container: in all its namespaces, its cgroups, and\n"
               "with its capabilities, seccomp filter and no_new_privs.\n",
    .options = exec_options,
    .epilogue = "Exit status: the command's; 126/127 when it cannot be run or is not found.\n",
};

int cli_exec_parse(int argc, char **argv, struct exec_options *o, husk_error_t *err)
{
    struct cli_getopt table;
    cli_getopt_init(&table, exec_options, "+:");
    memset(o, 0, sizeof(*o));
    o->env = xcalloc((size_t)argc + 1, sizeof(char *));
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'd':
            o->detach = true;
            break;
        case 'e':
            o->env[o->env_count++] = optarg;
            break;
        case 'i':
            o->interactive = true;
            break;
        case 'P':
            o->privileged = true;
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
        case 'H':
            cli_help_print(&cli_exec_help, stdout);
            return 1;
        default: {
            bool is_short = optopt > 0 && optopt < 128 && isalnum(optopt);
            char word[3] = {'-', (char)optopt, 0};
            return cli_usage_error(err, "exec",
                                   option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                                   is_short ? word : argv[optind - 1]);
        }
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(err, "exec", "\"husk exec\" requires a container and a command");
    o->container = argv[optind];
    o->command = argv + optind + 1;
    return 0;
}

int cli_exec(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct exec_options options;
    int parsed = cli_exec_parse(argc, argv, &options, &err);
    int status = 0;
    if (parsed == 0 && engine_exec(context, &options, &status, &err) < 0)
        parsed = -1;
    free(options.env);
    if (parsed < 0)
        return cli_report(&err);
    return parsed == 1 ? 0 : status;
}
