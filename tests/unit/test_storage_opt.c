/* src/engine/storage_opt.h: --storage-opt's syntax, docker's sizes and what
 * HostConfig.StorageOpt records. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "../../src/engine/storage_opt.h"
#include "../../src/util/cleanup.h"
#include "unit.h"

static void test_sizes(void **state)
{
    (void)state;
    const struct {
        const char *text;
        uint64_t bytes;
    } good[] = {{"size=10m", 10 << 20},
                {"size=10M", 10 << 20},
                {"size=10MiB", 10 << 20},
                {"size=1g", 1ULL << 30},
                {"size=1.5G", 3ULL << 29},
                {"size=512", 512},
                {"size=4k", 4096},
                {"size=4kb", 4096},
                {"size=2t", 2ULL << 40},
                {"Size=1g", 1ULL << 30},
                {"SIZE=1b", 1},
                {"size=0", 0}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        husk_error_t err = NULL;
        struct storage_opt opt;
        const char *values[] = {good[i].text};
        if (storage_opt_parse(values, 1, &opt, NULL, &err) < 0)
            fail_msg("%s: %s", good[i].text, err->message);
        if (!opt.size_given || opt.size != good[i].bytes)
            fail_msg("%s: got %llu", good[i].text, (unsigned long long)opt.size);
    }
}

static void test_bad_values(void **state)
{
    (void)state;
    const struct {
        const char *text, *message;
    } bad[] = {
        {"size", "invalid storage option \"size\": missing '=' separator"},
        {"", "invalid storage option \"\": missing '=' separator"},
        {"size=", "invalid size: ''"},
        {"size=-1", "invalid size: '-1'"},
        {"size=10x", "invalid size: '10x'"},
        {"size=1e3", "invalid size: '1e3'"},
        {"size= 10m", "invalid size: ' 10m'"},
        {"size=99999999999t", "invalid size: '99999999999t'"},
        {"inodes=100", "unknown storage option \"inodes\""},
        {"=10m", "unknown storage option \"\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        husk_error_t err = NULL;
        struct storage_opt opt;
        json_t *record = NULL;
        const char *values[] = {bad[i].text};
        if (storage_opt_parse(values, 1, &opt, &record, &err) == 0)
            fail_msg("accepted \"%s\"", bad[i].text);
        assert_error_contains(err, bad[i].message);
        assert_null(strchr(err->message, '\n'));
        assert_null(record);
        husk_error_free(&err);
    }
}

static void test_record(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct storage_opt opt;
    json_t *record = json_null();
    assert_int_equal(storage_opt_parse(NULL, 0, &opt, &record, &err), 0);
    assert_null(record);
    assert_false(opt.size_given);
    /* As docker's map: the last value of a key wins, kept as typed. */
    const char *values[] = {"size=1g", "size=10m"};
    assert_int_equal(storage_opt_parse(values, 2, &opt, &record, &err), 0);
    cleanup_free char *text = json_dumps(record, JSON_COMPACT);
    assert_string_equal(text, "{\"size\":\"10m\"}");
    assert_int_equal(opt.size, 10 << 20);
    json_decref(record);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
