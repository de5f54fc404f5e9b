/* src/cli/ps_filter.h: `ps --filter` keys, values and docker's rules. */
#include <stdlib.h>

#include "../../src/cli/ps_filter.h"
#include "unit.h"

static json_t *container(const char *id, const char *name, const char *status, int code,
                         const char *created)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:{s:s, s:i, s:b}, "
                     "s:{s:{s:{}}}, s:[{s:s, s:s, s:s}]}",
                     "Id", id, "Name", name, "Created", created, "Image", "sha256:abcdef0123",
                     "Config", "Image", "busybox", "Labels", "team", "a", "tier", "web", "State",
                     "Status", status, "ExitCode", code, "Running", strcmp(status, "running") == 0,
                     "NetworkSettings", "Networks", "husk0", "Mounts", "Name", "data",
                     "Destination", "/srv", "Source", "/v/data/_data");
}

static bool passes(json_t *all, json_t *document, const char *first, const char *second)
{
    const char *texts[] = {first, second};
    json_t *filters = NULL;
    husk_error_t err = NULL;
    assert_int_equal(ps_filter_parse(texts, second ? 2 : 1, &filters, &err), 0);
    bool hit = ps_filter_match(filters, document, all);
    json_decref(filters);
    return hit;
}

static void test_match(void **state)
{
    (void)state;
    json_t *all = json_array();
    json_t *web = container("aaa111", "/web", "running", 0, "2026-01-02T00:00:00Z");
    json_t *job = container("bbb222", "/job", "exited", 3, "2026-01-01T00:00:00Z");
    json_array_append_new(all, web);
    json_array_append_new(all, job);
    assert_true(passes(all, web, "name=^we", NULL));
    assert_false(passes(all, job, "name=^we", NULL));
    assert_true(passes(all, job, "name=web", "name=job"));
    assert_true(passes(all, web, "id=aaa", NULL));
    assert_true(passes(all, web, "label=team=a", "label=tier"));
    assert_false(passes(all, web, "label=team=a", "label=tier=db"));
    assert_true(passes(all, job, "status=exited", NULL));
    assert_true(passes(all, job, "exited=3", NULL));
    assert_false(passes(all, job, "exited=0", NULL));
    assert_true(passes(all, web, "ancestor=busybox", NULL));
    assert_true(passes(all, web, "ancestor=busybox:latest", NULL));
    assert_true(passes(all, web, "ancestor=abcdef", NULL));
    assert_false(passes(all, web, "ancestor=alpine", NULL));
    assert_true(passes(all, web, "health=none", NULL));
    assert_true(passes(all, web, "network=husk0", NULL));
    assert_true(passes(all, web, "volume=data", "volume=/nope"));
    assert_true(passes(all, web, "volume=/srv", NULL));
    assert_true(passes(all, job, "before=web", NULL));
    assert_false(passes(all, web, "before=web", NULL));
    assert_true(passes(all, web, "since=job", NULL));
    assert_false(passes(all, web, "since=nothing", NULL));
    json_decref(all);
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[][2] = {{"colour=red", "invalid filter 'colour'"},
                            {"status", "bad format of filter"},
                            {"status=sleeping", "invalid filter 'status=sleeping'"},
                            {"exited=x", "invalid filter 'exited=x'"},
                            {"health=ok", "invalid filter 'health=ok'"},
                            {"name=(", "not a regular expression"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *filters = NULL;
        husk_error_t err = NULL;
        assert_int_equal(ps_filter_parse(&bad[i][0], 1, &filters, &err), -1);
        assert_error_contains(err, bad[i][1]);
        husk_error_free(&err);
    }
}

static void test_wants_all(void **state)
{
    (void)state;
    const char *running[] = {"status=running"}, *exited[] = {"status=exited"},
               *code[] = {"exited=0"};
    json_t *filters = NULL;
    husk_error_t err = NULL;
    assert_int_equal(ps_filter_parse(running, 1, &filters, &err), 0);
    assert_false(ps_filter_wants_all(filters));
    json_decref(filters);
    assert_int_equal(ps_filter_parse(exited, 1, &filters, &err), 0);
    assert_true(ps_filter_wants_all(filters));
    json_decref(filters);
    assert_int_equal(ps_filter_parse(code, 1, &filters, &err), 0);
    assert_true(ps_filter_wants_all(filters));
    json_decref(filters);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_wants_all),
    };
    return cmocka_run_group_tests_name("ps_filter", tests, NULL, NULL);
}
