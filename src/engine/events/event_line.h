/* One event as the journal's line: docker's events.Message in JSON. */
#ifndef HUSK_ENGINE_EVENTS_EVENT_LINE_H
#define HUSK_ENGINE_EVENTS_EVENT_LINE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* A line (with its '\n') is at most this long: one write() of at most
 * PIPE_BUF bytes on an O_APPEND file never interleaves with another. */
#define EVENT_LINE_MAX 4096

/* Writes the event into BUFFER (EVENT_LINE_MAX bytes) as one JSON line,
 * shortening the longest attribute values (then dropping attributes) until
 * it fits. ATTRIBUTES (strings only) may be NULL and is not consumed.
 * Returns the line's length with its '\n', or 0 when it cannot fit. */
size_t event_line_format(const char *type, const char *action, const char *actor_id,
                         json_t *attributes, const struct timespec *when, char *buffer);

#endif
