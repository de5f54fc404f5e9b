/* One table per command holds each option's getopt_long entry and its help
 * line; the getopt tables and the --help text are both built from it, so a
 * flag cannot be parsed without being documented, or documented without
 * being parsed. */
#ifndef HUSK_CLI_OPTION_TABLE_H
#define HUSK_CLI_OPTION_TABLE_H

#include <getopt.h>
#include <stdio.h>

struct cli_option {
    /* What getopt_long matches and returns; for an option with a short
     * form, getopt.val is that letter, so both forms return the same. */
    struct option getopt;
    char short_name;      /* the one-letter form, or 0 */
    const char *argument; /* the value's name in the help ("KEY=VALUE"), or NULL */
    /* One line (a '\n' continues it, indented); NULL makes the entry an
     * alias printed on the line of the entry before it. */
    const char *help;
};
#define CLI_OPTIONS_END                                                                            \
    {                                                                                              \
        {NULL, 0, NULL, 0}, 0, NULL, NULL                                                          \
    }
#define CLI_HELP_OPTION(val)                                                                       \
    {                                                                                              \
        {"help", no_argument, NULL, (val)}, 0, NULL, "print this help"                             \
    }

/* A command's --help: "Usage: husk USAGE", SUMMARY, the options, EPILOGUE. */
struct cli_help {
    const char *usage;                /* after "husk ": "run [OPTIONS] IMAGE [COMMAND [ARG...]]" */
    const char *summary;              /* paragraphs, each line ending in '\n' */
    const struct cli_option *options; /* ended by CLI_OPTIONS_END */
    const char *epilogue;             /* after the options, or NULL */
};

#define CLI_OPTIONS_MAX 128

/* getopt_long's two tables for one parse. */
struct cli_getopt {
    struct option long_options[CLI_OPTIONS_MAX + 1];
    /* PREFIX, then each short letter with ':' for a required argument. */
    char short_options[8 + 3 * CLI_OPTIONS_MAX];
};

/* Fills G from OPTIONS for getopt_long(argc, argv, G.short_options,
 * G.long_options, NULL); PREFIX ("+", ":", "+:" ...) starts the short string. */
void cli_getopt_init(struct cli_getopt *g, const struct cli_option *options, const char *prefix);
/* Prints HELP: usage line, summary, one aligned line per option, epilogue. */
void cli_help_print(const struct cli_help *help, FILE *out);

#endif
