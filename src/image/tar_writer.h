/* Writes tar archives (pax, as docker's layers are) with libarchive, loaded
 * on first use: only commands that make layers or archives pay for it (its
 * static writer would link every format libarchive knows). Output is
 * deterministic: what the caller adds, in that order, with only the times
 * it gives, so the same tree always gives the same diffID. */
#ifndef HUSK_IMAGE_TAR_WRITER_H
#define HUSK_IMAGE_TAR_WRITER_H

#include <stdint.h>
#include <sys/types.h>

#include "../util/error.h"
#include "byte_stream.h"

struct tar_writer;

/* Each written block goes to WRITE(DATA, ...), which returns 0 or -1. */
int tar_writer_open(int (*write)(void *data, const void *block, size_t length), void *data,
                    struct tar_writer **writer, husk_error_t *err);

struct tar_member {
    const char *name;
    mode_t mode; /* type and permission bits, as in st_mode */
    uid_t uid;
    gid_t gid;
    int64_t mtime;
    const char *link_target;   /* a symlink's target */
    const char *hardlink_name; /* a hard link to an earlier member */
    dev_t rdev;
    const void *data; /* a regular file's content, SIZE bytes */
    size_t size;
    int data_fd;                     /* or read from this fd (>= 0), SIZE bytes */
    struct byte_stream *data_stream; /* or from this stream, SIZE bytes */
    /* Extended attributes: XATTR_COUNT names and values (pax SCHILY.xattr). */
    const char *const *xattr_names;
    const char *const *xattr_values;
    const size_t *xattr_sizes;
    size_t xattr_count;
};

int tar_writer_add(struct tar_writer *writer, const struct tar_member *member, husk_error_t *err);
/* Writes the end of the archive; frees WRITER whatever happens. */
int tar_writer_close(struct tar_writer *writer, husk_error_t *err);

#endif
