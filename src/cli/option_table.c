#include "option_table.h"

#include <stdlib.h>
#include <string.h>

/* A left column ("  -e, --env KEY=VALUE") longer than this does not widen
 * the column for every other option: its help follows after two spaces. */
#define LEFT_COLUMN_MAX 30

void cli_getopt_init(struct cli_getopt *g, const struct cli_option *options, const char *prefix)
{
    size_t n = 0, used = 0;
    for (; prefix[used] != '\0'; used++)
        g->short_options[used] = prefix[used];
    for (; options[n].getopt.name != NULL; n++) {
        /* A table that outgrows the arrays is a programming error: fail loudly. */
        if (n == CLI_OPTIONS_MAX)
            abort();
        g->long_options[n] = options[n].getopt;
        if (options[n].short_name == 0)
            continue;
        g->short_options[used++] = options[n].short_name;
        /* "x:" takes an argument, "x::" may. */
        if (options[n].getopt.has_arg != no_argument)
            g->short_options[used++] = ':';
        if (options[n].getopt.has_arg == optional_argument)
            g->short_options[used++] = ':';
    }
    g->long_options[n] = (struct option){NULL, 0, NULL, 0};
    g->short_options[used] = '\0';
}

/* "  -d, --detach" or "      --network, --net MODE": entry I and the aliases after it. */
static size_t left_column(const struct cli_option *options, size_t i, char *out, size_t size)
{
    const struct cli_option *o = &options[i];
    int n = o->short_name ? snprintf(out, size, "  -%c, --%s", o->short_name, o->getopt.name)
                          : snprintf(out, size, "      --%s", o->getopt.name);
    for (size_t j = i + 1; options[j].getopt.name != NULL && options[j].help == NULL; j++)
        n += snprintf(out + n, size - (size_t)n, ", --%s", options[j].getopt.name);
    if (o->argument != NULL)
        n += snprintf(out + n, size - (size_t)n, " %s", o->argument);
    return strlen(out);
}

static void print_options(const struct cli_option *options, FILE *out)
{
    char left[160];
    size_t column = 0;
    for (size_t i = 0; options[i].getopt.name != NULL; i++) {
        size_t length = options[i].help ? left_column(options, i, left, sizeof(left)) : 0;
        if (length <= LEFT_COLUMN_MAX && length > column)
            column = length;
    }
    column += 2;
    for (size_t i = 0; options[i].getopt.name != NULL; i++) {
        if (options[i].help == NULL)
            continue;
        size_t length = left_column(options, i, left, sizeof(left));
        fprintf(out, "%s%*s", left, length + 2 > column ? 2 : (int)(column - length), "");
        for (const char *c = options[i].help; *c != '\0'; c++) {
            fputc(*c, out);
            if (*c == '\n')
                fprintf(out, "%*s", (int)column, "");
        }
        fputc('\n', out);
    }
}

void cli_help_print(const struct cli_help *help, FILE *out)
{
    fprintf(out, "Usage: husk %s\n\n%s", help->usage, help->summary);
    if (help->options != NULL && help->options[0].getopt.name != NULL) {
        fputs("\nOptions:\n", out);
        print_options(help->options, out);
    }
    if (help->epilogue != NULL)
        fprintf(out, "\n%s", help->epilogue);
}
