/* Command-line front end: parses arguments, calls the engine, prints. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include <jansson.h>

#include "../engine/options.h"
#include "../util/error.h"

#define HUSK_VERSION "0.1.0"

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(const struct engine_context *context, int argc, char **argv);
};

int cli_main(int argc, char **argv);
/* Prints "husk: <error>" on one line and returns the error's exit status. */
int cli_report(husk_error_t *err);
/* For parsers: sets a usage error naming the flag, with docker's exit status 125. */
int cli_usage_error(husk_error_t *err, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int cli_run(const struct engine_context *context, int argc, char **argv);
int cli_create(const struct engine_context *context, int argc, char **argv);
int cli_start(const struct engine_context *context, int argc, char **argv);
int cli_stop(const struct engine_context *context, int argc, char **argv);
int cli_restart(const struct engine_context *context, int argc, char **argv);
int cli_kill(const struct engine_context *context, int argc, char **argv);
int cli_rm(const struct engine_context *context, int argc, char **argv);
int cli_wait(const struct engine_context *context, int argc, char **argv);
int cli_container(const struct engine_context *context, int argc, char **argv);
int cli_exec(const struct engine_context *context, int argc, char **argv);
int cli_attach(const struct engine_context *context, int argc, char **argv);
int cli_inspect(const struct engine_context *context, int argc, char **argv);
int cli_ps(const struct engine_context *context, int argc, char **argv);
int cli_logs(const struct engine_context *context, int argc, char **argv);
int cli_top(const struct engine_context *context, int argc, char **argv);
int cli_ns(const struct engine_context *context, int argc, char **argv);
int cli_audit(const struct engine_context *context, int argc, char **argv);
/* The host and containers as rows, namespace types as columns; each cell
 * names the first row holding that namespace (ns_command.c). */
void cli_print_namespace_matrix(json_t *parties);
int cli_network(const struct engine_context *context, int argc, char **argv);
int cli_port(const struct engine_context *context, int argc, char **argv);
int cli_stats(const struct engine_context *context, int argc, char **argv);
int cli_update(const struct engine_context *context, int argc, char **argv);
int cli_pause(const struct engine_context *context, int argc, char **argv);
int cli_unpause(const struct engine_context *context, int argc, char **argv);
/* The resource flags `run`, `create` and `update` share: option codes, the
 * entries of a getopt_long table, and what each one sets. */
enum {
    CLI_OPTION_MEMORY_SWAP = 1000,
    CLI_OPTION_MEMORY_RESERVATION,
    CLI_OPTION_OOM_KILL_DISABLE,
    CLI_OPTION_CPUS,
    CLI_OPTION_CPU_PERIOD,
    CLI_OPTION_CPU_QUOTA,
    CLI_OPTION_CPUSET_CPUS,
    CLI_OPTION_CPUSET_MEMS,
    CLI_OPTION_PIDS_LIMIT,
    CLI_OPTION_BLKIO_WEIGHT,
};
#define CLI_RESOURCE_OPTIONS                                                                       \
    {"memory", required_argument, NULL, 'm'},                                                      \
        {"memory-swap", required_argument, NULL, CLI_OPTION_MEMORY_SWAP},                          \
        {"memory-reservation", required_argument, NULL, CLI_OPTION_MEMORY_RESERVATION},            \
        {"oom-kill-disable", no_argument, NULL, CLI_OPTION_OOM_KILL_DISABLE},                      \
        {"cpus", required_argument, NULL, CLI_OPTION_CPUS},                                        \
        {"cpu-shares", required_argument, NULL, 'c'},                                              \
        {"cpu-period", required_argument, NULL, CLI_OPTION_CPU_PERIOD},                            \
        {"cpu-quota", required_argument, NULL, CLI_OPTION_CPU_QUOTA},                              \
        {"cpuset-cpus", required_argument, NULL, CLI_OPTION_CPUSET_CPUS},                          \
        {"cpuset-mems", required_argument, NULL, CLI_OPTION_CPUSET_MEMS},                          \
        {"pids-limit", required_argument, NULL, CLI_OPTION_PIDS_LIMIT},                            \
    {                                                                                              \
        "blkio-weight", required_argument, NULL, CLI_OPTION_BLKIO_WEIGHT                           \
    }
/* Sets the field OPTION stands for; false when it is no resource flag. */
bool cli_resource_flag(int option, const char *argument, struct resource_flags *flags);

/* Parses `run` arguments into OPTIONS (argv is borrowed). Returns 1 when
 * --help was printed, 0 to go on, -1 on a usage error. */
int cli_run_parse(int argc, char **argv, struct run_options *options, husk_error_t *err);
/* Frees the lists cli_run_parse allocated (not the strings: argv's). */
void cli_run_options_free(struct run_options *options);

#endif
