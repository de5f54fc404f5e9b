/* src/runtime/cgroup_layout.h and cgroup_setup.h: finding cgroup
 * hierarchies in mountinfo text, the one path helper, and creating, joining
 * and removing a container's cgroups on a stand-in tree of directories. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/runtime/cgroup.h"
#include "unit.h"

/* Ubuntu 20.04 style: v1 controllers, name=systemd and cgroup2 at unified/. */
static const char hybrid[] =
    "22 28 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "23 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
    "28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
    "31 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "32 31 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 "
    "cgroup2 rw,nsdelegate\n"
    "33 31 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
    "cgroup rw,name=systemd\n"
    "36 31 0:31 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
    "cgroup rw,cpuset,clone_children\n"
    "37 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "38 31 0:33 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup "
    "cgroup rw,memory\n"
    "39 31 0:34 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:17 - cgroup "
    "cgroup rw,devices\n"
    "40 31 0:35 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:18 - "
    "cgroup cgroup rw,net_cls,net_prio\n"
    "41 31 0:36 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup "
    "rw,pids\n"
    "42 31 0:37 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:20 - cgroup "
    "cgroup rw,freezer\n";

static const char pure_v2[] =
    "24 29 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
    "29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "40 24 0:33 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:8 - bpf bpf rw,mode=700\n";

static const struct cgroup_hierarchy *by_mount_point(const struct cgroup_layout *layout,
                                                     const char *mount_point)
{
    for (size_t i = 0; i < layout->count; i++)
        if (strcmp(layout->hierarchies[i].mount_point, mount_point) == 0)
            return &layout->hierarchies[i];
    return NULL;
}

static void parse_or_fail(const char *text, struct cgroup_layout *layout)
{
    husk_error_t err = NULL;
    if (cgroup_layout_parse(text, layout, &err) < 0)
        fail_msg("cgroup_layout_parse: %s", err->message);
}

static void test_hybrid(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail(hybrid, &layout);
    assert_int_equal(layout.count, 9);
    const struct cgroup_hierarchy *h = by_mount_point(&layout, "/sys/fs/cgroup/unified");
    assert_non_null(h);
    assert_true(h->unified);
    assert_string_equal(h->controllers, "");
    h = by_mount_point(&layout, "/sys/fs/cgroup/systemd");
    assert_non_null(h);
    assert_false(h->unified);
    assert_string_equal(h->controllers, "name=systemd");
    h = by_mount_point(&layout, "/sys/fs/cgroup/cpu,cpuacct");
    assert_non_null(h);
    assert_false(h->unified);
    assert_string_equal(h->controllers, "cpu,cpuacct");
    h = by_mount_point(&layout, "/sys/fs/cgroup/cpuset");
    assert_non_null(h);
    assert_string_equal(h->controllers, "cpuset"); /* clone_children is an option */
    h = by_mount_point(&layout, "/sys/fs/cgroup/net_cls,net_prio");
    assert_non_null(h);
    assert_string_equal(h->controllers, "net_cls,net_prio");
    assert_null(by_mount_point(&layout, "/sys/fs/cgroup")); /* the tmpfs */
    assert_null(by_mount_point(&layout, "/sys"));
    cgroup_layout_free(&layout);
    assert_int_equal(layout.count, 0);
    assert_null(layout.hierarchies);
}

static void test_pure_v2(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail(pure_v2, &layout);
    assert_int_equal(layout.count, 1);
    assert_string_equal(layout.hierarchies[0].mount_point, "/sys/fs/cgroup");
    assert_true(layout.hierarchies[0].unified);
    assert_string_equal(layout.hierarchies[0].controllers, "");
    assert_null(cgroup_layout_find(&layout, "cpu"));
    assert_null(cgroup_layout_find(&layout, "devices"));
    cgroup_layout_free(&layout);
}

static void test_pure_v1_without_optional_fields(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail("50 40 0:40 / /cg/memory rw,relatime - cgroup none rw,memory\n"
                  "51 40 0:41 / /cg/blkio rw - cgroup cgroup rw,nosuid,blkio,release_agent=/x\n",
                  &layout);
    assert_int_equal(layout.count, 2);
    assert_string_equal(layout.hierarchies[0].mount_point, "/cg/memory");
    assert_string_equal(layout.hierarchies[0].controllers, "memory");
    assert_string_equal(layout.hierarchies[1].controllers, "blkio");
    cgroup_layout_free(&layout);
}

static void test_duplicates_counted_once(void **state)
{
    (void)state;
    char text[8192];
    snprintf(text, sizeof(text),
             "%s"
             "60 28 0:32 / /mnt/again rw,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
             "61 28 0:27 / /mnt/unified rw,relatime - cgroup2 cgroup2 rw\n"
             "62 28 0:36 / /mnt/pids rw,relatime - cgroup cgroup rw,nosuid,pids\n",
             hybrid);
    struct cgroup_layout layout;
    parse_or_fail(text, &layout);
    assert_int_equal(layout.count, 9);
    assert_null(by_mount_point(&layout, "/mnt/again"));
    assert_null(by_mount_point(&layout, "/mnt/unified"));
    assert_null(by_mount_point(&layout, "/mnt/pids"));
    assert_string_equal(cgroup_layout_find(&layout, "cpu")->mount_point,
                        "/sys/fs/cgroup/cpu,cpuacct");
    cgroup_layout_free(&layout);
}

static void test_sub_cgroup_bind_ignored(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail("70 31 0:32 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup "
                  "rw,cpu,cpuacct\n"
                  "71 31 0:27 /user.slice /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
                  "72 28 0:32 / /host/cpu rw,relatime - cgroup cgroup rw,cpu,cpuacct\n",
                  &layout);
    assert_int_equal(layout.count, 1);
    assert_string_equal(layout.hierarchies[0].mount_point, "/host/cpu");
    assert_string_equal(layout.hierarchies[0].controllers, "cpu,cpuacct");
    cgroup_layout_free(&layout);
}

static void test_ignores_noise(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail("", &layout);
    assert_int_equal(layout.count, 0);
    cgroup_layout_free(&layout);
    parse_or_fail("\n\ngarbage line without separator\n"
                  "1 2 3 - cgroup\n"
                  "80 1 0:50 / /x rw - tmpfs tmpfs rw\n"
                  "81 1 0:51 / /y rw - cgroup2\n",
                  &layout);
    assert_int_equal(layout.count, 0);
    cgroup_layout_free(&layout);
    /* No trailing newline on the last line. */
    parse_or_fail("30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", &layout);
    assert_int_equal(layout.count, 1);
    cgroup_layout_free(&layout);
}

static void test_find(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail(hybrid, &layout);
    /* cpuset comes first in the text: "cpu" must not match it. */
    const struct cgroup_hierarchy *h = cgroup_layout_find(&layout, "cpu");
    assert_non_null(h);
    assert_string_equal(h->controllers, "cpu,cpuacct");
    h = cgroup_layout_find(&layout, "cpuacct");
    assert_non_null(h);
    assert_string_equal(h->mount_point, "/sys/fs/cgroup/cpu,cpuacct");
    h = cgroup_layout_find(&layout, "cpuset");
    assert_non_null(h);
    assert_string_equal(h->mount_point, "/sys/fs/cgroup/cpuset");
    h = cgroup_layout_find(&layout, "net_prio");
    assert_non_null(h);
    assert_string_equal(h->controllers, "net_cls,net_prio");
    h = cgroup_layout_find(&layout, "name=systemd");
    assert_non_null(h);
    assert_string_equal(h->mount_point, "/sys/fs/cgroup/systemd");
    assert_string_equal(cgroup_layout_find(&layout, "devices")->mount_point,
                        "/sys/fs/cgroup/devices");
    assert_null(cgroup_layout_find(&layout, "acct"));
    assert_null(cgroup_layout_find(&layout, "net"));
    assert_null(cgroup_layout_find(&layout, "hugetlb"));
    assert_null(cgroup_layout_find(&layout, "systemd"));
    cgroup_layout_free(&layout);
}

static void test_find_only_cpuset(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail("36 31 0:31 / /c rw - cgroup cgroup rw,cpuset\n"
                  "37 31 0:32 / /d rw - cgroup cgroup rw,cpuacct\n",
                  &layout);
    assert_null(cgroup_layout_find(&layout, "cpu"));
    assert_string_equal(cgroup_layout_find(&layout, "cpuacct")->mount_point, "/d");
    cgroup_layout_free(&layout);
}

/* systemd mounts its named hierarchy with "xattr" (and on older hosts a
 * release_agent): the header promises controllers "name=systemd", but xattr
 * is not in the list of generic options and ends up as a controller. */
static void test_systemd_xattr_is_not_a_controller(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail("35 25 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 "
                  "- cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,"
                  "name=systemd\n",
                  &layout);
    assert_int_equal(layout.count, 1);
    char controllers[256];
    snprintf(controllers, sizeof(controllers), "%s", layout.hierarchies[0].controllers);
    cgroup_layout_free(&layout);
    assert_string_equal(controllers, "name=systemd");
}

static void test_controller_falls_back_to_cgroup2(void **state)
{
    (void)state;
    struct cgroup_layout layout;
    parse_or_fail(hybrid, &layout);
    /* v1 holds memory; nothing in v1 holds io, so cgroup2 does. */
    assert_string_equal(cgroup_layout_controller(&layout, "memory")->mount_point,
                        "/sys/fs/cgroup/memory");
    assert_string_equal(cgroup_layout_controller(&layout, "io")->mount_point,
                        "/sys/fs/cgroup/unified");
    assert_string_equal(cgroup_layout_unified(&layout)->mount_point, "/sys/fs/cgroup/unified");
    /* cgroup2 lists no controllers: find never returns it. */
    assert_null(cgroup_layout_find(&layout, ""));
    cgroup_layout_free(&layout);
    parse_or_fail("50 40 0:40 / /cg/memory rw - cgroup none rw,memory\n", &layout);
    assert_null(cgroup_layout_unified(&layout));
    assert_null(cgroup_layout_controller(&layout, "pids"));
    cgroup_layout_free(&layout);
}

static void assert_path(const struct cgroup_hierarchy *h, const char *relpath, const char *file,
                        const char *expected)
{
    char *path = cgroup_path(h, relpath, file);
    assert_non_null(path);
    assert_string_equal(path, expected);
    free(path);
}

static void test_path(void **state)
{
    (void)state;
    struct cgroup_hierarchy h = {.mount_point = "/sys/fs/cgroup/memory", .controllers = "memory"};
    /* OCI's "/husk/ID" and a plain "husk/ID" name the same directory. */
    assert_path(&h, "/husk/abc", NULL, "/sys/fs/cgroup/memory/husk/abc");
    assert_path(&h, "husk/abc", NULL, "/sys/fs/cgroup/memory/husk/abc");
    assert_path(&h, "//husk/abc//", "tasks", "/sys/fs/cgroup/memory/husk/abc/tasks");
    assert_path(&h, "/husk/abc", "memory.max", "/sys/fs/cgroup/memory/husk/abc/memory.max");
    /* The root: no doubled or trailing slash. */
    assert_path(&h, "", NULL, "/sys/fs/cgroup/memory");
    assert_path(&h, "/", "cgroup.subtree_control", "/sys/fs/cgroup/memory/cgroup.subtree_control");
    assert_path(&h, NULL, "tasks", "/sys/fs/cgroup/memory/tasks");
}

/* A stand-in for a hybrid host: two v1 hierarchies and cgroup2, each a
 * directory of a temporary tree. */
struct stand_in {
    char root[64];
    char mounts[3][96];
    struct cgroup_hierarchy hierarchies[3];
    struct cgroup_layout layout;
};

static void stand_in_make(struct stand_in *t)
{
    static const char *const names[] = {"memory", "pids", "unified"};
    snprintf(t->root, sizeof(t->root), "/tmp/husk-cgroup-XXXXXX");
    if (mkdtemp(t->root) == NULL)
        fail_msg("mkdtemp");
    for (size_t i = 0; i < 3; i++) {
        snprintf(t->mounts[i], sizeof(t->mounts[i]), "%s/%s", t->root, names[i]);
        if (mkdir(t->mounts[i], 0755) < 0)
            fail_msg("mkdir %s", t->mounts[i]);
        t->hierarchies[i] =
            (struct cgroup_hierarchy){t->mounts[i], i < 2 ? (char *)names[i] : "", i == 2};
    }
    t->layout = (struct cgroup_layout){t->hierarchies, 3};
}

static bool exists(const struct stand_in *t, size_t hierarchy, const char *relpath)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->mounts[hierarchy], relpath);
    return access(path, F_OK) == 0;
}

/* What the kernel would show in a file: a plain file in the stand-in. */
static void put(const struct stand_in *t, size_t hierarchy, const char *relpath, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->mounts[hierarchy], relpath);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fail_msg("create %s", path);
    fputs(text, f);
    fclose(f);
}

static char *get(const struct stand_in *t, size_t hierarchy, const char *relpath)
{
    static char content[64];
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->mounts[hierarchy], relpath);
    content[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        content[fread(content, 1, sizeof(content) - 1, f)] = '\0';
        fclose(f);
    }
    return content;
}

static void drop(const struct stand_in *t, size_t hierarchy, const char *relpath)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->mounts[hierarchy], relpath);
    if (unlink(path) < 0 && rmdir(path) < 0)
        fail_msg("remove %s", path);
}

static void stand_in_remove(struct stand_in *t)
{
    for (size_t i = 0; i < 3; i++)
        rmdir(t->mounts[i]);
    rmdir(t->root);
}

static void test_write_and_read(void **state)
{
    (void)state;
    struct stand_in t;
    stand_in_make(&t);
    put(&t, 0, "memory.max", "max\n");
    husk_error_t err = NULL;
    /* One value replaces what was there. */
    assert_int_equal(cgroup_write(&t.hierarchies[0], "/", "memory.max", "4096", &err), 0);
    assert_no_error(err);
    assert_string_equal(get(&t, 0, "memory.max"), "4096");
    char *text = NULL;
    assert_int_equal(cgroup_read(&t.hierarchies[0], "", "memory.max", &text, &err), 0);
    assert_string_equal(text, "4096");
    free(text);
    /* A file the kernel does not offer is not created. */
    assert_int_equal(cgroup_write(&t.hierarchies[0], "", "memory.swap.max", "0", &err), -1);
    assert_int_equal(err->errno_value, ENOENT);
    assert_error_contains(err, "memory.swap.max");
    assert_false(exists(&t, 0, "memory.swap.max"));
    husk_error_free(&err);
    drop(&t, 0, "memory.max");
    stand_in_remove(&t);
}

/* create makes PATH in every hierarchy; destroy removes it and husk's own
 * parent once empty, but never a parent the user chose. */
static void test_create_and_destroy(void **state)
{
    (void)state;
    struct stand_in t;
    stand_in_make(&t);
    husk_error_t err = NULL;
    assert_int_equal(cgroup_create(&t.layout, "/husk/abc", NULL, &err), 0);
    assert_no_error(err);
    assert_int_equal(cgroup_create(&t.layout, "/husk/def", NULL, &err), 0);
    assert_int_equal(cgroup_create(&t.layout, "/mine/ghi", NULL, &err), 0);
    for (size_t i = 0; i < 3; i++)
        assert_true(exists(&t, i, "husk/abc") && exists(&t, i, "mine/ghi"));
    assert_int_equal(cgroup_destroy(&t.layout, "/husk/abc", &err), 0);
    for (size_t i = 0; i < 3; i++)
        assert_true(!exists(&t, i, "husk/abc") && exists(&t, i, "husk/def"));
    assert_int_equal(cgroup_destroy(&t.layout, "/husk/def", &err), 0);
    assert_int_equal(cgroup_destroy(&t.layout, "/mine/ghi", &err), 0);
    assert_no_error(err);
    for (size_t i = 0; i < 3; i++) {
        assert_false(exists(&t, i, "husk"));
        assert_true(exists(&t, i, "mine"));
        assert_false(exists(&t, i, "mine/ghi"));
    }
    /* Gone already: not an error. */
    assert_int_equal(cgroup_destroy(&t.layout, "/mine/ghi", &err), 0);
    for (size_t i = 0; i < 3; i++)
        drop(&t, i, "mine");
    stand_in_remove(&t);
}

static void make_join_files(struct stand_in *t)
{
    husk_error_t err = NULL;
    if (cgroup_create(&t->layout, "/husk/abc", NULL, &err) < 0)
        fail_msg("cgroup_create: %s", err->message);
    put(t, 0, "husk/abc/tasks", "");
    put(t, 1, "husk/abc/tasks", "");
    put(t, 2, "husk/abc/cgroup.procs", "");
}

static void remove_join_files(struct stand_in *t)
{
    drop(t, 0, "husk/abc/tasks");
    drop(t, 1, "husk/abc/tasks");
    drop(t, 2, "husk/abc/cgroup.procs");
    cgroup_destroy(&t->layout, "/husk/abc", NULL);
}

/* The child writes "0" (itself) to each v1 "tasks" and, unless it was born
 * in it, to cgroup2's cgroup.procs; then none of the fds stay open. */
static void test_join_self(void **state)
{
    (void)state;
    struct stand_in t;
    stand_in_make(&t);
    make_join_files(&t);
    husk_error_t err = NULL;
    for (int born = 0; born < 2; born++) {
        struct cgroup_join join;
        put(&t, 2, "husk/abc/cgroup.procs", "");
        assert_int_equal(cgroup_join_open(&t.layout, "/husk/abc", &join, &err), 0);
        assert_no_error(err);
        assert_int_equal(join.tasks_count, 2);
        assert_true(join.unified_fd >= 0 && join.unified_procs_fd >= 0);
        assert_false(cgroup_join_complete_at_birth(&join));
        int first = join.tasks_fds[0], dir = join.unified_fd;
        assert_int_equal(cgroup_join_self(&join, born, &err), 0);
        assert_no_error(err);
        assert_string_equal(get(&t, 0, "husk/abc/tasks"), "0");
        assert_string_equal(get(&t, 1, "husk/abc/tasks"), "0");
        assert_string_equal(get(&t, 2, "husk/abc/cgroup.procs"), born ? "" : "0");
        assert_true(fcntl(first, F_GETFD) < 0 && fcntl(dir, F_GETFD) < 0);
        /* The struct stays as it was: an exec's child shares husk's memory,
         * where husk closes its own copies and frees the array. */
        assert_int_equal(join.tasks_count, 2);
        free(join.tasks_fds);
    }
    remove_join_files(&t);
    stand_in_remove(&t);
}

/* Only cgroup2: clone3 alone joins, so it may carry CLONE_NEWCGROUP too. */
static void test_join_complete_at_birth(void **state)
{
    (void)state;
    struct stand_in t;
    stand_in_make(&t);
    make_join_files(&t);
    struct cgroup_layout only_unified = {&t.hierarchies[2], 1};
    struct cgroup_join join;
    husk_error_t err = NULL;
    assert_int_equal(cgroup_join_open(&only_unified, "husk/abc", &join, &err), 0);
    assert_true(cgroup_join_complete_at_birth(&join));
    cgroup_join_close(&join);
    /* Pure v1: nothing to be born in. */
    struct cgroup_layout only_v1 = {t.hierarchies, 2};
    assert_int_equal(cgroup_join_open(&only_v1, "husk/abc", &join, &err), 0);
    assert_false(cgroup_join_complete_at_birth(&join));
    assert_int_equal(join.unified_fd, -1);
    assert_int_equal(join.unified_procs_fd, -1);
    cgroup_join_close(&join);
    remove_join_files(&t);
    stand_in_remove(&t);
}

/* A cgroup that is not there fails in the parent, naming the path, and
 * leaves nothing open. */
static void test_join_open_missing(void **state)
{
    (void)state;
    struct stand_in t;
    stand_in_make(&t);
    struct cgroup_join join;
    husk_error_t err = NULL;
    int before = dup(0);
    close(before);
    assert_int_equal(cgroup_join_open(&t.layout, "/husk/none", &join, &err), -1);
    assert_error_contains(err, "join cgroup /husk/none");
    assert_error_contains(err, "husk/none/tasks");
    husk_error_free(&err);
    assert_int_equal(join.tasks_count, 0);
    assert_int_equal(join.unified_fd, -1);
    int after = dup(0);
    close(after);
    assert_int_equal(after, before);
    stand_in_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hybrid),
        cmocka_unit_test(test_pure_v2),
        cmocka_unit_test(test_pure_v1_without_optional_fields),
        cmocka_unit_test(test_duplicates_counted_once),
        cmocka_unit_test(test_sub_cgroup_bind_ignored),
        cmocka_unit_test(test_ignores_noise),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_find_only_cpuset),
        cmocka_unit_test(test_systemd_xattr_is_not_a_controller),
        cmocka_unit_test(test_controller_falls_back_to_cgroup2),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_write_and_read),
        cmocka_unit_test(test_create_and_destroy),
        cmocka_unit_test(test_join_self),
        cmocka_unit_test(test_join_complete_at_birth),
        cmocka_unit_test(test_join_open_missing),
    };
    return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
