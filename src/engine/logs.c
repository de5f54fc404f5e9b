#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "record.h"

struct tail_filter {
    long skip; /* entries still to skip */
    void (*emit)(const struct log_entry *entry, void *data);
    void *data;
};

static void count_entry(const struct log_entry *entry, void *data)
{
    (void)entry;
    (*(long *)data)++;
}

static void emit_after_skip(const struct log_entry *entry, void *data)
{
    struct tail_filter *filter = data;
    if (filter->skip > 0) {
        filter->skip--;
        return;
    }
    filter->emit(entry, filter->data);
}

/* Reads what the log holds from *OFFSET on and emits the whole entries. */
static void emit_new(int fd, size_t *offset, struct tail_filter *filter)
{
    cleanup_free char *buffer = NULL;
    size_t length = 0, capacity = 0;
    for (;;) {
        if (length + 65536 > capacity) {
            capacity = (length + 65536) * 2;
            buffer = xrealloc(buffer, capacity);
        }
        ssize_t n = pread(fd, buffer + length, capacity - length, (off_t)(*offset + length));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        length += (size_t)n;
    }
    *offset += log_parse(buffer, length, emit_after_skip, filter);
}

static bool container_running(const struct engine_context *context, const char *id)
{
    struct container_handle handle;
    if (container_open(context, id, &handle, NULL) < 0)
        return false;
    bool running = strcmp(record_status(handle.record), "running") == 0;
    container_close(&handle);
    return running;
}

/* Follows with inotify: wakes for new log data and for record updates (the
 * monitor renames a new container.json into place when PID 1 exits). */
static int follow(const struct engine_context *context, const char *id, const char *directory,
                  int fd, size_t *offset, struct tail_filter *filter, husk_error_t *err)
{
    cleanup_close int watch = inotify_init1(IN_CLOEXEC);
    if (watch < 0 ||
        inotify_add_watch(watch, directory, IN_MODIFY | IN_MOVED_TO | IN_DELETE_SELF) < 0)
        return husk_error_set(err, errno, "watch %s", directory);
    while (container_running(context, id)) {
        emit_new(fd, offset, filter);
        struct pollfd p = {.fd = watch, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            return husk_error_set(err, errno, "poll");
        char events[4096];
        if (read(watch, events, sizeof(events)) < 0 && errno != EINTR)
            return husk_error_set(err, errno, "inotify");
    }
    emit_new(fd, offset, filter);
    return 0;
}

int engine_logs(const struct engine_context *context, const char *reference,
                const struct logs_options *options,
                void (*emit)(const struct log_entry *entry, void *data), void *data,
                husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    char id[HUSK_ID_SIZE];
    snprintf(id, sizeof(id), "%s", handle.id);
    cleanup_free char *directory = steal_pointer(&handle.directory);
    container_close(&handle);
    cleanup_free char *path = xasprintf("%s/container.log", directory);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_CREAT, 0600);
    if (fd < 0)
        return husk_error_set(err, errno, "open %s", path);
    struct tail_filter filter = {.skip = 0, .emit = emit, .data = data};
    if (options->tail >= 0) {
        long total = 0;
        struct tail_filter counter = {.skip = 0, .emit = count_entry, .data = &total};
        size_t counted = 0;
        emit_new(fd, &counted, &counter);
        filter.skip = total > options->tail ? total - options->tail : 0;
    }
    size_t offset = 0;
    if (options->follow)
        return follow(context, id, directory, fd, &offset, &filter, err);
    emit_new(fd, &offset, &filter);
    return 0;
}
