#include "log_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "../util/file.h"
#include "../util/section.h"
#include "store.h"

MONITOR_PATH void log_file_name(char *name, size_t size, const char *file, int index, bool gz)
{
    if (index == 0)
        snprintf(name, size, "%s", file);
    else
        snprintf(name, size, "%s.%d%s", file, index, gz ? ".gz" : "");
}

int log_writer_prepare(const json_t *record, const char *directory, struct log_settings *settings,
                       int *fd, int *directory_fd, husk_error_t *err)
{
    *fd = *directory_fd = -1;
    if (log_settings_from_record(record, settings, err) < 0)
        return husk_error_wrap(err, "the container's log configuration");
    if (settings->driver == LOG_DRIVER_NONE)
        return 0;
    *directory_fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*directory_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    *fd = openat(*directory_fd, settings->file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (*fd < 0) {
        int saved = errno;
        close(*directory_fd);
        *directory_fd = -1;
        return husk_error_set(err, saved, "open %s/%s", directory, settings->file);
    }
    return 0;
}

MONITOR_PATH void log_writer_adopt(struct log_writer *w, const struct log_settings *settings,
                                   int fd, int directory_fd)
{
    w->settings = *settings;
    w->fd = fd;
    w->directory = directory_fd;
    w->compressor = 0;
    w->dropped = 0;
    w->dropped_errno = 0;
    /* Not fstat: glibc makes it fstatat(fd, "", AT_EMPTY_PATH), and the
     * kernel's read of that "" in libc's .rodata maps 64 KiB of it into the
     * monitor for good. */
    off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
    w->size = end > 0 ? end : 0;
}

int log_writer_open(struct log_writer *w, const json_t *record, const char *directory,
                    husk_error_t *err)
{
    struct log_settings settings;
    int fd, directory_fd;
    if (log_writer_prepare(record, directory, &settings, &fd, &directory_fd, err) < 0)
        return -1;
    log_writer_adopt(w, &settings, fd, directory_fd);
    return 0;
}

/* In the compressor child (not the monitor): FILE.1 -> FILE.1.gz. */
static _Noreturn void compress_rotated(int directory, const char *file)
{
    /* Not the monitor's: a client's socket or the container's stdin held
     * here would not see its end while this runs. */
    int keep[1] = {directory};
    fd_close_all_but(keep, 1);
    char plain[128], packed[136], temporary[144];
    log_file_name(plain, sizeof(plain), file, 1, false);
    log_file_name(packed, sizeof(packed), file, 1, true);
    snprintf(temporary, sizeof(temporary), "%s.tmp", packed);
    int in = openat(directory, plain, O_RDONLY | O_CLOEXEC);
    int out = openat(directory, temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gzFile gz = out >= 0 ? gzdopen(out, "wb") : NULL;
    struct stat st;
    if (in < 0 || gz == NULL || fstat(in, &st) < 0)
        _exit(1);
    char buffer[16384];
    ssize_t n;
    while ((n = read(in, buffer, sizeof(buffer))) > 0)
        if (gzwrite(gz, buffer, (unsigned)n) != (int)n)
            _exit(1);
    if (n < 0 || gzclose(gz) != Z_OK)
        _exit(1);
    /* `logs -f` recognises a rotated file by its mtime, gzipped or not. */
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(directory, temporary, times, 0) < 0 ||
        renameat(directory, temporary, directory, packed) < 0)
        _exit(1);
    unlinkat(directory, plain, 0);
    _exit(0);
}

MONITOR_PATH static void wait_compressor(struct log_writer *w)
{
    if (w->compressor > 0)
        while (waitpid(w->compressor, NULL, 0) < 0 && errno == EINTR)
            ;
    w->compressor = 0;
}

MONITOR_PATH static void say_dropped(struct log_writer *w, const char *now);

MONITOR_PATH void log_writer_settle(struct log_writer *w)
{
    wait_compressor(w);
    if (w->fd >= 0 && w->dropped > 0) {
        char now[64];
        store_timestamp_now(now, sizeof(now));
        say_dropped(w, now);
    }
}

/* FILE.K -> FILE.K+1 (either form), the oldest dropped, FILE -> FILE.1. */
MONITOR_PATH static void shift_files(struct log_writer *w)
{
    const char *file = w->settings.file;
    char from[128], to[128];
    int last = w->settings.max_file - 1;
    for (int gz = 0; gz < 2 && last > 0; gz++) {
        log_file_name(to, sizeof(to), file, last, gz);
        unlinkat(w->directory, to, 0);
    }
    for (int k = last - 1; k >= 1; k--) {
        for (int gz = 0; gz < 2; gz++) {
            log_file_name(from, sizeof(from), file, k, gz);
            log_file_name(to, sizeof(to), file, k + 1, gz);
            renameat(w->directory, from, w->directory, to);
        }
    }
    if (last > 0) {
        log_file_name(to, sizeof(to), file, 1, false);
        renameat(w->directory, file, w->directory, to);
    } else {
        unlinkat(w->directory, file, 0);
    }
}

MONITOR_PATH static void rotate(struct log_writer *w)
{
    flock(w->fd, LOCK_EX);
    wait_compressor(w);
    shift_files(w);
    int fd = openat(w->directory, w->settings.file,
                    O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
    flock(w->fd, LOCK_UN);
    if (fd < 0)
        return; /* Keep writing to the renamed file rather than lose output. */
    close(w->fd);
    w->fd = fd;
    w->size = 0;
    if (w->settings.compress && w->settings.max_file > 1) {
        pid_t pid = fork();
        if (pid == 0)
            compress_rotated(w->directory, w->settings.file);
        w->compressor = pid > 0 ? pid : 0;
    }
}

MONITOR_PATH static void make_room(struct log_writer *w, size_t entry)
{
    if (w->settings.max_size > 0 && w->size > 0 && w->size + (int64_t)entry > w->settings.max_size)
        rotate(w);
}

MONITOR_PATH static bool write_all(struct log_writer *w, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(w->fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        w->size += n;
        data += n;
        length -= (size_t)n;
    }
    return true;
}

/* An entry is whole or not there: what a full disk cut short is cut off
 * again (a reader of the local format would take the rest of the file for
 * the entry's body), counted, and said in the log once there is room. */
MONITOR_PATH static void entry_lost(struct log_writer *w, int64_t start, size_t length, int error)
{
    if (w->size > start && ftruncate(w->fd, start) == 0)
        w->size = start;
    w->dropped += length;
    w->dropped_errno = error;
}

MONITOR_PATH static void append_local(struct log_writer *w, enum log_stream stream, const char *now,
                                      const char *data, size_t length)
{
    char header[96];
    size_t header_length = log_local_header(header, sizeof(header), stream, now, length);
    make_room(w, header_length + length);
    struct iovec parts[2] = {{header, header_length}, {(void *)data, length}};
    /* One writev per entry: with O_APPEND, a reader never sees a torn header. */
    int64_t start = w->size;
    ssize_t n = writev(w->fd, parts, 2);
    int error = n < 0 ? errno : ENOSPC;
    if (n > 0)
        w->size += n;
    if (n != (ssize_t)(header_length + length))
        entry_lost(w, start, length, error);
}

MONITOR_PATH static void append_json(struct log_writer *w, enum log_stream stream, const char *now,
                                     const char *data, size_t length)
{
    char buffer[4096];
    size_t used = 8, entry = length;
    memcpy(buffer, "{\"log\":\"", used);
    char tail[128];
    int tail_length = snprintf(tail, sizeof(tail), "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
                               stream == LOG_STDERR ? "stderr" : "stdout", now);
    make_room(w, used + log_json_escaped_length(data, length) + (size_t)tail_length);
    int64_t start = w->size;
    /* Written in pieces: readers take only lines that are whole. */
    bool written = true;
    while (length > 0 && written) {
        used += log_json_escape(&data, &length, buffer + used, sizeof(buffer) - used);
        if (sizeof(buffer) - used < 6) {
            written = write_all(w, buffer, used);
            used = 0;
        }
    }
    if (written && used + (size_t)tail_length > sizeof(buffer)) {
        written = write_all(w, buffer, used);
        used = 0;
    }
    memcpy(buffer + used, tail, (size_t)tail_length);
    if (!written || !write_all(w, buffer, used + (size_t)tail_length))
        entry_lost(w, start, entry, errno);
}

MONITOR_PATH static void append_line(struct log_writer *w, enum log_stream stream, const char *now,
                                     const char *data, size_t length)
{
    if (w->settings.driver == LOG_DRIVER_JSON_FILE)
        append_json(w, stream, now, data, length);
    else
        append_local(w, stream, now, data, length);
}

/* Docker's daemon logs the failure where the user may never look; here
 * the log itself says what it misses, as soon as it can. */
MONITOR_PATH static void say_dropped(struct log_writer *w, const char *now)
{
    char notice[192];
    int error = w->dropped_errno;
    int length = snprintf(notice, sizeof(notice),
                          "husk: %llu bytes of the container's output could not be logged: %s\n",
                          (unsigned long long)w->dropped,
                          error == ENOSPC   ? "no space left on device"
                          : error == EDQUOT ? "disk quota exceeded"
                                            : "write error");
    uint64_t dropped = w->dropped;
    w->dropped = 0;
    append_line(w, LOG_STDERR, now, notice, (size_t)length);
    if (w->dropped > 0) {
        w->dropped = dropped;
        w->dropped_errno = error;
    }
}

MONITOR_PATH void log_writer_append(struct log_writer *w, enum log_stream stream, const char *data,
                                    size_t length)
{
    if (w->fd < 0)
        return;
    char now[64];
    store_timestamp_now(now, sizeof(now));
    if (w->dropped > 0)
        say_dropped(w, now);
    while (length > 0) {
        const char *newline = memchr(data, '\n', length);
        size_t line = newline ? (size_t)(newline - data) + 1 : length;
        append_line(w, stream, now, data, line);
        data += line;
        length -= line;
    }
}

void log_writer_close(struct log_writer *w)
{
    wait_compressor(w);
    if (w->fd >= 0)
        close(w->fd);
    if (w->directory >= 0)
        close(w->directory);
    w->fd = w->directory = -1;
}
