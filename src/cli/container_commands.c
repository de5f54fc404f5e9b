/* start, stop, kill, restart, wait, rm and container prune: each takes one or
 * more containers by name, ID or unique ID prefix, as docker's do. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/attach.h"
#include "../engine/lifecycle.h"
#include "../util/cleanup.h"
#include "cli.h"

/* The engine work for one container; the CLI prints the reference on success. */
struct per_container {
    const char *command;
    const char *usage;
    int signal;
    int timeout;
    bool force;
    bool print_reference;
    int (*act)(const struct engine_context *context, const char *reference,
               struct per_container *request, husk_error_t *err);
};

/* docker's commands other than run exit 1 on failure. */
static int report_one(husk_error_t *err)
{
    cli_report(err);
    return 1;
}

static int for_each_container(const struct engine_context *context, int argc, char **argv,
                              struct per_container *request)
{
    if (optind >= argc) {
        husk_error_t err = NULL;
        cli_usage_error(&err, request->command, "\"husk %s\" requires at least one container",
                        request->command);
        return report_one(&err);
    }
    int status = 0;
    for (int i = optind; i < argc; i++) {
        husk_error_t err = NULL;
        if (request->act(context, argv[i], request, &err) < 0) {
            status = report_one(&err);
            continue;
        }
        if (request->print_reference)
            printf("%s\n", argv[i]);
    }
    return status;
}

/* Parses the few flags these commands have; returns 1 after --help, -1 on error. */
static int parse_flags(int argc, char **argv, const char *short_options,
                       const struct option *long_options, struct per_container *request)
{
    opterr = 0;
    optind = 0;
    int option;
    husk_error_t err = NULL;
    while ((option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        switch (option) {
        case 'H':
            fputs(request->usage, stdout);
            return 1;
        case 'f':
            request->force = true;
            break;
        case 't': {
            char *end = NULL;
            long value = strtol(optarg, &end, 10);
            if (*end != '\0' || value < 0 || value > 86400) {
                cli_usage_error(&err, request->command, "invalid timeout \"%s\"", optarg);
                return report_one(&err), -1;
            }
            request->timeout = (int)value;
            break;
        }
        case 's':
            request->signal = signal_parse(optarg);
            if (request->signal < 0) {
                husk_error_set(&err, 0, "invalid signal \"%s\"", optarg);
                return report_one(&err), -1;
            }
            break;
        default:
            cli_usage_error(&err, request->command, "unknown flag %s",
                            optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                       : argv[optind - 1]);
            return report_one(&err), -1;
        }
    }
    return 0;
}

static const struct option help_only[] = {{"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};

static int act_start(const struct engine_context *c, const char *ref, struct per_container *r,
                     husk_error_t *err)
{
    (void)r;
    return engine_start(c, ref, err);
}

static int act_stop(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    return engine_stop(c, ref, r->timeout, err);
}

static int act_restart(const struct engine_context *c, const char *ref, struct per_container *r,
                       husk_error_t *err)
{
    return engine_restart(c, ref, r->timeout, err);
}

static int act_kill(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    return engine_kill(c, ref, r->signal, err);
}

static int act_remove(const struct engine_context *c, const char *ref, struct per_container *r,
                      husk_error_t *err)
{
    return engine_remove(c, ref, r->force, err);
}

static int act_wait(const struct engine_context *c, const char *ref, struct per_container *r,
                    husk_error_t *err)
{
    (void)r;
    int code = 0;
    if (engine_wait(c, ref, &code, err) < 0)
        return -1;
    printf("%d\n", code);
    fflush(stdout);
    return 0;
}

static int run_per_container(const struct engine_context *context, int argc, char **argv,
                             const char *short_options, const struct option *long_options,
                             struct per_container *request)
{
    int parsed = parse_flags(argc, argv, short_options, long_options, request);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    return for_each_container(context, argc, argv, request);
}

static const char start_usage[] =
    "Usage: husk start [-a] [-i] CONTAINER...\n\n"
    "Start created or stopped containers, each under a new monitor.\n\n"
    "Options:\n"
    "  -a, --attach       attach stdout and stderr; exit with the container's status\n"
    "  -i, --interactive  attach stdin too (the container was created with -i)\n";

int cli_start(const struct engine_context *context, int argc, char **argv)
{
    static const struct option flags[] = {{"attach", no_argument, NULL, 'a'},
                                          {"interactive", no_argument, NULL, 'i'},
                                          {"help", no_argument, NULL, 'H'},
                                          {NULL, 0, NULL, 0}};
    bool attach = false, interactive = false;
    husk_error_t err = NULL;
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, "+ai", flags, NULL)) != -1) {
        if (option == 'a')
            attach = true;
        else if (option == 'i')
            interactive = true;
        else if (option == 'H')
            return fputs(start_usage, stdout), 0;
        else
            return cli_usage_error(&err, "start", "unknown flag %s", argv[optind - 1]),
                   report_one(&err);
    }
    if (!attach && !interactive) {
        struct per_container request = {.command = "start", .usage = start_usage,
                                        .print_reference = true, .act = act_start};
        return for_each_container(context, argc, argv, &request);
    }
    if (argc - optind != 1)
        return cli_usage_error(&err, "start", "\"husk start -a\" takes exactly one container"),
               report_one(&err);
    int status = 0;
    if (engine_start_attached(context, argv[optind], interactive, &status, &err) < 0)
        return report_one(&err);
    return status;
}

int cli_attach(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return fputs("Usage: husk attach CONTAINER\n\nAttach husk's stdin, stdout and stderr "
                     "to a running container; exit with its status.\n",
                     stdout),
               0;
    if (argc != 2)
        return cli_usage_error(&err, "attach", "\"husk attach\" takes exactly one container"),
               report_one(&err);
    int status = 0;
    if (engine_attach(context, argv[1], &status, &err) < 0)
        return report_one(&err);
    return status;
}

int cli_stop(const struct engine_context *context, int argc, char **argv)
{
    static const struct option flags[] = {{"time", required_argument, NULL, 't'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'H'},
                                          {NULL, 0, NULL, 0}};
    struct per_container request = {
        .command = "stop",
        .usage = "Usage: husk stop [-t SECONDS] CONTAINER...\n\nSend SIGTERM to each "
                 "container's PID 1, then SIGKILL after the timeout (default 10).\n",
        .timeout = 10,
        .print_reference = true,
        .act = act_stop,
    };
    return run_per_container(context, argc, argv, "+t:", flags, &request);
}

int cli_restart(const struct engine_context *context, int argc, char **argv)
{
    static const struct option flags[] = {{"time", required_argument, NULL, 't'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'H'},
                                          {NULL, 0, NULL, 0}};
    struct per_container request = {
        .command = "restart",
        .usage = "Usage: husk restart [-t SECONDS] CONTAINER...\n\nStop (as husk stop) and "
                 "start each container.\n",
        .timeout = 10,
        .print_reference = true,
        .act = act_restart,
    };
    return run_per_container(context, argc, argv, "+t:", flags, &request);
}

int cli_kill(const struct engine_context *context, int argc, char **argv)
{
    static const struct option flags[] = {{"signal", required_argument, NULL, 's'},
                                          {"help", no_argument, NULL, 'H'},
                                          {NULL, 0, NULL, 0}};
    struct per_container request = {
        .command = "kill",
        .usage = "Usage: husk kill [-s SIGNAL] CONTAINER...\n\nSend a signal (default KILL) "
                 "to each container's PID 1.\n",
        .signal = 9,
        .print_reference = true,
        .act = act_kill,
    };
    return run_per_container(context, argc, argv, "+s:", flags, &request);
}

int cli_rm(const struct engine_context *context, int argc, char **argv)
{
    static const struct option flags[] = {{"force", no_argument, NULL, 'f'},
                                          {"help", no_argument, NULL, 'H'},
                                          {NULL, 0, NULL, 0}};
    struct per_container request = {
        .command = "rm",
        .usage = "Usage: husk rm [-f] CONTAINER...\n\nRemove containers; -f kills a running "
                 "one first.\n",
        .print_reference = true,
        .act = act_remove,
    };
    return run_per_container(context, argc, argv, "+f", flags, &request);
}

int cli_wait(const struct engine_context *context, int argc, char **argv)
{
    struct per_container request = {
        .command = "wait",
        .usage = "Usage: husk wait CONTAINER...\n\nWait for each container to exit and print "
                 "its exit code.\n",
        .act = act_wait,
    };
    return run_per_container(context, argc, argv, "+", help_only, &request);
}

int cli_container(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs("Usage: husk container prune [-f]\n\nRemove all stopped containers.\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "prune") != 0) {
        husk_error_set(&err, 0, "unknown command \"container %s\"", argv[1]);
        return report_one(&err);
    }
    cleanup_strv char **removed = NULL;
    if (engine_prune(context, &removed, &err) < 0)
        return report_one(&err);
    printf("Deleted Containers:\n");
    for (char **id = removed; id && *id; id++)
        printf("%s\n", *id);
    printf("\nTotal reclaimed space: 0B\n");
    return 0;
}
