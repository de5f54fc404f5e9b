/* src/cli/humanize.h: docker's durations, statuses and tables. */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/cli/humanize.h"
#include "unit.h"

#define MINUTE 60.0
#define HOUR   3600.0
#define DAY    86400.0

static void assert_duration(double seconds, const char *expected)
{
    char buffer[64];
    humanize_duration(seconds, buffer, sizeof(buffer));
    if (strcmp(buffer, expected) != 0)
        fail_msg("%f seconds: \"%s\", want \"%s\"", seconds, buffer, expected);
}

/* The thresholds of go-units' HumanDuration, on either side of each. */
static void test_duration_small(void **state)
{
    (void)state;
    assert_duration(-5, "Less than a second");
    assert_duration(0, "Less than a second");
    assert_duration(0.999, "Less than a second");
    assert_duration(1, "1 second");
    assert_duration(1.9, "1 second");
    assert_duration(2, "2 seconds");
    assert_duration(59.9, "59 seconds");
    assert_duration(60, "About a minute");
    assert_duration(119, "About a minute");
    assert_duration(120, "2 minutes");
    assert_duration(59 * MINUTE + 59, "59 minutes");
}

static void test_duration_hours_and_days(void **state)
{
    (void)state;
    assert_duration(HOUR, "About an hour");
    /* Hours round to the nearest: 1h29m is still about an hour, 1h30m is 2. */
    assert_duration(HOUR + 29 * MINUTE, "About an hour");
    assert_duration(HOUR + 30 * MINUTE, "2 hours");
    assert_duration(47 * HOUR, "47 hours");
    assert_duration(47 * HOUR + 29 * MINUTE, "47 hours");
    assert_duration(47 * HOUR + 30 * MINUTE, "2 days");
    assert_duration(2 * DAY, "2 days");
    assert_duration(3 * DAY + 12 * HOUR, "4 days");
    assert_duration(13 * DAY, "13 days");
    assert_duration(14 * DAY - 1, "14 days");
}

static void test_duration_weeks_months_years(void **state)
{
    (void)state;
    assert_duration(14 * DAY, "2 weeks");
    assert_duration(59 * DAY, "8 weeks");
    assert_duration(60 * DAY, "2 months");
    assert_duration(364 * DAY, "12 months");
    assert_duration(729 * DAY, "24 months");
    assert_duration(730 * DAY, "2 years");
    assert_duration(3 * 365 * DAY, "3 years");
    /* Go's Duration saturates near 292 years. */
    assert_duration(1e12, "292 years");
}

static void test_duration_small_buffer(void **state)
{
    (void)state;
    char buffer[5];
    humanize_duration(3 * HOUR, buffer, sizeof(buffer));
    assert_string_equal(buffer, "3 ho");
    humanize_duration(3 * HOUR, buffer, 0);
}

static void test_parse_timestamp(void **state)
{
    (void)state;
    assert_true(humanize_parse_timestamp("1970-01-01T00:00:00Z") == 0);
    assert_true(humanize_parse_timestamp("2001-09-09T01:46:40Z") == 1000000000);
    double fractional = humanize_parse_timestamp("2026-11-22T11:06:43.398527537Z");
    assert_true(fractional > 1795345603.39 && fractional < 1795345603.40);
    assert_true(humanize_parse_timestamp("2001-09-09T03:46:40+02:00") == 1000000000);
    assert_true(humanize_parse_timestamp("2001-09-08T20:16:40-05:30") == 1000000000);
    assert_true(humanize_parse_timestamp("2001-09-09t01:46:40.5z") == 1000000000.5);
    assert_true(humanize_parse_timestamp("2024-02-29T00:00:00Z") == 1709164800);
}

static void test_parse_timestamp_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00.000Z",
        "",
        "2020-01-01",
        "2020-01-01T00:00:00",
        "2020-01-01 00:00:00Z",
        "2020-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2020-01-01T24:00:00Z",
        "2020-01-01T00:60:00Z",
        "2020-01-01T00:00:00.Z",
        "2020-01-01T00:00:00+0100",
        "2020-01-01T00:00:00Zjunk",
        "20-01-01T00:00:00Z",
        "2020-01-01T00:00:00+25:00",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        if (humanize_parse_timestamp(bad[i]) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_true(humanize_parse_timestamp(NULL) == -1);
}

static void assert_status(const char *status, int code, double started, double finished,
                          const char *expected)
{
    char buffer[128];
    humanize_status(status, code, started, finished, 1000000, buffer, sizeof(buffer));
    assert_string_equal(buffer, expected);
}

static void test_status(void **state)
{
    (void)state;
    assert_status("created", 0, -1, -1, "Created");
    assert_status("running", 0, 1000000 - 3, -1, "Up 3 seconds");
    assert_status("running", 0, 1000000 - 0.2, -1, "Up Less than a second");
    assert_status("paused", 0, 1000000 - 2 * HOUR, -1, "Up 2 hours (Paused)");
    assert_status("exited", 7, 1000000 - 600, 1000000 - 120, "Exited (7) 2 minutes ago");
    assert_status("stopped", 0, 1000000 - 600, 1000000 - 60, "Exited (0) About a minute ago");
    assert_status("restarting", 1, 1000000 - 600, 1000000 - 5, "Restarting (1) 5 seconds ago");
    assert_status("removing", 0, -1, -1, "Removal In Progress");
    assert_status("dead", 0, -1, -1, "Dead");
    assert_status("weird", 0, -1, -1, "weird");
    assert_status(NULL, 0, -1, -1, "");
    /* An unknown time leaves the duration out rather than print 292 years. */
    assert_status("running", 0, -1, -1, "Up");
    assert_status("exited", 137, -1, -1, "Exited (137)");
}

static void test_ago(void **state)
{
    (void)state;
    char buffer[64];
    humanize_ago(100, 100 + 3 * DAY, buffer, sizeof(buffer));
    assert_string_equal(buffer, "3 days ago");
    humanize_ago(100, 100.5, buffer, sizeof(buffer));
    assert_string_equal(buffer, "Less than a second ago");
    humanize_ago(-1, 100, buffer, sizeof(buffer));
    assert_string_equal(buffer, "");
}

static char *print_table(const struct table *table)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    table_print(table, out);
    fclose(out);
    return text;
}

static void test_table(void **state)
{
    (void)state;
    struct table *table = table_new(3);
    table_add_row(table, (const char *const[]){"CONTAINER ID", "IMAGE", "NAMES"});
    table_add_row(table, (const char *const[]){"abc", "busybox:latest", "web"});
    table_add_row(table, (const char *const[]){"d", "x", "a-much-longer-name"});
    char *text = print_table(table);
    /* Columns: widest + 3 (CONTAINER ID: 12+3, IMAGE: 14+3); the last is not padded. */
    assert_string_equal(text, "CONTAINER ID   IMAGE            NAMES\n"
                              "abc            busybox:latest   web\n"
                              "d              x                a-much-longer-name\n");
    free(text);
    table_free(table);
}

static void test_table_minimum_width_and_utf8(void **state)
{
    (void)state;
    struct table *table = table_new(3);
    table_add_row(table, (const char *const[]){"A", "B", "C"});
    table_add_row(table, (const char *const[]){"h\xc3\xa9llo\xe2\x80\xa6x", "b", ""});
    table_add_row(table, (const char *const[]){NULL, "b2", "c"});
    char *text = print_table(table);
    /* docker's tabwriter has a minimum cell width of 10; "héllo…x" is 7 wide. */
    assert_string_equal(text, "A         B         C\n"
                              "h\xc3\xa9llo\xe2\x80\xa6x   b\n"
                              "          b2        c\n");
    free(text);
    table_free(table);
}

static void test_table_edges(void **state)
{
    (void)state;
    struct table *empty = table_new(2);
    char *text = print_table(empty);
    assert_string_equal(text, "");
    free(text);
    table_free(empty);

    struct table *single = table_new(1);
    table_add_row(single, (const char *const[]){"only  "});
    text = print_table(single);
    assert_string_equal(text, "only\n");
    free(text);
    table_free(single);

    struct table *none = table_new(0);
    table_add_row(none, NULL);
    table_print(none, stdout);
    table_free(none);
    table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_small),
        cmocka_unit_test(test_duration_hours_and_days),
        cmocka_unit_test(test_duration_weeks_months_years),
        cmocka_unit_test(test_duration_small_buffer),
        cmocka_unit_test(test_parse_timestamp),
        cmocka_unit_test(test_parse_timestamp_rejects),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_ago),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_minimum_width_and_utf8),
        cmocka_unit_test(test_table_edges),
    };
    return cmocka_run_group_tests_name("humanize", tests, NULL, NULL);
}
