/* src/util/error.h: setting, wrapping and printing errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

static void test_set_message_and_status(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    assert_int_equal(husk_error_set(&err, 0, "bad %s %d", "thing", 42), -1);
    assert_non_null(err);
    assert_string_equal(err->message, "bad thing 42");
    assert_int_equal(err->errno_value, 0);
    assert_int_equal(err->exit_status, HUSK_EXIT_ENGINE);
    husk_error_free(&err);
    assert_null(err);
}

static void test_set_status(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    assert_int_equal(husk_error_set_status(&err, HUSK_EXIT_NOT_FOUND, ENOENT, "exec %s", "x"), -1);
    assert_int_equal(err->exit_status, 127);
    assert_int_equal(err->errno_value, ENOENT);
    assert_string_equal(err->message, "exec x");
    husk_error_free(&err);
}

static void test_set_replaces_previous(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set(&err, EPERM, "first");
    husk_error_set(&err, 0, "second");
    assert_string_equal(err->message, "second");
    assert_int_equal(err->errno_value, 0);
    husk_error_free(&err); /* LeakSanitizer checks "first" was freed */
}

static void test_set_null_err(void **state)
{
    (void)state;
    assert_int_equal(husk_error_set(NULL, EINVAL, "ignored"), -1);
    husk_error_free(NULL);
    husk_error_t err = NULL;
    husk_error_free(&err);
    assert_null(err);
}

static void test_wrap_chains(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set(&err, 0, "inner");
    assert_int_equal(husk_error_wrap(&err, "middle %d", 2), -1);
    assert_int_equal(husk_error_wrap(&err, "outer"), -1);
    assert_string_equal(err->message, "outer: middle 2: inner");
    husk_error_free(&err);
}

static void test_wrap_keeps_errno_and_status(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set_status(&err, HUSK_EXIT_NOT_EXECUTABLE, EACCES, "exec");
    husk_error_wrap(&err, "start");
    assert_int_equal(err->errno_value, EACCES);
    assert_int_equal(err->exit_status, HUSK_EXIT_NOT_EXECUTABLE);
    husk_error_free(&err);
}

static void test_wrap_without_error(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    assert_int_equal(husk_error_wrap(&err, "context"), -1);
    assert_null(err);
    assert_int_equal(husk_error_wrap(NULL, "context"), -1);
}

static void test_text_appends_strerror(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set(&err, ENOENT, "open /x");
    husk_error_wrap(&err, "load");
    char *text = husk_error_text(err);
    assert_non_null(text);
    char expected[256];
    snprintf(expected, sizeof(expected), "load: open /x: %s", strerror(ENOENT));
    assert_string_equal(text, expected);
    free(text);
    husk_error_free(&err);
}

static void test_text_without_errno(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set(&err, 0, "plain");
    char *text = husk_error_text(err);
    assert_string_equal(text, "plain");
    free(text);
    husk_error_free(&err);
}

static void test_text_escapes_control_characters(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    husk_error_set(&err, 0, "invalid --hostname \"a\nb\tc\033[2J\"");
    char *text = husk_error_text(err);
    assert_string_equal(text, "invalid --hostname \"a\\nb\\tc\\x1b[2J\"");
    free(text);
    husk_error_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_message_and_status),
        cmocka_unit_test(test_set_status),
        cmocka_unit_test(test_set_replaces_previous),
        cmocka_unit_test(test_set_null_err),
        cmocka_unit_test(test_wrap_chains),
        cmocka_unit_test(test_wrap_keeps_errno_and_status),
        cmocka_unit_test(test_wrap_without_error),
        cmocka_unit_test(test_text_appends_strerror),
        cmocka_unit_test(test_text_without_errno),
        cmocka_unit_test(test_text_escapes_control_characters),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
