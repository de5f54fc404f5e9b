/* `husk oci` / `husk-oci`: runc's command line. Global flags come before
 * the command; flags take "--flag value", "--flag=value" and Go's
 * single-dash "-flag value" (getopt_long_only), as runc's do. */
#include "oci.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/lifecycle.h"
#include "../runtime/oci/oci.h"
#include "../runtime/oci/state.h"
#include "../util/cleanup.h"
#include "../util/timestamp.h"
#include "../util/xalloc.h"
#include "humanize.h"
#include "option_table.h"

static void log_line(const struct oci_cli *cli, const char *level, const char *text)
{
    if (cli->log == NULL)
        return;
    cleanup_fclose FILE *log = fopen(cli->log, "ae");
    if (log == NULL)
        return;
    char when[64];
    timestamp_now(when, sizeof(when));
    if (cli->json_log) {
        cleanup_json json_t *line =
            json_pack("{s:s, s:s, s:s}", "level", level, "msg", text, "time", when);
        cleanup_free char *dump = json_dumps(line, JSON_COMPACT);
        fprintf(log, "%s\n", dump);
    } else {
        fprintf(log, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, text);
    }
}

int cli_oci_report(const struct oci_cli *cli, husk_error_t *err)
{
    cleanup_free char *text = *err ? husk_error_text(*err) : xstrdup("unknown error");
    fprintf(stderr, "husk-oci: %s\n", text);
    log_line(cli, "error", text);
    husk_error_free(err);
    return 1;
}

int cli_oci_usage(const struct oci_cli *cli, const char *command, const char *text)
{
    husk_error_t err = NULL;
    husk_error_set(&err, 0, "%s: %s (see 'husk-oci %s --help')", command, text, command);
    return cli_oci_report(cli, &err);
}

int cli_oci_parse_flags(const struct oci_cli *cli, const char *command, const struct cli_help *help,
                        int argc, char **argv,
                        int (*flag)(void *data, int option, const char *value), void *data)
{
    struct cli_getopt table;
    cli_getopt_init(&table, help->options, "+:");
    optind = 0;
    opterr = 0;
    int option;
    while ((option = getopt_long_only(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'h') {
            cli_help_print(help, stdout);
            return -2;
        }
        if (option == '?' || option == ':' || flag(data, option, optarg) < 0) {
            cleanup_free char *text =
                xasprintf("%s flag %s", option == ':' ? "a value for the" : "unknown or bad",
                          argv[optind - 1]);
            cli_oci_usage(cli, command, text);
            return -1;
        }
    }
    return optind;
}

/* --- create and run -------------------------------------------------------- */

enum { O_PID_FILE = 1000, O_CONSOLE, O_NO_PIVOT, O_NO_KEYRING, O_PRESERVE, O_KEEP, O_SUBREAPER };

static const struct cli_option create_options[] = {
    {{"bundle", required_argument, NULL, 'b'}, 'b', "DIR", "the bundle (default: .)"},
    {{"pid-file", required_argument, NULL, O_PID_FILE}, 0, "FILE", "write the PID there"},
    {{"console-socket", required_argument, NULL, O_CONSOLE},
     0,
     "SOCKET",
     "send the terminal's master there"},
    {{"no-pivot", no_argument, NULL, O_NO_PIVOT}, 0, NULL, "accepted; husk always pivots"},
    {{"no-new-keyring", no_argument, NULL, O_NO_KEYRING}, 0, NULL, "accepted (no keyring made)"},
    {{"preserve-fds", required_argument, NULL, O_PRESERVE},
     0,
     "N",
     "pass fds 3..3+N-1 to the container"},
    {{"detach", no_argument, NULL, 'd'}, 'd', NULL, "run: do not wait for the container"},
    {{"keep", no_argument, NULL, O_KEEP}, 0, NULL, "run: keep the container once it exits"},
    {{"no-subreaper", no_argument, NULL, O_SUBREAPER}, 0, NULL, "accepted"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help create_help = {
    .usage = "oci create|run [OPTIONS] ID",
    .summary = "Create a container from a bundle (run: and start it).\n",
    .options = create_options,
};

static int create_flag(void *data, int option, const char *value)
{
    struct oci_create_options *o = data;
    char *end;
    switch (option) {
    case 'b':
        o->bundle = value;
        return 0;
    case O_PID_FILE:
        o->pid_file = value;
        return 0;
    case O_CONSOLE:
        o->console_socket = value;
        return 0;
    case O_PRESERVE:
        o->preserve_fds = (int)strtol(value, &end, 10);
        return *end || o->preserve_fds < 0 || o->preserve_fds > 4096 ? -1 : 0;
    case 'd':
        o->detach = true;
        return 0;
    case O_KEEP:
        o->keep = true;
        return 0;
    default:
        return 0; /* accepted for runc's sake */
    }
}

static int one_id(const struct oci_cli *cli, const char *command, int argc, int first)
{
    if (first != argc - 1)
        return cli_oci_usage(
            cli, command, first >= argc ? "a container ID is needed" : "exactly one container ID");
    return 0;
}

static int oci_create_command(const struct oci_cli *cli, int argc, char **argv)
{
    bool run = strcmp(argv[0], "run") == 0;
    struct oci_create_options o = {
        .root = cli->root, .systemd_cgroup = cli->systemd_cgroup, .run = run};
    int first = cli_oci_parse_flags(cli, argv[0], &create_help, argc, argv, create_flag, &o);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (one_id(cli, argv[0], argc, first) != 0)
        return 1;
    o.id = argv[first];
    husk_error_t err = NULL;
    int status = 0;
    if (oci_create(&o, &status, &err) < 0)
        return cli_oci_report(cli, &err);
    return status;
}

/* --- commands on one container -------------------------------------------- */

static const struct cli_option plain_options[] = {
    {{"force", no_argument, NULL, 'f'}, 'f', NULL, "delete: kill it first if it runs"},
    {{"all", no_argument, NULL, 'a'}, 'a', NULL, "kill: every process in its cgroup"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help plain_help = {
    .usage = "oci start|state|delete [-f]|kill [-a]|pause|resume ID [SIGNAL]",
    .summary = "Act on one container.\n",
    .options = plain_options,
};

struct plain_flags {
    bool force, all;
};

static int plain_flag(void *data, int option, const char *value)
{
    (void)value;
    struct plain_flags *f = data;
    if (option == 'f')
        f->force = true;
    else if (option == 'a')
        f->all = true;
    return 0;
}

static int print_json(json_t *value)
{
    cleanup_free char *text = json_dumps(value, JSON_INDENT(2));
    printf("%s\n", text);
    json_decref(value);
    return 0;
}

static int oci_one_command(const struct oci_cli *cli, int argc, char **argv)
{
    const char *command = argv[0];
    struct plain_flags f = {0};
    int first = cli_oci_parse_flags(cli, command, &plain_help, argc, argv, plain_flag, &f);
    if (first < 0)
        return first == -2 ? 0 : 1;
    bool kill_command = strcmp(command, "kill") == 0;
    if (first >= argc || argc - first > (kill_command ? 2 : 1))
        return cli_oci_usage(cli, command, "exactly one container ID");
    const char *id = argv[first];
    husk_error_t err = NULL;
    int rc;
    json_t *state = NULL;
    if (strcmp(command, "start") == 0) {
        rc = oci_start(cli->root, id, &err);
    } else if (strcmp(command, "state") == 0) {
        rc = oci_state(cli->root, id, &state, &err);
        if (rc == 0)
            print_json(state);
    } else if (strcmp(command, "delete") == 0) {
        rc = oci_delete(cli->root, id, f.force, &err);
    } else if (kill_command) {
        int signal = argc - first == 2 ? signal_parse(argv[first + 1]) : SIGTERM;
        if (signal <= 0)
            return cli_oci_usage(cli, command, "unknown signal");
        rc = oci_kill(cli->root, id, signal, f.all, &err);
    } else {
        rc = oci_pause(cli->root, id, strcmp(command, "pause") == 0, &err);
    }
    return rc < 0 ? cli_oci_report(cli, &err) : 0;
}

/* --- list, ps, events -------------------------------------------------------- */

static const struct cli_option list_options[] = {
    {{"format", required_argument, NULL, 'f'}, 'f', "table|json", "output format"},
    {{"quiet", no_argument, NULL, 'q'}, 'q', NULL, "IDs only"},
    {{"stats", no_argument, NULL, 's'}, 0, NULL, "events: print the stats once"},
    {{"interval", required_argument, NULL, 'i'}, 0, "DURATION", "events: between stats (5s)"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help list_help = {
    .usage = "oci list [-f json] [-q] | ps [-f json] ID | events [--stats] [--interval D] ID",
    .summary = "List containers, a container's processes, or its stats.\n",
    .options = list_options,
};

struct list_flags {
    bool json, quiet, stats;
    double interval;
};

static int list_flag(void *data, int option, const char *value)
{
    struct list_flags *f = data;
    char *end;
    switch (option) {
    case 'f':
        f->json = strcmp(value, "json") == 0;
        return f->json || strcmp(value, "table") == 0 ? 0 : -1;
    case 'q':
        f->quiet = true;
        return 0;
    case 's':
        f->stats = true;
        return 0;
    case 'i':
        f->interval = strtod(value, &end);
        if (strcmp(end, "ms") == 0)
            f->interval /= 1000;
        else if (strcmp(end, "m") == 0)
            f->interval *= 60;
        else if (*end != '\0' && strcmp(end, "s") != 0)
            return -1;
        return f->interval > 0 ? 0 : -1;
    }
    return 0;
}

static void print_list(json_t *list, const struct list_flags *f)
{
    size_t i;
    json_t *state;
    if (f->json) {
        print_json(json_incref(list));
        return;
    }
    struct table *table = table_new(6);
    if (!f->quiet)
        table_add_row(table,
                      (const char *const[]){"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
    json_array_foreach(list, i, state)
    {
        char pid[16];
        snprintf(pid, sizeof(pid), "%lld",
                 (long long)json_integer_value(json_object_get(state, "pid")));
        const char *cells[6] = {json_string_value(json_object_get(state, "id")),
                                pid,
                                json_string_value(json_object_get(state, "status")),
                                json_string_value(json_object_get(state, "bundle")),
                                json_string_value(json_object_get(state, "created")),
                                "root"};
        if (f->quiet)
            printf("%s\n", cells[0]);
        else
            table_add_row(table, cells);
    }
    if (!f->quiet)
        table_print(table, stdout);
    table_free(table);
}

/* ps's table: `ps -ef` lines of the container's PIDs, as runc prints them. */
static int print_processes(json_t *pids)
{
    FILE *ps = popen("ps -ef", "re");
    if (ps == NULL)
        return -1;
    char line[4096];
    bool header = true;
    while (fgets(line, sizeof(line), ps) != NULL) {
        char user[64];
        long pid = -1;
        bool listed = false;
        if (!header && sscanf(line, "%63s %ld", user, &pid) == 2)
            for (size_t i = 0; i < json_array_size(pids); i++)
                listed = listed || json_integer_value(json_array_get(pids, i)) == pid;
        if (header || listed)
            fputs(line, stdout);
        header = false;
    }
    pclose(ps);
    return 0;
}

static int oci_list_command(const struct oci_cli *cli, int argc, char **argv)
{
    const char *command = argv[0];
    struct list_flags f = {.interval = 5};
    int first = cli_oci_parse_flags(cli, command, &list_help, argc, argv, list_flag, &f);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (strcmp(command, "list") == 0) {
        cleanup_json json_t *list = oci_list(cli->root);
        print_list(list, &f);
        return 0;
    }
    if (first >= argc)
        return cli_oci_usage(cli, command, "a container ID is needed");
    husk_error_t err = NULL;
    json_t *result = NULL;
    if (strcmp(command, "ps") == 0) {
        if (oci_pids(cli->root, argv[first], &result, &err) < 0)
            return cli_oci_report(cli, &err);
        int rc = f.json ? print_json(json_incref(result)) : print_processes(result);
        json_decref(result);
        return rc < 0 ? 1 : 0;
    }
    for (;;) {
        if (oci_stats(cli->root, argv[first], &result, &err) < 0)
            return cli_oci_report(cli, &err);
        cleanup_json json_t *event =
            json_pack("{s:s, s:s, s:o}", "type", "stats", "id", argv[first], "data", result);
        cleanup_free char *text = json_dumps(event, JSON_COMPACT);
        printf("%s\n", text);
        fflush(stdout);
        if (f.stats)
            return 0;
        struct timespec pause = {(time_t)f.interval,
                                 (long)((f.interval - (double)(time_t)f.interval) * 1e9)};
        nanosleep(&pause, NULL);
    }
}

/* --- spec, features --------------------------------------------------------- */

static const struct cli_option spec_options[] = {
    {{"rootless", no_argument, NULL, 'r'}, 0, NULL, "a spec for a user namespace"},
    {{"bundle", required_argument, NULL, 'b'}, 'b', "DIR", "write DIR/config.json"},
    CLI_HELP_OPTION('h'),
    CLI_OPTIONS_END,
};
static const struct cli_help spec_help = {
    .usage = "oci spec [--rootless] [--bundle DIR] | features",
    .summary = "Write a default config.json, or print what husk supports.\n",
    .options = spec_options,
};

struct spec_flags {
    bool rootless;
    const char *bundle;
};

static int spec_flag(void *data, int option, const char *value)
{
    struct spec_flags *f = data;
    if (option == 'r')
        f->rootless = true;
    else if (option == 'b')
        f->bundle = value;
    return 0;
}

static int oci_spec_command(const struct oci_cli *cli, int argc, char **argv)
{
    struct spec_flags f = {0};
    int first = cli_oci_parse_flags(cli, argv[0], &spec_help, argc, argv, spec_flag, &f);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (strcmp(argv[0], "features") == 0)
        return print_json(oci_features());
    cleanup_free char *path = xasprintf("%s/config.json", f.bundle ? f.bundle : ".");
    if (access(path, F_OK) == 0) {
        husk_error_t err = NULL;
        husk_error_set(&err, EEXIST, "%s", path);
        return cli_oci_report(cli, &err);
    }
    cleanup_json json_t *spec = oci_default_spec(f.rootless);
    if (json_dump_file(spec, path, JSON_INDENT(2)) < 0) {
        husk_error_t err = NULL;
        husk_error_set(&err, errno, "write %s", path);
        return cli_oci_report(cli, &err);
    }
    return 0;
}

static int oci_unsupported(const struct oci_cli *cli, int argc, char **argv)
{
    (void)argc;
    husk_error_t err = NULL;
    husk_error_set(&err, ENOTSUP, "%s is not supported by husk (no CRIU)", argv[0]);
    return cli_oci_report(cli, &err);
}

/* --- the command line --------------------------------------------------------- */

static const struct {
    const char *name;
    int (*run)(const struct oci_cli *cli, int argc, char **argv);
    const char *summary;
} oci_commands[] = {
    {"create", oci_create_command, "create a container from a bundle"},
    {"run", oci_create_command, "create and start a container"},
    {"start", oci_one_command, "start a created container"},
    {"state", oci_one_command, "print a container's state"},
    {"kill", oci_one_command, "send a signal to a container"},
    {"delete", oci_one_command, "delete a container"},
    {"pause", oci_one_command, "freeze a container's processes"},
    {"resume", oci_one_command, "thaw a paused container"},
    {"exec", cli_oci_exec, "run a process in a container"},
    {"list", oci_list_command, "list containers"},
    {"ps", oci_list_command, "list a container's processes"},
    {"events", oci_list_command, "print a container's stats"},
    {"update", cli_oci_update, "change a container's resource limits"},
    {"spec", oci_spec_command, "write a default config.json"},
    {"features", oci_spec_command, "print what husk supports"},
    {"checkpoint", oci_unsupported, "not supported"},
    {"restore", oci_unsupported, "not supported"},
};

enum { G_ROOT = 1000, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_ROOTLESS, G_CRIU, G_VERSION };

static const struct option global_options[] = {
    {"root", required_argument, NULL, G_ROOT},
    {"log", required_argument, NULL, G_LOG},
    {"log-format", required_argument, NULL, G_LOG_FORMAT},
    {"debug", no_argument, NULL, G_DEBUG},
    {"systemd-cgroup", no_argument, NULL, G_SYSTEMD},
    {"rootless", required_argument, NULL, G_ROOTLESS},
    {"criu", required_argument, NULL, G_CRIU},
    {"version", no_argument, NULL, G_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: husk-oci [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
                 "                [--systemd-cgroup] [--rootless true|false|auto] COMMAND ...\n\n"
                 "husk's OCI runtime, with runc's command line.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(oci_commands) / sizeof(oci_commands[0]); i++)
        fprintf(out, "  %-10s %s\n", oci_commands[i].name, oci_commands[i].summary);
}

static int parse_global(struct oci_cli *cli, int argc, char **argv)
{
    optind = 0;
    opterr = 0;
    int option;
    while ((option = getopt_long_only(argc, argv, "+:h", global_options, NULL)) != -1) {
        switch (option) {
        case G_ROOT:
            cli->root = optarg;
            break;
        case G_LOG:
            cli->log = optarg;
            break;
        case G_LOG_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                cli_oci_usage(cli, "--log-format", "text or json");
                return -1;
            }
            cli->json_log = strcmp(optarg, "json") == 0;
            break;
        case G_DEBUG:
            cli->debug = true;
            break;
        case G_SYSTEMD:
            cli->systemd_cgroup = true;
            break;
        case G_VERSION:
            printf("husk-oci version 0.1.0\nspec: %s\n", OCI_VERSION);
            return -2;
        case 'h':
            print_usage(stdout);
            return -2;
        case G_ROOTLESS:
        case G_CRIU:
            break;
        default:
            cli_oci_usage(cli, "husk-oci", "unknown global flag");
            return -1;
        }
    }
    return optind;
}

int cli_oci_main(int argc, char **argv)
{
    struct oci_cli cli = {.root = OCI_DEFAULT_ROOT};
    int first = parse_global(&cli, argc, argv);
    if (first < 0)
        return first == -2 ? 0 : 1;
    if (first >= argc) {
        print_usage(stderr);
        return 1;
    }
    for (size_t i = 0; i < sizeof(oci_commands) / sizeof(oci_commands[0]); i++)
        if (strcmp(argv[first], oci_commands[i].name) == 0)
            return oci_commands[i].run(&cli, argc - first, argv + first);
    return cli_oci_usage(&cli, argv[first], "no such command");
}
