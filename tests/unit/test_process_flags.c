/* src/engine/process_flags.h: --cap-add/--cap-drop, --ulimit, --oom-score-adj. */
#include <stdlib.h>

#include "../../src/engine/process_flags.h"
#include "unit.h"

static bool has(json_t *list, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), name) == 0)
            return true;
    return false;
}

static void test_capabilities(void **state)
{
    (void)state;
    const char *drop_all[] = {"all"}, *add[] = {"net_admin", "CAP_SYS_PTRACE"};
    struct run_options o = {
        .cap_drop = drop_all, .cap_drop_count = 1, .cap_add = add, .cap_add_count = 2};
    json_t *list = NULL;
    husk_error_t err = NULL;
    assert_int_equal(process_flags_capabilities(&o, &list, &err), 0);
    assert_int_equal(json_array_size(list), 2);
    assert_true(has(list, "CAP_NET_ADMIN") && has(list, "CAP_SYS_PTRACE"));
    json_decref(list);

    const char *drop[] = {"chown"};
    o = (struct run_options){.cap_drop = drop, .cap_drop_count = 1};
    assert_int_equal(process_flags_capabilities(&o, &list, &err), 0);
    assert_false(has(list, "CAP_CHOWN"));
    assert_true(has(list, "CAP_KILL"));
    assert_int_equal(json_array_size(list), 13);
    json_decref(list);

    const char *bad[] = {"CAP_NOPE"};
    o = (struct run_options){.cap_add = bad, .cap_add_count = 1};
    assert_int_equal(process_flags_capabilities(&o, &list, &err), -1);
    assert_error_contains(err, "unknown capability \"CAP_NOPE\" in --cap-add");
    husk_error_free(&err);
}

static void test_rlimits(void **state)
{
    (void)state;
    const char *limits[] = {"nofile=1024:2048", "core=-1", "nproc=10", "nofile=7:8"};
    struct run_options o = {.ulimits = limits, .ulimit_count = 4};
    json_t *list = NULL;
    husk_error_t err = NULL;
    assert_int_equal(process_flags_rlimits(&o, &list, &err), 0);
    assert_no_error(err);
    assert_int_equal(json_array_size(list), 3); /* the last nofile counts */
    json_t *core = json_array_get(list, 0), *nproc = json_array_get(list, 1),
           *nofile = json_array_get(list, 2);
    assert_string_equal(json_string_value(json_object_get(core, "type")), "RLIMIT_CORE");
    assert_true(json_integer_value(json_object_get(core, "soft")) == -1);
    assert_int_equal(json_integer_value(json_object_get(nproc, "hard")), 10);
    assert_int_equal(json_integer_value(json_object_get(nofile, "soft")), 7);
    json_decref(list);

    const char *bad[][1] = {{"nofile"}, {"nofile=a"}, {"nofile=5:1"}, {"bogus=1"}, {"=1"}};
    const char *words[] = {"NAME=SOFT", "numbers", "above the hard", "unknown limit BOGUS",
                           "NAME=SOFT"};
    for (size_t i = 0; i < 5; i++) {
        o = (struct run_options){.ulimits = bad[i], .ulimit_count = 1};
        assert_int_equal(process_flags_rlimits(&o, &list, &err), -1);
        assert_error_contains(err, words[i]);
        husk_error_free(&err);
    }
    o = (struct run_options){0};
    assert_int_equal(process_flags_rlimits(&o, &list, &err), 0);
    assert_null(list);
}

static void test_oom_score_adj(void **state)
{
    (void)state;
    bool given;
    int value;
    husk_error_t err = NULL;
    struct run_options o = {.oom_score_adj = "-500"};
    assert_int_equal(process_flags_oom_score_adj(&o, &given, &value, &err), 0);
    assert_true(given);
    assert_int_equal(value, -500);
    const char *bad[] = {"1001", "x", ""};
    for (size_t i = 0; i < 3; i++) {
        o.oom_score_adj = bad[i];
        assert_int_equal(process_flags_oom_score_adj(&o, &given, &value, &err), -1);
        husk_error_free(&err);
    }
    o.oom_score_adj = NULL;
    assert_int_equal(process_flags_oom_score_adj(&o, &given, &value, &err), 0);
    assert_false(given);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_rlimits),
        cmocka_unit_test(test_oom_score_adj),
    };
    return cmocka_run_group_tests_name("process_flags", tests, NULL, NULL);
}
