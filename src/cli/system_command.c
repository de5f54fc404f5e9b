/* `husk system info|df|prune` and `husk info`, docker's output. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../engine/lifecycle.h"
#include "../engine/images.h"
#include "../engine/network/network_commands.h"
#include "../engine/system.h"
#include "../engine/volumes/volume_commands.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "humanize.h"
#include "repair_command.h"
#include "system_df.h"
#include "template.h"

/* -f is --format for info and --force for prune, as in docker. */
static const struct cli_option info_options[] = {
    {{"format", required_argument, NULL, 'f'}, 'f', "TEMPLATE", "a Go template, or json"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};
static const struct cli_option prune_options[] = {
    {{"all", no_argument, NULL, 'a'}, 'a', NULL, "every unused image, not only dangling ones"},
    {{"volumes", no_argument, NULL, 'V'}, 0, NULL, "unused anonymous volumes too"},
    {{"force", no_argument, NULL, 'f'}, 'f', NULL, "accepted (husk never asks)"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};
static const struct cli_option df_options[] = {
    {{"verbose", no_argument, NULL, 'v'}, 'v', NULL, "each image, container and volume"},
    {{"format", required_argument, NULL, 'F'}, 0, "TEMPLATE", "json, or a Go template per row"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

static const struct cli_option check_options[] = {
    {{"format", required_argument, NULL, 'F'}, 0, "FORMAT", "json: the findings as a JSON array"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_system_help = {
    .usage = "system COMMAND",
    .summary =
        "Commands:\n"
        "  info [-f TEMPLATE]   counts, storage and cgroup driver, kernel, OS, CPUs, memory\n"
        "  df [-v] [--format F] space used by images, containers and volumes\n"
        "  prune [-a] [--volumes] [--force]\n"
        "                       remove stopped containers, unused networks, dangling\n"
        "                       images (-a: unused ones), with --volumes unused\n"
        "                       anonymous volumes\n"
        "  events [OPTIONS]     the same as husk events\n"
        "  check [--format json]\n"
        "                       list what killed commands left: mounts, cgroups,\n"
        "                       processes, veths, leases, ports, names, files\n"
        "  repair [--format json]\n"
        "                       remove it (exit status 1 if something is left)\n",
    .options = df_options,
    .epilogue = "Each command's flags: husk system COMMAND --help.\n",
};

const struct cli_help cli_info_help = {
    .usage = "info [-f TEMPLATE]",
    .summary = "The same as husk system info.\n",
    .options = info_options,
};

struct system_flags {
    const char *format;
    bool all, volumes, verbose;
};

static int print_info(json_t *info, const char *format, husk_error_t *err)
{
    if (format != NULL && strcmp(format, "json") == 0) {
        cleanup_free char *text = json_dumps(info, JSON_COMPACT);
        return printf("%s\n", text), 0;
    }
    if (format != NULL) {
        struct template *template;
        cleanup_free char *text = NULL;
        if (template_parse(format, &template, err) < 0)
            return -1;
        int rc = template_execute(template, info, &text, err);
        template_free(template);
        return rc == 0 ? printf("%s\n", text), 0 : -1;
    }
    char memory[32];
    humanize_size((double)json_integer_value(json_object_get(info, "MemTotal")), memory,
                  sizeof(memory));
#define INT(key)  (long long)json_integer_value(json_object_get(info, key))
#define TEXT(key) json_string_value(json_object_get(info, key))
    printf("Server:\n Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n"
           " Images: %lld\n Server Version: %s\n Storage Driver: %s\n Cgroup Driver: %s\n"
           " Cgroup Version: %s\n Kernel Version: %s\n Operating System: %s\n OSType: %s\n"
           " Architecture: %s\n CPUs: %lld\n Total Memory: %s\n Name: %s\n Root Dir: %s\n"
           " Default Runtime: %s\n",
           INT("Containers"), INT("ContainersRunning"), INT("ContainersPaused"),
           INT("ContainersStopped"), INT("Images"), TEXT("ServerVersion"), TEXT("Driver"),
           TEXT("CgroupDriver"), TEXT("CgroupVersion"), TEXT("KernelVersion"),
           TEXT("OperatingSystem"), TEXT("OSType"), TEXT("Architecture"), INT("NCPU"), memory,
           TEXT("Name"), TEXT("DockerRootDir"), TEXT("DefaultRuntime"));
#undef INT
#undef TEXT
    return 0;
}

/* docker's --format rows of `system df`: Type, TotalCount, Active, Size,
 * Reclaimable, as the table shows them. */
static json_t *usage_document(const char *type, json_t *usage)
{
    char total[24], active[24], size[32], bytes[32], reclaimable[48];
    long long size_bytes = (long long)json_integer_value(json_object_get(usage, "Size"));
    long long free_bytes = (long long)json_integer_value(json_object_get(usage, "Reclaimable"));
    snprintf(total, sizeof(total), "%lld",
             (long long)json_integer_value(json_object_get(usage, "Total")));
    snprintf(active, sizeof(active), "%lld",
             (long long)json_integer_value(json_object_get(usage, "Active")));
    humanize_size((double)size_bytes, size, sizeof(size));
    humanize_size((double)free_bytes, bytes, sizeof(bytes));
    snprintf(reclaimable, sizeof(reclaimable), "%s (%lld%%)", bytes,
             size_bytes > 0 ? free_bytes * 100 / size_bytes : 0);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", type, "TotalCount", total, "Active",
                     active, "Size", size, "Reclaimable", reclaimable);
}

static void usage_row(struct table *table, const char *type, json_t *usage)
{
    cleanup_json json_t *row = usage_document(type, usage);
    static const char *const keys[] = {"Type", "TotalCount", "Active", "Size", "Reclaimable"};
    const char *cells[5];
    for (size_t i = 0; i < 5; i++)
        cells[i] = json_string_value(json_object_get(row, keys[i]));
    table_add_row(table, cells);
}

static int print_df_formatted(json_t *usage, const char *format, husk_error_t *err)
{
    static const char *const types[][2] = {
        {"Images", "Images"}, {"Containers", "Containers"}, {"Local Volumes", "Volumes"}};
    struct template *template = NULL;
    if (strcmp(format, "json") != 0 && template_parse(format, &template, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(types) / sizeof(types[0]); i++) {
        cleanup_json json_t *row = usage_document(types[i][0], json_object_get(usage, types[i][1]));
        cleanup_free char *text = NULL;
        if (template == NULL)
            text = json_dumps(row, JSON_COMPACT);
        else
            rc = template_execute(template, row, &text, err);
        if (rc == 0)
            printf("%s\n", text);
    }
    if (template != NULL)
        template_free(template);
    return rc;
}

static int print_df(const struct engine_context *context, const struct system_flags *f,
                    husk_error_t *err)
{
    cleanup_json json_t *usage = NULL;
    if (f->verbose) {
        if (engine_system_df_verbose(context, &usage, err) < 0)
            return -1;
        if (f->format != NULL && strcmp(f->format, "json") == 0) {
            cleanup_free char *text = json_dumps(usage, JSON_COMPACT);
            return printf("%s\n", text), 0;
        }
        if (f->format != NULL)
            return husk_error_set(err, 0, "system df -v takes --format json only");
        cli_print_df_verbose(usage);
        return 0;
    }
    if (engine_system_df(context, &usage, err) < 0)
        return -1;
    if (f->format != NULL)
        return print_df_formatted(usage, f->format, err);
    struct table *table = table_new(5);
    table_add_row(table, (const char *[]){"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    usage_row(table, "Images", json_object_get(usage, "Images"));
    usage_row(table, "Containers", json_object_get(usage, "Containers"));
    usage_row(table, "Local Volumes", json_object_get(usage, "Volumes"));
    table_print(table, stdout);
    table_free(table);
    return 0;
}

static void print_names(const char *title, char **names)
{
    if (names == NULL || names[0] == NULL)
        return;
    printf("%s:\n", title);
    for (char **name = names; *name; name++)
        printf("%s\n", *name);
    printf("\n");
}

/* docker's order: containers, networks, volumes, then images (which the
 * removed containers may have held). */
static int prune(const struct engine_context *context, const struct system_flags *f,
                 husk_error_t *err)
{
    cleanup_strv char **containers = NULL, **networks = NULL, **volumes = NULL;
    cleanup_json json_t *images = NULL;
    unsigned long long image_bytes = 0, volume_bytes = 0;
    if (engine_prune(context, &containers, err) < 0 ||
        engine_network_prune(context, &networks, err) < 0 ||
        (f->volumes &&
         engine_volume_prune(context, false, NULL, NULL, &volumes, &volume_bytes, err) < 0) ||
        engine_image_prune(context, f->all, &images, &image_bytes, err) < 0)
        return -1;
    print_names("Deleted Containers", containers);
    print_names("Deleted Networks", networks);
    print_names("Deleted Volumes", volumes);
    if (json_array_size(images) > 0) {
        printf("Deleted Images:\n");
        cli_print_image_removal(images);
        printf("\n");
    }
    char size[32];
    humanize_size((double)(image_bytes + volume_bytes), size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return 0;
}

static int parse(const char *command, int argc, char **argv, struct system_flags *f,
                 husk_error_t *err)
{
    bool checks = strcmp(command, "check") == 0 || strcmp(command, "repair") == 0;
    const struct cli_option *options = strcmp(command, "info") == 0    ? info_options
                                       : strcmp(command, "prune") == 0 ? prune_options
                                       : checks                        ? check_options
                                                                       : df_options;
    struct cli_getopt table;
    cli_getopt_init(&table, options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H') {
            cleanup_free char *usage = xasprintf("system %s [OPTIONS]", command);
            struct cli_help help = {usage, "", options, NULL};
            return cli_help_print(&help, stdout), 1;
        }
        if (option == '?' || option == ':')
            return cli_usage_error(err, "system", "unknown flag %s for system %s", argv[optind - 1],
                                   command);
        if ((option == 'f' && strcmp(command, "info") == 0) || option == 'F')
            f->format = optarg;
        f->verbose = f->verbose || option == 'v';
        f->all = f->all || option == 'a';
        f->volumes = f->volumes || option == 'V';
    }
    if (optind < argc)
        return cli_usage_error(err, "system", "\"husk system %s\" accepts no arguments", command);
    if (checks && f->format != NULL && strcmp(f->format, "json") != 0)
        return cli_usage_error(err, "system", "--format takes json, not \"%s\"", f->format);
    return 0;
}

static int run_system(const struct engine_context *context, const char *command, int argc,
                      char **argv)
{
    husk_error_t err = NULL;
    struct system_flags f = {0};
    int parsed = parse(command, argc, argv, &f, &err);
    if (parsed != 0)
        return parsed < 0 ? cli_report(&err) : 0; /* 125 for a usage error, as docker */
    if (strcmp(command, "check") == 0 || strcmp(command, "repair") == 0)
        return cli_system_repair(context, strcmp(command, "repair") == 0, f.format != NULL);
    int rc;
    if (strcmp(command, "info") == 0) {
        cleanup_json json_t *info = NULL;
        rc = engine_system_info(context, &info, &err) < 0 ? -1 : print_info(info, f.format, &err);
    } else if (strcmp(command, "df") == 0) {
        rc = print_df(context, &f, &err);
    } else {
        rc = prune(context, &f, &err);
    }
    return rc < 0 ? (cli_report(&err), 1) : 0;
}

int cli_system(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        cli_help_print(&cli_system_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "events") == 0)
        return cli_events(context, argc - 1, argv + 1);
    if (strcmp(argv[1], "info") != 0 && strcmp(argv[1], "df") != 0 &&
        strcmp(argv[1], "prune") != 0 && strcmp(argv[1], "check") != 0 &&
        strcmp(argv[1], "repair") != 0) {
        husk_error_set(&err, 0, "unknown command \"system %s\" (see 'husk system --help')",
                       argv[1]);
        return cli_report(&err), 1;
    }
    return run_system(context, argv[1], argc - 1, argv + 1);
}

int cli_info(const struct engine_context *context, int argc, char **argv)
{
    return run_system(context, "info", argc, argv);
}
