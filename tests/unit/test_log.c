/* The log drivers' pure parts: --log-opt sizes and checks (log_config.h),
 * the json-file encoding (log.h) and `logs --since/--until` times
 * (log_time.h). */
#include <jansson.h>
#include <stdlib.h>

#include "../../src/engine/logs/log.h"
#include "../../src/engine/logs/log_config.h"
#include "../../src/engine/logs/log_time.h"
#include "unit.h"

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t bytes;
    } good[] = {{"1", 1},          {"64k", 64000},          {"64K", 64000},
                {"64kb", 64000},   {"64KiB", 64000},        {"10m", 10000000},
                {"1.5m", 1500000}, {"2g", 2000000000LL},    {"1 k", 1000},
                {"0", 0},          {"1t", 1000000000000LL}, {"2p", 2000000000000000LL}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t bytes = -1;
        if (!log_size_parse(good[i].text, &bytes))
            fail_msg("refused %s", good[i].text);
        assert_int_equal(bytes, good[i].bytes);
    }
    static const char *const bad[] = {"",     "k",  "ten", "1x",    "-1",
                                      "1..2", "1.", "1kk", "1 b c", "99999999999p"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t bytes;
        if (log_size_parse(bad[i], &bytes))
            fail_msg("took %s", bad[i]);
    }
}

static int configure(const char *driver, const char **opts, size_t count,
                     struct log_settings *settings, husk_error_t *err)
{
    struct log_flags flags = {driver, {opts, count}};
    json_t *config = NULL;
    if (log_flags_config(&flags, &config, err) < 0)
        return -1;
    int rc = log_settings_from_config(config, "abc", settings, err);
    json_decref(config);
    return rc;
}

static void refused(const char *driver, const char *opt, const char *word)
{
    husk_error_t err = NULL;
    struct log_settings settings;
    const char *opts[] = {opt, "compress=true"};
    size_t count = opt ? (strstr(word, "compress cannot") ? 2 : 1) : 0;
    if (configure(driver, opts, count, &settings, &err) != -1)
        fail_msg("took %s %s", driver, opt ? opt : "");
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_options(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct log_settings s;
    assert_int_equal(configure(NULL, NULL, 0, &s, &err), 0);
    assert_int_equal(s.driver, LOG_DRIVER_LOCAL);
    assert_int_equal(s.max_size, LOG_LOCAL_MAX_SIZE);
    assert_int_equal(s.max_file, LOG_LOCAL_MAX_FILE);
    assert_true(s.compress);
    assert_string_equal(s.file, "container.log");
    const char *json_opts[] = {"max-size=64k", "max-file=3", "max-file=4", "labels=a,b"};
    assert_int_equal(configure("json-file", json_opts, 4, &s, &err), 0);
    assert_int_equal(s.driver, LOG_DRIVER_JSON_FILE);
    assert_int_equal(s.max_size, 64000);
    assert_int_equal(s.max_file, 4); /* the last one given */
    assert_false(s.compress);
    assert_string_equal(s.file, "abc-json.log");
    const char *one[] = {"max-file=1"};
    assert_int_equal(configure("local", one, 1, &s, &err), 0);
    assert_false(s.compress); /* nothing to compress */
    assert_int_equal(log_settings_from_config(NULL, "abc", &s, &err), 0);
    assert_int_equal(s.max_size, 0); /* an old record: no limit */
    assert_string_equal(s.file, "container.log");

    refused("syslog", NULL, "no log driver named 'syslog' is registered");
    refused("json-file", "bogus=1", "unknown log opt 'bogus' for json-file log driver");
    refused("local", "tag=x", "unknown log opt 'tag' for local log driver");
    refused("none", "max-file=2", "unknown log opt 'max-file' for none log driver");
    refused("local", "max-size=big", "invalid --log-opt max-size=\"big\"");
    refused("local", "max-size=0", "max-size must be a positive number");
    refused("local", "max-file=0", "max-file cannot be less than 1");
    refused("local", "max-file=two", "invalid --log-opt max-file=\"two\"");
    refused("local", "compress=yes", "invalid --log-opt compress=\"yes\"");
    refused("json-file", "max-file=2", "max-file cannot be greater than 1");
    refused("json-file", "max-size=1m", "compress cannot be true");
    refused("json-file", "labels-regex=(", "invalid --log-opt labels-regex=\"(\"");
    refused("json-file", "tag={{.Nope}}", "{{.Nope}}");
    refused("local", "max-size", "invalid --log-opt \"max-size\": use KEY=VALUE");
}

static char *encode(const char *data, size_t length)
{
    size_t expected = log_json_escaped_length(data, length);
    char *out = calloc(1, expected + 1);
    char small[7];
    size_t used = 0;
    /* In small pieces, as the monitor's buffer fills. */
    while (length > 0) {
        size_t n = log_json_escape(&data, &length, small, sizeof(small));
        assert_true(n > 0);
        memcpy(out + used, small, n);
        used += n;
    }
    assert_int_equal(used, expected);
    return out;
}

static void test_json_escaping(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t length;
        const char *out;
    } cases[] = {
        {"plain\n", 6, "plain\\n"},
        {"\"q\" \\ \t\r", 8, "\\\"q\\\" \\\\ \\t\\r"},
        {"<a>&", 4, "\\u003ca\\u003e\\u0026"},
        {"\x01\x1f\x7f", 3, "\\u0001\\u001f\x7f"},
        {"nul\0x", 5, "nul\\u0000x"},
        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"},
        {"\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u2028\\u2029"},
        {"x\xffy", 3, "x\\ufffdy"},
        {"\xc0\xaf", 2, "\\ufffd\\ufffd"},                       /* overlong */
        {"\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"},            /* a surrogate */
        {"\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* past U+10FFFF */
        {"\xe2\x82", 2, "\\ufffd\\ufffd"},                       /* cut short: a partial line */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = encode(cases[i].in, cases[i].length);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void collect(const struct log_entry *entry, void *data)
{
    json_t *list = data;
    json_array_append_new(list,
                          json_pack("{s:s#, s:i, s:s}", "log", entry->data, (int)entry->length,
                                    "stream", entry->stream, "time", entry->time));
}

static void test_json_lines_read_back(void **state)
{
    (void)state;
    char *escaped = encode("a\0\"\xff\n", 5);
    char *text = NULL;
    int n = asprintf(
        &text,
        "{\"log\":\"%s\",\"stream\":\"stderr\",\"time\":\"2024-01-02T03:04:05.000000001Z\"}\n"
        "not json\n"
        "{\"log\":\"partial\",\"stream\":\"stdout\",\"time\":\"T\"}\n"
        "{\"log\":\"unfinished",
        escaped);
    json_t *list = json_array();
    size_t used = log_json_parse(text, (size_t)n, collect, list);
    assert_int_equal(used, (size_t)n - strlen("{\"log\":\"unfinished"));
    assert_int_equal(json_array_size(list), 2);
    json_t *first = json_array_get(list, 0);
    assert_int_equal(json_string_length(json_object_get(first, "log")), 7);
    assert_memory_equal(json_string_value(json_object_get(first, "log")), "a\0\"\xef\xbf\xbd\n", 7);
    assert_int_equal(json_integer_value(json_object_get(first, "stream")), LOG_STDERR);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "log")),
                        "partial");
    json_decref(list);
    free(text);
    free(escaped);
}

static void test_times(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    struct timespec now = {1700000000, 500}, t;
    husk_error_t err = NULL;
    static const struct {
        const char *text;
        long long seconds;
        long nanoseconds;
    } good[] = {
        {"10m", 1700000000 - 600, 0},
        {"1h30m", 1700000000 - 5400, 0},
        {"1.5s", 1700000000 - 1, 0},
        {"-1h", 1700000000 + 3600, 0},
        {"0", 0, 0},
        {"1700000123", 1700000123, 0},
        {"1700000123.25", 1700000123, 250000000},
        {"2023-11-14T22:13:20Z", 1700000000, 0},
        {"2023-11-14T22:13:20.123456789Z", 1700000000, 123456789},
        {"2023-11-14T23:13:20+01:00", 1700000000, 0},
        {"2023-11-14T22:13:20", 1700000000, 0},
        {"2023-11-14T22:13", 1700000000 - 20, 0},
        {"2023-11-14T22", 1700000000 - 800, 0},
        {"2023-11-14", 1699920000, 0},
        {"2023-11-14Z", 1699920000, 0},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (log_time_option("since", good[i].text, &now, &t, &err) < 0)
            fail_msg("refused %s: %s", good[i].text, err->message);
        if (t.tv_sec != good[i].seconds || t.tv_nsec != good[i].nanoseconds)
            fail_msg("%s: %lld.%09ld", good[i].text, (long long)t.tv_sec, t.tv_nsec);
    }
    static const char *const bad[] = {"",
                                      "yesterday",
                                      "10x",
                                      "2023-13-01",
                                      "2023-11-14T25:00",
                                      "1.2.3",
                                      "2023-11-14T22:13:20+1",
                                      "12abc"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(log_time_option("until", bad[i], &now, &t, &err), -1);
        assert_error_contains(err, "invalid value for \"until\"");
        husk_error_free(&err);
    }
    struct timespec a = {5, 1}, b = {5, 2};
    assert_int_equal(log_time_compare(&a, &b), -1);
    assert_int_equal(log_time_compare(&b, &a), 1);
    assert_int_equal(log_time_compare(&a, &a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),         cmocka_unit_test(test_options),
        cmocka_unit_test(test_json_escaping), cmocka_unit_test(test_json_lines_read_back),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
