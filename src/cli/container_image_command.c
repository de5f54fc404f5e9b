/* export, commit and history: a container's file system, and an image's layers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/container_image.h"
#include "../engine/images.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "humanize.h"

static int report(husk_error_t *err)
{
    cli_report(err);
    return 1;
}

static const struct cli_option export_options[] = {
    {{"output", required_argument, NULL, 'o'}, 'o', "FILE", "write to FILE, not stdout"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_export_help = {
    .usage = "export [OPTIONS] CONTAINER",
    .summary = "Write a container's file system as a tar archive\n",
    .options = export_options,
};

struct export_request {
    const struct engine_context *context;
    const char *container;
};

static int produce_export(int fd, void *data, husk_error_t *err)
{
    struct export_request *r = data;
    return engine_export(r->context, r->container, fd, err);
}

int cli_export(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, export_options, "+");
    opterr = 0;
    optind = 0;
    const char *output = NULL;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'o')
            output = optarg;
        else if (option == 'H')
            return cli_help_print(&cli_export_help, stdout), 0;
        else
            return cli_usage_error(&err, "export", "unknown flag %s", argv[optind - 1]),
                   report(&err);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&err, "export", "\"husk export\" requires exactly 1 argument"),
               report(&err);
    struct export_request request = {context, argv[optind]};
    return cli_write_output(output, "export", produce_export, &request, &err) < 0 ? report(&err)
                                                                                  : 0;
}

static const struct cli_option commit_options[] = {
    {{"message", required_argument, NULL, 'm'}, 'm', "TEXT", "the history's comment"},
    {{"author", required_argument, NULL, 'a'}, 'a', "NAME", "the image's author"},
    {{"change", required_argument, NULL, 'c'},
     'c',
     "INSTRUCTION",
     "apply a Dockerfile instruction"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_commit_help = {
    .usage = "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    .summary = "Make an image of a container's changes (a new layer on its image)\n",
    .options = commit_options,
};

int cli_commit(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, commit_options, "+");
    opterr = 0;
    optind = 0;
    cleanup_strv char **changes = xcalloc((size_t)argc + 1, sizeof(char *));
    size_t count = 0;
    struct commit_options o = {.changes = changes};
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'm')
            o.message = optarg;
        else if (option == 'a')
            o.author = optarg;
        else if (option == 'c')
            changes[count++] = xstrdup(optarg);
        else if (option == 'H')
            return cli_help_print(&cli_commit_help, stdout), 0;
        else
            return cli_usage_error(&err, "commit", "unknown flag %s", argv[optind - 1]),
                   report(&err);
    }
    if (optind >= argc || argc - optind > 2)
        return cli_usage_error(&err, "commit", "\"husk commit\" requires 1 or 2 arguments"),
               report(&err);
    o.container = argv[optind];
    o.reference = optind + 1 < argc ? argv[optind + 1] : NULL;
    cleanup_free char *id = NULL;
    if (engine_commit(context, &o, &id, &err) < 0)
        return report(&err);
    printf("%s\n", id);
    return 0;
}

static const struct cli_option history_options[] = {
    {{"no-trunc", no_argument, NULL, 'N'}, 0, NULL, "do not shorten"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "only image IDs"},
    {{"help", no_argument, NULL, 'H'}, 0, NULL, "print this help"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_history_help = {
    .usage = "history [OPTIONS] IMAGE",
    .summary = "Show how an image was made, layer by layer\n",
    .options = history_options,
};

int cli_history(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, history_options, "+");
    opterr = 0;
    optind = 0;
    bool no_trunc = false, quiet = false;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'N')
            no_trunc = true;
        else if (option == 'q')
            quiet = true;
        else if (option == 'H')
            return cli_help_print(&cli_history_help, stdout), 0;
        else
            return cli_usage_error(&err, "history", "unknown flag %s", argv[optind - 1]),
                   report(&err);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&err, "history", "\"husk history\" requires exactly 1 argument"),
               report(&err);
    cleanup_json json_t *rows = NULL;
    if (engine_image_history(context, argv[optind], &rows, &err) < 0)
        return report(&err);
    struct table *table_out = table_new(5);
    const char *header[] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};
    table_add_row(table_out, header);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *id = json_string_value(json_object_get(row, "ID"));
        char short_id[13], since[64] = "", size[32];
        bool missing = strcmp(id, "<missing>") == 0;
        snprintf(short_id, sizeof(short_id), "%.12s", missing ? id : id + 7);
        if (quiet) {
            printf("%s\n", missing || no_trunc ? id : short_id);
            continue;
        }
        double created =
            humanize_parse_timestamp(json_string_value(json_object_get(row, "Created")));
        humanize_ago(created, (double)time(NULL), since, sizeof(since));
        humanize_size((double)json_integer_value(json_object_get(row, "Size")), size, sizeof(size));
        const char *created_by = json_string_value(json_object_get(row, "CreatedBy"));
        cleanup_free char *shown = !no_trunc && strlen(created_by) > 45
                                       ? xasprintf("%.44s…", created_by)
                                       : xstrdup(created_by);
        const char *cells[] = {missing || no_trunc ? id : short_id, created < 0 ? "N/A" : since,
                               shown, size, json_string_value(json_object_get(row, "Comment"))};
        table_add_row(table_out, cells);
    }
    if (!quiet)
        table_print(table_out, stdout);
    table_free(table_out);
    return 0;
}
