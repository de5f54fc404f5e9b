#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/section.h"
#include "store.h"

int log_open_for_append(const char *container_directory, husk_error_t *err)
{
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/container.log", container_directory) < 0)
        return husk_error_set(err, ENOMEM, "log");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    return fd;
}

MONITOR_PATH static void append_entry(int fd, enum log_stream stream, const char *now,
                                      const char *data, size_t length)
{
    char header[96];
    int header_length = snprintf(header, sizeof(header), "%c %s %zu\n", stream, now, length);
    struct iovec parts[2] = {{header, (size_t)header_length}, {(void *)data, length}};
    /* One writev per entry: with O_APPEND, a reader never sees a torn header. */
    if (writev(fd, parts, 2) < 0) {
        /* Nowhere to report a full disk from a monitor; the entry is lost. */
    }
}

MONITOR_PATH void log_append(int fd, enum log_stream stream, const char *data, size_t length)
{
    char now[64];
    store_timestamp_now(now, sizeof(now));
    while (length > 0) {
        const char *newline = memchr(data, '\n', length);
        size_t line = newline ? (size_t)(newline - data) + 1 : length;
        append_entry(fd, stream, now, data, line);
        data += line;
        length -= line;
    }
}

size_t log_parse(const char *buffer, size_t length,
                 void (*each)(const struct log_entry *entry, void *data), void *data)
{
    size_t offset = 0;
    while (offset < length) {
        const char *header = buffer + offset;
        const char *end = memchr(header, '\n', length - offset);
        if (end == NULL)
            break;
        char stream = 0, time[64];
        size_t size = 0;
        cleanup_free char *line = strndup(header, (size_t)(end - header));
        if (sscanf(line, "%c %63s %zu", &stream, time, &size) != 3)
            break;
        size_t body = (size_t)(end - buffer) + 1;
        if (body + size > length)
            break;
        struct log_entry entry = {stream, time, buffer + body, size};
        each(&entry, data);
        offset = body + size;
    }
    return offset;
}
