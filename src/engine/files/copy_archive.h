/* `husk cp`'s "-": a copy's entries as a tar on stdout, or a tar (plain,
 * gzip or zstd) from stdin as a copy's entries. */
#ifndef HUSK_ENGINE_FILES_COPY_ARCHIVE_H
#define HUSK_ENGINE_FILES_COPY_ARCHIVE_H

#include "../../image/tar_writer.h"
#include "../../util/error.h"
#include "copy_entry.h"

struct copy_tar_sink {
    struct copy_sink sink;
    struct tar_writer *tar;
    int fd;
};

int copy_tar_sink_open(struct copy_tar_sink *t, int fd, husk_error_t *err);
/* Writes the end of the archive (ERR NULL: only frees, after a failure). */
int copy_tar_sink_close(struct copy_tar_sink *t, husk_error_t *err);

/* Hands every entry of the tar read from FD to SINK. */
int copy_tar_read(int fd, struct copy_sink *sink, husk_error_t *err);

#endif
