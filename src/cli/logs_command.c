/* `husk logs [-f] [--tail N] [-t] [--since T] [--until T] [--details]
 * CONTAINER` and `husk top CONTAINER`. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/logs/log_time.h"
#include "../engine/logs/logs.h"
#include "../engine/top.h"
#include "cli.h"

enum { OPTION_SINCE = 256, OPTION_UNTIL, OPTION_DETAILS };

static const struct cli_option logs_options[] = {
    {{"follow", no_argument, NULL, 'f'}, 'f', NULL, "keep printing until the container exits"},
    {{"tail", required_argument, NULL, 'n'}, 'n', "N", "only the last N lines (default: all)"},
    {{"timestamps", no_argument, NULL, 't'}, 't', NULL, "prefix every line with its RFC 3339 time"},
    {{"since", required_argument, NULL, OPTION_SINCE},
     0,
     "TIME",
     "only lines since TIME: RFC 3339 (2013-01-02T13:23:37Z,\n"
     "2013-01-02), a Unix time or a duration before now (42m)"},
    {{"until", required_argument, NULL, OPTION_UNTIL},
     0,
     "TIME",
     "only lines before TIME (as --since)"},
    {{"details", no_argument, NULL, OPTION_DETAILS},
     0,
     NULL,
     "prefix every line with the attributes the labels=,\n"
     "env= and tag= log options name"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_logs_help = {
    .usage = "logs [OPTIONS] CONTAINER",
    .summary = "Print what a container wrote on stdout and stderr since it started.\n",
    .options = logs_options,
};

static const struct cli_option help_only[] = {CLI_HELP_OPTION('H'), CLI_OPTIONS_END};

const struct cli_help cli_top_help = {
    .usage = "top CONTAINER",
    .summary = "List the processes of a container, with their host PIDs.\n",
    .options = help_only,
};

static void print_entry(const struct log_entry *entry, const char *attrs, void *data)
{
    bool timestamps = *(bool *)data;
    FILE *out = entry->stream == LOG_STDERR ? stderr : stdout;
    if (timestamps)
        fprintf(out, "%s ", entry->time);
    if (attrs != NULL)
        fprintf(out, "%s ", attrs);
    fwrite(entry->data, 1, entry->length, out);
    fflush(out);
}

int cli_logs(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, logs_options, "+:");
    struct logs_options options = {.follow = false, .tail = -1};
    bool timestamps = false;
    husk_error_t err = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'f':
            options.follow = true;
            break;
        case 't':
            timestamps = true;
            break;
        case OPTION_DETAILS:
            options.details = true;
            break;
        case OPTION_SINCE:
        case OPTION_UNTIL: {
            bool since = option == OPTION_SINCE;
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            if (log_time_option(since ? "since" : "until", optarg, &now,
                                since ? &options.since : &options.until, &err) < 0) {
                cli_usage_error(&err, "logs", "%s", err->message);
                return cli_report(&err), 1;
            }
            *(since ? &options.has_since : &options.has_until) = true;
            break;
        }
        case 'H':
            cli_help_print(&cli_logs_help, stdout);
            return 0;
        case 'n': {
            char *end = NULL;
            options.tail = strcmp(optarg, "all") == 0 ? -1 : strtol(optarg, &end, 10);
            if (end != NULL && (*end != '\0' || options.tail < 0 || optarg[0] == '\0')) {
                cli_usage_error(&err, "logs", "invalid --tail \"%s\": a number or all", optarg);
                return cli_report(&err), 1;
            }
            break;
        }
        default:
            cli_usage_error(&err, "logs",
                            option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                            argv[optind - 1]);
            return cli_report(&err), 1;
        }
    }
    if (argc - optind != 1) {
        cli_usage_error(&err, "logs", "\"husk logs\" requires exactly one container");
        return cli_report(&err), 1;
    }
    if (engine_logs(context, argv[optind], &options, print_entry, &timestamps, &err) < 0)
        return cli_report(&err), 1;
    return 0;
}

int cli_top(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_top_help, stdout);
        return 0;
    }
    if (argc != 2) {
        cli_usage_error(&err, "top", "\"husk top\" requires exactly one container");
        return cli_report(&err), 1;
    }
    struct top_process *processes = NULL;
    size_t count = 0;
    if (engine_top(context, argv[1], &processes, &count, &err) < 0)
        return cli_report(&err), 1;
    printf("%-8s %-8s %-8s %s\n", "UID", "PID", "PPID", "CMD");
    for (size_t i = 0; i < count; i++)
        printf("%-8u %-8d %-8d %s\n", processes[i].uid, processes[i].pid, processes[i].ppid,
               processes[i].command);
    top_processes_free(processes, count);
    return 0;
}
