/* A container's output log, kept by its monitor. Each entry is one line (or
 * the partial line that was there when the data came):
 *   "<o|e> <RFC 3339 time> <length>\n" followed by LENGTH raw bytes,
 * so any byte sequence survives, and `logs --tail N` counts lines. */
#ifndef HUSK_ENGINE_LOG_H
#define HUSK_ENGINE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

enum log_stream { LOG_STDOUT = 'o', LOG_STDERR = 'e' };

struct log_entry {
    char stream;
    const char *time;
    const char *data;
    size_t length;
};

int log_open_for_append(const char *container_directory, husk_error_t *err);
void log_append(int fd, enum log_stream stream, const char *data, size_t length);
/* Parses the entries in BUFFER[0..LENGTH); returns how many bytes were whole
 * entries (the rest is an entry still being written). */
size_t log_parse(const char *buffer, size_t length,
                 void (*each)(const struct log_entry *entry, void *data), void *data);

#endif
