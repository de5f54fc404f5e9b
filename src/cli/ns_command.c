/* `husk ns`: which namespaces the host and the running containers have, and
 * which of them are shared, as the kernel reports them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../engine/namespaces.h"
#include "../util/cleanup.h"
#include "../util/json_text.h"
#include "cli.h"
#include "humanize.h"

static const struct cli_option ns_options[] = {
    {{"format", required_argument, NULL, 'f'}, 0, "FORMAT", "table (default) or json"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_ns_help = {
    .usage = "ns [OPTIONS] [CONTAINER...]",
    .summary = "Show namespaces and who shares them, read from the kernel (/proc/PID/ns).\n\n"
               "Without CONTAINER: a matrix of the host and every running container. Each cell\n"
               "names whose namespace that is: \"host\", the row's own name (private), or the\n"
               "first row holding the same namespace (shared with it).\n"
               "With CONTAINER: one line per namespace type with its inode and who shares it.\n",
    .options = ns_options,
};

/* The first row (host first) whose namespace of TYPE is this row's. */
static const char *owner_of(json_t *parties, size_t row, const char *type)
{
    json_t *mine =
        json_object_get(json_object_get(json_array_get(parties, row), "Namespaces"), type);
    json_int_t inode = json_integer_value(json_object_get(mine, "Inode"));
    size_t i;
    json_t *party;
    json_array_foreach(parties, i, party)
    {
        json_t *theirs = json_object_get(json_object_get(party, "Namespaces"), type);
        if (i <= row && json_integer_value(json_object_get(theirs, "Inode")) == inode)
            return json_string_value(json_object_get(party, "Name"));
    }
    return "?";
}

void cli_print_namespace_matrix(json_t *parties)
{
    struct table *table = table_new(NAMESPACE_TYPE_COUNT + 1);
    const char *header[NAMESPACE_TYPE_COUNT + 1] = {"NAME"};
    char upper[NAMESPACE_TYPE_COUNT][16];
    for (size_t t = 0; t < NAMESPACE_TYPE_COUNT; t++) {
        size_t k = 0;
        for (; namespace_types[t][k] && k < sizeof(upper[t]) - 1; k++)
            upper[t][k] = (char)(namespace_types[t][k] - 'a' + 'A');
        upper[t][k] = '\0';
        header[t + 1] = upper[t];
    }
    table_add_row(table, header);
    for (size_t row = 0; row < json_array_size(parties); row++) {
        const char *cells[NAMESPACE_TYPE_COUNT + 1];
        cells[0] = json_string_value(json_object_get(json_array_get(parties, row), "Name"));
        for (size_t t = 0; t < NAMESPACE_TYPE_COUNT; t++)
            cells[t + 1] = owner_of(parties, row, namespace_types[t]);
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_free(table);
}

static void print_details(json_t *parties)
{
    struct table *table = table_new(4);
    table_add_row(table, (const char *[]){"CONTAINER", "TYPE", "INODE", "SHARED WITH"});
    size_t i;
    json_t *party;
    json_array_foreach(parties, i, party)
    {
        const char *name = json_string_value(json_object_get(party, "Name"));
        for (size_t t = 0; t < NAMESPACE_TYPE_COUNT; t++) {
            json_t *ns = json_object_get(json_object_get(party, "Namespaces"), namespace_types[t]);
            char inode[32], with[512] = "";
            snprintf(inode, sizeof(inode), "%lld",
                     (long long)json_integer_value(json_object_get(ns, "Inode")));
            json_strings_join(json_object_get(ns, "SharedWith"), ", ", with, sizeof(with));
            table_add_row(table, (const char *[]){name, namespace_types[t], inode,
                                                  with[0] ? with : "private"});
        }
    }
    table_print(table, stdout);
    table_free(table);
}

int cli_ns(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, ns_options, ":");
    husk_error_t err = NULL;
    const char *format = "table";
    int option;
    opterr = 0;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'h') {
            cli_help_print(&cli_ns_help, stdout);
            return 0;
        }
        if (option == 'f') {
            format = optarg;
            continue;
        }
        cli_usage_error(&err, "ns", option == ':' ? "flag %s needs an argument" : "unknown flag %s",
                        argv[optind - 1]);
        return cli_report(&err);
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        cli_usage_error(&err, "ns", "invalid --format \"%s\": use table or json", format);
        return cli_report(&err);
    }
    cleanup_json json_t *parties = NULL;
    if (engine_namespaces(context, argv + optind, (size_t)(argc - optind), &parties, &err) < 0)
        return cli_report(&err);
    if (strcmp(format, "json") == 0) {
        cleanup_free char *text = json_dumps(parties, JSON_INDENT(4));
        printf("%s\n", text ? text : "[]");
    } else if (optind < argc) {
        print_details(parties);
    } else {
        cli_print_namespace_matrix(parties);
    }
    return 0;
}
