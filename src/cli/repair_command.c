/* `husk system check` and `husk system repair`: what killed commands left
 * (engine/repair.h), one line per finding as fsck prints them. Exit
 * status: 0 when clean (check) or all repaired (repair), 1 otherwise. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../engine/repair.h"
#include "../util/cleanup.h"
#include "cli.h"
#include "repair_command.h"

static const struct cli_option repair_options[] = {
    {{"format", required_argument, NULL, 'F'}, 0, "FORMAT", "json: the findings as a JSON array"},
    CLI_HELP_OPTION('H'),
    CLI_OPTIONS_END,
};

/* 1: --help was printed; -1: a usage error. */
static int parse(const char *command, int argc, char **argv, bool *json, husk_error_t *err)
{
    struct cli_getopt table;
    cli_getopt_init(&table, repair_options, "+:");
    opterr = 0;
    optind = 0;
    int option;
    while ((option = getopt_long(argc, argv, table.short_options, table.long_options, NULL)) !=
           -1) {
        if (option == 'H') {
            struct cli_help help = {command, "", repair_options, NULL};
            return cli_help_print(&help, stdout), 1;
        }
        if (option == '?' || option == ':')
            return cli_usage_error(err, "system", "unknown flag %s for system %s", argv[optind - 1],
                                   command);
        if (strcmp(optarg, "json") != 0)
            return cli_usage_error(err, "system", "--format takes json, not \"%s\"", optarg);
        *json = true;
    }
    if (optind < argc)
        return cli_usage_error(err, "system", "\"husk system %s\" accepts no arguments", command);
    return 0;
}

/* "cgroup /husk/ID: of container ID, which is not running: repaired" */
static void print_finding(json_t *finding, bool fix)
{
    const char *kind = json_string_value(json_object_get(finding, "Kind"));
    const char *object = json_string_value(json_object_get(finding, "Object"));
    const char *problem = json_string_value(json_object_get(finding, "Problem"));
    printf("%s %s: %s", kind, object, problem);
    if (fix && json_is_true(json_object_get(finding, "Repaired")))
        printf(": repaired");
    else if (fix)
        printf(": not repaired: %s", json_string_value(json_object_get(finding, "Error")));
    printf("\n");
}

int cli_system_repair(const struct engine_context *context, const char *command, int argc,
                      char **argv)
{
    husk_error_t err = NULL;
    bool json = false, fix = strcmp(command, "repair") == 0;
    int parsed = parse(command, argc, argv, &json, &err);
    if (parsed != 0)
        return parsed < 0 ? cli_report(&err) : 0;
    cleanup_json json_t *findings = NULL;
    if (engine_system_check(context, fix, &findings, &err) < 0)
        return cli_report(&err);
    size_t i, left = 0;
    json_t *finding;
    json_array_foreach(findings, i, finding)
    {
        left += !fix || !json_is_true(json_object_get(finding, "Repaired"));
        if (!json)
            print_finding(finding, fix);
    }
    if (json) {
        cleanup_free char *text = json_dumps(findings, JSON_COMPACT);
        printf("%s\n", text);
    }
    return left > 0 ? 1 : 0;
}
