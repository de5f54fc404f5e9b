/* src/engine/restart: `--restart` values, the policy's decision after an
 * exit, docker's back-off, and what the record says between runs. */
#include <stdlib.h>
#include <string.h>

#include "../../src/engine/restart/restart_policy.h"
#include "../../src/engine/restart/restart_record.h"
#include "unit.h"

static struct restart_policy parsed(const char *text)
{
    struct restart_policy policy;
    husk_error_t err = NULL;
    assert_int_equal(restart_policy_parse(text, &policy, &err), 0);
    return policy;
}

static void assert_refused(const char *text, const char *words)
{
    struct restart_policy policy;
    husk_error_t err = NULL;
    assert_int_equal(restart_policy_parse(text, &policy, &err), -1);
    assert_non_null(strstr(err->message, words));
    husk_error_free(&err);
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(parsed("no").name, RESTART_NO);
    assert_int_equal(parsed("always").name, RESTART_ALWAYS);
    assert_int_equal(parsed("unless-stopped").name, RESTART_UNLESS_STOPPED);
    struct restart_policy p = parsed("on-failure");
    assert_int_equal(p.name, RESTART_ON_FAILURE);
    assert_int_equal(p.maximum_retries, 0);
    assert_int_equal(parsed("on-failure:5").maximum_retries, 5);
    assert_refused("sometimes", "invalid restart policy \"sometimes\"");
    assert_refused("", "invalid restart policy");
    assert_refused("always:3", "cannot be used with restart policy 'always'");
    assert_refused("no:1", "cannot be used");
    assert_refused("on-failure:-1", "cannot be negative");
    assert_refused("on-failure:x", "bad retry count");
    assert_refused("on-failure:", "bad retry count");
    assert_refused("on-failure:99999999999", "bad retry count");
}

static bool wants(const char *policy_text, int exit_code, long count, bool stopped)
{
    struct restart_policy policy = parsed(policy_text);
    struct restart_facts facts = {
        .exit_code = exit_code, .restart_count = count, .manually_stopped = stopped};
    return restart_policy_wants_restart(&policy, &facts);
}

static void test_decision(void **state)
{
    (void)state;
    assert_false(wants("no", 1, 0, false));
    assert_true(wants("always", 0, 100, false));
    assert_false(wants("always", 1, 0, true));
    assert_true(wants("unless-stopped", 0, 0, false));
    assert_false(wants("unless-stopped", 0, 0, true));
    assert_false(wants("on-failure", 0, 0, false));
    assert_true(wants("on-failure", 1, 1000, false));
    assert_true(wants("on-failure:2", 3, 1, false));
    assert_false(wants("on-failure:2", 3, 2, false));
    assert_false(wants("on-failure:2", 3, 0, true));
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(restart_delay_ms(0, 0), 100);
    assert_int_equal(restart_delay_ms(100, 50), 200);
    assert_int_equal(restart_delay_ms(200, 9999), 400);
    assert_int_equal(restart_delay_ms(6400, 10000), 100);
    assert_int_equal(restart_delay_ms(51200, 1), 60000);
    assert_int_equal(restart_delay_ms(60000, 1), 60000);
}

static json_t *record_with(const char *policy_text)
{
    struct restart_policy policy = parsed(policy_text);
    return json_pack("{s:{s:o}, s:{s:s, s:i, s:i}, s:i}", "HostConfig", "RestartPolicy",
                     restart_policy_to_json(&policy), "State", "Status", "running", "Pid", 42,
                     "ExitCode", 0, "RestartCount", 0);
}

static const char *status_of(json_t *record)
{
    return json_string_value(json_object_get(json_object_get(record, "State"), "Status"));
}

static void test_record(void **state)
{
    (void)state;
    json_t *record = record_with("on-failure:2");
    uint64_t delay = 0;
    assert_true(restart_record_exit(record, 7, 20, &delay));
    assert_int_equal(delay, 100);
    assert_string_equal(status_of(record), "restarting");
    json_t *s = json_object_get(record, "State");
    assert_true(json_is_true(json_object_get(s, "Restarting")));
    assert_true(json_is_true(json_object_get(s, "Running")));
    assert_int_equal(json_integer_value(json_object_get(s, "ExitCode")), 7);
    assert_int_equal(json_integer_value(json_object_get(s, "Pid")), 0);
    assert_true(restart_record_exit(record, 7, 20, &delay));
    assert_int_equal(delay, 200);
    assert_false(restart_record_exit(record, 7, 20, &delay));
    assert_int_equal(json_integer_value(json_object_get(record, "RestartCount")), 2);
    restart_record_user_started(record);
    assert_int_equal(json_integer_value(json_object_get(record, "RestartCount")), 0);
    restart_record_user_stopped(record);
    assert_true(restart_record_manually_stopped(record));
    assert_false(restart_record_exit(record, 7, 20, &delay));
    restart_record_user_started(record);
    assert_false(restart_record_manually_stopped(record));
    json_decref(record);
    /* A record from before restart policies: "no". */
    json_t *old = json_pack("{s:{}, s:{s:s}}", "HostConfig", "State", "Status", "running");
    assert_false(restart_record_exit(old, 1, 0, &delay));
    json_decref(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_decision),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_record),
    };
    return cmocka_run_group_tests_name("restart_policy", tests, NULL, NULL);
}
