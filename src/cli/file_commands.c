/* cp and diff: files between a container and the host, and what a
 * container changed in its file system. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/files/container_copy.h"
#include "../engine/files/container_diff.h"
#include "../engine/files/copy_path.h"
#include "../util/cleanup.h"
#include "cli.h"

/* docker's commands other than run exit 1 when the work fails. */
static int report(husk_error_t *err)
{
    cli_report(err);
    return 1;
}

enum { OPTION_HELP = 'H' };

static const struct cli_option cp_options[] = {
    {{"archive", no_argument, NULL, 'a'}, 'a', NULL, "archive mode: keep the owners (uid, gid)"},
    {{"follow-link", no_argument, NULL, 'L'}, 'L', NULL, "always follow a symlink in SRC_PATH"},
    {{"quiet", no_argument, NULL, 'q'},
     'q',
     NULL,
     "no summary line (there is none when stdout is no terminal)"},
    CLI_HELP_OPTION(OPTION_HELP),
    CLI_OPTIONS_END,
};

const struct cli_help cli_cp_help = {
    .usage = "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
             "       husk cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
    .summary = "Copy files and directories between a container and the local file system.\n"
               "\"-\" as the source reads a tar archive from stdin and extracts it to a\n"
               "directory in the container; \"-\" as the destination writes a tar archive\n"
               "of the container's source to stdout. The container may run or not.\n",
    .options = cp_options,
};

/* docker's units.HumanSizeWithPrecision(n, 3): "0B", "512B", "2.05kB". */
static void human_size(uint64_t bytes, char *buffer, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double value = (double)bytes;
    size_t unit = 0;
    while (value >= 1000 && unit + 1 < sizeof(units) / sizeof(units[0])) {
        value /= 1000;
        unit++;
    }
    snprintf(buffer, size, "%.3g%s", value, units[unit]);
}

struct cp_flags {
    bool archive, follow_link, quiet;
};

/* Returns true when the command is done (--help, or a usage error), with
 * *STATUS its exit status. */
static bool parse_cp(int argc, char **argv, struct cp_flags *flags, int *status)
{
    struct cli_getopt table;
    /* No "+": flags may follow the paths, as with docker's. */
    cli_getopt_init(&table, cp_options, "");
    opterr = 0;
    optind = 0;
    flags->quiet = !isatty(STDOUT_FILENO);
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        husk_error_t err = NULL;
        switch (option) {
        case 'a':
            flags->archive = true;
            break;
        case 'L':
            flags->follow_link = true;
            break;
        case 'q':
            flags->quiet = true;
            break;
        case OPTION_HELP:
            cli_help_print(&cli_cp_help, stdout);
            *status = 0;
            return true;
        default:
            cli_usage_error(&err, "cp", "unknown flag %s",
                            optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                       : argv[optind - 1]);
            *status = cli_report(&err); /* 125, as docker's flag errors */
            return true;
        }
    }
    return false;
}

/* The direction and the request, from the two paths as docker reads them. */
static int cp_request(char **argv, struct copy_request *r, bool *from_container, char **owned,
                      husk_error_t *err)
{
    if (argv[0][0] == '\0')
        return husk_error_set(err, 0, "source can not be empty");
    if (argv[1][0] == '\0')
        return husk_error_set(err, 0, "destination can not be empty");
    char *source_container, *source_path, *destination_container, *destination_path;
    copy_argument_split(argv[0], &source_container, &source_path);
    copy_argument_split(argv[1], &destination_container, &destination_path);
    char *parts[] = {source_container, source_path, destination_container, destination_path};
    memcpy(owned, parts, sizeof(parts));
    if (source_container != NULL && destination_container != NULL)
        return husk_error_set(err, 0, "copying between containers is not supported");
    if (source_container == NULL && destination_container == NULL)
        return husk_error_set(err, 0, "must specify at least one container source");
    *from_container = source_container != NULL;
    r->container = *from_container ? source_container : destination_container;
    r->container_path = *from_container ? source_path : destination_path;
    r->local_path = *from_container ? destination_path : source_path;
    r->stream_fd = *from_container ? STDOUT_FILENO : STDIN_FILENO;
    return 0;
}

int cli_cp(const struct engine_context *context, int argc, char **argv)
{
    struct cp_flags flags = {0};
    int status = 0;
    if (parse_cp(argc, argv, &flags, &status))
        return status;
    husk_error_t err = NULL;
    if (argc - optind != 2)
        return cli_usage_error(&err, "cp", "\"husk cp\" requires exactly 2 arguments"),
               report(&err);
    struct copy_request request = {.archive = flags.archive, .follow_link = flags.follow_link};
    char *owned[4] = {NULL};
    bool from_container = false;
    int rc = cp_request(argv + optind, &request, &from_container, owned, &err);
    struct copy_result result = {0};
    if (rc == 0)
        rc = from_container ? engine_copy_from_container(context, &request, &result, &err)
                            : engine_copy_to_container(context, &request, &result, &err);
    /* docker's summary, on stderr, when stdout is a terminal. */
    if (rc == 0 && !flags.quiet && result.destination != NULL) {
        char size[32];
        human_size(result.bytes, size, sizeof(size));
        fprintf(stderr, "Successfully copied %s to %s\n", size, result.destination);
    }
    free(result.destination);
    for (size_t i = 0; i < 4; i++)
        free(owned[i]);
    return rc < 0 ? report(&err) : 0;
}

static const struct cli_option diff_options[] = {CLI_HELP_OPTION(OPTION_HELP), CLI_OPTIONS_END};

const struct cli_help cli_diff_help = {
    .usage = "diff CONTAINER",
    .summary = "List what a container changed in its file system: \"A\" added, \"C\"\n"
               "changed, \"D\" deleted, one path a line.\n",
    .options = diff_options,
};

int cli_diff(const struct engine_context *context, int argc, char **argv)
{
    husk_error_t err = NULL;
    struct cli_getopt table;
    cli_getopt_init(&table, diff_options, "+");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == OPTION_HELP)
            return cli_help_print(&cli_diff_help, stdout), 0;
        cli_usage_error(&err, "diff", "unknown flag %s",
                        optopt > 0 && optopt < 128 ? (char[]){'-', (char)optopt, 0}
                                                   : argv[optind - 1]);
        return cli_report(&err);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&err, "diff", "\"husk diff\" requires exactly 1 argument"),
               report(&err);
    cleanup_json json_t *changes = NULL;
    if (engine_container_diff(context, argv[optind], &changes, &err) < 0)
        return report(&err);
    static const char kinds[] = {
        [CHANGE_MODIFIED] = 'C', [CHANGE_ADDED] = 'A', [CHANGE_DELETED] = 'D'};
    size_t i;
    json_t *change;
    json_array_foreach(changes, i, change)
    {
        json_int_t kind = json_integer_value(json_object_get(change, "Kind"));
        printf("%c %s\n", kinds[kind >= 0 && kind <= 2 ? kind : 0],
               json_string_value(json_object_get(change, "Path")));
    }
    return 0;
}
