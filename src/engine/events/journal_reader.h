/* Reading the events journal: the past, then (following) what comes. */
#ifndef HUSK_ENGINE_EVENTS_JOURNAL_READER_H
#define HUSK_ENGINE_EVENTS_JOURNAL_READER_H

#include <jansson.h>
#include <stdbool.h>

#include "../../util/error.h"
#include "../options.h"

struct event_query {
    bool has_since, has_until;
    long long since, until; /* nanoseconds since the epoch, both included */
    json_t *filters;        /* from event_filter_parse, or NULL */
};

/* Called for each event that passes, in journal order; a negative return
 * stops the reading (a closed stdout). */
typedef int (*event_sink)(json_t *event, void *data);

/* Events of QUERY's window to SINK: with --since or --until the journal's
 * past first (the rotated file, then the current one); then, unless the
 * until time has passed, new events as they are written, followed with
 * inotify (no polling), until the until time or for ever. */
int engine_events_read(const struct engine_context *context, const struct event_query *query,
                       event_sink sink, void *data, husk_error_t *err);

#endif
