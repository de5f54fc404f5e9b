/* src/engine/volumes/mount_spec.h: -v, --mount and --tmpfs as docker reads them. */
#include <stdlib.h>

#include "../../src/engine/volumes/mount_spec.h"
#include "unit.h"

static void expect_refused(int (*parse)(const char *, struct mount_request *, husk_error_t *),
                           const char *text, const char *message)
{
    struct mount_request m;
    husk_error_t err = NULL;
    assert_int_equal(parse(text, &m, &err), -1);
    assert_error_contains(err, message);
    husk_error_free(&err);
    mount_request_free(&m);
}

static void test_volume_forms(void **state)
{
    (void)state;
    struct mount_request m;
    husk_error_t err = NULL;
    assert_int_equal(mount_spec_parse_volume("/data//x/", &m, &err), 0);
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_null(m.source);
    assert_string_equal(m.target, "/data/x");
    mount_request_free(&m);

    assert_int_equal(mount_spec_parse_volume("cache:/var/cache:ro,nocopy", &m, &err), 0);
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_string_equal(m.source, "cache");
    assert_true(m.readonly && m.nocopy);
    assert_string_equal(m.mode, "ro,nocopy");
    mount_request_free(&m);

    assert_int_equal(mount_spec_parse_volume("/srv/../etc:/mnt/./e:rslave,Z", &m, &err), 0);
    assert_int_equal(m.kind, MOUNT_BIND);
    assert_string_equal(m.source, "/etc");
    assert_string_equal(m.target, "/mnt/e");
    assert_string_equal(m.propagation, "rslave");
    assert_true(m.create_source && m.relabel && !m.readonly);
    mount_request_free(&m);
}

static void test_volume_refused(void **state)
{
    (void)state;
    expect_refused(mount_spec_parse_volume, "/a:/b:ro:x", "invalid volume specification");
    expect_refused(mount_spec_parse_volume, "", "invalid volume specification");
    expect_refused(mount_spec_parse_volume, "/a::ro", "invalid volume specification");
    expect_refused(mount_spec_parse_volume, "/a:b", "must be absolute");
    expect_refused(mount_spec_parse_volume, "/a:/", "can't be '/'");
    expect_refused(mount_spec_parse_volume, "/a:/b:ro,rw", "invalid mode: ro,rw");
    expect_refused(mount_spec_parse_volume, "/a:/b:shared,slave", "invalid mode");
    expect_refused(mount_spec_parse_volume, "/a:/b:nocopy", "invalid mode: nocopy");
    expect_refused(mount_spec_parse_volume, "/a:/b:bogus", "invalid mode: bogus");
    expect_refused(mount_spec_parse_volume, "x:/b", "invalid characters for a local volume");
    expect_refused(mount_spec_parse_volume, "v$:/b", "invalid characters");
}

static void test_mount_forms(void **state)
{
    (void)state;
    struct mount_request m;
    husk_error_t err = NULL;
    assert_int_equal(mount_spec_parse_mount(
                         "type=bind,src=/a,dst=/b,readonly,bind-propagation=shared", &m, &err),
                     0);
    assert_int_equal(m.kind, MOUNT_BIND);
    assert_string_equal(m.source, "/a");
    assert_string_equal(m.target, "/b");
    assert_true(m.readonly && !m.create_source);
    assert_string_equal(m.propagation, "shared");
    mount_request_free(&m);

    assert_int_equal(mount_spec_parse_mount("target=/v,volume-nocopy=true,ro=false", &m, &err), 0);
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_null(m.source);
    assert_true(m.nocopy && !m.readonly);
    mount_request_free(&m);

    assert_int_equal(mount_spec_parse_mount(
                         "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770", &m, &err),
                     0);
    assert_int_equal(m.kind, MOUNT_TMPFS);
    assert_string_equal(m.tmpfs_data, "size=67108864,mode=1770");
    mount_request_free(&m);
}

static void test_mount_refused(void **state)
{
    (void)state;
    expect_refused(mount_spec_parse_mount, "type=bind,source=/a", "target is required");
    expect_refused(mount_spec_parse_mount, "type=bind,target=/a", "needs a source");
    expect_refused(mount_spec_parse_mount, "type=nfs,target=/a", "unknown mount type 'nfs'");
    expect_refused(mount_spec_parse_mount, "target=/a,color=red", "unexpected key 'color'");
    expect_refused(mount_spec_parse_mount, "target", "must be a key=value pair");
    expect_refused(mount_spec_parse_mount, "type=tmpfs,src=x,target=/a", "takes no source");
    expect_refused(mount_spec_parse_mount, "type=volume,target=/a,bind-propagation=shared",
                   "options of another type");
    expect_refused(mount_spec_parse_mount, "type=bind,source=/s,target=/a,bind-propagation=up",
                   "invalid value for 'bind-propagation'");
    expect_refused(mount_spec_parse_mount, "type=tmpfs,target=/a,tmpfs-size=big",
                   "invalid tmpfs-size big");
    expect_refused(mount_spec_parse_mount, "type=tmpfs,target=/a,tmpfs-mode=9", "tmpfs-mode 9");
    expect_refused(mount_spec_parse_mount, "target=/a,readonly=maybe", "invalid value");
    expect_refused(mount_spec_parse_mount, "target=/a,volume-driver=nfs", "volume-driver");
    expect_refused(mount_spec_parse_mount, "source=a/b,target=/a", "not a valid volume name");
}

static void test_tmpfs(void **state)
{
    (void)state;
    struct mount_request m;
    husk_error_t err = NULL;
    assert_int_equal(mount_spec_parse_tmpfs("/run:rw,size=1m,exec", &m, &err), 0);
    assert_string_equal(m.target, "/run");
    assert_string_equal(m.tmpfs_data, "size=1m,exec");
    assert_false(m.readonly);
    mount_request_free(&m);
    assert_int_equal(mount_spec_parse_tmpfs("/ro:ro", &m, &err), 0);
    assert_true(m.readonly);
    assert_null(m.tmpfs_data);
    mount_request_free(&m);
    expect_refused(mount_spec_parse_tmpfs, "run", "must be absolute");
}

static void test_names_and_paths(void **state)
{
    (void)state;
    assert_true(mount_spec_volume_name_valid("a1"));
    assert_true(mount_spec_volume_name_valid("my_vol.v-2"));
    assert_false(mount_spec_volume_name_valid("a"));
    assert_false(mount_spec_volume_name_valid("_a"));
    assert_false(mount_spec_volume_name_valid("a/b"));
    const char *cases[][2] = {{"/", "/"},      {"//a//b/", "/a/b"},    {"/a/./b/..", "/a"},
                              {"/../..", "/"}, {"/a/b/../../..", "/"}, {"/.a/..b", "/.a/..b"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *clean = mount_spec_clean_target(cases[i][0]);
        assert_string_equal(clean, cases[i][1]);
        free(clean);
    }
    assert_null(mount_spec_clean_target("a/b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volume_forms), cmocka_unit_test(test_volume_refused),
        cmocka_unit_test(test_mount_forms),  cmocka_unit_test(test_mount_refused),
        cmocka_unit_test(test_tmpfs),        cmocka_unit_test(test_names_and_paths),
    };
    return cmocka_run_group_tests_name("mount_spec", tests, NULL, NULL);
}
