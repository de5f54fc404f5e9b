/* The extra attributes docker's log drivers attach to every entry (the
 * labels=, labels-regex=, env=, env-regex= and tag= log options), which
 * `husk logs --details` prints before each line. */
#ifndef HUSK_ENGINE_LOG_DETAILS_H
#define HUSK_ENGINE_LOG_DETAILS_H

#include <jansson.h>

#include "../../util/error.h"

/* tag= is a Go template of the fields docker's loggers know: {{.ID}},
 * {{.FullID}}, {{.Name}}, {{.ImageID}}, {{.ImageFullID}}, {{.ImageName}},
 * {{.DaemonName}}; anything else is refused. */
int log_tag_check(const char *tag, husk_error_t *err);
/* TAG with RECORD's values (allocated). */
char *log_tag_expand(const char *tag, const json_t *record);
/* docker's --details prefix: the attributes sorted by key, "KEY=VALUE"
 * both query-escaped, joined by ","; "" when there are none (allocated). */
char *log_details_prefix(const json_t *record);

#endif
