/* A layer's tar (src/image/layer_unpack.c, byte_stream.c, tar_reader.c),
 * gzip, zstd or plain, unpacked into a fresh temporary directory that is
 * removed after each input. At most FUZZ_TAR_MAX bytes come out of the
 * decompressor, so a small bomb cannot fill the disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/image/byte_stream.h"
#include "../../src/image/layer_unpack.h"
#include "../../src/util/file.h"
#include "fuzz.h"

#define FUZZ_TAR_MAX (16 * 1024 * 1024)

struct capped_stream {
    struct byte_stream base;
    struct byte_stream *inner;
    size_t left;
};

static ssize_t capped_read(struct byte_stream *stream, void *buffer, size_t size)
{
    struct capped_stream *c = (struct capped_stream *)stream;
    if (c->left == 0) {
        errno = EFBIG;
        return -1;
    }
    ssize_t n = byte_stream_read(c->inner, buffer, size < c->left ? size : c->left);
    if (n > 0)
        c->left -= (size_t)n;
    return n;
}

static void capped_close(struct byte_stream *stream)
{
    struct capped_stream *c = (struct capped_stream *)stream;
    byte_stream_close(c->inner);
    free(c);
}

static struct byte_stream *capped_stream_new(struct byte_stream *inner, size_t limit)
{
    struct capped_stream *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    *c = (struct capped_stream){{capped_read, capped_close}, inner, limit};
    return &c->base;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *directory = fuzz_temp_directory();
    int root_fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        abort();
    struct byte_stream *tar =
        capped_stream_new(decompress_stream_new(memory_stream_new(data, size)), FUZZ_TAR_MAX);
    husk_error_t err = NULL;
    layer_unpack(tar, root_fd, &err);
    husk_error_free(&err);
    byte_stream_close(tar);
    close(root_fd);
    /* Whatever the layer made, the next input starts from nothing. */
    if (directory_remove_tree(directory, &err) < 0) {
        fprintf(stderr, "husk fuzz: cannot remove %s: %s\n", directory, err->message);
        abort();
    }
    free(directory);
    return 0;
}
