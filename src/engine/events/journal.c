#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"

char *journal_directory(const struct engine_context *context, int create)
{
    char *directory = xasprintf("%s/" JOURNAL_DIRECTORY, context->data_root);
    husk_error_t err = NULL;
    if (create && directory_create_parents(directory, 0700, &err) < 0)
        husk_error_free(&err);
    return directory;
}

long long journal_max_size(void)
{
    const char *text = getenv("HUSK_EVENTS_MAX_SIZE");
    char *end = NULL;
    long long size = text ? strtoll(text, &end, 10) : 0;
    return text && *text && *end == '\0' && size > 0 ? size : JOURNAL_MAX_SIZE;
}

static int lock(int fd, int operation)
{
    while (flock(fd, operation) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Under the exclusive lock no writer is between its open and its write:
 * every line of the old file is in it, so a reader that finished it has
 * missed none. The size is checked again: another writer may have rotated
 * while we waited. */
static void rotate(int directory_fd, int lock_fd, long long max_size)
{
    struct stat st;
    if (lock(lock_fd, LOCK_EX) < 0)
        return;
    if (fstatat(directory_fd, JOURNAL_FILE, &st, 0) == 0 && st.st_size >= max_size)
        renameat(directory_fd, JOURNAL_FILE, directory_fd, JOURNAL_OLD_FILE);
    flock(lock_fd, LOCK_UN);
}

int journal_append(const char *directory, const char *line, size_t length)
{
    cleanup_close int directory_fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0)
        return -1;
    cleanup_close int lock_fd =
        openat(directory_fd, JOURNAL_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    /* Shared: writers append side by side (O_APPEND keeps their lines
     * whole); only a rotation waits for them all. */
    if (lock_fd < 0 || lock(lock_fd, LOCK_SH) < 0)
        return -1;
    cleanup_close int fd = openat(directory_fd, JOURNAL_FILE,
                                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    ssize_t n;
    do
        n = write(fd, line, length);
    while (n < 0 && errno == EINTR);
    struct stat st;
    bool full = fstat(fd, &st) == 0 && st.st_size >= journal_max_size();
    flock(lock_fd, LOCK_UN);
    if (full)
        rotate(directory_fd, lock_fd, journal_max_size());
    return n == (ssize_t)length ? 0 : -1;
}
