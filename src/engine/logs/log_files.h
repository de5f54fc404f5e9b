/* Reading a container's log files for `husk logs`: the rotated ones
 * (plain or gzipped) oldest first, then the current one, opened under the
 * writer's lock (log_writer.h) so that a rotation never shows a file twice
 * or hides one. */
#ifndef HUSK_ENGINE_LOG_FILES_H
#define HUSK_ENGINE_LOG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../../util/error.h"
#include "log_config.h"

struct log_file {
    int fd;
    bool gz;
};

struct log_file_set {
    struct log_file *files; /* oldest first; the last is the current file */
    size_t count;
    bool has_current; /* false when the current file does not exist yet */
};

/* Opens the files of DIRECTORY's log (SETTINGS), all of them, or with AFTER
 * only those newer than the rotated file whose mtime AFTER is (all when no
 * file has it any more). */
int log_files_open(int directory, const struct log_settings *settings, const struct timespec *after,
                   struct log_file_set *set, husk_error_t *err);
void log_file_set_free(struct log_file_set *set);
/* The whole of a rotated FILE, decompressed (allocated). */
char *log_file_read_all(const struct log_file *file, size_t *length);
/* True when the current file of DIRECTORY is no longer the one FD reads
 * (the writer rotated it away). */
bool log_file_rotated(int directory, const struct log_settings *settings, int fd);

#endif
