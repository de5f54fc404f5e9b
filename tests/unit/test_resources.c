/* src/engine/resources.h (docker's resource flags) and
 * src/runtime/cgroup_limits.h (which file each limit goes to, v1 and v2). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/engine/resources.h"
#include "../../src/runtime/cgroup_limits.h"
#include "unit.h"

static void test_sizes(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int64_t bytes;
    } good[] = {{"1024", 1024},       {"1b", 1},           {"512k", 512 << 10},
                {"512KB", 512 << 10}, {"64m", 64 << 20},   {"64MiB", 64 << 20},
                {"1g", 1LL << 30},    {"1.5g", 3LL << 29}, {"2T", 2LL << 40}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t bytes = 0;
        if (!resource_size_parse(good[i].text, &bytes) || bytes != good[i].bytes)
            fail_msg("%s: got %lld", good[i].text, (long long)bytes);
    }
    const char *bad[] = {"", "-1", "m", "64x", "1e3", "64 m", "1gb2", ".5g", "99999999999999t"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t bytes;
        if (resource_size_parse(bad[i], &bytes))
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_lists(void **state)
{
    (void)state;
    int highest;
    assert_true(resource_list_parse("0", &highest));
    assert_int_equal(highest, 0);
    assert_true(resource_list_parse("0-2,5,7-8", &highest));
    assert_int_equal(highest, 8);
    const char *bad[] = {"", "a", "1-", "-1", "3-1", "1,,2", "1,", "0-5000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (resource_list_parse(bad[i], &highest))
            fail_msg("accepted \"%s\"", bad[i]);
}

static void test_flags(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct resource_limits l;
    struct resource_flags f = {.memory = "64m",
                               .memory_swap = "-1",
                               .cpus = "1.5",
                               .pids_limit = "0",
                               .cpu_shares = "512"};
    assert_int_equal(resource_limits_parse(&f, &l, &err), 0);
    assert_int_equal(l.memory, 64 << 20);
    assert_int_equal(l.memory_swap, -1);
    assert_int_equal(l.cpu_quota, 150000);
    assert_int_equal(l.cpu_period, 100000);
    assert_int_equal(l.pids_limit, -1); /* docker: 0 is unlimited */
    assert_int_equal(l.cpu_shares, 512);
    assert_true(resource_limits_any(&l));
    struct resource_flags none = {0};
    assert_int_equal(resource_limits_parse(&none, &l, &err), 0);
    assert_false(resource_limits_any(&l));
    const struct {
        struct resource_flags flags;
        const char *message;
    } bad[] = {
        {{.memory = "5m"}, "the minimum is 6m"},
        {{.memory_swap = "1g"}, "--memory-swap needs --memory"},
        {{.memory = "1g", .memory_swap = "512m"}, "at least --memory"},
        {{.memory = "64m", .memory_reservation = "1g"}, "below --memory"},
        {{.cpus = "0"}, "invalid --cpus \"0\""},
        {{.cpus = "0.001"}, "the minimum is 0.01"},
        {{.cpus = "1", .cpu_period = "50000"}, "conflicting options"},
        {{.cpu_quota = "500"}, "the minimum is 1000"},
        {{.cpu_period = "100"}, "invalid --cpu-period"},
        {{.cpuset_mems = "0-"}, "invalid --cpuset-mems"},
        {{.pids_limit = "-2"}, "invalid --pids-limit"},
        {{.blkio_weight = "1001"}, "invalid --blkio-weight"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (resource_limits_parse(&bad[i].flags, &l, &err) == 0)
            fail_msg("case %zu accepted", i);
        assert_error_contains(err, bad[i].message);
        husk_error_free(&err);
    }
}

static bool everything_unified(const char *controller, const void *data)
{
    (void)controller;
    (void)data;
    return true;
}

static bool nothing_unified(const char *controller, const void *data)
{
    (void)controller;
    (void)data;
    return false;
}

static const char *value_of(const struct cgroup_write *writes, size_t count, const char *file)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(writes[i].file, file) == 0)
            return writes[i].value;
    return NULL;
}

/* Every (file, value) of EXPECTED is among WRITES, and nothing else is. */
static void assert_writes(const struct cgroup_write *writes, size_t count,
                          const char *const (*expected)[2], size_t expected_count)
{
    assert_int_equal(count, expected_count);
    for (size_t i = 0; i < expected_count; i++) {
        const char *value = value_of(writes, count, expected[i][0]);
        if (value == NULL || strcmp(value, expected[i][1]) != 0)
            fail_msg("%s: expected %s, got %s", expected[i][0], expected[i][1],
                     value ? value : "(none)");
    }
}

static struct runtime_resources every_limit(void)
{
    static char cpus[] = "0-1", mems[] = "0";
    return (struct runtime_resources){.memory_limit = 64 << 20,
                                      .memory_reservation = 32 << 20,
                                      .memory_swap = 96 << 20,
                                      .disable_oom_killer = false,
                                      .cpu_shares = 512,
                                      .cpu_quota = 50000,
                                      .cpu_period = 100000,
                                      .cpuset_cpus = cpus,
                                      .cpuset_mems = mems,
                                      .pids_limit = 20,
                                      .blkio_weight = 500};
}

static void test_v2_mapping_of_every_flag(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_resources r = every_limit();
    struct cgroup_write writes[CGROUP_WRITES_MAX];
    size_t count;
    assert_int_equal(cgroup_limit_writes(&r, everything_unified, NULL, writes, &count, &err), 0);
    const char *const expected[][2] = {
        {"memory.max", "67108864"},
        {"memory.low", "33554432"},
        {"memory.swap.max", "33554432"}, /* v2 limits swap alone: 96m - 64m */
        {"cpu.weight", "20"},            /* 1 + (512 - 2) * 9999 / 262142 */
        {"cpu.max", "50000 100000"},
        {"cpuset.cpus", "0-1"},
        {"cpuset.mems", "0"},
        {"pids.max", "20"},
        {"io.weight", "default 4950"}, /* 1 + (500 - 10) * 9999 / 990 */
    };
    assert_writes(writes, count, expected, sizeof(expected) / sizeof(expected[0]));
    /* Unlimited spellings, and the one thing v2 cannot do. */
    r = (struct runtime_resources){
        RUNTIME_UNSET, RUNTIME_UNSET, RUNTIME_UNSET, false, RUNTIME_UNSET, -1,
        RUNTIME_UNSET, NULL,          NULL,          -1,    RUNTIME_UNSET};
    r.memory_limit = -1;
    r.memory_swap = -1;
    assert_int_equal(cgroup_limit_writes(&r, everything_unified, NULL, writes, &count, &err), 0);
    assert_string_equal(value_of(writes, count, "memory.max"), "max");
    assert_string_equal(value_of(writes, count, "memory.swap.max"), "max");
    assert_string_equal(value_of(writes, count, "cpu.max"), "max 100000");
    assert_string_equal(value_of(writes, count, "pids.max"), "max");
    r.disable_oom_killer = true;
    assert_int_equal(cgroup_limit_writes(&r, everything_unified, NULL, writes, &count, &err), -1);
    assert_error_contains(err, "--oom-kill-disable: cgroup v2 has no way");
    husk_error_free(&err);
}

static void test_v1_mapping_of_every_flag(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct runtime_resources r = every_limit();
    r.disable_oom_killer = true;
    struct cgroup_write writes[CGROUP_WRITES_MAX];
    size_t count;
    assert_int_equal(cgroup_limit_writes(&r, nothing_unified, NULL, writes, &count, &err), 0);
    const char *const expected[][2] = {
        {"memory.limit_in_bytes", "67108864"},
        {"memory.soft_limit_in_bytes", "33554432"},
        {"memory.memsw.limit_in_bytes", "100663296"},
        {"memory.oom_control", "1"},
        {"cpu.shares", "512"},
        {"cpu.cfs_period_us", "100000"},
        {"cpu.cfs_quota_us", "50000"},
        {"cpuset.cpus", "0-1"},
        {"cpuset.mems", "0"},
        {"pids.max", "20"},
        {"blkio.weight", "500"},
    };
    assert_writes(writes, count, expected, sizeof(expected) / sizeof(expected[0]));
    /* The period before the quota, memory before memory+swap. */
    size_t period = 0, quota = 0, memory = 0, memsw = 0;
    for (size_t i = 0; i < count; i++) {
        period = strcmp(writes[i].file, "cpu.cfs_period_us") == 0 ? i : period;
        quota = strcmp(writes[i].file, "cpu.cfs_quota_us") == 0 ? i : quota;
        memory = strcmp(writes[i].file, "memory.limit_in_bytes") == 0 ? i : memory;
        memsw = strcmp(writes[i].file, "memory.memsw.limit_in_bytes") == 0 ? i : memsw;
    }
    assert_true(period < quota);
    assert_true(memory < memsw);
}

static void test_spec_round_trip(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct resource_limits l;
    struct resource_flags f = {.memory = "64m",
                               .cpus = "0.5",
                               .cpuset_cpus = "0",
                               .pids_limit = "10",
                               .blkio_weight = "300",
                               .oom_kill_disable = true};
    assert_int_equal(resource_limits_parse(&f, &l, &err), 0);
    json_t *spec = resource_limits_to_spec(&l);
    struct runtime_resources r;
    assert_int_equal(runtime_resources_parse(spec, &r, &err), 0);
    assert_int_equal(r.memory_limit, 64 << 20);
    assert_int_equal(r.memory_swap, RUNTIME_UNSET);
    assert_int_equal(r.cpu_quota, 50000);
    assert_int_equal(r.cpu_period, 100000);
    assert_string_equal(r.cpuset_cpus, "0");
    assert_null(r.cpuset_mems);
    assert_int_equal(r.pids_limit, 10);
    assert_int_equal(r.blkio_weight, 300);
    assert_true(r.disable_oom_killer);
    runtime_resources_free(&r);
    json_t *host_config = json_object();
    resource_limits_record(&f, "/parent", host_config);
    assert_int_equal(json_integer_value(json_object_get(host_config, "NanoCpus")), 500000000);
    assert_int_equal(json_integer_value(json_object_get(host_config, "Memory")), 64 << 20);
    assert_string_equal(json_string_value(json_object_get(host_config, "CgroupParent")), "/parent");
    json_decref(host_config);
    json_decref(spec);
}

static void touch(const char *directory, const char *file, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", directory, file);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fail_msg("create %s", path);
    fputs(content, f);
    fclose(f);
}

static char *slurp(const char *directory, const char *file)
{
    char path[512];
    static char content[256];
    snprintf(path, sizeof(path), "%s/%s", directory, file);
    FILE *f = fopen(path, "r");
    content[0] = '\0';
    if (f != NULL) {
        size_t n = fread(content, 1, sizeof(content) - 1, f);
        content[n] = '\0';
        fclose(f);
    }
    return content;
}

/* On a cgroup2 tree (a directory standing in for one), a limit enables its
 * controller in every ancestor's cgroup.subtree_control, then writes its file. */
static void test_v2_apply_enables_controllers(void **state)
{
    (void)state;
    char root[] = "/tmp/husk-cgroup2-XXXXXX", parent[600], container[700];
    if (mkdtemp(root) == NULL)
        fail_msg("mkdtemp");
    snprintf(parent, sizeof(parent), "%s/husk", root);
    snprintf(container, sizeof(container), "%s/abc", parent);
    mkdir(parent, 0755);
    mkdir(container, 0755);
    touch(root, "cgroup.subtree_control", "cpu io\n");
    touch(parent, "cgroup.subtree_control", "memory pids\n");
    touch(container, "memory.max", "max\n");
    touch(container, "pids.max", "max\n");
    struct cgroup_hierarchy unified = {.mount_point = root, .controllers = "", .unified = true};
    struct cgroup_layout layout = {.hierarchies = &unified, .count = 1};
    struct runtime_resources r = {RUNTIME_UNSET, RUNTIME_UNSET, RUNTIME_UNSET, false,
                                  RUNTIME_UNSET, RUNTIME_UNSET, RUNTIME_UNSET, NULL,
                                  NULL,          RUNTIME_UNSET, RUNTIME_UNSET};
    r.memory_limit = 64 << 20;
    r.pids_limit = 7;
    husk_error_t err = NULL;
    assert_int_equal(cgroup_apply_limits(&layout, "/husk/abc", &r, &err), 0);
    assert_no_error(err);
    assert_string_equal(slurp(container, "memory.max"), "67108864");
    assert_string_equal(slurp(container, "pids.max"), "7");
    /* The root lacked both: "+pids" is the last written; the parent had both. */
    assert_string_equal(slurp(root, "cgroup.subtree_control"), "+pids");
    assert_string_equal(slurp(parent, "cgroup.subtree_control"), "memory pids\n");
    const char *files[][2] = {{container, "memory.max"},
                              {container, "pids.max"},
                              {parent, "cgroup.subtree_control"},
                              {root, "cgroup.subtree_control"}};
    for (size_t i = 0; i < 4; i++) {
        char path[800];
        snprintf(path, sizeof(path), "%s/%s", files[i][0], files[i][1]);
        unlink(path);
    }
    rmdir(container);
    rmdir(parent);
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_v2_mapping_of_every_flag),
        cmocka_unit_test(test_v1_mapping_of_every_flag),
        cmocka_unit_test(test_spec_round_trip),
        cmocka_unit_test(test_v2_apply_enables_controllers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
