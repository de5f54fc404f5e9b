#include "journal_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "event_filter.h"
#include "journal.h"

/* One journal file being read: a line a writer is still writing waits in
 * PENDING until its '\n' arrives. */
struct cursor {
    int fd;
    ino_t inode;
    char *pending;
    size_t length;
};

struct reader {
    const struct event_query *query;
    event_sink sink;
    void *data;
    int directory_fd;
};

static void cursor_close(struct cursor *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->pending);
    *c = (struct cursor){.fd = -1};
}

/* NAME from its start, or from its end with AT_END; false when absent. */
static bool cursor_open(struct reader *r, const char *name, bool at_end, struct cursor *c)
{
    struct stat st;
    *c = (struct cursor){.fd = openat(r->directory_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
    if (c->fd < 0 || fstat(c->fd, &st) < 0) {
        cursor_close(c);
        return false;
    }
    c->inode = st.st_ino;
    if (at_end)
        lseek(c->fd, 0, SEEK_END);
    return true;
}

static int deliver(struct reader *r, const char *line, size_t length)
{
    json_error_t error;
    cleanup_json json_t *event = json_loadb(line, length, 0, &error);
    /* A line a full disk cut short is skipped, not fatal. */
    if (!json_is_object(event))
        return 0;
    long long when = json_integer_value(json_object_get(event, "timeNano"));
    const struct event_query *q = r->query;
    if ((q->has_since && when < q->since) || (q->has_until && when > q->until) ||
        (q->filters != NULL && !event_filter_match(q->filters, event)))
        return 0;
    return r->sink(event, r->data);
}

/* Every whole line from where the cursor is to the end of the file. */
static int cursor_drain(struct reader *r, struct cursor *c)
{
    char chunk[65536];
    ssize_t n;
    while (c->fd >= 0 &&
           ((n = read(c->fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))) {
        if (n < 0)
            continue;
        c->pending = xrealloc(c->pending, c->length + (size_t)n);
        memcpy(c->pending + c->length, chunk, (size_t)n);
        c->length += (size_t)n;
        size_t start = 0;
        for (char *end; (end = memchr(c->pending + start, '\n', c->length - start)) != NULL;) {
            size_t line_length = (size_t)(end - (c->pending + start));
            if (deliver(r, c->pending + start, line_length) < 0)
                return -1;
            start += line_length + 1;
        }
        memmove(c->pending, c->pending + start, c->length - start);
        c->length -= start;
    }
    return 0;
}

/* The past: the rotated file (unless a rotation made it the one we hold
 * already), then the current one, which C keeps open for following. */
static int replay(struct reader *r, struct cursor *c)
{
    struct cursor old;
    cursor_open(r, JOURNAL_FILE, false, c);
    if (cursor_open(r, JOURNAL_OLD_FILE, false, &old)) {
        int rc = c->fd >= 0 && old.inode == c->inode ? 0 : cursor_drain(r, &old);
        cursor_close(&old);
        if (rc < 0)
            return -1;
    }
    return cursor_drain(r, c);
}

/* After inotify spoke: what was appended, and after a rotation the rest of
 * the old file (complete: journal.c rotates only when no writer is between
 * open and write), then the new one from its start. */
static int follow_step(struct reader *r, struct cursor *c)
{
    if (cursor_drain(r, c) < 0)
        return -1;
    struct stat st;
    if (fstatat(r->directory_fd, JOURNAL_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        (c->fd >= 0 && st.st_ino == c->inode))
        return 0;
    cursor_close(c);
    cursor_open(r, JOURNAL_FILE, false, c);
    return cursor_drain(r, c);
}

static long long now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* Milliseconds until the until time (rounded up), -1 without one. */
static int wait_ms(const struct event_query *q)
{
    if (!q->has_until)
        return -1;
    long long left = q->until - now_ns();
    if (left <= 0)
        return 0;
    long long ms = (left + 999999) / 1000000;
    return ms > 1000000000 ? 1000000000 : (int)ms;
}

static int follow(struct reader *r, int inotify_fd, struct cursor *c)
{
    char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        int timeout = wait_ms(r->query);
        if (timeout == 0)
            return 0;
        struct pollfd p = {.fd = inotify_fd, .events = POLLIN};
        int ready = poll(&p, 1, timeout);
        if (ready < 0 && errno != EINTR)
            return -1;
        if (ready <= 0)
            continue;
        while (read(inotify_fd, events, sizeof(events)) > 0)
            ;
        if (follow_step(r, c) < 0)
            return 0;
    }
}

int engine_events_read(const struct engine_context *context, const struct event_query *query,
                       event_sink sink, void *data, husk_error_t *err)
{
    cleanup_free char *directory = journal_directory(context, 1);
    struct reader r = {query, sink, data, open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC)};
    cleanup_close int directory_fd = r.directory_fd;
    if (directory_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    bool follows = wait_ms(query) != 0;
    /* Watching before reading: nothing written in between is missed. */
    cleanup_close int inotify_fd = follows ? inotify_init1(IN_CLOEXEC | IN_NONBLOCK) : -1;
    if (follows && (inotify_fd < 0 ||
                    inotify_add_watch(inotify_fd, directory,
                                      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0))
        return husk_error_set(err, errno, "watch %s", directory);
    struct cursor c = {.fd = -1};
    int rc = 0;
    /* A sink that stops the reading is no error: its reader went away. */
    bool stopped = false;
    if (query->has_since || query->has_until)
        stopped = replay(&r, &c) < 0;
    else
        cursor_open(&r, JOURNAL_FILE, true, &c);
    if (!stopped && follows && follow(&r, inotify_fd, &c) < 0)
        rc = husk_error_set(err, errno, "follow the events");
    cursor_close(&c);
    return rc;
}
