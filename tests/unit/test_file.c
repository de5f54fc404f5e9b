/* src/util/file.h: whole-file I/O, atomic writes, tree removal and root confinement. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/util/file.h"
#include "unit.h"

struct fixture {
    char directory[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(f->directory, sizeof(f->directory), "%s/husk-unit-file.XXXXXX", tmp);
    if (mkdtemp(f->directory) == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    int rc = directory_remove_tree(f->directory, &err);
    husk_error_free(&err);
    free(f);
    return rc;
}

static char *join(const struct fixture *f, const char *name)
{
    static char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", f->directory, name) >= (int)sizeof(path))
        fail_msg("path too long");
    return path;
}

static size_t count_entries(const char *path)
{
    DIR *dir = opendir(path);
    assert_non_null(dir);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(dir);
    return count;
}

static void test_write_atomic_round_trip(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    const char *content = "{\"hello\": \"world\"}\n";
    assert_int_equal(file_write_atomic(join(f, "state.json"), content, strlen(content), true, &err),
                     0);
    assert_no_error(err);
    char *read = NULL;
    size_t length = 0;
    assert_int_equal(file_read_all(AT_FDCWD, join(f, "state.json"), &read, &length, &err), 0);
    assert_string_equal(read, content);
    assert_int_equal(length, strlen(content));
    free(read);
    /* No temporary file is left behind. */
    assert_int_equal(count_entries(f->directory), 1);
}

static void test_write_atomic_replaces(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(file_write_atomic(join(f, "x"), "old content", 11, false, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "x"), "new", 3, false, &err), 0);
    char *read = NULL;
    assert_int_equal(file_read_all(AT_FDCWD, join(f, "x"), &read, NULL, &err), 0);
    assert_string_equal(read, "new");
    free(read);
    assert_int_equal(count_entries(f->directory), 1);
}

/* Records hold -e values: whatever the umask or a file left before, what
 * file_write_atomic writes is 0600 (issue 14). */
static void test_write_atomic_is_private(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    mode_t saved = umask(0);
    /* An earlier, world-readable version and a temp file a crashed writer
     * with this pid left (O_TRUNC would keep its mode). */
    int fd = open(join(f, "record.json"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    char temporary[64];
    snprintf(temporary, sizeof(temporary), "record.json.tmp.%d", getpid());
    fd = open(join(f, temporary), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    assert_true(fd >= 0);
    close(fd);
    const char *record = "{\"Env\": [\"SECRET=x\"]}";
    int rc = file_write_atomic(join(f, "record.json"), record, strlen(record), true, &err);
    umask(saved);
    assert_int_equal(rc, 0);
    assert_no_error(err);
    struct stat st;
    assert_int_equal(stat(join(f, "record.json"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(count_entries(f->directory), 1);
}

static void test_write_atomic_missing_directory(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(file_write_atomic(join(f, "no/such/dir/x"), "x", 1, false, &err), -1);
    assert_error_contains(err, "create");
    assert_int_equal(err->errno_value, ENOENT);
    husk_error_free(&err);
}

static void test_read_all_large(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    size_t size = 100000;
    char *content = malloc(size);
    assert_non_null(content);
    for (size_t i = 0; i < size; i++)
        content[i] = (char)('a' + i % 26);
    int dirfd = open(f->directory, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    assert_int_equal(file_write_all(dirfd, "big", content, size, 0600, &err), 0);
    char *read = NULL;
    size_t length = 0;
    assert_int_equal(file_read_all(dirfd, "big", &read, &length, &err), 0);
    assert_int_equal(length, size);
    assert_memory_equal(read, content, size);
    assert_int_equal(read[size], '\0');
    free(read);
    free(content);
    close(dirfd);
}

static void test_read_all_empty_path_reads_fd(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(file_write_atomic(join(f, "y"), "via fd", 6, false, &err), 0);
    int fd = open(join(f, "y"), O_RDONLY);
    assert_true(fd >= 0);
    char *read = NULL;
    assert_int_equal(file_read_all(fd, "", &read, NULL, &err), 0);
    assert_string_equal(read, "via fd");
    free(read);
    close(fd);
}

static void test_read_all_empty_file(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(file_write_atomic(join(f, "empty"), "", 0, false, &err), 0);
    char *read = NULL;
    size_t length = 99;
    assert_int_equal(file_read_all(AT_FDCWD, join(f, "empty"), &read, &length, &err), 0);
    assert_int_equal(length, 0);
    assert_string_equal(read, "");
    free(read);
}

static void test_read_all_missing(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    char *read = NULL;
    assert_int_equal(file_read_all(AT_FDCWD, join(f, "missing"), &read, NULL, &err), -1);
    assert_null(read);
    assert_error_contains(err, "open");
    assert_error_contains(err, "missing");
    assert_int_equal(err->errno_value, ENOENT);
    husk_error_free(&err);
}

static void test_create_parents(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(directory_create_parents(join(f, "a/b/c"), 0755, &err), 0);
    struct stat st;
    assert_int_equal(stat(join(f, "a/b/c"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Existing directories are fine. */
    assert_int_equal(directory_create_parents(join(f, "a/b/c"), 0755, &err), 0);
    assert_no_error(err);
}

static void test_create_parents_through_file(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(file_write_atomic(join(f, "file"), "x", 1, false, &err), 0);
    assert_int_equal(directory_create_parents(join(f, "file/sub"), 0755, &err), -1);
    assert_error_contains(err, "mkdir");
    husk_error_free(&err);
}

static void test_remove_tree(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    /* An outside directory that a symlink inside the tree points to. */
    assert_int_equal(directory_create_parents(join(f, "outside"), 0755, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "outside/keep"), "keep", 4, false, &err), 0);

    assert_int_equal(directory_create_parents(join(f, "tree/a/b/c"), 0755, &err), 0);
    assert_int_equal(directory_create_parents(join(f, "tree/empty"), 0755, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "tree/top"), "1", 1, false, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "tree/a/b/c/deep"), "2", 1, false, &err), 0);
    char target[PATH_MAX];
    snprintf(target, sizeof(target), "%s", join(f, "outside"));
    assert_int_equal(symlink(target, join(f, "tree/a/link")), 0);
    assert_int_equal(symlink("/nonexistent", join(f, "tree/dangling")), 0);

    assert_int_equal(directory_remove_tree(join(f, "tree"), &err), 0);
    assert_no_error(err);
    assert_int_equal(access(join(f, "tree"), F_OK), -1);
    assert_int_equal(errno, ENOENT);
    /* Symlinks are removed, never followed. */
    assert_int_equal(access(join(f, "outside/keep"), F_OK), 0);
}

static void test_remove_tree_missing_is_fine(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(directory_remove_tree(join(f, "never-existed"), &err), 0);
    assert_no_error(err);
}

static void test_remove_tree_does_not_follow_top_symlink(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(directory_create_parents(join(f, "real"), 0755, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "real/keep"), "k", 1, false, &err), 0);
    char target[PATH_MAX];
    snprintf(target, sizeof(target), "%s", join(f, "real"));
    assert_int_equal(symlink(target, join(f, "alias")), 0);
    assert_int_equal(directory_remove_tree(join(f, "alias"), &err), -1);
    husk_error_free(&err);
    assert_int_equal(access(join(f, "real/keep"), F_OK), 0);
}

/* A bind of a directory of the same file system inside the tree: refused,
 * and what the bind shows (its source) is left alone. */
static void test_remove_tree_stops_at_same_device_bind(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        skip();
    assert_int_equal(directory_create_parents(join(f, "source"), 0755, &err), 0);
    assert_int_equal(file_write_atomic(join(f, "source/keep"), "k", 1, false, &err), 0);
    assert_int_equal(directory_create_parents(join(f, "tree/a/bound"), 0755, &err), 0);
    char source[PATH_MAX];
    snprintf(source, sizeof(source), "%s", join(f, "source"));
    assert_int_equal(mount(source, join(f, "tree/a/bound"), NULL, MS_BIND, NULL), 0);
    assert_int_equal(directory_remove_tree(join(f, "tree"), &err), -1);
    assert_error_contains(err, "still a mount point");
    husk_error_free(&err);
    assert_int_equal(access(join(f, "source/keep"), F_OK), 0);
    umount2(join(f, "tree/a/bound"), MNT_DETACH);
    assert_int_equal(directory_remove_tree(join(f, "tree"), &err), 0);
}

/* Deeper than any fd limit: one directory is open at a time. */
static void test_remove_tree_deep(void **state)
{
    struct fixture *f = *state;
    husk_error_t err = NULL;
    assert_int_equal(mkdir(join(f, "deep"), 0755), 0);
    int fd = open(join(f, "deep"), O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 3000 && fd >= 0; i++) {
        assert_int_equal(mkdirat(fd, "d", 0755), 0);
        int child = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = child;
    }
    assert_true(fd >= 0);
    close(fd);
    struct rlimit saved, low = {64, 64};
    getrlimit(RLIMIT_NOFILE, &saved);
    setrlimit(RLIMIT_NOFILE, &low);
    int rc = directory_remove_tree(join(f, "deep"), &err);
    setrlimit(RLIMIT_NOFILE, &saved);
    assert_no_error(err);
    assert_int_equal(rc, 0);
    assert_int_equal(access(join(f, "deep"), F_OK), -1);
}

/* A root directory holding etc/passwd, a symlink "escape" -> "/etc" and
 * "dotdot" -> "../../..": nothing may resolve outside of it. */
static int make_root(struct fixture *f, char *root, size_t size)
{
    husk_error_t err = NULL;
    snprintf(root, size, "%s", join(f, "root"));
    if (directory_create_parents(join(f, "root/etc"), 0755, &err) < 0 ||
        file_write_atomic(join(f, "root/etc/passwd"), "inside\n", 7, false, &err) < 0 ||
        symlink("/etc", join(f, "root/escape")) < 0 ||
        symlink("../../..", join(f, "root/dotdot")) < 0 ||
        symlink("/", join(f, "root/slash")) < 0) {
        husk_error_free(&err);
        return -1;
    }
    return open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void assert_reads_inside(int root_fd, const char *path)
{
    int fd = root_open(root_fd, path, O_RDONLY, 0);
    if (fd < 0)
        fail_msg("root_open %s: %s", path, strerror(errno));
    char *content = NULL;
    husk_error_t err = NULL;
    assert_int_equal(file_read_all(fd, "", &content, NULL, &err), 0);
    if (strcmp(content, "inside\n") != 0)
        fail_msg("root_open %s escaped the root and read: %.40s", path, content);
    free(content);
    close(fd);
}

static void test_root_open_confined(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    assert_reads_inside(root_fd, "etc/passwd");
    assert_reads_inside(root_fd, "/etc/passwd");
    assert_reads_inside(root_fd, "escape/passwd");
    assert_reads_inside(root_fd, "dotdot/etc/passwd");
    assert_reads_inside(root_fd, "../../../../etc/passwd");
    assert_reads_inside(root_fd, "slash/etc/passwd");
    assert_reads_inside(root_fd, "dotdot/dotdot/escape/passwd");
    close(root_fd);
}

static void test_root_open_escape_is_enoent(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    /* Without etc/ in the root, "escape/passwd" must not find the host's file. */
    assert_int_equal(unlink(join(f, "root/etc/passwd")), 0);
    assert_int_equal(rmdir(join(f, "root/etc")), 0);
    errno = 0;
    int fd = root_open(root_fd, "escape/passwd", O_RDONLY, 0);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    assert_int_equal(fd, -1);
    assert_int_equal(saved, ENOENT);
    fd = root_open(root_fd, "dotdot/etc/passwd", O_RDONLY, 0);
    saved = errno;
    if (fd >= 0)
        close(fd);
    assert_int_equal(fd, -1);
    assert_int_equal(saved, ENOENT);
    close(root_fd);
}

static void test_root_open_empty_is_root(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    int fd = root_open(root_fd, "/", O_PATH | O_DIRECTORY, 0);
    assert_true(fd >= 0);
    struct stat a, b;
    assert_int_equal(fstat(fd, &a), 0);
    assert_int_equal(fstat(root_fd, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    close(fd);
    fd = root_open(root_fd, "", O_PATH | O_DIRECTORY, 0);
    assert_true(fd >= 0);
    close(fd);
    close(root_fd);
}

static void test_root_directory_create_confined(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX], host_probe[128];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    husk_error_t err = NULL;
    char name[64];
    snprintf(name, sizeof(name), "husk-unit-%d", (int)getpid());
    snprintf(host_probe, sizeof(host_probe), "/etc/%s", name);

    char path[PATH_MAX];
    snprintf(path, sizeof(path), "escape/%s/nested", name);
    int fd = root_open_directory_create(root_fd, path, 0755, &err);
    bool host_touched = access(host_probe, F_OK) == 0;
    if (host_touched) {
        char nested[256];
        snprintf(nested, sizeof(nested), "%s/nested", host_probe);
        rmdir(nested);
        rmdir(host_probe);
    }
    assert_false(host_touched);
    assert_true(fd >= 0);
    assert_no_error(err);
    close(fd);
    char inside[PATH_MAX];
    snprintf(inside, sizeof(inside), "root/etc/%s/nested", name);
    struct stat st;
    assert_int_equal(stat(join(f, inside), &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    /* ".." out of the root lands in the root. */
    fd = root_open_directory_create(root_fd, "dotdot/a/b", 0755, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/a/b"), &st), 0);
    assert_int_equal(access(join(f, "a"), F_OK), -1);
    fd = root_open_directory_create(root_fd, "../../x/y", 0755, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/x/y"), &st), 0);
    assert_int_equal(access(join(f, "x"), F_OK), -1);

    /* Existing directories open without error; a file in the way fails. */
    fd = root_open_directory_create(root_fd, "/a/b", 0755, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(root_open_directory_create(root_fd, "etc/passwd/sub", 0755, &err), -1);
    assert_non_null(err);
    husk_error_free(&err);
    close(root_fd);
}

static void test_root_open_mount_target(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    husk_error_t err = NULL;
    int fd = root_open_mount_target(root_fd, "/etc/resolv.conf", false, &err);
    assert_true(fd >= 0);
    close(fd);
    struct stat st;
    assert_int_equal(stat(join(f, "root/etc/resolv.conf"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    fd = root_open_mount_target(root_fd, "/new/parent/file", false, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/new/parent/file"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    fd = root_open_mount_target(root_fd, "dotdot/mnt/dir", true, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/mnt/dir"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* An existing file is reused, not truncated. */
    fd = root_open_mount_target(root_fd, "etc/passwd", false, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_reads_inside(root_fd, "etc/passwd");
    assert_no_error(err);
    close(root_fd);
}

/* Dangling symlinks at a mount target, as an image or an earlier run can
 * leave them: what they name is made, inside the root; loops fail. */
static void test_root_create_through_dangling_symlinks(void **state)
{
    struct fixture *f = *state;
    char root[PATH_MAX], climb[128], host_probe[160];
    int root_fd = make_root(f, root, sizeof(root));
    assert_true(root_fd >= 0);
    snprintf(climb, sizeof(climb), "../../../../../../tmp/husk-unit-climb-%d", (int)getpid());
    snprintf(host_probe, sizeof(host_probe), "/tmp/husk-unit-climb-%d", (int)getpid());
    assert_int_equal(symlink("/far/away", join(f, "root/dangling")), 0);
    assert_int_equal(symlink(climb, join(f, "root/climb")), 0);
    assert_int_equal(symlink("loop2", join(f, "root/loop1")), 0);
    assert_int_equal(symlink("loop1", join(f, "root/loop2")), 0);
    assert_int_equal(symlink("../files/f", join(f, "root/etc/filelink")), 0);
    husk_error_t err = NULL;
    struct stat st;
    int fd = root_open_directory_create(root_fd, "dangling/sub", 0755, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/far/away/sub"), &st), 0);
    fd = root_open_mount_target(root_fd, "/climb", true, &err);
    bool host_touched = access(host_probe, F_OK) == 0;
    rmdir(host_probe);
    assert_false(host_touched);
    assert_true(fd >= 0);
    close(fd);
    char inside[PATH_MAX];
    snprintf(inside, sizeof(inside), "root%s", host_probe);
    assert_int_equal(stat(join(f, inside), &st), 0);
    fd = root_open_mount_target(root_fd, "/etc/filelink", false, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(stat(join(f, "root/files/f"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_no_error(err);
    assert_int_equal(root_open_directory_create(root_fd, "loop1/x", 0755, &err), -1);
    assert_non_null(err);
    husk_error_free(&err);
    assert_int_equal(root_open_mount_target(root_fd, "loop1", false, &err), -1);
    husk_error_free(&err);
    close(root_fd);
}

static bool not_hidden(const char *name)
{
    return name[0] != '.';
}

static void test_directory_names(void **state)
{
    struct fixture *f = *state;
    const char *made[] = {"b", "a", ".hidden", "c"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(mkdir(join(f, made[i]), 0755), 0);
    char **names = directory_names(f->directory, not_hidden);
    assert_non_null(names);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    assert_string_equal(names[2], "c");
    assert_null(names[3]);
    for (char **n = names; *n; n++)
        free(*n);
    free(names);
    names = directory_names(join(f, "missing"), not_hidden);
    assert_non_null(names);
    assert_null(names[0]);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_atomic_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_is_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_empty_path_reads_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_parents_through_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree_missing_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree_stops_at_same_device_bind, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree_does_not_follow_top_symlink, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_root_open_confined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_open_escape_is_enoent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_open_empty_is_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_directory_create_confined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_open_mount_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_create_through_dangling_symlinks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_directory_names, setup, teardown),
    };
    return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
