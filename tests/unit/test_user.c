/* src/engine/user.h: -u USER[:GROUP] against an image's passwd and group files. */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/engine/user.h"
#include "unit.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "# a comment:x:5:5::/c:/bin/sh\n"
                             "\n"
                             "alice:x:1001:1001:Alice:/home/alice:/bin/sh\n"
                             "nohome:x:1002:1002:No Home::/bin/sh\n"
                             "relhome:x:1003:1003::home/rel:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";

static const char group[] = "root:x:0:\n"
                            "wheel:x:10:root,alice\n"
                            "audio:x:29:alice\n"
                            "users:x:100:\n"
                            "staff:x:50:bob,alice,carol\n"
                            "alicelike:x:51:alice2,xalice\n"
                            "alice:x:1001:\n"
                            "nogroup:x:65534:\n";

static void resolve_ok(const char *spec, const char *passwd_text, const char *group_text,
                       struct resolved_user *user)
{
    husk_error_t err = NULL;
    if (user_resolve(spec, passwd_text, group_text, user, &err) < 0)
        fail_msg("user_resolve(\"%s\"): %s", spec, err->message);
}

static void assert_groups(const struct resolved_user *user, const gid_t *expected, size_t count)
{
    if (user->group_count != count)
        fail_msg("%zu groups, expected %zu", user->group_count, count);
    for (size_t i = 0; i < count; i++)
        if (user->groups[i] != expected[i])
            fail_msg("groups[%zu] = %u, expected %u", i, (unsigned)user->groups[i],
                     (unsigned)expected[i]);
}

static void assert_resolve_fails(const char *spec, const char *passwd_text, const char *group_text,
                                 const char *word)
{
    struct resolved_user user;
    husk_error_t err = NULL;
    if (user_resolve(spec, passwd_text, group_text, &user, &err) == 0) {
        resolved_user_free(&user);
        fail_msg("user_resolve(\"%s\") succeeded", spec);
    }
    assert_error_contains(err, word);
    husk_error_free(&err);
    /* The output is cleared on failure. */
    assert_null(user.groups);
    assert_null(user.name);
    assert_null(user.home);
}

static void test_split(void **state)
{
    (void)state;
    char *user = NULL, *grp = NULL;
    husk_error_t err = NULL;
    assert_int_equal(user_spec_split("root", &user, &grp, &err), 0);
    assert_string_equal(user, "root");
    assert_null(grp);
    free(user);
    assert_int_equal(user_spec_split("1000:wheel", &user, &grp, &err), 0);
    assert_string_equal(user, "1000");
    assert_string_equal(grp, "wheel");
    free(user);
    free(grp);
}

static void test_split_errors(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *word;
    } cases[] = {
        {"", "invalid user"},     {":", "USER[:GROUP]"},     {"a:", "USER[:GROUP]"},
        {":b", "USER[:GROUP]"},   {"a:b:c", "USER[:GROUP]"}, {"a b", "white space"},
        {"a:b c", "white space"}, {"a\t", "white space"},    {"::", "USER[:GROUP]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *user = (char *)1, *grp = (char *)1;
        husk_error_t err = NULL;
        if (user_spec_split(cases[i].spec, &user, &grp, &err) == 0)
            fail_msg("user_spec_split(\"%s\") succeeded", cases[i].spec);
        assert_null(user);
        assert_null(grp);
        assert_error_contains(err, cases[i].word);
        assert_error_contains(err, "invalid user");
        husk_error_free(&err);
    }
    char *user = NULL, *grp = NULL;
    husk_error_t err = NULL;
    assert_int_equal(user_spec_split(NULL, &user, &grp, &err), -1);
    husk_error_free(&err);
}

static void test_uid_zero(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("0", passwd, group, &user);
    assert_int_equal(user.uid, 0);
    assert_int_equal(user.gid, 0);
    assert_string_equal(user.name, "root");
    assert_string_equal(user.home, "/root");
    assert_groups(&user, (gid_t[]){0, 10}, 2);
    resolved_user_free(&user);
}

static void test_root(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("root", passwd, group, &user);
    assert_int_equal(user.uid, 0);
    assert_int_equal(user.gid, 0);
    assert_string_equal(user.name, "root");
    assert_string_equal(user.home, "/root");
    assert_groups(&user, (gid_t[]){0, 10}, 2);
    resolved_user_free(&user);
    assert_null(user.groups);
}

static void test_nobody(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("nobody", passwd, group, &user);
    assert_int_equal(user.uid, 65534);
    assert_int_equal(user.gid, 65534);
    assert_string_equal(user.home, "/nonexistent");
    assert_groups(&user, (gid_t[]){65534}, 1);
    resolved_user_free(&user);
}

static void test_supplementary_groups(void **state)
{
    (void)state;
    struct resolved_user user;
    /* "alice2" and "xalice" must not count as alice. */
    resolve_ok("alice", passwd, group, &user);
    assert_int_equal(user.uid, 1001);
    assert_int_equal(user.gid, 1001);
    assert_string_equal(user.home, "/home/alice");
    assert_groups(&user, (gid_t[]){1001, 10, 29, 50}, 4);
    resolved_user_free(&user);
    /* By uid, the passwd name finds the same memberships. */
    resolve_ok("1001", passwd, group, &user);
    assert_string_equal(user.name, "alice");
    assert_groups(&user, (gid_t[]){1001, 10, 29, 50}, 4);
    resolved_user_free(&user);
}

static void test_uid_without_entry(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("1000", passwd, group, &user);
    assert_int_equal(user.uid, 1000);
    assert_int_equal(user.gid, 0);
    assert_null(user.name);
    assert_string_equal(user.home, "/");
    assert_groups(&user, (gid_t[]){0}, 1);
    resolved_user_free(&user);
}

static void test_uid_and_gid(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("1000:1000", passwd, group, &user);
    assert_int_equal(user.uid, 1000);
    assert_int_equal(user.gid, 1000);
    assert_string_equal(user.home, "/");
    assert_groups(&user, (gid_t[]){1000}, 1);
    resolved_user_free(&user);
}

static void test_named_user_and_group(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("root:wheel", passwd, group, &user);
    assert_int_equal(user.uid, 0);
    assert_int_equal(user.gid, 10);
    assert_string_equal(user.home, "/root");
    /* An explicit group replaces the supplementary ones, as in docker. */
    assert_groups(&user, (gid_t[]){10}, 1);
    resolved_user_free(&user);
    resolve_ok("nobody:nogroup", passwd, group, &user);
    assert_int_equal(user.uid, 65534);
    assert_int_equal(user.gid, 65534);
    resolved_user_free(&user);
    resolve_ok("alice:0", passwd, group, &user);
    assert_int_equal(user.uid, 1001);
    assert_int_equal(user.gid, 0);
    resolved_user_free(&user);
}

static void test_home_fallback(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("nohome", passwd, group, &user);
    assert_int_equal(user.uid, 1002);
    assert_string_equal(user.home, "/");
    resolved_user_free(&user);
    resolve_ok("relhome", passwd, group, &user);
    assert_string_equal(user.home, "/");
    resolved_user_free(&user);
}

static void test_comments_skipped(void **state)
{
    (void)state;
    assert_resolve_fails("# a comment", passwd, group, "white space");
    struct resolved_user user;
    resolve_ok("5", passwd, group, &user); /* uid 5 only appears in the comment */
    assert_null(user.name);
    resolved_user_free(&user);
}

static void test_unknown_user(void **state)
{
    (void)state;
    assert_resolve_fails("nosuch", passwd, group, "unable to find user nosuch");
    assert_resolve_fails("roo", passwd, group, "unable to find user");
    assert_resolve_fails("-1", passwd, group, "unable to find user");
}

static void test_unknown_group(void **state)
{
    (void)state;
    assert_resolve_fails("root:nosuch", passwd, group, "unable to find group nosuch");
    assert_resolve_fails("nosuch:wheel", passwd, group, "unable to find user");
}

static void test_bad_specs(void **state)
{
    (void)state;
    assert_resolve_fails("", passwd, group, "invalid user");
    assert_resolve_fails(":", passwd, group, "invalid user");
    assert_resolve_fails("a:", passwd, group, "invalid user");
    assert_resolve_fails(":b", passwd, group, "invalid user");
    assert_resolve_fails("a:b:c", passwd, group, "invalid user");
}

static void test_out_of_range(void **state)
{
    (void)state;
    assert_resolve_fails("99999999999", passwd, group, "out of range");
    assert_resolve_fails("2147483648", passwd, group, "out of range");
    assert_resolve_fails("99999999999999999999999", passwd, group, "out of range");
    assert_resolve_fails("root:99999999999", passwd, group, "out of range");
    assert_resolve_fails("12abc", passwd, group, "12abc");
    struct resolved_user user;
    resolve_ok("2147483647", passwd, group, &user);
    assert_int_equal(user.uid, 2147483647u);
    resolved_user_free(&user);
}

static void test_null_files(void **state)
{
    (void)state;
    assert_resolve_fails("root", NULL, NULL, "unable to find user");
    struct resolved_user user;
    resolve_ok("0", NULL, NULL, &user);
    assert_int_equal(user.uid, 0);
    assert_int_equal(user.gid, 0);
    assert_null(user.name);
    assert_string_equal(user.home, "/");
    assert_groups(&user, (gid_t[]){0}, 1);
    resolved_user_free(&user);
    resolve_ok("1000:50", NULL, NULL, &user);
    assert_int_equal(user.gid, 50);
    resolved_user_free(&user);
    /* A passwd file but no group file. */
    resolve_ok("alice", passwd, NULL, &user);
    assert_groups(&user, (gid_t[]){1001}, 1);
    resolved_user_free(&user);
    assert_resolve_fails("root:wheel", passwd, NULL, "unable to find group");
}

/* A passwd entry with a non-numeric uid field: parse_id returns -1 and the
 * user silently becomes uid (uid_t)-1, which setresuid() reads as "leave
 * unchanged", i.e. the container would keep running as root. */
static void test_malformed_uid_field_not_minus_one(void **state)
{
    (void)state;
    struct resolved_user user;
    husk_error_t err = NULL;
    int rc = user_resolve("broken", "broken:x:abc:0::/:/bin/sh\n", NULL, &user, &err);
    if (rc == 0) {
        uid_t uid = user.uid;
        resolved_user_free(&user);
        if (uid == (uid_t)-1)
            fail_msg("malformed uid field resolved to uid %u (-1)", (unsigned)uid);
    } else {
        husk_error_free(&err);
    }
}

/* field() searches for ':' past the end of its line, so a short, malformed
 * line borrows the fields of the next one. */
static void test_short_line_does_not_borrow_next_line(void **state)
{
    (void)state;
    struct resolved_user user;
    resolve_ok("0", "broken\nroot:x:0:0:root:/root:/bin/sh\n", NULL, &user);
    char name[64];
    snprintf(name, sizeof(name), "%s", user.name ? user.name : "(null)");
    resolved_user_free(&user);
    assert_string_equal(name, "root");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_uid_zero),
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_nobody),
        cmocka_unit_test(test_supplementary_groups),
        cmocka_unit_test(test_uid_without_entry),
        cmocka_unit_test(test_uid_and_gid),
        cmocka_unit_test(test_named_user_and_group),
        cmocka_unit_test(test_home_fallback),
        cmocka_unit_test(test_comments_skipped),
        cmocka_unit_test(test_unknown_user),
        cmocka_unit_test(test_unknown_group),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_null_files),
        cmocka_unit_test(test_malformed_uid_field_not_minus_one),
        cmocka_unit_test(test_short_line_does_not_borrow_next_line),
    };
    return cmocka_run_group_tests_name("user", tests, NULL, NULL);
}
