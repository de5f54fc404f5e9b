/* Command-line front end: parses arguments, calls the engine, prints. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

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
int cli_network(const struct engine_context *context, int argc, char **argv);
int cli_port(const struct engine_context *context, int argc, char **argv);
int cli_stats(const struct engine_context *context, int argc, char **argv);
int cli_update(const struct engine_context *context, int argc, char **argv);
int cli_pause(const struct engine_context *context, int argc, char **argv);
int cli_unpause(const struct engine_context *context, int argc, char **argv);
/* Parses `run` arguments into OPTIONS (argv is borrowed). Returns 1 when
 * --help was printed, 0 to go on, -1 on a usage error. */
int cli_run_parse(int argc, char **argv, struct run_options *options, husk_error_t *err);
/* Frees the lists cli_run_parse allocated (not the strings: argv's). */
void cli_run_options_free(struct run_options *options);

#endif
