/* src/image/layer_unpack.h and byte_stream.h: layers made here with
 * libarchive's writer (the "small generator of our own"), unpacked into a
 * temporary directory, including hostile ones. Runs as root (owners, device
 * nodes, trusted.* xattrs). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../src/image/byte_stream.h"
#include "../../src/image/layer_unpack.h"
#include "../../src/util/file.h"
#include "unit.h"

struct tar {
    struct archive *archive;
    char *data;
    size_t used;
};

enum filter { PLAIN, GZIP, ZSTD };

static void tar_begin(struct tar *t, enum filter filter)
{
    static char buffer[1 << 20];
    t->archive = archive_write_new();
    archive_write_set_format_pax_restricted(t->archive);
    if (filter == GZIP)
        archive_write_add_filter_gzip(t->archive);
    else if (filter == ZSTD)
        archive_write_add_filter_zstd(t->archive);
    t->data = buffer;
    t->used = 0;
    assert_int_equal(archive_write_open_memory(t->archive, buffer, sizeof(buffer), &t->used),
                     ARCHIVE_OK);
}

static struct archive_entry *tar_entry(const char *name, mode_t type, mode_t mode)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_mtime(e, 1000000000, 0);
    return e;
}

static void tar_put(struct tar *t, struct archive_entry *e, const char *content)
{
    if (content != NULL)
        archive_entry_set_size(e, (la_int64_t)strlen(content));
    assert_int_equal(archive_write_header(t->archive, e), ARCHIVE_OK);
    if (content != NULL)
        assert_int_equal(archive_write_data(t->archive, content, strlen(content)),
                         (la_ssize_t)strlen(content));
    archive_entry_free(e);
}

static void tar_file(struct tar *t, const char *name, mode_t mode, const char *content)
{
    tar_put(t, tar_entry(name, AE_IFREG, mode), content);
}

static void tar_directory(struct tar *t, const char *name, mode_t mode)
{
    tar_put(t, tar_entry(name, AE_IFDIR, mode), NULL);
}

static void tar_symlink(struct tar *t, const char *name, const char *target)
{
    struct archive_entry *e = tar_entry(name, AE_IFLNK, 0777);
    archive_entry_set_symlink(e, target);
    tar_put(t, e, NULL);
}

static void tar_hardlink(struct tar *t, const char *name, const char *target)
{
    struct archive_entry *e = tar_entry(name, AE_IFREG, 0644);
    archive_entry_set_hardlink(e, target);
    archive_entry_set_size(e, 0);
    tar_put(t, e, NULL);
}

static void tar_end(struct tar *t)
{
    assert_int_equal(archive_write_close(t->archive), ARCHIVE_OK);
    archive_write_free(t->archive);
}

struct directory {
    char path[64];
    int fd;
};

static void directory_make(struct directory *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/husk-layer.XXXXXX");
    assert_non_null(mkdtemp(d->path));
    d->fd = open(d->path, O_RDONLY | O_DIRECTORY);
    assert_true(d->fd >= 0);
}

static void directory_drop(struct directory *d)
{
    close(d->fd);
    assert_int_equal(directory_remove_tree(d->path, NULL), 0);
}

/* Unpacks T (decompressing when needed) into D; the result of layer_unpack. */
static int unpack(struct tar *t, struct directory *d, husk_error_t *err)
{
    struct byte_stream *stream = decompress_stream_new(memory_stream_new(t->data, t->used));
    int rc = layer_unpack(stream, d->fd, err);
    byte_stream_close(stream);
    return rc;
}

static void unpack_ok(struct tar *t, struct directory *d)
{
    husk_error_t err = NULL;
    int rc = unpack(t, d, &err);
    assert_no_error(err);
    assert_int_equal(rc, 0);
}

static void assert_refused(struct tar *t, const char *word)
{
    struct directory d;
    directory_make(&d);
    husk_error_t err = NULL;
    assert_int_equal(unpack(t, &d, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
    directory_drop(&d);
}

static void assert_content(int dir_fd, const char *name, const char *expected)
{
    char *content = NULL;
    assert_int_equal(file_read_all(dir_fd, name, &content, NULL, NULL), 0);
    assert_string_equal(content, expected);
    free(content);
}

static void test_files_owners_modes_times(void **state)
{
    (void)state;
    struct tar t;
    tar_begin(&t, PLAIN);
    tar_directory(&t, "./", 0755);
    tar_directory(&t, "./usr/", 0750);
    struct archive_entry *e = tar_entry("usr/bin/tool", AE_IFREG, 04755);
    archive_entry_set_uid(e, 1000);
    archive_entry_set_gid(e, 2000);
    archive_entry_xattr_add_entry(e, "user.note", "hello", 5);
    tar_put(&t, e, "#!/bin/sh\n");
    tar_symlink(&t, "usr/bin/link", "tool");
    tar_hardlink(&t, "usr/bin/same", "usr/bin/tool");
    tar_put(&t, tar_entry("dev/fifo", AE_IFIFO, 0600), NULL);
    e = tar_entry("dev/null", AE_IFCHR, 0666);
    archive_entry_set_rdev(e, makedev(1, 3));
    tar_put(&t, e, NULL);
    tar_end(&t);
    struct directory d;
    directory_make(&d);
    unpack_ok(&t, &d);
    struct stat st;
    assert_int_equal(fstatat(d.fd, "usr/bin/tool", &st, 0), 0);
    assert_int_equal(st.st_mode & 07777, 04755);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 2000);
    assert_int_equal(st.st_mtime, 1000000000);
    assert_int_equal(st.st_nlink, 2);
    assert_content(d.fd, "usr/bin/same", "#!/bin/sh\n");
    char value[16] = {0};
    char path[128];
    snprintf(path, sizeof(path), "%s/usr/bin/tool", d.path);
    assert_int_equal(getxattr(path, "user.note", value, sizeof(value)), 5);
    assert_string_equal(value, "hello");
    char target[16] = {0};
    assert_int_equal(readlinkat(d.fd, "usr/bin/link", target, sizeof(target)), 4);
    assert_int_equal(fstatat(d.fd, "usr", &st, 0), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_int_equal(st.st_mtime, 1000000000); /* set after its children */
    assert_int_equal(fstatat(d.fd, "dev/fifo", &st, 0), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(fstatat(d.fd, "dev/null", &st, 0), 0);
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    directory_drop(&d);
}

static void test_whiteouts(void **state)
{
    (void)state;
    struct tar t;
    tar_begin(&t, PLAIN);
    tar_directory(&t, "etc", 0755);
    tar_file(&t, "etc/.wh.gone", 0600, "");
    tar_directory(&t, "var/cache", 0755);
    tar_file(&t, "var/cache/.wh..wh..opq", 0600, "");
    tar_file(&t, "var/cache/kept", 0644, "k");
    tar_file(&t, ".wh..wh.plnk", 0600, ""); /* aufs bookkeeping: ignored */
    tar_end(&t);
    struct directory d;
    directory_make(&d);
    unpack_ok(&t, &d);
    struct stat st;
    assert_int_equal(fstatat(d.fd, "etc/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
    assert_int_equal(fstatat(d.fd, "etc/.wh.gone", &st, 0), -1);
    char path[128], value[4] = {0};
    snprintf(path, sizeof(path), "%s/var/cache", d.path);
    assert_int_equal(getxattr(path, "trusted.overlay.opaque", value, sizeof(value)), 1);
    assert_string_equal(value, "y");
    assert_content(d.fd, "var/cache/kept", "k");
    assert_int_equal(fstatat(d.fd, ".wh..wh.plnk", &st, 0), -1);
    directory_drop(&d);
}

/* Compressed layers: the stream decompresses by magic, and the digest of the
 * uncompressed tar (the diffID) is the same whatever the compression. */
static void test_gzip_and_zstd(void **state)
{
    (void)state;
    char digests[3][DIGEST_TEXT_SIZE];
    enum filter filters[] = {PLAIN, GZIP, ZSTD};
    for (int i = 0; i < 3; i++) {
        struct tar t;
        tar_begin(&t, filters[i]);
        tar_file(&t, "a", 0644, "same content");
        tar_end(&t);
        struct byte_stream *diff =
            digest_stream_new(decompress_stream_new(memory_stream_new(t.data, t.used)), NULL, -1);
        struct directory d;
        directory_make(&d);
        husk_error_t err = NULL;
        int unpack_rc = layer_unpack(diff, d.fd, &err);
        assert_no_error(err);
        assert_int_equal(unpack_rc, 0);
        assert_int_equal(byte_stream_drain(diff), 0);
        digest_stream_result(diff, digests[i], NULL);
        byte_stream_close(diff);
        assert_content(d.fd, "a", "same content");
        directory_drop(&d);
    }
    assert_string_equal(digests[0], digests[1]);
    assert_string_equal(digests[0], digests[2]);
}

/* A blob that is not what its digest or size says fails at its end. */
static void test_digest_and_size_checked(void **state)
{
    (void)state;
    const char *text = "abc";
    char right[DIGEST_TEXT_SIZE];
    digest_of(text, 3, right);
    assert_string_equal(right,
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct byte_stream *s = digest_stream_new(memory_stream_new(text, 3), right, 3);
    assert_int_equal(byte_stream_drain(s), 0);
    byte_stream_close(s);
    char wrong[DIGEST_TEXT_SIZE];
    digest_of("abd", 3, wrong);
    s = digest_stream_new(memory_stream_new(text, 3), wrong, -1);
    assert_int_equal(byte_stream_drain(s), -1);
    assert_int_equal(errno, EBADMSG);
    byte_stream_close(s);
    s = digest_stream_new(memory_stream_new(text, 3), NULL, 2);
    assert_int_equal(byte_stream_drain(s), -1);
    assert_int_equal(errno, EFBIG);
    byte_stream_close(s);
    s = digest_stream_new(memory_stream_new(text, 3), NULL, 4);
    assert_int_equal(byte_stream_drain(s), -1);
    assert_int_equal(errno, EBADMSG);
    byte_stream_close(s);
}

static void test_truncated_gzip_refused(void **state)
{
    (void)state;
    struct tar t;
    tar_begin(&t, GZIP);
    char big[8192];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    tar_file(&t, "a", 0644, big);
    tar_end(&t);
    t.used /= 2;
    assert_refused(&t, "layer");
}

static void test_absolute_and_dotdot_refused(void **state)
{
    (void)state;
    const char *names[] = {"/etc/passwd", "../escape", "a/../../escape", "a/b/../../../x"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct tar t;
        tar_begin(&t, PLAIN);
        tar_file(&t, names[i], 0644, "x");
        tar_end(&t);
        assert_refused(&t, "outside the layer");
    }
    struct tar t;
    tar_begin(&t, PLAIN);
    tar_file(&t, "a", 0644, "x");
    tar_hardlink(&t, "b", "../../etc/passwd");
    tar_end(&t);
    assert_refused(&t, "leaves the layer");
}

/* A symlink to a host path, then a file written "through" it: the file
 * lands inside the layer (the link is resolved in it), the host path is
 * never touched. */
static void test_symlink_cannot_redirect_out(void **state)
{
    (void)state;
    char outside[] = "/tmp/husk-outside.XXXXXX";
    assert_non_null(mkdtemp(outside));
    struct tar t;
    tar_begin(&t, PLAIN);
    tar_symlink(&t, "escape", outside);
    char through[128];
    snprintf(through, sizeof(through), "escape/planted");
    tar_file(&t, through, 0644, "pwned");
    tar_symlink(&t, "up", "../../../../..");
    tar_file(&t, "up/tmp/planted2", 0644, "pwned");
    tar_end(&t);
    struct directory d;
    directory_make(&d);
    unpack_ok(&t, &d);
    char host_path[128];
    snprintf(host_path, sizeof(host_path), "%s/planted", outside);
    assert_int_equal(access(host_path, F_OK), -1);
    assert_int_equal(access("/tmp/planted2", F_OK), -1);
    char inside[160];
    snprintf(inside, sizeof(inside), "%s%s/planted", d.path, outside);
    assert_int_equal(access(inside, F_OK), 0);
    directory_drop(&d);
    rmdir(outside);
}

static void test_overlay_xattrs_refused(void **state)
{
    (void)state;
    struct tar t;
    tar_begin(&t, PLAIN);
    struct archive_entry *e = tar_entry("d", AE_IFDIR, 0755);
    archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/etc", 4);
    tar_put(&t, e, NULL);
    tar_end(&t);
    assert_refused(&t, "steers overlayfs");
}

static void test_not_a_tar_refused(void **state)
{
    (void)state;
    struct tar t = {.data = "this is not a tar archive at all, just some words.", .used = 50};
    assert_refused(&t, "read the layer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_owners_modes_times),
        cmocka_unit_test(test_whiteouts),
        cmocka_unit_test(test_gzip_and_zstd),
        cmocka_unit_test(test_digest_and_size_checked),
        cmocka_unit_test(test_truncated_gzip_refused),
        cmocka_unit_test(test_absolute_and_dotdot_refused),
        cmocka_unit_test(test_symlink_cannot_redirect_out),
        cmocka_unit_test(test_overlay_xattrs_refused),
        cmocka_unit_test(test_not_a_tar_refused),
    };
    return cmocka_run_group_tests_name("layer", tests, NULL, NULL);
}
