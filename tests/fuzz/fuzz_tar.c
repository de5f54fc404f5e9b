/* A layer's tar (src/image/layer_unpack.c, byte_stream.c, tar_reader.c),
 * gzip, zstd or plain, unpacked into a fresh temporary directory that is
 * removed after each input. At most FUZZ_TAR_MAX bytes come out of the
 * decompressor, so a small bomb cannot fill the disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
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

/* A tar header's checksum (the sum of its bytes, the checksum field taken as
 * spaces), put right in every header of a plain tar, so that the fuzzer's
 * changes to a header reach the unpacking instead of libarchive's
 * "damaged tar header". Headers are found as the reader finds them: each
 * followed by its size (octal, offset 124) rounded up to 512 bytes. */
static void tar_checksums_fix(uint8_t *tar, size_t size)
{
    for (size_t at = 0; at + 512 <= size;) {
        uint8_t *header = tar + at;
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
            sum += i >= 148 && i < 156 ? ' ' : header[i];
        snprintf((char *)header + 148, 8, "%06o", sum & 0777777);
        header[155] = ' ';
        unsigned long long length = 0;
        for (size_t i = 124; i < 136 && header[i] >= '0' && header[i] <= '7'; i++)
            length = length * 8 + (header[i] - '0');
        if (length > size)
            break;
        at += 512 + (size_t)((length + 511) / 512 * 512);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    uint8_t *data = malloc(size ? size : 1);
    if (data == NULL)
        abort();
    memcpy(data, input, size);
    bool compressed = size >= 4 && ((data[0] == 0x1f && data[1] == 0x8b) ||
                                    memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0);
    if (!compressed)
        tar_checksums_fix(data, size);
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
    free(data);
    return 0;
}
