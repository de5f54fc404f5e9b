/* The two formats of a container's output log. Each entry is one line (or
 * the partial line that was there when the data came):
 *
 *   local (husk's own): "<o|e> <RFC 3339 time> <length>\n" followed by
 *     LENGTH raw bytes, so any byte sequence survives;
 *   json-file (docker's): {"log":"...","stream":"stdout","time":"..."}\n,
 *     the bytes as a JSON string (invalid UTF-8 becomes U+FFFD, as docker).
 *
 * `logs --tail N` counts entries. The encoders run in the monitor (no
 * allocation, no jansson); the parsers in `husk logs`. */
#ifndef HUSK_ENGINE_LOG_H
#define HUSK_ENGINE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "../../util/error.h"

enum log_stream { LOG_STDOUT = 'o', LOG_STDERR = 'e' };

struct log_entry {
    char stream;
    const char *time;
    const char *data;
    size_t length;
};

/* The local header of an entry of LENGTH bytes; its length. */
size_t log_local_header(char *header, size_t size, enum log_stream stream, const char *time,
                        size_t length);
/* The length of DATA[0..LENGTH) as the inside of a JSON string. */
size_t log_json_escaped_length(const char *data, size_t length);
/* Escapes from *DATA as much as fits in OUT[0..SIZE) (SIZE >= 6), never
 * splitting a character; advances *DATA and *LENGTH; the bytes written. */
size_t log_json_escape(const char **data, size_t *length, char *out, size_t size);

/* Parses the entries in BUFFER[0..LENGTH); returns how many bytes were whole
 * entries (the rest is an entry still being written). */
size_t log_parse(const char *buffer, size_t length,
                 void (*each)(const struct log_entry *entry, void *data), void *data);
/* The same for json-file lines; a line that is no such object is skipped. */
size_t log_json_parse(const char *buffer, size_t length,
                      void (*each)(const struct log_entry *entry, void *data), void *data);

#endif
