/* src/runtime/cgroup.h: finding cgroup hierarchies in mountinfo text. */
#include <stdio.h>
#include <stdlib.h>

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
    };
    return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
