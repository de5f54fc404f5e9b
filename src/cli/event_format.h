/* `husk events` output: docker's default line and the --format views. */
#ifndef HUSK_CLI_EVENT_FORMAT_H
#define HUSK_CLI_EVENT_FORMAT_H

#include <jansson.h>

/* "2026-12-03T17:00:00.123456789Z container start ID (image=busybox,
 * name=foo)": local time as docker prints it (Z when the zone is UTC),
 * attributes sorted by key; malloc'd, without a newline. */
char *event_format_text(json_t *event);
/* What a --format template sees: docker's Go field names (.Status, .ID,
 * .From, .Type, .Action, .Actor.ID, .Actor.Attributes, .Scope, .Time,
 * .TimeNano) over the journal's JSON names; a new object. */
json_t *event_format_view(json_t *event);

#endif
