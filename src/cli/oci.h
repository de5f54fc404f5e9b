/* The OCI face's command line: runc's, as `husk oci ...` and `husk-oci`. */
#ifndef HUSK_CLI_OCI_H
#define HUSK_CLI_OCI_H

#include <stdbool.h>

#include "../util/error.h"

struct oci_cli {
    const char *root;
    const char *log; /* --log FILE, or NULL */
    bool json_log;   /* --log-format json */
    bool debug;
    bool systemd_cgroup;
};

/* ARGV[0] is the program or "oci"; global flags, then the command. */
int cli_oci_main(int argc, char **argv);
/* Reports ERR as runc does: one line on stderr and, with --log, a line in
 * the log (JSON with --log-format json). Returns 1. */
int cli_oci_report(const struct oci_cli *cli, husk_error_t *err);

struct cli_help;
/* Parses one command's flags (HELP's option table) with getopt_long_only,
 * handing each to FLAG; returns the index of the first argument, -1 after
 * reporting a usage error, or -2 when --help was printed. */
int cli_oci_parse_flags(const struct oci_cli *cli, const char *command, const struct cli_help *help,
                        int argc, char **argv,
                        int (*flag)(void *data, int option, const char *value), void *data);

/* oci_exec_command.c */
int cli_oci_exec(const struct oci_cli *cli, int argc, char **argv);
int cli_oci_update(const struct oci_cli *cli, int argc, char **argv);
/* A usage error for COMMAND: "husk-oci COMMAND: TEXT". */
int cli_oci_usage(const struct oci_cli *cli, const char *command, const char *text);

#endif
