#include "copy_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../image/byte_stream.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "../../image/tar_reader.h"

#define CAPABILITY_XATTR "security.capability"

static int tar_add(struct copy_sink *sink, const struct copy_entry *e, husk_error_t *err)
{
    struct copy_tar_sink *t = (struct copy_tar_sink *)sink;
    const char *xattr_name = CAPABILITY_XATTR;
    const char *xattr_value = e->capability;
    size_t xattr_size = e->capability_size;
    struct tar_member m = {
        .name = e->name,
        .mode = e->mode,
        .uid = e->uid,
        .gid = e->gid,
        .mtime = e->mtime.tv_sec,
        .link_target = e->link_target,
        .hardlink_name = e->hard_link,
        .rdev = e->rdev,
        .size = (size_t)e->size,
        .data_fd = S_ISREG(e->mode) && e->hard_link == NULL ? e->data_fd : -1,
        .xattr_names = &xattr_name,
        .xattr_values = &xattr_value,
        .xattr_sizes = &xattr_size,
        .xattr_count = e->capability != NULL,
    };
    if (tar_writer_add(t->tar, &m, err) < 0)
        return -1;
    if (m.data_fd >= 0)
        sink->bytes += (uint64_t)e->size;
    return 0;
}

int copy_tar_sink_open(struct copy_tar_sink *t, int fd, husk_error_t *err)
{
    memset(t, 0, sizeof(*t));
    t->fd = fd;
    t->sink.add = tar_add;
    return tar_writer_open(fd_write_callback, &t->fd, &t->tar, err);
}

int copy_tar_sink_close(struct copy_tar_sink *t, husk_error_t *err)
{
    if (t->tar == NULL)
        return 0;
    int rc = tar_writer_close(t->tar, err);
    t->tar = NULL;
    return rc;
}

static ssize_t read_member(void *archive, void *buffer, size_t size)
{
    la_ssize_t n = archive_read_data(archive, buffer, size);
    if (n < 0)
        errno = archive_errno(archive) ? archive_errno(archive) : EIO;
    return n;
}

static void entry_of(struct archive *archive, struct archive_entry *entry, struct copy_entry *e)
{
    *e = (struct copy_entry){
        .name = archive_entry_pathname(entry),
        .mode = archive_entry_filetype(entry) | (archive_entry_perm(entry) & 07777),
        .uid = (uid_t)archive_entry_uid(entry),
        .gid = (gid_t)archive_entry_gid(entry),
        .mtime = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)},
        .rdev = archive_entry_rdev(entry),
        .size = archive_entry_size(entry),
        .link_target = archive_entry_symlink(entry),
        .hard_link = archive_entry_hardlink(entry),
        .data_fd = -1,
        .read = read_member,
        .source = archive,
    };
    if (archive_entry_atime_is_set(entry))
        e->atime = (struct timespec){archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
    const char *key;
    const void *value;
    size_t size;
    archive_entry_xattr_reset(entry);
    while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK)
        if (strcmp(key, CAPABILITY_XATTR) == 0) {
            e->capability = value;
            e->capability_size = size;
        }
}

static int read_entries(struct archive *archive, struct copy_sink *sink, husk_error_t *err)
{
    struct archive_entry *entry;
    int status;
    while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK ||
           status == ARCHIVE_WARN) {
        struct copy_entry e;
        entry_of(archive, entry, &e);
        if (e.name == NULL)
            return husk_error_set(err, 0, "read the archive: an entry without a name");
        if (sink->add(sink, &e, err) < 0)
            return -1;
    }
    if (status != ARCHIVE_EOF)
        return husk_error_set(err, archive_errno(archive), "read the archive: %s",
                              archive_error_string(archive));
    return 0;
}

int copy_tar_read(int fd, struct copy_sink *sink, husk_error_t *err)
{
    struct byte_stream *stream = decompress_stream_new(fd_stream_new(fd, false));
    struct archive *archive = tar_reader_open(stream, "the archive", err);
    int rc = archive ? read_entries(archive, sink, err) : -1;
    archive_read_free(archive);
    byte_stream_close(stream);
    return rc;
}
