#include "byte_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../util/xalloc.h"

#define CHUNK (128 * 1024)

ssize_t byte_stream_read(struct byte_stream *stream, void *buffer, size_t size)
{
    return stream->read(stream, buffer, size);
}

int byte_stream_drain(struct byte_stream *stream)
{
    char buffer[16384];
    ssize_t n;
    while ((n = byte_stream_read(stream, buffer, sizeof(buffer))) > 0)
        ;
    return n < 0 ? -1 : 0;
}

void byte_stream_close(struct byte_stream *stream)
{
    if (stream != NULL)
        stream->close(stream);
}

/* --- a file descriptor --- */

struct fd_stream {
    struct byte_stream base;
    int fd;
    bool owns;
};

static ssize_t fd_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct fd_stream *s = (struct fd_stream *)stream;
    ssize_t n;
    while ((n = read(s->fd, buffer, size)) < 0 && errno == EINTR)
        ;
    return n;
}

static void fd_close(struct byte_stream *stream)
{
    struct fd_stream *s = (struct fd_stream *)stream;
    if (s->owns)
        close(s->fd);
    free(s);
}

struct byte_stream *fd_stream_new(int fd, bool owns)
{
    struct fd_stream *s = xcalloc(1, sizeof(*s));
    *s = (struct fd_stream){{fd_read, fd_close}, fd, owns};
    return &s->base;
}

/* --- a buffer --- */

struct memory_stream {
    struct byte_stream base;
    const unsigned char *data;
    size_t length, offset;
};

static ssize_t memory_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct memory_stream *s = (struct memory_stream *)stream;
    size_t n = s->length - s->offset < size ? s->length - s->offset : size;
    memcpy(buffer, s->data + s->offset, n);
    s->offset += n;
    return (ssize_t)n;
}

static void memory_close(struct byte_stream *stream)
{
    free(stream);
}

struct byte_stream *memory_stream_new(const void *data, size_t length)
{
    struct memory_stream *s = xcalloc(1, sizeof(*s));
    *s = (struct memory_stream){{memory_read, memory_close}, data, length, 0};
    return &s->base;
}

/* --- digest and size checks --- */

struct digest_stream {
    struct byte_stream base;
    struct byte_stream *inner;
    struct digester *digester;
    char expected[DIGEST_TEXT_SIZE];
    int64_t expected_size;
    uint64_t size;
    char digest[DIGEST_TEXT_SIZE];
    bool ended;
    int error;
};

static ssize_t digest_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct digest_stream *s = (struct digest_stream *)stream;
    if (s->ended)
        return 0;
    ssize_t n = byte_stream_read(s->inner, buffer, size);
    if (n < 0)
        return -1;
    if (n > 0) {
        s->size += (uint64_t)n;
        if (s->expected_size >= 0 && s->size > (uint64_t)s->expected_size) {
            errno = s->error = EFBIG;
            return -1;
        }
        digester_update(s->digester, buffer, (size_t)n);
        return n;
    }
    s->ended = true;
    digester_finish(s->digester, s->digest);
    if ((s->expected_size >= 0 && s->size != (uint64_t)s->expected_size) ||
        (s->expected[0] != '\0' && strcmp(s->expected, s->digest) != 0)) {
        errno = s->error = EBADMSG;
        return -1;
    }
    return 0;
}

int digest_stream_error(struct byte_stream *stream)
{
    return ((struct digest_stream *)stream)->error;
}

static void digest_close(struct byte_stream *stream)
{
    struct digest_stream *s = (struct digest_stream *)stream;
    byte_stream_close(s->inner);
    digester_free(s->digester);
    free(s);
}

struct byte_stream *digest_stream_new(struct byte_stream *inner, const char *expected_digest,
                                      int64_t expected_size)
{
    struct digest_stream *s = xcalloc(1, sizeof(*s));
    s->base = (struct byte_stream){digest_read, digest_close};
    s->inner = inner;
    s->digester = digester_new();
    s->expected_size = expected_size;
    if (expected_digest != NULL)
        snprintf(s->expected, sizeof(s->expected), "%s", expected_digest);
    return &s->base;
}

void digest_stream_result(struct byte_stream *stream, char digest[DIGEST_TEXT_SIZE], uint64_t *size)
{
    struct digest_stream *s = (struct digest_stream *)stream;
    if (digest != NULL)
        memcpy(digest, s->digest, DIGEST_TEXT_SIZE);
    if (size != NULL)
        *size = s->size;
}

/* --- decompression --- */

enum compression { COMPRESSION_UNKNOWN, COMPRESSION_NONE, COMPRESSION_GZIP, COMPRESSION_ZSTD };

struct decompress_stream {
    struct byte_stream base;
    struct byte_stream *inner;
    enum compression kind;
    unsigned char *input;
    size_t input_length, input_offset;
    bool input_ended;
    z_stream zlib;
    bool zlib_ready;
    ZSTD_DStream *zstd;
    bool zstd_frame_done; /* the last frame was decoded to its end */
};

/* Refills the input buffer when it is used up; 0 at the inner end. */
static ssize_t refill(struct decompress_stream *s)
{
    if (s->input_offset < s->input_length)
        return (ssize_t)(s->input_length - s->input_offset);
    if (s->input_ended)
        return 0;
    ssize_t n = byte_stream_read(s->inner, s->input, CHUNK);
    if (n < 0)
        return -1;
    s->input_offset = 0;
    s->input_length = (size_t)n;
    s->input_ended = n == 0;
    return n;
}

static int detect(struct decompress_stream *s)
{
    /* Up to 4 bytes, across reads if the source gives them one by one. */
    while (s->input_length < 4 && !s->input_ended) {
        ssize_t n = byte_stream_read(s->inner, s->input + s->input_length, CHUNK - s->input_length);
        if (n < 0)
            return -1;
        s->input_length += (size_t)n;
        s->input_ended = n == 0;
    }
    const unsigned char *p = s->input;
    if (s->input_length >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        s->kind = COMPRESSION_GZIP;
        if (inflateInit2(&s->zlib, 15 + 16) != Z_OK)
            abort();
        s->zlib_ready = true;
    } else if (s->input_length >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
               p[3] == 0xfd) {
        s->kind = COMPRESSION_ZSTD;
        s->zstd = ZSTD_createDStream();
        if (s->zstd == NULL)
            abort();
        ZSTD_initDStream(s->zstd);
    } else {
        s->kind = COMPRESSION_NONE;
    }
    return 0;
}

static ssize_t read_plain(struct decompress_stream *s, void *buffer, size_t size)
{
    ssize_t available = refill(s);
    if (available <= 0)
        return available;
    size_t n = (size_t)available < size ? (size_t)available : size;
    memcpy(buffer, s->input + s->input_offset, n);
    s->input_offset += n;
    return (ssize_t)n;
}

static ssize_t read_gzip(struct decompress_stream *s, void *buffer, size_t size)
{
    for (;;) {
        ssize_t available = refill(s);
        if (available < 0)
            return -1;
        if (available == 0) {
            /* The input ended inside a gzip member: truncated. */
            errno = s->zlib.total_in > 0 ? EBADMSG : 0;
            return errno ? -1 : 0;
        }
        s->zlib.next_in = s->input + s->input_offset;
        s->zlib.avail_in = (uInt)available;
        s->zlib.next_out = buffer;
        s->zlib.avail_out = (uInt)size;
        int rc = inflate(&s->zlib, Z_NO_FLUSH);
        s->input_offset += (size_t)available - s->zlib.avail_in;
        size_t produced = size - s->zlib.avail_out;
        if (rc == Z_STREAM_END) {
            /* Members may follow one another; anything after the last is an
             * error only if it is not another member. */
            inflateReset(&s->zlib);
            s->zlib.total_in = 0;
            if (refill(s) == 0)
                return (ssize_t)produced;
            if (produced > 0)
                return (ssize_t)produced;
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            errno = EBADMSG;
            return -1;
        }
        if (produced > 0)
            return (ssize_t)produced;
    }
}

static ssize_t read_zstd(struct decompress_stream *s, void *buffer, size_t size)
{
    for (;;) {
        ssize_t available = refill(s);
        if (available < 0)
            return -1;
        if (available == 0) {
            /* Input ended inside a frame: truncated. */
            if (!s->zstd_frame_done) {
                errno = EBADMSG;
                return -1;
            }
            return 0;
        }
        ZSTD_inBuffer in = {s->input + s->input_offset, (size_t)available, 0};
        ZSTD_outBuffer out = {buffer, size, 0};
        size_t rc = ZSTD_decompressStream(s->zstd, &out, &in);
        s->input_offset += in.pos;
        if (ZSTD_isError(rc)) {
            errno = EBADMSG;
            return -1;
        }
        s->zstd_frame_done = rc == 0;
        if (out.pos > 0)
            return (ssize_t)out.pos;
    }
}

static ssize_t decompress_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct decompress_stream *s = (struct decompress_stream *)stream;
    if (s->kind == COMPRESSION_UNKNOWN && detect(s) < 0)
        return -1;
    switch (s->kind) {
    case COMPRESSION_GZIP:
        return read_gzip(s, buffer, size);
    case COMPRESSION_ZSTD:
        return read_zstd(s, buffer, size);
    default:
        return read_plain(s, buffer, size);
    }
}

static void decompress_close(struct byte_stream *stream)
{
    struct decompress_stream *s = (struct decompress_stream *)stream;
    if (s->zlib_ready)
        inflateEnd(&s->zlib);
    ZSTD_freeDStream(s->zstd);
    byte_stream_close(s->inner);
    free(s->input);
    free(s);
}

struct byte_stream *decompress_stream_new(struct byte_stream *inner)
{
    struct decompress_stream *s = xcalloc(1, sizeof(*s));
    s->base = (struct byte_stream){decompress_read, decompress_close};
    s->inner = inner;
    s->input = xmalloc(CHUNK);
    return &s->base;
}
