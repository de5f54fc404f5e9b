/* src/engine/userns.h: the host range behind --userns private. */
#include <stdbool.h>

#include "../../src/engine/userns.h"
#include "unit.h"

static void test_first_valid_line_of_owner(void **state)
{
    (void)state;
    struct id_range range = {0, 0};
    assert_true(userns_subordinate_range("root:100000:65536\n"
                                         "huskers:1:2\n"
                                         "husk:300000:65536\n"
                                         "husk:400000:65536\n",
                                         "husk", &range));
    assert_int_equal(range.start, 300000);
    assert_int_equal(range.size, 65536);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    struct id_range range = {0, 0};
    assert_true(userns_subordinate_range("husk:231072:1000", "husk", &range));
    assert_int_equal(range.start, 231072);
    assert_int_equal(range.size, 1000);
}

static void test_invalid_lines_skipped(void **state)
{
    (void)state;
    struct id_range range = {7, 7};
    /* size 0, beyond 32 bits, start 0 (host root), junk, missing field */
    assert_false(userns_subordinate_range("husk:100000:0\n"
                                          "husk:4294967295:2\n"
                                          "husk:0:65536\n"
                                          "husk:abc:65536\n"
                                          "husk:100000\n"
                                          "husk:100000:65536x\n",
                                          "husk", &range));
    assert_int_equal(range.start, 7);
    assert_false(userns_subordinate_range("", "husk", &range));
    assert_true(userns_subordinate_range("husk:100000:0\nhusk:500000:10\n", "husk", &range));
    assert_int_equal(range.start, 500000);
}

/* start + size wrapped around 64 bits ("-1" is ULLONG_MAX to sscanf's
 * %llu), so a range beyond 32 bits passed the check. */
static void test_wrapping_range_skipped(void **state)
{
    (void)state;
    struct id_range range = {7, 7};
    assert_false(userns_subordinate_range("husk:18446744073709551615:2\n"
                                          "husk:-1:2\n"
                                          "husk:2:18446744073709551615\n",
                                          "husk", &range));
    assert_int_equal(range.start, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_valid_line_of_owner),
        cmocka_unit_test(test_wrapping_range_skipped),
        cmocka_unit_test(test_last_line_without_newline),
        cmocka_unit_test(test_invalid_lines_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
