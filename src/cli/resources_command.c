/* `husk pause|unpause|update|stats`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/resource_commands.h"
#include "../util/cleanup.h"
#include "../engine/restart/restart_commands.h"
#include "cli.h"
#include "humanize.h"
#include "template.h"

static const struct cli_option help_only[] = {CLI_HELP_OPTION('h'), CLI_OPTIONS_END};

const struct cli_help cli_pause_help = {
    .usage = "pause CONTAINER...",
    .summary = "Suspend all processes of the containers (cgroup freezer).\n",
    .options = help_only,
};

const struct cli_help cli_unpause_help = {
    .usage = "unpause CONTAINER...",
    .summary = "Resume all processes of the containers (cgroup freezer).\n",
    .options = help_only,
};

static int each(const struct engine_context *context, int argc, char **argv,
                const struct cli_help *help,
                int (*act)(const struct engine_context *, const char *, husk_error_t *))
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (act(context, argv[i], &err) < 0) {
            cli_report(&err);
            status = 1;
        } else {
            printf("%s\n", argv[i]);
        }
    }
    return status;
}

int cli_pause(const struct engine_context *context, int argc, char **argv)
{
    return each(context, argc, argv, &cli_pause_help, engine_pause);
}

int cli_unpause(const struct engine_context *context, int argc, char **argv)
{
    return each(context, argc, argv, &cli_unpause_help, engine_unpause);
}

enum { UPDATE_OPTION_RESTART = 1300 };

static const struct cli_option update_options[] = {
    CLI_RESOURCE_OPTIONS,
    {{"restart", required_argument, NULL, UPDATE_OPTION_RESTART},
     0,
     "POLICY",
     "no, on-failure[:MAX-RETRIES], always or unless-stopped\n"
     "(from PID 1's next exit on)"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_update_help = {
    .usage = "update [OPTIONS] CONTAINER...",
    .summary = "Change resource limits (a running container gets them at once) or the\n"
               "restart policy.\n",
    .options = update_options,
};

bool cli_resource_flag(int option, const char *argument, struct resource_flags *f)
{
    const char **field = NULL;
    switch (option) {
    case 'm':
        field = &f->memory;
        break;
    case 'c':
        field = &f->cpu_shares;
        break;
    case CLI_OPTION_MEMORY_SWAP:
        field = &f->memory_swap;
        break;
    case CLI_OPTION_MEMORY_RESERVATION:
        field = &f->memory_reservation;
        break;
    case CLI_OPTION_CPUS:
        field = &f->cpus;
        break;
    case CLI_OPTION_CPU_PERIOD:
        field = &f->cpu_period;
        break;
    case CLI_OPTION_CPU_QUOTA:
        field = &f->cpu_quota;
        break;
    case CLI_OPTION_CPUSET_CPUS:
        field = &f->cpuset_cpus;
        break;
    case CLI_OPTION_CPUSET_MEMS:
        field = &f->cpuset_mems;
        break;
    case CLI_OPTION_PIDS_LIMIT:
        field = &f->pids_limit;
        break;
    case CLI_OPTION_BLKIO_WEIGHT:
        field = &f->blkio_weight;
        break;
    case CLI_OPTION_OOM_KILL_DISABLE:
        f->oom_kill_disable = true;
        return true;
    default:
        return false;
    }
    *field = argument;
    return true;
}

int cli_update(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, update_options, ":");
    struct resource_flags f = {0};
    bool limits_given = false;
    const char *restart = NULL;
    husk_error_t err = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (cli_resource_flag(option, optarg, &f)) {
            limits_given = true;
            continue;
        }
        switch (option) {
        case UPDATE_OPTION_RESTART:
            restart = optarg;
            break;
        case 'h':
            cli_help_print(&cli_update_help, stdout);
            return 0;
        default:
            cli_usage_error(&err, "update",
                            option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                            argv[optind - 1]);
            return cli_report(&err);
        }
    }
    if (optind >= argc) {
        cli_usage_error(&err, "update", "\"husk update\" requires at least one container");
        return cli_report(&err);
    }
    int status = 0;
    for (int i = optind; i < argc; i++) {
        if ((restart != NULL &&
             engine_update_restart_policy(context, argv[i], restart, &err) < 0) ||
            ((limits_given || restart == NULL) && engine_update(context, argv[i], &f, &err) < 0))
            status = cli_report(&err);
        else
            printf("%s\n", argv[i]);
    }
    return status;
}

static void bytes_text(int64_t bytes, char *out, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = (double)bytes;
    size_t unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        unit++;
    }
    snprintf(out, size, unit ? "%.2f%s" : "%.0f%s", value, units[unit]);
}

/* "IN / OUT" of two byte counts of ROW, as docker prints them, under KEY. */
static void add_pair(json_t *row, const char *in, const char *out, const char *key)
{
    char a[32], b[32], text[80];
    bytes_text(json_integer_value(json_object_get(row, in)), a, sizeof(a));
    bytes_text(json_integer_value(json_object_get(row, out)), b, sizeof(b));
    snprintf(text, sizeof(text), "%s / %s", a, b);
    json_object_set_new(row, key, json_string(text));
}

static void add_percent(json_t *row, const char *number, const char *key)
{
    char text[32];
    snprintf(text, sizeof(text), "%.2f%%", json_real_value(json_object_get(row, number)));
    json_object_set_new(row, key, json_string(text));
}

/* docker's table strings, added to each row for templates: CPUPerc "1.23%", ... */
static void add_display_fields(json_t *row)
{
    add_percent(row, "CPUPerc", "CPUPercText");
    add_percent(row, "MemPerc", "MemPercText");
    add_pair(row, "MemUsage", "MemLimit", "MemUsageText");
    add_pair(row, "NetInput", "NetOutput", "NetIO");
    add_pair(row, "BlockInput", "BlockOutput", "BlockIO");
}

static int print_rows(json_t *rows, const char *format, husk_error_t *err)
{
    size_t i;
    json_t *row;
    if (format != NULL && strcmp(format, "json") == 0) {
        json_array_foreach(rows, i, row)
        {
            cleanup_free char *text = json_dumps(row, JSON_COMPACT);
            printf("%s\n", text ? text : "{}");
        }
        return 0;
    }
    if (format != NULL) {
        struct template *template = NULL;
        if (template_parse(format, &template, err) < 0)
            return -1;
        json_array_foreach(rows, i, row)
        {
            cleanup_free char *text = NULL;
            add_display_fields(row);
            if (template_execute(template, row, &text, err) < 0) {
                template_free(template);
                return -1;
            }
            printf("%s\n", text);
        }
        template_free(template);
        return 0;
    }
    struct table *table = table_new(8);
    table_add_row(table, (const char *[]){"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT",
                                          "MEM %", "NET I/O", "BLOCK I/O", "PIDS"});
    json_array_foreach(rows, i, row)
    {
        char id[13], pids[24];
        add_display_fields(row);
        snprintf(id, sizeof(id), "%.12s", json_string_value(json_object_get(row, "ID")));
        snprintf(pids, sizeof(pids), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(row, "PIDs")));
        table_add_row(table,
                      (const char *[]){id, json_string_value(json_object_get(row, "Name")),
                                       json_string_value(json_object_get(row, "CPUPercText")),
                                       json_string_value(json_object_get(row, "MemUsageText")),
                                       json_string_value(json_object_get(row, "MemPercText")),
                                       json_string_value(json_object_get(row, "NetIO")),
                                       json_string_value(json_object_get(row, "BlockIO")), pids});
    }
    table_print(table, stdout);
    table_free(table);
    return 0;
}

static const struct cli_option stats_options[] = {
    {{"no-stream", no_argument, NULL, 'n'}, 0, NULL, "print once and exit"},
    {{"format", required_argument, NULL, 'f'},
     0,
     "TEMPLATE|json",
     "a Go template per container ('table ...' for columns with\n"
     "titles), or one JSON object per line"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_stats_help = {
    .usage = "stats [OPTIONS] [CONTAINER...]",
    .summary = "CPU, memory, network, block I/O and PIDs of running containers, from their\n"
               "cgroups and network namespaces; refreshed every second on a terminal.\n",
    .options = stats_options,
};

int cli_stats(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, stats_options, ":");
    husk_error_t err = NULL;
    bool stream = true;
    const char *format = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'n') {
            stream = false;
        } else if (option == 'f') {
            format = optarg;
        } else if (option == 'h') {
            cli_help_print(&cli_stats_help, stdout);
            return 0;
        } else {
            cli_usage_error(&err, "stats",
                            option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                            argv[optind - 1]);
            return cli_report(&err);
        }
    }
    bool terminal = stream && isatty(STDOUT_FILENO);
    do {
        cleanup_json json_t *rows = NULL;
        if (engine_stats(context, argv + optind, (size_t)(argc - optind), 1000, &rows, &err) < 0)
            return cli_report(&err);
        if (terminal)
            fputs("\033[2J\033[H", stdout);
        int rc = print_rows(rows, format, &err);
        fflush(stdout);
        if (rc < 0)
            return cli_report(&err);
    } while (stream);
    return 0;
}
