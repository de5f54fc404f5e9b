/* healthcheck run: one health probe of a container by hand, as podman's
 * `healthcheck run`; its result is recorded as the monitor's are. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../engine/health/health_probe.h"
#include "cli.h"

static const struct cli_option healthcheck_options[] = {CLI_HELP_OPTION('H'), CLI_OPTIONS_END};

const struct cli_help cli_healthcheck_help = {
    .usage = "healthcheck run CONTAINER",
    .summary = "Run a container's health check once and record its result in\n"
               "State.Health. Exit status 0 when the check passed; 1 (and \"unhealthy\"\n"
               "on stdout) when it failed; 125 when the container has no health check\n"
               "or does not run.\n",
    .options = healthcheck_options,
};

static int parse(int argc, char **argv, husk_error_t *err)
{
    struct cli_getopt table;
    cli_getopt_init(&table, healthcheck_options, "+");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H')
            return cli_help_print(&cli_healthcheck_help, stdout), 1;
        return cli_usage_error(err, "healthcheck", "unknown flag %s",
                               optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                          : argv[optind - 1]);
    }
    if (optind >= argc || strcmp(argv[optind], "run") != 0)
        return cli_usage_error(err, "healthcheck",
                               optind < argc ? "unknown command \"healthcheck %s\""
                                             : "\"husk healthcheck\" requires a command: run%s",
                               optind < argc ? argv[optind] : "");
    if (optind + 2 != argc)
        return cli_usage_error(err, "healthcheck",
                               "\"husk healthcheck run\" requires exactly 1 argument");
    return 0;
}

int cli_healthcheck(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    int parsed = parse(argc, argv, &err);
    if (parsed != 0)
        return parsed < 0 ? cli_report(&err) : 0;
    struct health_probe_outcome outcome;
    if (health_probe_run(context, argv[argc - 1], &outcome, &err) < 0)
        return cli_report(&err);
    if (outcome.exit_code == 0)
        return 0;
    printf("unhealthy\n");
    return 1;
}
