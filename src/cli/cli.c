#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "oci.h"

static const struct cli_command commands[] = {
    {"run", "Create and run a container from an image", cli_run, &cli_run_help},
    {"create", "Create a container without starting it", cli_create, &cli_create_help},
    {"start", "Start created or stopped containers", cli_start, &cli_start_help},
    {"stop", "Stop running containers (SIGTERM, then SIGKILL)", cli_stop, &cli_stop_help},
    {"restart", "Restart containers", cli_restart, &cli_restart_help},
    {"kill", "Send a signal to containers", cli_kill, &cli_kill_help},
    {"wait", "Wait for containers to exit and print their exit codes", cli_wait, &cli_wait_help},
    {"rm", "Remove containers", cli_rm, &cli_rm_help},
    {"ps", "List containers", cli_ps, &cli_ps_help},
    {"inspect", "Show containers' records, state and namespaces", cli_inspect, &cli_inspect_help},
    {"exec", "Run a command in a running container", cli_exec, &cli_exec_help},
    {"attach", "Attach to a running container's stdio", cli_attach, &cli_attach_help},
    {"logs", "Print a container's output", cli_logs, &cli_logs_help},
    {"top", "List a container's processes", cli_top, &cli_top_help},
    {"ns", "Show namespaces and who shares them, from the kernel", cli_ns, &cli_ns_help},
    {"audit", "Show what namespaces do not isolate: shared settings, tables, risks", cli_audit,
     &cli_audit_help},
    {"network", "Manage bridge networks", cli_network, &cli_network_help},
    {"volume", "Manage volumes (create, ls, inspect, rm, prune)", cli_volume, &cli_volume_help},
    {"port", "List a container's published ports", cli_port, &cli_port_help},
    {"stats", "Show containers' CPU, memory, network, block I/O and PIDs", cli_stats,
     &cli_stats_help},
    {"update", "Change containers' resource limits", cli_update, &cli_update_help},
    {"pause", "Freeze every process of containers", cli_pause, &cli_pause_help},
    {"unpause", "Thaw paused containers", cli_unpause, &cli_unpause_help},
    {"container", "Manage containers (prune)", cli_container, &cli_container_help},
    {"images", "List images", cli_images, &cli_images_help},
    {"image", "Manage images (ls, inspect, rm, prune, tag, import, load, save, pull, push)",
     cli_image, &cli_image_help},
    {"rmi", "Remove images", cli_rmi, &cli_rmi_help},
    {"tag", "Give an image another name", cli_tag, &cli_tag_help},
    {"import", "Make an image of a root file system tarball", cli_import, &cli_import_help},
    {"load", "Load images from a docker-archive or oci-archive", cli_load, &cli_load_help},
    {"pull", "Pull an image from a registry", cli_pull, &cli_pull_help},
    {"save", "Write images to a tar archive", cli_save, &cli_save_help},
    {"push", "Push an image to a registry", cli_push, &cli_push_help},
    {"login", "Log in to a registry", cli_login, &cli_login_help},
    {"logout", "Log out of a registry", cli_logout, &cli_logout_help},
    {"history", "Show how an image was made", cli_history, &cli_history_help},
    {"export", "Write a container's file system as a tar archive", cli_export, &cli_export_help},
    {"commit", "Make an image of a container's changes", cli_commit, &cli_commit_help},
    {"cp", "Copy files between a container and the local file system", cli_cp, &cli_cp_help},
    {"diff", "List the changes in a container's file system", cli_diff, &cli_diff_help},
    {"rename", "Rename a container", cli_rename, &cli_rename_help},
    {"healthcheck", "Run a container's health check (run)", cli_healthcheck, &cli_healthcheck_help},
    {"oci", "The OCI runtime, with runc's command line (also as husk-oci)", cli_oci, &cli_oci_help},
    {"version", "Show husk's version and the kernel's", cli_version, &cli_version_help},
    {"info", "Show what husk and the host hold (as system info)", cli_info, &cli_info_help},
    {"events", "Print events: containers, images, volumes, networks", cli_events, &cli_events_help},
    {"system", "System-wide information, disk usage, pruning and events (info, df, prune, events)",
     cli_system, &cli_system_help},
};

const struct cli_command *cli_commands(size_t *count)
{
    *count = sizeof(commands) / sizeof(commands[0]);
    return commands;
}

static const struct cli_option global_options[] = {
    {{"root", required_argument, NULL, 'r'},
     0,
     "DIR",
     "state directory (default /var/lib/husk and /run/husk;\nalso HUSK_ROOT)"},
    {{"help", no_argument, NULL, 'h'}, 'h', NULL, "print this help"},
    {{"version", no_argument, NULL, 'v'}, 'v', NULL, "print the version"},
    CLI_OPTIONS_END,
};

const struct cli_help cli_global_help = {
    .usage = "[OPTIONS] COMMAND",
    .summary = "A daemonless container engine and OCI runtime.\n",
    .options = global_options,
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
    cli_help_print(&cli_global_help, out);
    fputs("\nCommands:\n", out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'husk COMMAND --help' for more about a command.\n");
}

int cli_main(int argc, char **argv)
{
    struct cli_getopt table;
    cli_getopt_init(&table, global_options, "+");
    husk_error_t err = NULL;
    const char *root = getenv("HUSK_ROOT");
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
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

const struct cli_help cli_oci_help = {
    .usage = "oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ID]",
    .summary = "runc's command line on husk's runtime (see 'husk oci --help').\n",
    .options = (const struct cli_option[]){CLI_HELP_OPTION('h'), CLI_OPTIONS_END},
};

int cli_oci(const struct engine_context *context, int argc, char **argv)
{
    (void)context;
    return cli_oci_main(argc, argv);
}

int cli_write_output(const char *output, const char *what,
                     int (*produce)(int fd, void *data, husk_error_t *err), void *data,
                     husk_error_t *err)
{
    if (output == NULL && isatty(STDOUT_FILENO))
        return husk_error_set(err, 0, "cowardly refusing to %s to a terminal: use -o or redirect",
                              what);
    int fd = output ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDOUT_FILENO;
    if (fd < 0)
        return husk_error_set(err, errno, "%s: %s", what, output);
    int rc = produce(fd, data, err);
    if (output != NULL && close(fd) < 0 && rc == 0)
        rc = husk_error_set(err, errno, "%s: %s", what, output);
    /* A half-written archive is worse than none. */
    if (rc < 0 && output != NULL)
        unlink(output);
    return rc;
}
