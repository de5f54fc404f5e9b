#include "tar_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

struct tar_source {
    struct byte_stream *stream;
    char buffer[64 * 1024];
};

static la_ssize_t source_read(struct archive *archive, void *data, const void **block)
{
    struct tar_source *source = data;
    ssize_t n = byte_stream_read(source->stream, source->buffer, sizeof(source->buffer));
    if (n < 0) {
        archive_set_error(archive, errno, "%s", strerror(errno));
        return -1;
    }
    *block = source->buffer;
    return n;
}

/* libarchive calls it once, from archive_read_free, also after a failed open. */
static int source_close(struct archive *archive, void *data)
{
    (void)archive;
    free(data);
    return ARCHIVE_OK;
}

struct archive *tar_reader_open(struct byte_stream *stream, const char *what, husk_error_t *err)
{
    struct tar_source *source = xmalloc(sizeof(*source));
    source->stream = stream;
    struct archive *archive = archive_read_new();
    if (archive == NULL)
        abort();
    archive_read_support_format_tar(archive);
    archive_read_support_format_gnutar(archive);
    if (archive_read_open(archive, source, NULL, source_read, source_close) != ARCHIVE_OK) {
        husk_error_set(err, archive_errno(archive), "read %s: %s", what,
                       archive_error_string(archive));
        archive_read_free(archive);
        return NULL;
    }
    return archive;
}
