/* `husk inspect [-f TEMPLATE] CONTAINER...` and `husk ps`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../engine/identity.h"
#include "../engine/inspect.h"
#include "../engine/system.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "humanize.h"
#include "ps_filter.h"
#include "template.h"

static int print_template(const struct template *template, json_t *data, husk_error_t *err)
{
    cleanup_free char *text = NULL;
    if (template_execute(template, data, &text, err) < 0)
        return -1;
    printf("%s\n", text);
    return 0;
}

int cli_inspect_documents(const struct engine_context *context, char **names, int count,
                          cli_document_lookup lookup, const struct template *template)
{
    cleanup_json json_t *documents = json_array();
    int status = 0;
    for (int i = 0; i < count; i++) {
        husk_error_t err = NULL;
        json_t *document;
        if (lookup(context, names[i], &document, &err) < 0) {
            status = (cli_report(&err), 1);
            continue;
        }
        if (template != NULL && print_template(template, document, &err) < 0)
            status = (cli_report(&err), 1);
        json_array_append_new(documents, document);
    }
    if (template == NULL) {
        cleanup_free char *text = json_dumps(documents, JSON_INDENT(4));
        printf("%s\n", text ? text : "[]");
    }
    return status;
}

static const struct cli_option inspect_options[] = {
    {{"format", required_argument, NULL, 'f'},
     'f',
     "TEMPLATE",
     "a Go template applied to each record, e.g. '{{.State.Pid}}'"},
    {{"type", required_argument, NULL, 'T'},
     0,
     "TYPE",
     "accepted for docker's sake; only containers are inspected"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_inspect_help = {
    .usage = "inspect [OPTIONS] CONTAINER...",
    .summary = "Print containers' records as a JSON array, or a Go template of each.\n",
    .options = inspect_options,
};

int cli_inspect(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, inspect_options, "+:");
    husk_error_t err = NULL;
    const char *format = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'f')
            format = optarg;
        else if (option == 'H')
            return cli_help_print(&cli_inspect_help, stdout), 0;
        else if (option != 'T')
            return cli_usage_error(&err, "inspect", "unknown flag %s", argv[optind - 1]),
                   cli_report(&err), 1;
    }
    if (optind >= argc)
        return cli_usage_error(&err, "inspect",
                               "\"husk inspect\" requires at least one "
                               "container"),
               cli_report(&err), 1;
    struct template *template = NULL;
    if (format != NULL && template_parse(format, &template, &err) < 0)
        return cli_report(&err), 1;
    int status =
        cli_inspect_documents(context, argv + optind, argc - optind, engine_inspect, template);
    template_free(template);
    return status;
}

struct ps_options {
    bool all, quiet, no_trunc;
    const char *format;
    const char **filters; /* raw --filter values */
    size_t filter_count;
    long last; /* -n N (-l: 1): the N newest only, whatever their state; -1: all */
    bool size; /* -s */
};

char *cli_container_command(json_t *document, bool no_trunc)
{
    cleanup_free char *joined = xstrdup(json_string_value(json_object_get(document, "Path")) ?: "");
    size_t i;
    json_t *arg;
    json_array_foreach(json_object_get(document, "Args"), i, arg)
    {
        /* docker's daemon quotes an argument holding a space: "sh -c 'exit 3'". */
        const char *text = json_string_value(arg) ?: "";
        const char *quote = strchr(text, ' ') != NULL ? "'" : "";
        char *longer = xasprintf("%s %s%s%s", joined, quote, text, quote);
        free(joined);
        joined = longer;
    }
    /* docker cuts the command at 20 characters and marks the cut with "…". */
    if (!no_trunc && strlen(joined) > 20)
        return xasprintf("\"%.19s…\"", joined);
    return xasprintf("\"%s\"", joined);
}

/* docker's State.String: a running container with a health check says
 * how it is: "Up 5 seconds (healthy)", "(health: starting)". */
static void append_health(json_t *state, char *status, size_t size)
{
    const char *health =
        json_string_value(json_object_get(json_object_get(state, "Health"), "Status"));
    const char *running = json_string_value(json_object_get(state, "Status"));
    size_t used = strlen(status);
    if (health == NULL || running == NULL || strcmp(running, "running") != 0)
        return;
    snprintf(status + used, size - used,
             strcmp(health, "starting") == 0 ? " (health: %s)" : " (%s)", health);
}

void cli_container_status(json_t *document, double now, char *status, size_t size)
{
    json_t *state = json_object_get(document, "State");
    humanize_status(
        json_string_value(json_object_get(state, "Status")),
        (int)json_integer_value(json_object_get(state, "ExitCode")),
        humanize_parse_timestamp(json_string_value(json_object_get(state, "StartedAt"))),
        humanize_parse_timestamp(json_string_value(json_object_get(state, "FinishedAt"))), now,
        status, size);
    append_health(state, status, size);
}

/* One ps row with docker's field names, for tables and --format. */
static json_t *ps_row(json_t *document, const struct ps_options *o, double now)
{
    json_t *state = json_object_get(document, "State");
    const char *id = json_string_value(json_object_get(document, "Id"));
    const char *name = json_string_value(json_object_get(document, "Name"));
    double created =
        humanize_parse_timestamp(json_string_value(json_object_get(document, "Created")));
    char status[128], ago[96];
    cli_container_status(document, now, status, sizeof(status));
    humanize_ago(created, now, ago, sizeof(ago));
    cleanup_free char *command = cli_container_command(document, o->no_trunc);
    size_t id_length = o->no_trunc ? CONTAINER_ID_LENGTH : CONTAINER_SHORT_ID_LENGTH;
    char size[96] = "";
    if (json_object_get(document, "SizeRw") != NULL) {
        char own[32], total[32];
        humanize_size((double)json_integer_value(json_object_get(document, "SizeRw")), own,
                      sizeof(own));
        humanize_size((double)json_integer_value(json_object_get(document, "SizeRootFs")), total,
                      sizeof(total));
        snprintf(size, sizeof(size), "%s (virtual %s)", own, total);
    }
    return json_pack(
        "{s:s, s:s%, s:O, s:s, s:s, s:s, s:s, s:s, s:s}", "Size", size, "ID", id, id_length,
        "Image", json_object_get(json_object_get(document, "Config"), "Image"), "Command", command,
        "CreatedAt", json_string_value(json_object_get(document, "Created")), "RunningFor", ago,
        "Status", status, "State", json_string_value(json_object_get(state, "Status")), "Names",
        name && name[0] == '/' ? name + 1
        : name                 ? name
                               : "");
}

/* docker's --format text: the "table" prefix removed, spaces trimmed, and
 * the escapes \t and \n written as the characters. */
static char *format_text(const char *format, bool *table)
{
    *table = strncmp(format, "table", 5) == 0;
    if (*table)
        format += 5;
    format += strspn(format, " ");
    char *text = xstrdup(format);
    size_t out = 0;
    for (size_t in = 0; text[in] != '\0'; in++) {
        if (text[in] == '\\' && (text[in + 1] == 't' || text[in + 1] == 'n')) {
            text[out++] = text[++in] == 't' ? '\t' : '\n';
            continue;
        }
        text[out++] = text[in];
    }
    while (out > 0 && text[out - 1] == ' ')
        out--;
    text[out] = '\0';
    return text;
}

/* The header of a ps table: each field's own column title. */
static json_t *ps_header_row(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Size", "SIZE", "ID",
                     "CONTAINER ID", "Image", "IMAGE", "Command", "COMMAND", "CreatedAt",
                     "CREATED AT", "RunningFor", "CREATED", "Status", "STATUS", "State", "STATE",
                     "Names", "NAMES");
}

/* Splits rendered text into lines and tab-separated cells, as tabwriter. */
static void table_add_text(struct table *table, size_t columns, char *text)
{
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        const char *cells[columns];
        size_t count = 0;
        for (char *cell = line; cell != NULL && count < columns; count++) {
            cells[count] = cell;
            cell = strchr(cell, '\t');
            if (cell != NULL)
                *cell++ = '\0';
        }
        for (; count < columns; count++)
            cells[count] = "";
        table_add_row(table, cells);
    }
}

static size_t count_columns(const char *format)
{
    size_t columns = 1;
    for (const char *c = format; *c != '\0'; c++)
        columns += *c == '\t';
    return columns;
}

/* "table TEMPLATE": a header from the same template, then one row each. */
static int print_template_table(const struct template *template, const char *text, json_t *rows,
                                husk_error_t *err)
{
    size_t columns = count_columns(text);
    struct table *table = table_new(columns);
    cleanup_json json_t *header = ps_header_row();
    char *rendered = NULL;
    int rc = template_execute(template, header, &rendered, err);
    size_t i;
    json_t *row;
    if (rc == 0)
        table_add_text(table, columns, rendered);
    json_array_foreach(rows, i, row)
    {
        free(rendered);
        rendered = NULL;
        if (rc == 0 && (rc = template_execute(template, row, &rendered, err)) == 0)
            table_add_text(table, columns, rendered);
    }
    free(rendered);
    if (rc == 0)
        table_print(table, stdout);
    table_free(table);
    return rc;
}

static int print_default_table(json_t *rows, bool size)
{
    static const char *const columns[] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                          "STATUS",       "NAMES", "SIZE"};
    static const char *const keys[] = {"ID",     "Image", "Command", "RunningFor",
                                       "Status", "Names", "Size"};
    size_t count = size ? 7 : 6;
    struct table *table = table_new(count);
    table_add_row(table, columns);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *cells[7];
        for (size_t k = 0; k < count; k++)
            cells[k] = json_string_value(json_object_get(row, keys[k])) ?: "";
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_free(table);
    return 0;
}

static int print_rows(json_t *rows, const struct ps_options *o, husk_error_t *err)
{
    size_t i;
    json_t *row;
    if (o->quiet) {
        json_array_foreach(rows, i, row)
            printf("%s\n", json_string_value(json_object_get(row, "ID")));
        return 0;
    }
    if (o->format != NULL && strcmp(o->format, "json") == 0) {
        json_array_foreach(rows, i, row)
        {
            cleanup_free char *text = json_dumps(row, JSON_COMPACT);
            printf("%s\n", text);
        }
        return 0;
    }
    bool table = true;
    cleanup_free char *text = o->format != NULL ? format_text(o->format, &table) : NULL;
    if (text == NULL || text[0] == '\0')
        return print_default_table(rows, o->size);
    struct template *template = NULL;
    if (template_parse(text, &template, err) < 0)
        return -1;
    int rc = 0;
    if (table)
        rc = print_template_table(template, text, rows, err);
    else
        json_array_foreach(rows, i, row) if (rc == 0) rc = print_template(template, row, err);
    template_free(template);
    return rc;
}

static const struct cli_option ps_option_table[] = {
    {{"all", no_argument, NULL, 'a'}, 'a', NULL, "all containers, not only running ones"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "only the IDs"},
    {{"no-trunc", no_argument, NULL, 'N'}, 0, NULL, "full IDs and commands"},
    {{"filter", required_argument, NULL, 'f'},
     'f',
     "KEY=VALUE",
     "id, name (a regular expression), label=KEY[=VALUE], status,\n"
     "exited=CODE, ancestor=IMAGE, health, network, volume,\n"
     "before=C, since=C"},
    {{"last", required_argument, NULL, 'n'}, 'n', "N", "the N newest containers, in any state"},
    {{"latest", no_argument, NULL, 'l'}, 'l', NULL, "the newest container, in any state"},
    {{"size", no_argument, NULL, 's'},
     's',
     NULL,
     "a SIZE column: the upper layer's bytes (and with the image's)"},
    {{"format", required_argument, NULL, 'F'},
     0,
     "TEMPLATE|json",
     "a Go template per container ('table ...' for columns with\n"
     "titles), or one JSON object per line"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_ps_help = {
    .usage = "ps [OPTIONS]",
    .summary = "List running containers, newest first.\n",
    .options = ps_option_table,
};

int cli_ps(const struct engine_context *context, int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, ps_option_table, "+");
    struct ps_options o = {.last = -1};
    const char *filter_texts[argc > 0 ? argc : 1];
    o.filters = filter_texts;
    husk_error_t err = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'a':
            o.all = true;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'N':
            o.no_trunc = true;
            break;
        case 'F':
            o.format = optarg;
            break;
        case 'f':
            filter_texts[o.filter_count++] = optarg;
            break;
        case 'l':
            o.last = 1;
            break;
        case 's':
            o.size = true;
            break;
        case 'n': {
            char *end = NULL;
            o.last = strtol(optarg, &end, 10);
            if (*end != '\0' || optarg[0] == '\0')
                return cli_usage_error(&err, "ps", "invalid -n \"%s\": a number", optarg),
                       cli_report(&err), 1;
            break;
        }
        case 'H':
            cli_help_print(&cli_ps_help, stdout);
            return 0;
        default:
            return cli_usage_error(&err, "ps", "unknown flag %s", argv[optind - 1]),
                   cli_report(&err), 1;
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    cleanup_json json_t *filters = NULL;
    if (ps_filter_parse(o.filters, o.filter_count, &filters, &err) < 0)
        return cli_report(&err), 1;
    /* docker: -n and -l count every container; a status other than
     * running, or exited=, looks at stopped ones too. */
    bool all = o.all || o.last >= 0 || ps_filter_wants_all(filters);
    cleanup_json json_t *documents = engine_list(context, true);
    if (o.size)
        engine_add_sizes(context, documents);
    cleanup_json json_t *rows = json_array();
    size_t i, shown = 0;
    json_t *document;
    json_array_foreach(documents, i, document)
    {
        bool running = json_is_true(json_object_get(json_object_get(document, "State"), "Running"));
        if (o.last >= 0 && shown >= (size_t)o.last)
            break;
        if ((!all && !running) || !ps_filter_match(filters, document, documents))
            continue;
        shown++;
        json_array_append_new(rows, ps_row(document, &o, (double)now.tv_sec + now.tv_nsec / 1e9));
    }
    int rc = print_rows(rows, &o, &err);
    return rc < 0 ? (cli_report(&err), 1) : 0;
}
