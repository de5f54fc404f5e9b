/* libarchive reading a tar (or GNU tar) from a byte stream. */
#ifndef HUSK_IMAGE_TAR_READER_H
#define HUSK_IMAGE_TAR_READER_H

#include <archive.h>

#include "../util/error.h"
#include "byte_stream.h"

/* A reader of STREAM (which stays the caller's, and must outlive it); free
 * it with archive_read_free. NULL with ERR ("read WHAT: ...") when the
 * start of STREAM is no tar. */
struct archive *tar_reader_open(struct byte_stream *stream, const char *what, husk_error_t *err);

#endif
