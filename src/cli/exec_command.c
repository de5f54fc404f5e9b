/* `husk exec [OPTIONS] CONTAINER COMMAND [ARG...]` */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/exec.h"
#include "../util/xalloc.h"
#include "cli.h"

static const char exec_usage[] =
    "Usage: husk exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
    "Run a command in a running container: in all its namespaces, its cgroups, and\n"
    "with its capabilities, seccomp filter and no_new_privs.\n\n"
    "Options:\n"
    "  -d, --detach             run in the background\n"
    "  -e, --env KEY=VALUE      set an environment variable\n"
    "  -i, --interactive        keep stdin attached\n"
    "      --privileged         all capabilities, no seccomp filter\n"
    "  -t, --tty                allocate a terminal\n"
    "  -u, --user USER[:GROUP]  user name or uid (and group)\n"
    "  -w, --workdir DIR        working directory\n"
    "Exit status: the command's; 126/127 when it cannot be run or is not found.\n";

int cli_exec_parse(int argc, char **argv, struct exec_options *o, husk_error_t *err)
{
    static const struct option flags[] = {
        {"detach", no_argument, NULL, 'd'},
        {"env", required_argument, NULL, 'e'},
        {"interactive", no_argument, NULL, 'i'},
        {"privileged", no_argument, NULL, 'P'},
        {"tty", no_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},
        {"workdir", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->env = xcalloc((size_t)argc + 1, sizeof(char *));
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, "+:de:itu:w:", flags, NULL)) != -1) {
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
            fputs(exec_usage, stdout);
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
