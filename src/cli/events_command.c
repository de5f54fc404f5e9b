/* events (also system events): the journal, past and live, as docker prints it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../engine/events/event_filter.h"
#include "../engine/events/event_time.h"
#include "../engine/events/journal_reader.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "cli.h"
#include "event_format.h"
#include "template.h"

enum { OPTION_SINCE = 1000, OPTION_UNTIL, OPTION_FORMAT };

static const struct cli_option events_options[] = {
    {{"filter", required_argument, NULL, 'f'},
     'f',
     "KEY=VALUE",
     "type, container, event, image, label, volume, network or scope;\n"
     "repeat a key for any of its values (label=: all of them)"},
    {{"format", required_argument, NULL, OPTION_FORMAT}, 0, "TEMPLATE", "a Go template, or json"},
    {{"since", required_argument, NULL, OPTION_SINCE},
     0,
     "TIME",
     "events from TIME on: a date (2026-12-03T17:00:00), Unix\n"
     "seconds or a duration before now (10m, 1h30m)"},
    {{"until", required_argument, NULL, OPTION_UNTIL}, 0, "TIME", "events up to TIME, then exit"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

const struct cli_help cli_events_help = {
    .usage = "events [OPTIONS]",
    .summary = "Print what happened to containers, images, volumes and networks: from --since\n"
               "(else from now) on, live until --until or until interrupted.\n",
    .options = events_options,
};

struct events_flags {
    const char **filters;
    size_t filter_count;
    const char *format, *since, *until;
};

static int parse(int argc, char **argv, struct events_flags *f, husk_error_t *err)
{
    struct cli_getopt table;
    cli_getopt_init(&table, events_options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        switch (option) {
        case 'H':
            return cli_help_print(&cli_events_help, stdout), 1;
        case 'f':
            f->filters = xreallocarray(f->filters, f->filter_count + 1, sizeof(char *));
            f->filters[f->filter_count++] = optarg;
            break;
        case OPTION_FORMAT:
            f->format = optarg;
            break;
        case OPTION_SINCE:
            f->since = optarg;
            break;
        case OPTION_UNTIL:
            f->until = optarg;
            break;
        case ':':
            return cli_usage_error(err, "events", "flag %s needs an argument", argv[optind - 1]);
        default:
            return cli_usage_error(err, "events", "unknown flag %s",
                                   optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                              : argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(err, "events", "\"husk events\" accepts no arguments");
    return 0;
}

/* The flags as the engine's query; bad values are usage errors. */
static int make_query(const struct events_flags *f, struct event_query *q, husk_error_t *err)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (f->since != NULL && event_time_parse(f->since, &now, &q->since, err) < 0)
        return husk_error_wrap(err, "invalid --since");
    if (f->until != NULL && event_time_parse(f->until, &now, &q->until, err) < 0)
        return husk_error_wrap(err, "invalid --until");
    q->has_since = f->since != NULL;
    q->has_until = f->until != NULL;
    if (q->has_since && q->has_until && q->since > q->until)
        return husk_error_set(err, 0, "--since (%s) is after --until (%s)", f->since, f->until);
    return event_filter_parse(f->filters, f->filter_count, &q->filters, err);
}

struct printer {
    const char *format;
    struct template *template;
};

static int print_event(json_t *event, void *data)
{
    struct printer *p = data;
    cleanup_free char *text = NULL;
    if (p->template != NULL) {
        cleanup_json json_t *view = event_format_view(event);
        husk_error_t err = NULL;
        if (template_execute(p->template, view, &text, &err) < 0) {
            /* As docker: the event that does not fit the template is said, not fatal. */
            cli_report(&err);
            return 0;
        }
    } else {
        text = p->format ? json_dumps(event, JSON_COMPACT) : event_format_text(event);
    }
    if (printf("%s\n", text ? text : "") < 0 || fflush(stdout) == EOF)
        return -1;
    return 0;
}

static int prepare_printer(const char *format, struct printer *p, husk_error_t *err)
{
    p->format = format;
    if (format == NULL || strcmp(format, "json") == 0)
        return 0;
    return template_parse(format, &p->template, err);
}

int cli_events(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct events_flags f = {0};
    struct event_query query = {0};
    struct printer printer = {0};
    /* parse: 1 when --help was printed. */
    if (parse(argc, argv, &f, &err) == 0 && make_query(&f, &query, &err) == 0 &&
        prepare_printer(f.format, &printer, &err) == 0)
        engine_events_read(context, &query, print_event, &printer, &err);
    free(f.filters);
    json_decref(query.filters);
    if (printer.template != NULL)
        template_free(printer.template);
    return err != NULL ? cli_report(&err) : 0;
}
