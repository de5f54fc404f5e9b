/* rename: a container's new name. */
#include <getopt.h>
#include <stdio.h>

#include "../engine/rename.h"
#include "cli.h"

static const struct cli_option rename_options[] = {CLI_HELP_OPTION('H'), CLI_OPTIONS_END};

const struct cli_help cli_rename_help = {
    .usage = "rename CONTAINER NEW_NAME",
    .summary = "Rename a container, running or not.\n",
    .options = rename_options,
};

int cli_rename(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, rename_options, "+");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H')
            return cli_help_print(&cli_rename_help, stdout), 0;
        cli_usage_error(&err, "rename", "unknown flag %s",
                        optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                   : argv[optind - 1]);
        return cli_report(&err);
    }
    if (optind + 2 != argc) {
        cli_usage_error(&err, "rename", "\"husk rename\" requires exactly 2 arguments");
        cli_report(&err);
        return 1;
    }
    if (engine_rename(context, argv[optind], argv[optind + 1], &err) < 0) {
        husk_error_wrap(&err, "failed to rename container");
        cli_report(&err);
        return 1;
    }
    return 0;
}
