/* Pull-style byte streams. A layer goes from its source (a file, an archive
 * member, a registry response) through its digest checks and decompression
 * into the tar reader in one pass, with no temporary copy on disk. */
#ifndef HUSK_IMAGE_BYTE_STREAM_H
#define HUSK_IMAGE_BYTE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"

struct byte_stream {
    /* Bytes read (> 0), 0 at the end, or -1 with errno. */
    ssize_t (*read)(struct byte_stream *stream, void *buffer, size_t size);
    /* Frees the stream and the streams it reads from. */
    void (*close)(struct byte_stream *stream);
};

ssize_t byte_stream_read(struct byte_stream *stream, void *buffer, size_t size);
/* Reads to the end (a tar reader stops at its end marker; what follows still
 * counts for the digest). */
int byte_stream_drain(struct byte_stream *stream);
void byte_stream_close(struct byte_stream *stream);

/* Reads FD; closes it at the end when OWNS. */
struct byte_stream *fd_stream_new(int fd, bool owns);
/* Reads LENGTH bytes of DATA (not copied). */
struct byte_stream *memory_stream_new(const void *data, size_t length);

/* Digests what passes through from INNER. With EXPECTED_DIGEST, the end of
 * the stream is an error (EBADMSG) unless the digest matches; with
 * EXPECTED_SIZE >= 0, more or fewer bytes are an error (EFBIG, EBADMSG). */
struct byte_stream *digest_stream_new(struct byte_stream *inner, const char *expected_digest,
                                      int64_t expected_size);
/* What passed so far: its digest (when at the end) and size. */
void digest_stream_result(struct byte_stream *stream, char digest[DIGEST_TEXT_SIZE],
                          uint64_t *size);

/* The error (EBADMSG: digest or size, EFBIG: longer) the stream reported at
 * its end, or 0. */
int digest_stream_error(struct byte_stream *stream);

/* gzip or zstd, by the first bytes; anything else passes as it is. */
struct byte_stream *decompress_stream_new(struct byte_stream *inner);

#endif
