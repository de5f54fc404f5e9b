/* src/engine/environment.h: -e values and the environment list. */
#include <stdlib.h>

#include "../../src/engine/environment.h"
#include "unit.h"

static void test_key_value(void **state)
{
    (void)state;
    char *out = NULL;
    husk_error_t err = NULL;
    assert_int_equal(environment_option_parse("K=V", &out, &err), 0);
    assert_string_equal(out, "K=V");
    free(out);
    assert_int_equal(environment_option_parse("K=a=b c", &out, &err), 0);
    assert_string_equal(out, "K=a=b c");
    free(out);
    assert_no_error(err);
}

static void test_empty_value_allowed(void **state)
{
    (void)state;
    char *out = NULL;
    husk_error_t err = NULL;
    assert_int_equal(environment_option_parse("K=", &out, &err), 0);
    assert_string_equal(out, "K=");
    free(out);
}

static void test_key_copies_environment(void **state)
{
    (void)state;
    char *out = NULL;
    husk_error_t err = NULL;
    assert_int_equal(setenv("HUSK_UNIT_VARIABLE", "from host", 1), 0);
    assert_int_equal(environment_option_parse("HUSK_UNIT_VARIABLE", &out, &err), 0);
    assert_string_equal(out, "HUSK_UNIT_VARIABLE=from host");
    free(out);
    assert_int_equal(setenv("HUSK_UNIT_VARIABLE", "", 1), 0);
    assert_int_equal(environment_option_parse("HUSK_UNIT_VARIABLE", &out, &err), 0);
    assert_string_equal(out, "HUSK_UNIT_VARIABLE=");
    free(out);
    unsetenv("HUSK_UNIT_VARIABLE");
}

static void test_key_unset_yields_null(void **state)
{
    (void)state;
    char *out = (char *)1;
    husk_error_t err = NULL;
    unsetenv("HUSK_UNIT_UNSET_VARIABLE");
    assert_int_equal(environment_option_parse("HUSK_UNIT_UNSET_VARIABLE", &out, &err), 0);
    assert_null(out);
    assert_no_error(err);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *option, *word;
    } cases[] = {
        {"", "invalid environment variable"},
        {"=x", "invalid environment variable \"=x\""},
        {"=", "invalid environment variable"},
        {"A B=c", "white space"},
        {"A\tB", "white space"},
        {" A=1", "white space"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = (char *)1;
        husk_error_t err = NULL;
        if (environment_option_parse(cases[i].option, &out, &err) == 0)
            fail_msg("accepted \"%s\"", cases[i].option);
        assert_null(out);
        assert_error_contains(err, cases[i].word);
        husk_error_free(&err);
    }
    char *out = NULL;
    husk_error_t err = NULL;
    assert_int_equal(environment_option_parse(NULL, &out, &err), -1);
    assert_error_contains(err, "invalid environment variable");
    husk_error_free(&err);
}

static void test_space_in_value_allowed(void **state)
{
    (void)state;
    char *out = NULL;
    husk_error_t err = NULL;
    assert_int_equal(environment_option_parse("A=b c\td", &out, &err), 0);
    assert_string_equal(out, "A=b c\td");
    free(out);
}

static void test_set_replaces_by_key(void **state)
{
    (void)state;
    json_t *env = json_pack("[s, s, s]", "PATH=/bin", "HOME=/root", "PATHEXT=x");
    environment_set(env, "PATH=/usr/bin");
    assert_int_equal(json_array_size(env), 3);
    assert_string_equal(json_string_value(json_array_get(env, 0)), "PATH=/usr/bin");
    assert_string_equal(json_string_value(json_array_get(env, 2)), "PATHEXT=x");
    environment_set(env, "TERM=xterm");
    assert_int_equal(json_array_size(env), 4);
    assert_string_equal(json_string_value(json_array_get(env, 3)), "TERM=xterm");
    environment_set(env, "HOME=");
    assert_int_equal(json_array_size(env), 4);
    assert_string_equal(json_string_value(json_array_get(env, 1)), "HOME=");
    /* "PAT" is a different key from "PATH". */
    environment_set(env, "PAT=1");
    assert_int_equal(json_array_size(env), 5);
    assert_string_equal(json_string_value(json_array_get(env, 0)), "PATH=/usr/bin");
    json_decref(env);
}

static void test_set_on_empty(void **state)
{
    (void)state;
    json_t *env = json_array();
    environment_set(env, "A=1");
    environment_set(env, "A=2");
    assert_int_equal(json_array_size(env), 1);
    assert_string_equal(json_string_value(json_array_get(env, 0)), "A=2");
    json_decref(env);
}

static void test_has(void **state)
{
    (void)state;
    json_t *env = json_pack("[s, s, s]", "PATH=/bin", "EMPTY=", "BARE");
    assert_true(environment_has(env, "PATH"));
    assert_true(environment_has(env, "EMPTY"));
    assert_true(environment_has(env, "BARE"));
    assert_false(environment_has(env, "PAT"));
    assert_false(environment_has(env, "PATH2"));
    assert_false(environment_has(env, "HOME"));
    assert_false(environment_has(env, ""));
    json_decref(env);
    json_t *empty = json_array();
    assert_false(environment_has(empty, "PATH"));
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_value),
        cmocka_unit_test(test_empty_value_allowed),
        cmocka_unit_test(test_key_copies_environment),
        cmocka_unit_test(test_key_unset_yields_null),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_space_in_value_allowed),
        cmocka_unit_test(test_set_replaces_by_key),
        cmocka_unit_test(test_set_on_empty),
        cmocka_unit_test(test_has),
    };
    return cmocka_run_group_tests_name("environment", tests, NULL, NULL);
}
