/* src/engine/health/: Go's duration syntax, the --health-* flags merged
 * over the image's Healthcheck, HEALTHCHECK instructions, and docker's
 * health state machine (status, FailingStreak, the last 5 results). */
#include <stdlib.h>

#include "../../src/engine/health/health_config.h"
#include "../../src/engine/health/health_instruction.h"
#include "../../src/engine/health/health_state.h"
#include "../../src/util/cleanup.h"
#include "unit.h"

#define SECOND INT64_C(1000000000)

static int64_t duration(const char *text)
{
    int64_t ns = -42;
    assert_int_equal(health_duration_parse(text, &ns), 0);
    return ns;
}

static void test_duration_parse(void **state)
{
    (void)state;
    assert_true(duration("0") == 0);
    assert_true(duration("1s") == SECOND);
    assert_true(duration("1.5s") == SECOND * 3 / 2);
    assert_true(duration("2m30s") == 150 * SECOND);
    assert_true(duration("1h") == 3600 * SECOND);
    assert_true(duration("300ms") == 300000000);
    assert_true(duration("10us") == 10000);
    assert_true(duration("10\u00b5s") == 10000);
    assert_true(duration("7ns") == 7);
    assert_true(duration(".5s") == SECOND / 2);
    assert_true(duration("-1s") == -SECOND);
    assert_true(duration("+2s") == 2 * SECOND);
    int64_t ns;
    assert_int_equal(health_duration_parse("", &ns), -1);
    assert_int_equal(health_duration_parse("abc", &ns), -1);
    assert_int_equal(health_duration_parse(".s", &ns), -1);
    assert_int_equal(health_duration_parse("5", &ns), -2);
    assert_int_equal(health_duration_parse("1s5", &ns), -2);
    assert_int_equal(health_duration_parse("3d", &ns), -3);
    assert_int_equal(health_duration_parse("99999999999999h", &ns), -1);
}

static void format_is(int64_t ns, const char *expected)
{
    char text[64];
    health_duration_format(ns, text, sizeof(text));
    assert_string_equal(text, expected);
}

static void test_duration_format(void **state)
{
    (void)state;
    format_is(0, "0s");
    format_is(SECOND, "1s");
    format_is(SECOND * 3 / 2, "1.5s");
    format_is(90 * SECOND, "1m30s");
    format_is(3600 * SECOND, "1h0m0s");
    format_is(500000000, "500ms");
    format_is(1500, "1.5\u00b5s");
    format_is(12, "12ns");
    format_is(-SECOND, "-1s");
}

static void validate_fails(const struct health_flags *f, const char *word)
{
    husk_error_t err = NULL;
    assert_int_equal(health_flags_validate(f, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_flags_validate(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct health_flags ok = {.cmd = "true", .interval = "1s", .retries = "0", .timeout = "0"};
    assert_int_equal(health_flags_validate(&ok, &err), 0);
    validate_fails(&(struct health_flags){.interval = "5"}, "missing unit in duration \"5\"");
    validate_fails(&(struct health_flags){.timeout = "-1s"}, "--health-timeout cannot be negative");
    validate_fails(&(struct health_flags){.start_period = "1x"}, "unknown unit");
    validate_fails(&(struct health_flags){.start_interval = "10us"},
                   "StartInterval in Healthcheck cannot be less than 1ms");
    validate_fails(&(struct health_flags){.retries = "-2"}, "--health-retries cannot be negative");
    validate_fails(&(struct health_flags){.retries = "2x"}, "--health-retries\" flag");
    validate_fails(&(struct health_flags){.none = true, .interval = "2s"}, "conflicts");
    /* docker: zero values and an empty command are no settings. */
    struct health_flags none = {.none = true, .interval = "0s", .cmd = "", .retries = "0"};
    assert_int_equal(health_flags_validate(&none, &err), 0);
}

static char *applied(const struct health_flags *f, const char *image)
{
    json_t *config = json_object();
    if (image != NULL)
        json_object_set_new(config, "Healthcheck", json_loads(image, 0, NULL));
    health_flags_apply(f, config);
    char *text = json_dumps(json_object_get(config, "Healthcheck"), JSON_COMPACT);
    json_decref(config);
    return text;
}

static void test_flags_apply(void **state)
{
    (void)state;
    const char *image = "{\"Retries\":4,\"Interval\":1000000000,\"Test\":[\"CMD\",\"probe\"]}";
    cleanup_free char *nothing = applied(&(struct health_flags){0}, NULL);
    assert_null(nothing);
    cleanup_free char *kept = applied(&(struct health_flags){0}, image);
    assert_string_equal(kept,
                        "{\"Test\":[\"CMD\",\"probe\"],\"Interval\":1000000000,\"Retries\":4}");
    cleanup_free char *mixed =
        applied(&(struct health_flags){.retries = "7", .timeout = "2s"}, image);
    assert_string_equal(mixed, "{\"Test\":[\"CMD\",\"probe\"],\"Interval\":1000000000,"
                               "\"Timeout\":2000000000,\"Retries\":7}");
    cleanup_free char *cmd = applied(&(struct health_flags){.cmd = "true"}, image);
    assert_string_equal(
        cmd, "{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":1000000000,\"Retries\":4}");
    cleanup_free char *off = applied(&(struct health_flags){.none = true}, NULL);
    assert_string_equal(off, "{\"Test\":[\"NONE\"]}");
    cleanup_free char *only = applied(&(struct health_flags){.interval = "3s"}, NULL);
    assert_string_equal(only, "{\"Interval\":3000000000}");
}

static void test_config_read(void **state)
{
    (void)state;
    struct health_config c;
    json_t *record = json_loads("{\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"x y\"],"
                                "\"Timeout\":2000000000}}}",
                                0, NULL);
    assert_int_equal(health_config_read(record, &c), 1);
    assert_string_equal(c.command[0], "/bin/sh");
    assert_string_equal(c.command[1], "-c");
    assert_string_equal(c.command[2], "x y");
    assert_null(c.command[3]);
    assert_true(c.timing.enabled);
    assert_true(c.timing.interval_ns == 30 * SECOND);
    assert_true(c.timing.timeout_ns == 2 * SECOND);
    assert_true(c.timing.start_interval_ns == 5 * SECOND);
    assert_true(c.timing.start_period_ns == 0);
    assert_int_equal(c.retries, 3);
    health_config_free(&c);
    json_decref(record);
    record = json_loads("{\"Config\":{\"Healthcheck\":{\"Test\":[\"NONE\"]}}}", 0, NULL);
    assert_int_equal(health_config_read(record, &c), 0);
    health_config_free(&c);
    json_decref(record);
    record = json_loads("{\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"a\",\"b\"],"
                        "\"Retries\":2}}}",
                        0, NULL);
    assert_int_equal(health_config_read(record, &c), 1);
    assert_string_equal(c.command[0], "a");
    assert_string_equal(c.command[1], "b");
    assert_int_equal(c.retries, 2);
    health_config_free(&c);
    json_decref(record);
}

static const char *apply_result(json_t *health, int exit_code, int retries, bool in_start_period)
{
    struct health_result r = {"2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", exit_code, "out"};
    return health_state_record(health, &r, retries, in_start_period);
}

static json_int_t streak_of(json_t *health)
{
    return json_integer_value(json_object_get(health, "FailingStreak"));
}

static void test_state_machine(void **state)
{
    (void)state;
    json_t *record = json_loads("{\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"t\"]}},"
                                "\"State\":{}}",
                                0, NULL);
    health_state_begin(record);
    json_t *health = json_object_get(json_object_get(record, "State"), "Health");
    assert_string_equal(json_string_value(json_object_get(health, "Status")), "starting");
    /* In the start period a failure does not count. */
    assert_string_equal(apply_result(health, 1, 2, true), "starting");
    assert_int_equal(streak_of(health), 0);
    assert_string_equal(apply_result(health, 1, 2, false), "starting");
    assert_int_equal(streak_of(health), 1);
    assert_string_equal(apply_result(health, -1, 2, false), "unhealthy");
    assert_int_equal(streak_of(health), 2);
    assert_string_equal(apply_result(health, 0, 2, false), "healthy");
    assert_int_equal(streak_of(health), 0);
    /* Once healthy, the start period no longer shelters a failure. */
    assert_string_equal(apply_result(health, 1, 2, true), "healthy");
    assert_int_equal(streak_of(health), 1);
    assert_int_equal(json_array_size(json_object_get(health, "Log")), 5);
    apply_result(health, 7, 2, false);
    json_t *log = json_object_get(health, "Log");
    assert_int_equal(json_array_size(log), 5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 4), "ExitCode")), 7);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "ExitCode")), 1);
    /* A new start: starting again, the streak gone, the Log kept (docker). */
    health_state_begin(record);
    health = json_object_get(json_object_get(record, "State"), "Health");
    assert_string_equal(json_string_value(json_object_get(health, "Status")), "starting");
    assert_int_equal(streak_of(health), 0);
    assert_int_equal(json_array_size(json_object_get(health, "Log")), 5);
    json_decref(record);
    /* No probe configured: no Health. */
    record =
        json_loads("{\"Config\":{\"Healthcheck\":{\"Test\":[\"NONE\"]}},\"State\":{}}", 0, NULL);
    health_state_begin(record);
    assert_null(json_object_get(json_object_get(record, "State"), "Health"));
    json_decref(record);
}

static void test_time_between(void **state)
{
    (void)state;
    assert_true(health_time_between("2026-01-01T00:00:00.5Z", "2026-01-01T00:00:02.25Z") ==
                SECOND * 7 / 4);
    assert_true(health_time_between("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:01Z") == SECOND);
    assert_true(health_time_between("garbage", "2026-01-01T00:00:01Z") == INT64_MIN);
}

static void test_instruction(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    json_t *check =
        health_instruction_parse("--interval=1s --retries=4 CMD [\"/bin/probe\", \"-q\"]", &err);
    assert_non_null(check);
    cleanup_free char *text = json_dumps(check, JSON_COMPACT);
    assert_string_equal(text, "{\"Interval\":1000000000,\"Retries\":4,"
                              "\"Test\":[\"CMD\",\"/bin/probe\",\"-q\"]}");
    json_decref(check);
    check = health_instruction_parse("CMD curl -f http://x/ || exit 1", &err);
    assert_string_equal(json_string_value(json_array_get(json_object_get(check, "Test"), 1)),
                        "curl -f http://x/ || exit 1");
    json_decref(check);
    check = health_instruction_parse("none", &err);
    assert_string_equal(json_string_value(json_array_get(json_object_get(check, "Test"), 0)),
                        "NONE");
    json_decref(check);
    assert_null(health_instruction_parse("--interval=5 CMD true", &err));
    assert_error_contains(err, "--interval");
    husk_error_free(&err);
    assert_null(health_instruction_parse("--bogus=1 CMD true", &err));
    assert_error_contains(err, "unknown option --bogus");
    husk_error_free(&err);
    assert_null(health_instruction_parse("RUN true", &err));
    husk_error_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_parse), cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_flags_validate), cmocka_unit_test(test_flags_apply),
        cmocka_unit_test(test_config_read),    cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_time_between),   cmocka_unit_test(test_instruction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
