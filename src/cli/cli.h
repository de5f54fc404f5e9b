/* Command-line front end: parses arguments, calls the engine, prints. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include <jansson.h>

#include "../engine/options.h"
#include "../util/error.h"
#include "option_table.h"

#include "../util/version.h"

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(const struct engine_context *context, int argc, char **argv);
    const struct cli_help *help;
};

/* Every command, in the order `husk --help` lists them (for tests too). */
const struct cli_command *cli_commands(size_t *count);
/* `husk --help`: the global options; the command list is printed after them. */
extern const struct cli_help cli_global_help;

int cli_main(int argc, char **argv);
/* Prints "husk: <error>" on one line and returns the error's exit status. */
int cli_report(husk_error_t *err);
/* Runs PRODUCE(fd) into OUTPUT (a file, 0644) or stdout, which must not be a
 * terminal; a file it failed to fill is removed. WHAT names the command. */
int cli_write_output(const char *output, const char *what,
                     int (*produce)(int fd, void *data, husk_error_t *err), void *data,
                     husk_error_t *err);
/* For parsers: sets a usage error naming the flag, with docker's exit status 125. */
int cli_usage_error(husk_error_t *err, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Each command's --help, from its option table (cli_commands() lists them). */
extern const struct cli_help cli_run_help, cli_create_help, cli_start_help, cli_stop_help,
    cli_restart_help, cli_kill_help, cli_wait_help, cli_rm_help, cli_ps_help, cli_inspect_help,
    cli_exec_help, cli_attach_help, cli_logs_help, cli_top_help, cli_ns_help, cli_audit_help,
    cli_network_help, cli_port_help, cli_stats_help, cli_update_help, cli_pause_help,
    cli_unpause_help, cli_container_help, cli_images_help, cli_image_help, cli_rmi_help,
    cli_tag_help, cli_import_help, cli_load_help, cli_pull_help, cli_save_help, cli_push_help,
    cli_login_help, cli_logout_help, cli_export_help, cli_commit_help, cli_history_help,
    cli_oci_help, cli_volume_help, cli_version_help, cli_system_help, cli_info_help,
    cli_events_help;
/* File commands (file_commands.c, rename_command.c). */
extern const struct cli_help cli_cp_help, cli_diff_help, cli_rename_help;
/* healthcheck_command.c */
extern const struct cli_help cli_healthcheck_help;
int cli_healthcheck(const struct engine_context *context, int argc, char **argv);

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
/* ps's COMMAND cell: the quoted command line, cut at 20 characters unless
 * NO_TRUNC (inspect_command.c). */
char *cli_container_command(json_t *document, bool no_trunc);
/* ps's STATUS cell: "Up 5 seconds (healthy)", "Exited (3) 2 minutes ago". */
void cli_container_status(json_t *document, double now, char *status, size_t size);
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
int cli_images(const struct engine_context *context, int argc, char **argv);
int cli_image(const struct engine_context *context, int argc, char **argv);
int cli_rmi(const struct engine_context *context, int argc, char **argv);
int cli_tag(const struct engine_context *context, int argc, char **argv);
int cli_import(const struct engine_context *context, int argc, char **argv);
int cli_load(const struct engine_context *context, int argc, char **argv);
int cli_pull(const struct engine_context *context, int argc, char **argv);
int cli_save(const struct engine_context *context, int argc, char **argv);
int cli_push(const struct engine_context *context, int argc, char **argv);
int cli_login(const struct engine_context *context, int argc, char **argv);
int cli_logout(const struct engine_context *context, int argc, char **argv);
int cli_export(const struct engine_context *context, int argc, char **argv);
int cli_commit(const struct engine_context *context, int argc, char **argv);
int cli_history(const struct engine_context *context, int argc, char **argv);
int cli_oci(const struct engine_context *context, int argc, char **argv);
int cli_volume(const struct engine_context *context, int argc, char **argv);
int cli_version(const struct engine_context *context, int argc, char **argv);
int cli_system(const struct engine_context *context, int argc, char **argv);
int cli_info(const struct engine_context *context, int argc, char **argv);
int cli_events(const struct engine_context *context, int argc, char **argv);
/* rmi's and prune's lines: "Untagged: NAME", "Deleted: sha256:...". */
void cli_print_image_removal(json_t *report);

struct template;
typedef int (*cli_document_lookup)(const struct engine_context *context, const char *name,
                                   json_t **document, husk_error_t *err);
/* `inspect`'s output for NAMES: one JSON array of what LOOKUP finds, or
 * TEMPLATE (when not NULL) applied to each; an error for a name is reported
 * and the others still shown. Returns the exit status (1 if any failed). */
int cli_inspect_documents(const struct engine_context *context, char **names, int count,
                          cli_document_lookup lookup, const struct template *template);
int cli_cp(const struct engine_context *context, int argc, char **argv);
int cli_diff(const struct engine_context *context, int argc, char **argv);
int cli_rename(const struct engine_context *context, int argc, char **argv);
/* The resource flags `run`, `create` and `update` share: option codes, the
 * entries of an option table, and what each one sets. */
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
/* Two lines an option (clang-format would reflow the macro into one blob): */
/* clang-format off */
#define CLI_RESOURCE_OPTIONS \
    {{"memory", required_argument, NULL, 'm'}, 'm', "SIZE", \
     "memory limit (b, k, m, g), at least 6m"}, \
    {{"memory-swap", required_argument, NULL, CLI_OPTION_MEMORY_SWAP}, 0, "SIZE", \
     "memory + swap limit (-1: unlimited swap)"}, \
    {{"memory-reservation", required_argument, NULL, CLI_OPTION_MEMORY_RESERVATION}, 0, "SIZE", \
     "soft limit, kept under memory pressure"}, \
    {{"oom-kill-disable", no_argument, NULL, CLI_OPTION_OOM_KILL_DISABLE}, 0, NULL, \
     "do not OOM-kill (cgroup v1 only)"}, \
    {{"cpus", required_argument, NULL, CLI_OPTION_CPUS}, 0, "N", \
     "CPU time, e.g. 0.5 (period 100 ms)"}, \
    {{"cpu-shares", required_argument, NULL, 'c'}, 'c', "N", \
     "relative CPU weight (default 1024)"}, \
    {{"cpu-period", required_argument, NULL, CLI_OPTION_CPU_PERIOD}, 0, "US", \
     "CFS period in microseconds"}, \
    {{"cpu-quota", required_argument, NULL, CLI_OPTION_CPU_QUOTA}, 0, "US", \
     "CFS quota in microseconds per period"}, \
    {{"cpuset-cpus", required_argument, NULL, CLI_OPTION_CPUSET_CPUS}, 0, "LIST", \
     "CPUs to run on, e.g. 0-1"}, \
    {{"cpuset-mems", required_argument, NULL, CLI_OPTION_CPUSET_MEMS}, 0, "LIST", \
     "memory nodes to allocate on, e.g. 0"}, \
    {{"pids-limit", required_argument, NULL, CLI_OPTION_PIDS_LIMIT}, 0, "N", \
     "at most N tasks (-1: unlimited)"}, \
    {{"blkio-weight", required_argument, NULL, CLI_OPTION_BLKIO_WEIGHT}, 0, "N", \
     "relative block I/O weight, 10 to 1000"}
/* clang-format on */
/* Sets the field OPTION stands for; false when it is no resource flag. */
bool cli_resource_flag(int option, const char *argument, struct resource_flags *flags);

/* Parses `run` arguments into OPTIONS (argv is borrowed). Returns 1 when
 * --help was printed, 0 to go on, -1 on a usage error. */
int cli_run_parse(int argc, char **argv, struct run_options *options, husk_error_t *err);
/* Frees the lists cli_run_parse allocated (not the strings: argv's). */
void cli_run_options_free(struct run_options *options);

#endif
