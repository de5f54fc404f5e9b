/* src/engine/files/copy_path.c and rename's name rule: docker cp's argument
 * and path rules, as pure string work. */
#include <stdlib.h>
#include <string.h>

#include "../../src/engine/files/copy_entry.h"
#include "../../src/engine/files/copy_path.h"
#include "../../src/engine/rename.h"
#include "unit.h"

static void expect_split(const char *argument, const char *container, const char *path)
{
    char *c = NULL, *p = NULL;
    copy_argument_split(argument, &c, &p);
    if (container == NULL)
        assert_null(c);
    else
        assert_string_equal(c, container);
    assert_string_equal(p, path);
    free(c);
    free(p);
}

static void test_argument_split(void **state)
{
    (void)state;
    expect_split("web:/etc/hosts", "web", "/etc/hosts");
    expect_split("web:relative", "web", "relative");
    expect_split("web:", "web", "");
    expect_split("/abs/a:b", NULL, "/abs/a:b");
    expect_split("./a:b", NULL, "./a:b");
    expect_split("../a:b", NULL, "../a:b");
    expect_split("file.txt", NULL, "file.txt");
    expect_split("-", NULL, "-");
    /* docker: an empty container name leaves the local path after ':'. */
    expect_split(":x", NULL, "x");
}

static void expect_clean(const char *path, const char *cleaned)
{
    char *out = copy_path_clean(path);
    assert_string_equal(out, cleaned);
    free(out);
}

static void test_clean(void **state)
{
    (void)state;
    expect_clean("", ".");
    expect_clean("/", "/");
    expect_clean("//a//b/", "/a/b");
    expect_clean("/a/./b/.", "/a/b");
    expect_clean("/a/../b", "/b");
    expect_clean("/../../etc", "/etc");
    expect_clean("a/../..", "..");
    expect_clean("../../a", "../../a");
    expect_clean("a/b/../../..", "..");
    expect_clean(".", ".");
    expect_clean("./", ".");
    expect_clean("a/..", ".");
}

static void expect_preserved(const char *cleaned, const char *original, const char *expected)
{
    char *out = copy_path_preserve_trailing(cleaned, original);
    assert_string_equal(out, expected);
    free(out);
}

static void test_preserve_trailing(void **state)
{
    (void)state;
    expect_preserved("/a", "/a/", "/a/");
    expect_preserved("/a", "/a/.", "/a/.");
    expect_preserved("/a", "/a/./", "/a/./");
    expect_preserved("/a", "/a", "/a");
    expect_preserved("/", "/", "/");
    expect_preserved("/", "/.", "/.");
}

static void expect_in_container(const char *path, const char *expected)
{
    char *out = copy_path_in_container(path);
    assert_string_equal(out, expected);
    free(out);
}

static void test_in_container(void **state)
{
    (void)state;
    expect_in_container("etc/hosts", "/etc/hosts");
    expect_in_container("/etc/", "/etc/");
    expect_in_container("/etc/.", "/etc/.");
    expect_in_container("../../etc/passwd", "/etc/passwd");
    expect_in_container("", "/."); /* as docker: "" names the current directory */
    expect_in_container("/", "/");
}

static void expect_top(const char *path, const char *name)
{
    char *out = copy_path_top_name(path);
    assert_string_equal(out, name);
    free(out);
}

static void test_top_name_and_assertions(void **state)
{
    (void)state;
    expect_top("/etc/hosts", "hosts");
    expect_top("/etc/", "etc");
    expect_top("/etc/.", ".");
    expect_top("/", ".");
    assert_true(copy_path_asserts_directory("/a/"));
    assert_true(copy_path_asserts_directory("/a/."));
    assert_false(copy_path_asserts_directory("/a"));
    assert_false(copy_path_asserts_directory("/a.b"));
}

static void test_split(void **state)
{
    (void)state;
    char *d, *b;
    copy_path_split("/a/b", &d, &b);
    assert_string_equal(d, "/a");
    assert_string_equal(b, "b");
    free(d);
    free(b);
    copy_path_split("/a/b/.", &d, &b);
    assert_string_equal(d, "/a/b");
    assert_string_equal(b, ".");
    free(d);
    free(b);
    copy_path_split("file", &d, &b);
    assert_string_equal(d, ".");
    assert_string_equal(b, "file");
    free(d);
    free(b);
}

/* The table of docker's cp documentation, one row per case. */
static void expect_plan(bool source_directory, const char *source, const char *destination,
                        bool exists, bool is_directory, const char *directory, const char *rename,
                        const char *problem)
{
    struct copy_destination d = {destination, exists, is_directory};
    char *out_directory = NULL, *out_rename = NULL;
    const char *out_problem = NULL;
    int rc = copy_plan(source_directory, source, &d, &out_directory, &out_rename, &out_problem);
    if (problem != NULL) {
        assert_int_equal(rc, -1);
        assert_string_equal(out_problem, problem);
        return;
    }
    assert_int_equal(rc, 0);
    assert_string_equal(out_directory, directory);
    if (rename == NULL)
        assert_null(out_rename);
    else
        assert_string_equal(out_rename, rename);
    free(out_directory);
    free(out_rename);
}

static void test_plan(void **state)
{
    (void)state;
    /* A file: to a new name, over a file, into a directory. */
    expect_plan(false, "f", "/d/new", false, false, "/d", "new", NULL);
    expect_plan(false, "f", "/d/f", false, false, "/d", NULL, NULL);
    expect_plan(false, "f", "/d/other", true, false, "/d", "other", NULL);
    expect_plan(false, "f", "/d", true, true, "/d", NULL, NULL);
    /* A missing destination ending in "/" must exist as a directory. */
    expect_plan(false, "f", "/d/new/", false, false, NULL, NULL, "no such directory");
    /* A directory: created under the new name, or into a directory. */
    expect_plan(true, "src", "/d/new", false, false, "/d", "new", NULL);
    expect_plan(true, "src", "/d", true, true, "/d", NULL, NULL);
    expect_plan(true, "src", "/d/file", true, false, NULL, NULL, "cannot copy directory");
    /* "src/.": its contents, into the directory or as the new one. */
    expect_plan(true, ".", "/d", true, true, "/d", NULL, NULL);
    expect_plan(true, ".", "/d/new", false, false, "/d", "new", NULL);
}

static void test_rename_names(void **state)
{
    (void)state;
    assert_true(rename_name_valid("web"));
    assert_true(rename_name_valid("/web"));
    assert_true(rename_name_valid("a.b_c-d9"));
    assert_true(rename_name_valid("ab"));
    /* docker's pattern wants two characters at least. */
    assert_false(rename_name_valid("a"));
    assert_false(rename_name_valid(""));
    assert_false(rename_name_valid("/"));
    assert_false(rename_name_valid("-web"));
    assert_false(rename_name_valid("_web"));
    assert_false(rename_name_valid("we b"));
    assert_false(rename_name_valid("web/x"));
    assert_false(rename_name_valid("web!"));
}

static void test_id_maps(void **state)
{
    (void)state;
    struct copy_id_map none = {.active = false};
    struct copy_id_map map = {
        .active = true, .uid_start = 100000, .gid_start = 200000, .size = 65536};
    uint32_t host;
    assert_int_equal(copy_id_to_container(&none, 1000, false), 1000);
    assert_int_equal(copy_id_to_container(&map, 100000, false), 0);
    assert_int_equal(copy_id_to_container(&map, 200005, true), 5);
    assert_int_equal(copy_id_to_container(&map, 0, false), 65534);
    assert_int_equal(copy_id_to_host(&map, 7, true, &host), 0);
    assert_int_equal(host, 200007);
    assert_int_equal(copy_id_to_host(&map, 70000, false, &host), -1);
    assert_int_equal(copy_id_to_host(&none, 70000, false, &host), 0);
    assert_int_equal(host, 70000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argument_split),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_preserve_trailing),
        cmocka_unit_test(test_in_container),
        cmocka_unit_test(test_top_name_and_assertions),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_rename_names),
        cmocka_unit_test(test_id_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
