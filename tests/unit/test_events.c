/* src/engine/events: time values, filters, the journal's line; src/cli/event_format. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/cli/event_format.h"
#include "../../src/engine/events/event_filter.h"
#include "../../src/engine/events/event_line.h"
#include "../../src/engine/events/event_time.h"
#include "unit.h"

#define NS 1000000000LL

static long long parsed(const char *text)
{
    const struct timespec now = {.tv_sec = 1800000000, .tv_nsec = 500000000};
    long long ns = -1;
    husk_error_t err = NULL;
    assert_int_equal(event_time_parse(text, &now, &ns, &err), 0);
    assert_no_error(err);
    return ns;
}

static void test_time(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    /* Durations count back from now, in whole seconds as docker. */
    assert_int_equal(parsed("10m"), (1800000000LL - 600) * NS);
    assert_int_equal(parsed("1h30m"), (1800000000LL - 5400) * NS);
    assert_int_equal(parsed("1.5s"), (1800000000LL - 1) * NS);
    assert_int_equal(parsed("0s"), 1800000000LL * NS);
    assert_int_equal(parsed("250ms"), 1800000000LL * NS);
    assert_int_equal(parsed("0"), 0);
    assert_int_equal(parsed("1700000000"), 1700000000LL * NS);
    assert_int_equal(parsed("1700000000.5"), 1700000000LL * NS + 500000000);
    assert_int_equal(parsed("1700000000.000000001"), 1700000000LL * NS + 1);
    assert_int_equal(parsed("2023-11-14T22:13:20Z"), 1700000000LL * NS);
    assert_int_equal(parsed("2023-11-14T22:13:20.25Z"), 1700000000LL * NS + 250000000);
    assert_int_equal(parsed("2023-11-14T23:13:20+01:00"), 1700000000LL * NS);
    assert_int_equal(parsed("2023-11-14T22:13:20"), 1700000000LL * NS); /* local: UTC */
    assert_int_equal(parsed("2023-11-14T22:13"), (1700000000LL - 20) * NS);
    assert_int_equal(parsed("2023-11-14T22"), (1700000000LL - 13 * 60 - 20) * NS);
    assert_int_equal(parsed("2023-11-14"), (1700000000LL - 22 * 3600 - 13 * 60 - 20) * NS);
    const char *bad[] = {"yesterday",        "10", "-",  "10x",  "2023-13-01",
                         "2023-11-14T25:00", "",   "1.", "1e3s", "2023-11-14T22:13:20+0100",
                         "1.1234567890"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct timespec now = {.tv_sec = 1800000000};
        long long ns;
        husk_error_t err = NULL;
        if (strcmp(bad[i], "10") == 0)
            continue; /* a Unix timestamp: valid */
        assert_int_equal(event_time_parse(bad[i], &now, &ns, &err), -1);
        assert_error_contains(err, "failed to parse value as time or duration");
        husk_error_free(&err);
    }
}

static json_t *event(const char *type, const char *action, const char *id, json_t *attributes)
{
    return json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:i}", "Type", type, "Action", action, "Actor",
                     "ID", id, "Attributes", attributes, "scope", "local", "time", 1);
}

static bool passes(json_t *e, const char *first, const char *second)
{
    const char *texts[] = {first, second};
    json_t *filters = NULL;
    husk_error_t err = NULL;
    assert_int_equal(event_filter_parse(texts, second ? 2 : 1, &filters, &err), 0);
    bool hit = event_filter_match(filters, e);
    json_decref(filters);
    return hit;
}

static void test_filter(void **state)
{
    (void)state;
    json_t *start =
        event("container", "start", "abc123",
              json_pack("{s:s, s:s, s:s}", "image", "busybox:1.36", "name", "web", "team", "a"));
    json_t *volume = event("volume", "create", "data", json_pack("{s:s}", "driver", "local"));
    json_t *tag = event("image", "tag", "sha256:feed", json_pack("{s:s}", "name", "app:v1"));
    json_t *health = event("container", "health_status: healthy", "abc123", json_object());
    assert_true(passes(start, "type=container", NULL));
    assert_false(passes(volume, "type=container", NULL));
    assert_true(passes(volume, "type=container", "type=volume")); /* same key: OR */
    assert_false(passes(start, "type=container", "event=stop"));  /* keys: AND */
    assert_true(passes(start, "container=web", NULL));
    assert_true(passes(start, "container=abc", NULL)); /* ID prefix */
    assert_false(passes(start, "container=db", NULL));
    assert_false(passes(volume, "container=data", NULL)); /* another type */
    assert_true(passes(volume, "volume=data", NULL));
    assert_true(passes(start, "image=busybox", NULL)); /* without its tag */
    assert_true(passes(start, "image=busybox:1.36", NULL));
    assert_false(passes(start, "image=alpine", NULL));
    assert_true(passes(tag, "image=app", NULL));
    assert_true(passes(tag, "image=sha256:feed", NULL));
    assert_true(passes(start, "label=team", NULL));
    assert_true(passes(start, "label=team=a", NULL));
    assert_false(passes(start, "label=team=b", NULL));
    assert_false(passes(start, "label=team=a", "label=tier")); /* labels: all */
    assert_true(passes(health, "event=health_status", NULL));
    assert_false(passes(start, "event=health_status", NULL));
    assert_true(passes(start, "scope=local", NULL));
    json_decref(start);
    json_decref(volume);
    json_decref(tag);
    json_decref(health);
    const char *bad[][2] = {{"colour=red", "invalid filter 'colour'"},
                            {"type", "bad format of filter"},
                            {"type=box", "invalid filter 'type=box'"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *filters = NULL;
        husk_error_t err = NULL;
        assert_int_equal(event_filter_parse(&bad[i][0], 1, &filters, &err), -1);
        assert_error_contains(err, bad[i][1]);
        husk_error_free(&err);
    }
}

static void test_line(void **state)
{
    (void)state;
    char line[EVENT_LINE_MAX];
    const struct timespec when = {.tv_sec = 1700000000, .tv_nsec = 123456789};
    json_t *attributes = json_pack("{s:s, s:s}", "name", "web", "image", "busybox");
    size_t length = event_line_format("container", "start", "abc", attributes, &when, line);
    const char *expected =
        "{\"status\":\"start\",\"id\":\"abc\",\"from\":\"busybox\",\"Type\":\"container\","
        "\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"image\":\"busybox\","
        "\"name\":\"web\"}},\"scope\":\"local\",\"time\":1700000000,"
        "\"timeNano\":1700000000123456789}\n";
    assert_int_equal(length, strlen(expected));
    assert_memory_equal(line, expected, length);
    json_decref(attributes);

    /* A label longer than a line: cut (on a UTF-8 boundary) so the line fits. */
    char *huge = malloc(20000);
    for (size_t i = 0; i + 2 < 19999; i += 2)
        memcpy(huge + i, "\xc3\xa9", 2); /* é */
    huge[19998] = '\0';
    attributes = json_pack("{s:s, s:s}", "name", "web", "big", huge);
    length = event_line_format("container", "start", "abc", attributes, &when, line);
    assert_true(length > 0 && length <= EVENT_LINE_MAX);
    assert_int_equal(line[length - 1], '\n');
    json_error_t error;
    json_t *back = json_loadb(line, length - 1, 0, &error);
    assert_non_null(back);
    const char *name = json_string_value(
        json_object_get(json_object_get(json_object_get(back, "Actor"), "Attributes"), "name"));
    assert_string_equal(name, "web");
    json_decref(back);
    json_decref(attributes);

    /* Many labels: those that cannot fit even empty are dropped. */
    attributes = json_object();
    for (int i = 0; i < 600; i++) {
        char key[16];
        snprintf(key, sizeof(key), "label-%04d", i);
        json_object_set_new(attributes, key, json_string(huge + 19000));
    }
    length = event_line_format("container", "start", "abc", attributes, &when, line);
    assert_true(length > 0 && length <= EVENT_LINE_MAX);
    back = json_loadb(line, length - 1, 0, &error);
    assert_non_null(back);
    json_decref(back);
    json_decref(attributes);
    free(huge);
}

static void test_text(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    json_t *e = json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:I}", "Type", "container", "Action",
                          "start", "Actor", "ID", "abc", "Attributes", "name", "foo", "image",
                          "busybox", "timeNano", (json_int_t)1700000000123456789LL);
    char *text = event_format_text(e);
    assert_string_equal(text, "2023-11-14T22:13:20.123456789Z container start abc (image=busybox, "
                              "name=foo)");
    free(text);
    setenv("TZ", "CET-1", 1);
    tzset();
    text = event_format_text(e);
    assert_string_equal(text, "2023-11-14T23:13:20.123456789+01:00 container start abc "
                              "(image=busybox, name=foo)");
    free(text);
    json_t *view = event_format_view(e);
    assert_string_equal(json_string_value(json_object_get(view, "Action")), "start");
    assert_string_equal(json_string_value(json_object_get(json_object_get(view, "Actor"), "ID")),
                        "abc");
    assert_int_equal(json_integer_value(json_object_get(view, "TimeNano")), 1700000000123456789LL);
    json_decref(view);
    json_decref(e);
    setenv("TZ", "UTC", 1);
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
