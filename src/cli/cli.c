#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"

static const struct cli_command commands[] = {
    {"run", "Create and run a container from an image", cli_run},
    {"create", "Create a container without starting it", cli_create},
    {"start", "Start created or stopped containers", cli_start},
    {"stop", "Stop running containers (SIGTERM, then SIGKILL)", cli_stop},
    {"restart", "Restart containers", cli_restart},
    {"kill", "Send a signal to containers", cli_kill},
    {"wait", "Wait for containers to exit and print their exit codes", cli_wait},
    {"rm", "Remove containers", cli_rm},
    {"ps", "List containers", cli_ps},
    {"inspect", "Show containers' records, state and namespaces", cli_inspect},
    {"exec", "Run a command in a running container", cli_exec},
    {"attach", "Attach to a running container's stdio", cli_attach},
    {"logs", "Print a container's output", cli_logs},
    {"top", "List a container's processes", cli_top},
    {"ns", "Show namespaces and who shares them, from the kernel", cli_ns},
    {"audit", "Show what namespaces do not isolate: shared settings, tables, risks", cli_audit},
    {"network", "Manage bridge networks", cli_network},
    {"port", "List a container's published ports", cli_port},
    {"stats", "Show containers' CPU, memory, network, block I/O and PIDs", cli_stats},
    {"update", "Change containers' resource limits", cli_update},
    {"pause", "Freeze every process of containers", cli_pause},
    {"unpause", "Thaw paused containers", cli_unpause},
    {"container", "Manage containers (prune)", cli_container},
};

int cli_report(husk_error_t *err)
{
    int status = *err ? (*err)->exit_status : HUSK_EXIT_ENGINE;
    cleanup_free char *text = *err ? husk_error_text(*err) : NULL;
    fprintf(stderr, "husk: %s\n", text ? text : "unknown error");
    husk_error_free(err);
    return status;
}

int cli_usage_error(husk_error_t *err, const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *text = xvasprintf(fmt, ap);
    va_end(ap);
    return husk_error_set(err, 0, "%s (see 'husk %s%s--help')", text, command ? command : "",
                          command ? " " : "");
}

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: husk [OPTIONS] COMMAND\n\n"
                 "A daemonless container engine and OCI runtime.\n\n"
                 "Options:\n"
                 "      --root DIR   state directory (default /var/lib/husk and /run/husk;\n"
                 "                   also HUSK_ROOT)\n"
                 "  -h, --help       print this help\n"
                 "  -v, --version    print the version\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'husk COMMAND --help' for more about a command.\n");
}

int cli_main(int argc, char **argv)
{
    static const struct option global[] = {
        {"root", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    husk_error_t err = NULL;
    const char *root = getenv("HUSK_ROOT");
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, "+hv", global, NULL)) != -1) {
        switch (option) {
        case 'r':
            root = optarg;
            break;
        case 'h':
            print_usage(stdout);
            return 0;
        case 'v':
            printf("husk version %s\n", HUSK_VERSION);
            return 0;
        default:
            cli_usage_error(&err, NULL, "unknown flag %s", argv[optind - 1]);
            return cli_report(&err);
        }
    }
    if (optind >= argc) {
        print_usage(stderr);
        return HUSK_EXIT_ENGINE;
    }
    cleanup_free char *run_root = NULL, *absolute_root = NULL;
    if (root != NULL && root[0] != '\0') {
        /* Overlayfs options and the runtime spec need absolute paths. */
        if (directory_create_parents(root, 0700, &err) < 0 ||
            (absolute_root = realpath(root, NULL)) == NULL) {
            if (err == NULL)
                husk_error_set(&err, errno, "state root %s", root);
            return cli_report(&err);
        }
        root = absolute_root;
        run_root = xasprintf("%s/run", root);
    }
    struct engine_context context = {
        .data_root = root && root[0] ? root : "/var/lib/husk",
        .run_root = run_root ? run_root : "/run/husk",
    };
    int first = optind;
    const char *name = argv[first];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0) {
            /* Each command parses its own argv from its name on. */
            optind = 0;
            return commands[i].run(&context, argc - first, argv + first);
        }
    husk_error_set(&err, 0, "unknown command \"%s\" (see 'husk --help')", name);
    return cli_report(&err);
}
