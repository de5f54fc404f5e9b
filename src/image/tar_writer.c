#include "tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/xalloc.h"

struct libarchive {
    void *handle;
    struct archive *(*write_new)(void);
    int (*set_format)(struct archive *);
    int (*open)(struct archive *, void *, archive_open_callback *, archive_write_callback *,
                archive_close_callback *);
    int (*set_bytes_in_last_block)(struct archive *, int);
    int (*write_header)(struct archive *, struct archive_entry *);
    la_ssize_t (*write_data)(struct archive *, const void *, size_t);
    int (*close)(struct archive *);
    int (*free)(struct archive *);
    const char *(*error_string)(struct archive *);
    struct archive_entry *(*entry_new)(void);
    void (*entry_free)(struct archive_entry *);
    void (*set_pathname)(struct archive_entry *, const char *);
    void (*set_mode)(struct archive_entry *, mode_t);
    void (*set_uid)(struct archive_entry *, la_int64_t);
    void (*set_gid)(struct archive_entry *, la_int64_t);
    void (*set_size)(struct archive_entry *, la_int64_t);
    void (*set_mtime)(struct archive_entry *, time_t, long);
    void (*set_symlink)(struct archive_entry *, const char *);
    void (*set_hardlink)(struct archive_entry *, const char *);
    void (*set_rdev)(struct archive_entry *, dev_t);
    void (*xattr_add)(struct archive_entry *, const char *, const void *, size_t);
};

struct tar_writer {
    struct libarchive *lib;
    struct archive *archive;
    int (*write)(void *data, const void *block, size_t length);
    void *data;
};

static int library_load(struct libarchive *lib, husk_error_t *err)
{
    lib->handle = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == NULL)
        return husk_error_set(err, 0, "load libarchive: %s", dlerror());
    struct {
        void **slot;
        const char *name;
    } symbols[] = {
        {(void **)&lib->write_new, "archive_write_new"},
        {(void **)&lib->set_format, "archive_write_set_format_pax_restricted"},
        {(void **)&lib->open, "archive_write_open"},
        {(void **)&lib->set_bytes_in_last_block, "archive_write_set_bytes_in_last_block"},
        {(void **)&lib->write_header, "archive_write_header"},
        {(void **)&lib->write_data, "archive_write_data"},
        {(void **)&lib->close, "archive_write_close"},
        {(void **)&lib->free, "archive_write_free"},
        {(void **)&lib->error_string, "archive_error_string"},
        {(void **)&lib->entry_new, "archive_entry_new"},
        {(void **)&lib->entry_free, "archive_entry_free"},
        {(void **)&lib->set_pathname, "archive_entry_set_pathname"},
        {(void **)&lib->set_mode, "archive_entry_set_mode"},
        {(void **)&lib->set_uid, "archive_entry_set_uid"},
        {(void **)&lib->set_gid, "archive_entry_set_gid"},
        {(void **)&lib->set_size, "archive_entry_set_size"},
        {(void **)&lib->set_mtime, "archive_entry_set_mtime"},
        {(void **)&lib->set_symlink, "archive_entry_set_symlink"},
        {(void **)&lib->set_hardlink, "archive_entry_set_hardlink"},
        {(void **)&lib->set_rdev, "archive_entry_set_rdev"},
        {(void **)&lib->xattr_add, "archive_entry_xattr_add_entry"},
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if ((*symbols[i].slot = dlsym(lib->handle, symbols[i].name)) == NULL)
            return husk_error_set(err, 0, "libarchive has no %s", symbols[i].name);
    return 0;
}

static la_ssize_t write_block(struct archive *archive, void *data, const void *block, size_t length)
{
    (void)archive;
    struct tar_writer *writer = data;
    return writer->write(writer->data, block, length) < 0 ? -1 : (la_ssize_t)length;
}

static void writer_free(struct tar_writer *writer)
{
    if (writer->archive != NULL)
        writer->lib->free(writer->archive);
    if (writer->lib->handle != NULL)
        dlclose(writer->lib->handle);
    free(writer->lib);
    free(writer);
}

int tar_writer_open(int (*write)(void *data, const void *block, size_t length), void *data,
                    struct tar_writer **out, husk_error_t *err)
{
    struct tar_writer *writer = xcalloc(1, sizeof(*writer));
    writer->lib = xcalloc(1, sizeof(*writer->lib));
    writer->write = write;
    writer->data = data;
    if (library_load(writer->lib, err) < 0) {
        writer_free(writer);
        return -1;
    }
    struct libarchive *lib = writer->lib;
    writer->archive = lib->write_new();
    if (writer->archive == NULL)
        abort();
    /* No padding of the last block: the archive ends with its two zero
     * blocks, as Go's archive/tar (docker, the registry's clients) writes. */
    if (lib->set_format(writer->archive) != ARCHIVE_OK ||
        lib->set_bytes_in_last_block(writer->archive, 1) != ARCHIVE_OK ||
        lib->open(writer->archive, writer, NULL, write_block, NULL) != ARCHIVE_OK) {
        husk_error_set(err, 0, "start a tar archive: %s", lib->error_string(writer->archive));
        writer_free(writer);
        return -1;
    }
    *out = writer;
    return 0;
}

static int write_content(struct tar_writer *writer, const struct tar_member *m, husk_error_t *err)
{
    struct libarchive *lib = writer->lib;
    if (m->data != NULL &&
        lib->write_data(writer->archive, m->data, m->size) != (la_ssize_t)m->size)
        return husk_error_set(err, 0, "write %s: %s", m->name, lib->error_string(writer->archive));
    if (m->data != NULL || (m->data_fd < 0 && m->data_stream == NULL))
        return 0;
    char buffer[65536];
    for (size_t done = 0; done < m->size;) {
        size_t want = m->size - done < sizeof(buffer) ? m->size - done : sizeof(buffer);
        ssize_t n = m->data_stream ? byte_stream_read(m->data_stream, buffer, want)
                                   : read(m->data_fd, buffer, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return husk_error_set(err, n < 0 ? errno : EIO, "read %s", m->name);
        if (lib->write_data(writer->archive, buffer, (size_t)n) != n)
            return husk_error_set(err, 0, "write %s: %s", m->name,
                                  lib->error_string(writer->archive));
        done += (size_t)n;
    }
    return 0;
}

int tar_writer_add(struct tar_writer *writer, const struct tar_member *m, husk_error_t *err)
{
    struct libarchive *lib = writer->lib;
    struct archive_entry *entry = lib->entry_new();
    if (entry == NULL)
        abort();
    lib->set_pathname(entry, m->name);
    lib->set_mode(entry, m->mode);
    lib->set_uid(entry, m->uid);
    lib->set_gid(entry, m->gid);
    lib->set_mtime(entry, (time_t)m->mtime, 0);
    if (m->hardlink_name != NULL) {
        lib->set_hardlink(entry, m->hardlink_name);
        lib->set_size(entry, 0);
    } else if (S_ISREG(m->mode)) {
        lib->set_size(entry, (la_int64_t)m->size);
    } else if (S_ISLNK(m->mode)) {
        lib->set_symlink(entry, m->link_target);
    } else if (S_ISCHR(m->mode) || S_ISBLK(m->mode)) {
        lib->set_rdev(entry, m->rdev);
    }
    for (size_t i = 0; i < m->xattr_count; i++)
        lib->xattr_add(entry, m->xattr_names[i], m->xattr_values[i], m->xattr_sizes[i]);
    int rc = 0;
    if (lib->write_header(writer->archive, entry) != ARCHIVE_OK)
        rc = husk_error_set(err, 0, "write %s: %s", m->name, lib->error_string(writer->archive));
    else if (S_ISREG(m->mode) && m->hardlink_name == NULL)
        rc = write_content(writer, m, err);
    lib->entry_free(entry);
    return rc;
}

int tar_writer_close(struct tar_writer *writer, husk_error_t *err)
{
    int rc = 0;
    if (writer->lib->close(writer->archive) != ARCHIVE_OK)
        rc = husk_error_set(err, 0, "finish a tar archive: %s",
                            writer->lib->error_string(writer->archive));
    writer_free(writer);
    return rc;
}
