/* Appends a container's output to its log file and rotates it: used by the
 * monitor of a detached container (on its idle path: no allocation, no
 * jansson or zlib) and by the foreground `husk run`.
 *
 * Rotation: before an entry that would take the file past max-size, FILE.N-1
 * ... FILE.1 shift up by one (the oldest goes), FILE becomes FILE.1 and a new
 * FILE is opened; an entry is never split, so none is lost or doubled. With
 * compress, a short-lived child gzips FILE.1 into FILE.1.gz (through
 * FILE.1.gz.tmp, keeping FILE.1's mtime, which `logs -f` uses to find its
 * place) and then removes FILE.1; the next rotation waits for it. The
 * writer holds an exclusive flock(2) on FILE while it rotates: readers take
 * a shared one to see a consistent set of files. */
#ifndef HUSK_ENGINE_LOG_WRITER_H
#define HUSK_ENGINE_LOG_WRITER_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"
#include "log.h"
#include "log_config.h"

struct log_writer {
    int fd;        /* the current file (O_APPEND), -1 for the none driver */
    int directory; /* the container's directory, -1 for none */
    int64_t size;  /* of the current file */
    pid_t compressor;
    uint64_t dropped;  /* bytes of output not logged since the last notice */
    int dropped_errno; /* why */
    struct log_settings settings;
};

/* Opens RECORD's log in DIRECTORY: *SETTINGS, *FD and *DIRECTORY_FD (both -1
 * for the none driver), for a writer elsewhere (the monitor). */
int log_writer_prepare(const json_t *record, const char *directory, struct log_settings *settings,
                       int *fd, int *directory_fd, husk_error_t *err);
/* Takes over what log_writer_prepare opened. */
void log_writer_adopt(struct log_writer *w, const struct log_settings *settings, int fd,
                      int directory_fd);
/* Both at once, for the foreground `run`. */
int log_writer_open(struct log_writer *w, const json_t *record, const char *directory,
                    husk_error_t *err);
/* Splits DATA into lines and appends one entry for each. */
void log_writer_append(struct log_writer *w, enum log_stream stream, const char *data,
                       size_t length);
/* Waits for a compressor still at work (before the container's directory
 * may go: --rm). */
void log_writer_settle(struct log_writer *w);
/* Waits for a compressor still at work and closes the files. */
void log_writer_close(struct log_writer *w);

/* "FILE", "FILE.N" or "FILE.N.gz" (N > 0) into NAME. */
void log_file_name(char *name, size_t size, const char *file, int index, bool gz);

#endif
