/* src/util/cleanup.h: cleanup_json releases at scope end, steal_pointer hands on. */
#include <jansson.h>

#include "../../src/util/cleanup.h"
#include "unit.h"

static void test_json_released_at_scope_end(void **state)
{
    (void)state;
    json_t *kept = json_object();
    {
        cleanup_json json_t *reference = json_incref(kept);
        assert_int_equal(kept->refcount, 2);
    }
    assert_int_equal(kept->refcount, 1);
    json_decref(kept);
}

static void test_json_stolen_is_not_released(void **state)
{
    (void)state;
    json_t *out = NULL;
    {
        cleanup_json json_t *made = json_array();
        out = steal_pointer(&made);
        assert_null(made);
    }
    assert_int_equal(out->refcount, 1);
    json_decref(out);
}

static void test_json_null_is_fine(void **state)
{
    (void)state;
    cleanup_json json_t *nothing = NULL;
    (void)nothing;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_released_at_scope_end),
        cmocka_unit_test(test_json_stolen_is_not_released),
        cmocka_unit_test(test_json_null_is_fine),
    };
    return cmocka_run_group_tests_name("cleanup", tests, NULL, NULL);
}
