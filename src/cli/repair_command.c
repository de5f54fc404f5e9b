/* `husk system check` and `husk system repair`: what killed commands left
 * (engine/repair.h), one line per finding as fsck prints them. Exit
 * status: 0 when clean (check) or all repaired (repair), 1 otherwise. */
#include <stdio.h>

#include "../engine/repair.h"
#include "../util/cleanup.h"
#include "cli.h"
#include "repair_command.h"

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

int cli_system_repair(const struct engine_context *context, bool fix, bool json)
{
    husk_error_t err = NULL;
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
