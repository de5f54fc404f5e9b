/* `husk events --since/--until` values, read as docker reads them. */
#ifndef HUSK_ENGINE_EVENTS_EVENT_TIME_H
#define HUSK_ENGINE_EVENTS_EVENT_TIME_H

#include <time.h>

#include "../../util/error.h"

/* TEXT as nanoseconds since the epoch: a Go duration before NOW ("10m",
 * "1h30m", "1.5s"; whole seconds, as docker), an RFC 3339 date or a part of
 * one ("2026-12-03", "2026-12-03T17:00", "...:05.5Z", "...+01:00"; local
 * time without a zone), or a Unix timestamp with up to nine decimals.
 * Errors: failed to parse value as time or duration: "TEXT". */
int event_time_parse(const char *text, const struct timespec *now, long long *nanoseconds,
                     husk_error_t *err);

#endif
