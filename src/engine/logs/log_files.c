#include "log_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"
#include "log_writer.h"

/* Opens the current file and holds a shared lock on it: the writer cannot
 * rotate until log_files_open is done. -1 with errno ENOENT when it does
 * not exist. */
static int lock_current(int directory, const char *file)
{
    for (;;) {
        int fd = openat(directory, file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        struct stat opened, now;
        while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
            ;
        if (fstat(fd, &opened) == 0 && fstatat(directory, file, &now, 0) == 0 &&
            opened.st_ino == now.st_ino && opened.st_dev == now.st_dev)
            return fd;
        close(fd); /* rotated while we were opening it: again */
    }
}

static void add(struct log_file_set *set, int fd, bool gz)
{
    set->files = xreallocarray(set->files, set->count + 1, sizeof(*set->files));
    set->files[set->count++] = (struct log_file){fd, gz};
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Rotated file K, plain (while its compressor is at work) or gzipped. */
static int open_rotated(int directory, const char *file, int k, bool *gz, struct stat *st)
{
    char name[128];
    for (int packed = 0; packed < 2; packed++) {
        log_file_name(name, sizeof(name), file, k, packed);
        int fd = openat(directory, name, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && fstat(fd, st) == 0) {
            *gz = packed;
            return fd;
        }
        if (fd >= 0)
            close(fd);
    }
    return -1;
}

int log_files_open(int directory, const struct log_settings *s, const struct timespec *after,
                   struct log_file_set *set, husk_error_t *err)
{
    memset(set, 0, sizeof(*set));
    int current = lock_current(directory, s->file);
    if (current < 0 && errno != ENOENT)
        return husk_error_set(err, errno, "open %s", s->file);
    for (int k = s->max_file - 1; k >= 1; k--) {
        bool gz;
        struct stat st;
        int fd = open_rotated(directory, s->file, k, &gz, &st);
        if (fd < 0)
            continue;
        if (after != NULL && same_time(&st.st_mtim, after)) {
            /* The last one read: only what came after it. */
            for (size_t i = 0; i < set->count; i++)
                close(set->files[i].fd);
            set->count = 0;
            close(fd);
            continue;
        }
        add(set, fd, gz);
    }
    if (current >= 0) {
        flock(current, LOCK_UN);
        add(set, current, false);
        set->has_current = true;
    }
    return 0;
}

void log_file_set_free(struct log_file_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        close(set->files[i].fd);
    free(set->files);
    memset(set, 0, sizeof(*set));
}

char *log_file_read_all(const struct log_file *file, size_t *length)
{
    size_t capacity = 65536;
    char *buffer = xmalloc(capacity);
    *length = 0;
    int fd = dup(file->fd);
    gzFile gz = file->gz && fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (fd >= 0)
        lseek(fd, 0, SEEK_SET); /* read before (the --tail pass): the offset is shared */
    for (;;) {
        if (capacity - *length < 65536)
            buffer = xrealloc(buffer, capacity *= 2);
        ssize_t n = gz ? gzread(gz, buffer + *length, 65536)
                       : read(fd, buffer + *length, capacity - *length);
        if (n < 0 && errno == EINTR && gz == NULL)
            continue;
        if (n <= 0)
            break;
        *length += (size_t)n;
    }
    if (gz != NULL)
        gzclose(gz);
    else if (fd >= 0)
        close(fd);
    return buffer;
}

bool log_file_rotated(int directory, const struct log_settings *s, int fd)
{
    struct stat opened, now;
    if (fstat(fd, &opened) < 0)
        return false;
    if (fstatat(directory, s->file, &now, 0) < 0)
        return errno == ENOENT;
    return opened.st_ino != now.st_ino || opened.st_dev != now.st_dev;
}
