#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "log_config.h"
#include "log_details.h"
#include "log_files.h"
#include "log_time.h"
#include "../record.h"

typedef size_t (*log_parser)(const char *buffer, size_t length,
                             void (*each)(const struct log_entry *entry, void *data), void *data);

struct reader {
    const struct logs_options *options;
    log_parser parse;
    long skip;           /* entries still to skip (--tail) */
    long count;          /* entries seen, when counting */
    bool counting;       /* the --tail pass: count, emit nothing */
    bool past_until;     /* an entry after --until was seen: stop */
    const char *details; /* the --details prefix, or NULL */
    void (*emit)(const struct log_entry *entry, const char *attrs, void *data);
    void *data;
};

static void take_entry(const struct log_entry *entry, void *data)
{
    struct reader *r = data;
    if (r->counting) {
        r->count++;
        return;
    }
    if (r->skip > 0) {
        r->skip--;
        return;
    }
    const struct logs_options *o = r->options;
    struct timespec time;
    if ((o->has_since || o->has_until) && log_date_parse(entry->time, &time)) {
        if (o->has_since && log_time_compare(&time, &o->since) < 0)
            return;
        if (o->has_until && log_time_compare(&time, &o->until) > 0) {
            r->past_until = true;
            return;
        }
    }
    if (!r->past_until)
        r->emit(entry, r->details, r->data);
}

/* The whole entries of the current file from *OFFSET on. */
static void read_current(int fd, size_t *offset, struct reader *r)
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
    *offset += r->parse(buffer, length, take_entry, r);
}

static void read_rotated(const struct log_file *file, struct reader *r)
{
    size_t length;
    cleanup_free char *buffer = log_file_read_all(file, &length);
    r->parse(buffer, length, take_entry, r);
}

/* Every file of SET; *OFFSET is then where the current one was read to. */
static void read_set(const struct log_file_set *set, size_t *offset, struct reader *r)
{
    size_t rotated = set->count - (set->has_current ? 1 : 0);
    for (size_t i = 0; i < rotated; i++)
        read_rotated(&set->files[i], r);
    *offset = 0;
    if (set->has_current)
        read_current(set->files[set->count - 1].fd, offset, r);
}

static bool container_running(const struct engine_context *context, const char *id)
{
    /* Without the lock: a chatty container would have `logs -f` contend
     * with stop and rm for it at every write. */
    struct container_handle handle;
    if (container_read(context, id, &handle, NULL) < 0)
        return false;
    bool running = strcmp(record_status(handle.record), "running") == 0;
    container_close(&handle);
    return running;
}

struct follower {
    const struct engine_context *context;
    const char *id;
    int directory;
    const struct log_settings *settings;
    int current; /* the current file, or -1 before it exists */
    size_t offset;
    bool has_last;             /* a file was finished (rotated away) */
    struct timespec last_read; /* ... and this was its mtime */
};

/* Reads what came since the last call, across rotations: the file we read
 * is finished once renamed away, then the files after it (found by its
 * mtime) and the new current one. */
static int catch_up(struct follower *f, struct reader *r, husk_error_t *err)
{
    for (;;) {
        if (f->current >= 0)
            read_current(f->current, &f->offset, r);
        if (f->current >= 0 && !log_file_rotated(f->directory, f->settings, f->current))
            return 0;
        struct stat st;
        if (f->current >= 0) {
            read_current(f->current, &f->offset, r);
            if (fstat(f->current, &st) == 0) {
                f->has_last = true;
                f->last_read = st.st_mtim;
            }
            close(f->current);
            f->current = -1;
        }
        struct log_file_set set;
        if (log_files_open(f->directory, f->settings, f->has_last ? &f->last_read : NULL, &set,
                           err) < 0)
            return -1;
        if (!set.has_current) {
            /* Between a rotation's rename and its new file: wait for that. */
            log_file_set_free(&set);
            return 0;
        }
        read_set(&set, &f->offset, r);
        f->current = dup(set.files[set.count - 1].fd);
        log_file_set_free(&set);
    }
}

/* Milliseconds until --until, -1 without it. */
static int until_timeout(const struct logs_options *o)
{
    if (!o->has_until)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long ms =
        (o->until.tv_sec - now.tv_sec) * 1000LL + (o->until.tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms + 1;
}

/* Follows with inotify: wakes for new log data, rotations and record
 * updates (the monitor renames a new container.json into place when PID 1
 * exits). */
static int follow(struct follower *f, struct reader *r, husk_error_t *err)
{
    cleanup_close int watch = inotify_init1(IN_CLOEXEC);
    if (watch < 0)
        return husk_error_set(err, errno, "inotify");
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", f->directory);
    if (inotify_add_watch(watch, path,
                          IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE_SELF) < 0)
        return husk_error_set(err, errno, "watch the container's directory");
    while (container_running(f->context, f->id) && !r->past_until) {
        if (catch_up(f, r, err) < 0)
            return -1;
        int timeout = until_timeout(r->options);
        if (timeout == 0)
            break;
        struct pollfd p = {.fd = watch, .events = POLLIN};
        int ready = poll(&p, 1, timeout);
        if (ready < 0 && errno != EINTR)
            return husk_error_set(err, errno, "poll");
        char events[4096];
        if (ready > 0 && read(watch, events, sizeof(events)) < 0 && errno != EINTR)
            return husk_error_set(err, errno, "inotify");
    }
    return catch_up(f, r, err);
}

struct log_source {
    char id[HUSK_ID_SIZE];
    int directory;
    struct log_settings settings;
    char *details;
};

static int open_source(const struct engine_context *context, const char *reference, bool details,
                       struct log_source *source, husk_error_t *err)
{
    struct container_handle handle;
    if (container_open(context, reference, &handle, err) < 0)
        return -1;
    snprintf(source->id, sizeof(source->id), "%s", handle.id);
    int rc = log_settings_from_record(handle.record, &source->settings, err);
    source->details = details ? log_details_prefix(handle.record) : NULL;
    source->directory = open(handle.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rc == 0 && source->directory < 0)
        rc = husk_error_set(err, errno, "open %s", handle.directory);
    container_close(&handle);
    if (rc == 0 && source->settings.driver == LOG_DRIVER_NONE)
        rc = husk_error_set(err, 0, "configured logging driver does not support reading");
    return rc;
}

int engine_logs(const struct engine_context *context, const char *reference,
                const struct logs_options *options,
                void (*emit)(const struct log_entry *entry, const char *attrs, void *data),
                void *data, husk_error_t *err)
{
    struct log_source source = {.directory = -1};
    int rc = open_source(context, reference, options->details, &source, err);
    struct log_file_set set = {0};
    if (rc == 0)
        rc = log_files_open(source.directory, &source.settings, NULL, &set, err);
    struct reader r = {
        .options = options,
        .parse = source.settings.driver == LOG_DRIVER_JSON_FILE ? log_json_parse : log_parse,
        .details = source.details,
        .emit = emit,
        .data = data,
    };
    size_t offset = 0;
    if (rc == 0 && options->tail >= 0) {
        r.counting = true;
        read_set(&set, &offset, &r);
        r.counting = false;
        r.skip = r.count > options->tail ? r.count - options->tail : 0;
    }
    if (rc == 0)
        read_set(&set, &offset, &r);
    if (rc == 0 && options->follow) {
        struct follower f = {context, source.id, source.directory, &source.settings, -1, offset,
                             false,   {0, 0}};
        if (set.has_current)
            f.current = dup(set.files[set.count - 1].fd);
        rc = follow(&f, &r, err);
        if (f.current >= 0)
            close(f.current);
    }
    log_file_set_free(&set);
    if (source.directory >= 0)
        close(source.directory);
    free(source.details);
    return rc;
}
