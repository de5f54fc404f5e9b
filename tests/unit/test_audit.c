#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../../src/audit/risks.h"
#include "../../src/audit/shared_tables.h"
#include "../../src/audit/sysctl_catalog.h"
#include "../../src/audit/sysctl_probe.h"

static void test_candidates(void **state)
{
    (void)state;
    char out[2][PROBE_VALUE_SIZE];
    assert_int_equal(sysctl_probe_candidates("4096\t131072\t6291456", out, 2), 2);
    assert_string_equal(out[0], "4097\t131072\t6291456");
    assert_string_equal(out[1], "4095\t131072\t6291456");
    assert_int_equal(sysctl_probe_candidates("0", out, 2), 2);
    assert_string_equal(out[0], "1");
    assert_string_equal(out[1], "-1");
    assert_int_equal(sysctl_probe_candidates("-5", out, 1), 1);
    assert_string_equal(out[0], "-4");
    assert_int_equal(sysctl_probe_candidates("cubic", out, 2), 0);
    assert_int_equal(sysctl_probe_candidates("", out, 2), 0);
    assert_int_equal(sysctl_probe_candidates("12abc", out, 2), 0);
    assert_int_equal(sysctl_probe_candidates("99999999999999999999999", out, 2), 0);
    assert_int_equal(sysctl_probe_candidates("9223372036854775807", out, 2), 1);
    assert_string_equal(out[0], "9223372036854775806");
}

static void test_canonical(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"net.ipv4.conf.eth0.rp_filter", "net.ipv4.conf.default.rp_filter"},
        {"net.ipv4.conf.eth0.1.rp_filter", "net.ipv4.conf.default.rp_filter"},
        {"net.ipv6.neigh.husk0.retrans_time_ms", "net.ipv6.neigh.default.retrans_time_ms"},
        {"net.ipv4.conf.all.forwarding", "net.ipv4.conf.all.forwarding"},
        {"net.ipv4.conf.default.forwarding", "net.ipv4.conf.default.forwarding"},
        {"net.core.somaxconn", "net.core.somaxconn"},
        {"kernel.hostname", "kernel.hostname"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sysctl_key_canonical(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
}

/* Seen the same from every namespace type: there, writable by root, nothing written. */
static void everywhere(struct probe_observation o[PROBE_TYPE_COUNT])
{
    memset(o, 0, sizeof(struct probe_observation) * PROBE_TYPE_COUNT);
    for (int t = 0; t < PROBE_TYPE_COUNT; t++)
        o[t].visible = o[t].readable = o[t].writable_mode = 1;
}

static json_t *classified(struct probe_observation o[PROBE_TYPE_COUNT], mode_t mode,
                          const char *value, bool one_way)
{
    struct probe_key key = {.name = "x",
                            .path = "x",
                            .host_mode = S_IFREG | mode,
                            .host_value = (char *)value,
                            .one_way = one_way};
    return sysctl_classify(&key, o);
}

static void expect_class(struct probe_observation o[PROBE_TYPE_COUNT], mode_t mode,
                         const char *value, const char *class, const char *namespace,
                         const char *listed_in)
{
    json_t *entry = classified(o, mode, value, false);
    assert_string_equal(json_string_value(json_object_get(entry, "Class")), class);
    const char *got = json_string_value(json_object_get(entry, "Namespace"));
    if (namespace == NULL)
        assert_null(got);
    else
        assert_string_equal(got, namespace);
    if (listed_in != NULL) {
        json_t *list = json_object_get(entry, "HiddenIn");
        if (list == NULL)
            list = json_object_get(entry, "ReadOnlyIn");
        assert_string_equal(json_string_value(json_array_get(list, 0)), listed_in);
    }
    json_decref(entry);
}

static void test_classify(void **state)
{
    (void)state;
    struct probe_observation o[PROBE_TYPE_COUNT];

    everywhere(o); /* kernel.pid_max */
    expect_class(o, 0644, "4194304", "global-visible", NULL, NULL);

    everywhere(o); /* net.ipv4.ip_forward: a different value stayed inside */
    o[PROBE_NET].wrote_other = 1;
    expect_class(o, 0644, "0", "isolated", "net", NULL);

    everywhere(o); /* ... unless it showed up outside */
    o[PROBE_NET].wrote_other = o[PROBE_NET].leaked = 1;
    expect_class(o, 0644, "0", "global-visible", NULL, NULL);

    everywhere(o); /* net.netfilter.nf_conntrack_max: read-only in a new netns */
    o[PROBE_NET].writable_mode = 0;
    expect_class(o, 0644, "262144", "global-read-only-inside", NULL, "net");

    everywhere(o); /* net.core.netdev_max_backlog: absent there */
    o[PROBE_NET].visible = 0;
    expect_class(o, 0644, "1000", "global-hidden-inside", NULL, "net");

    everywhere(o); /* user.max_*: every owned probe has a new user namespace */
    o[PROBE_USER].wrote_other = o[PROBE_IPC].wrote_other = o[PROBE_NET].wrote_other = 1;
    expect_class(o, 0644, "63000", "isolated", "user", NULL);

    everywhere(o); /* kernel.hostname: sethostname changed it, no write got through */
    o[PROBE_UTS].mutated = 1;
    expect_class(o, 0644, "box", "isolated", "uts", NULL);

    everywhere(o); /* a text value only rewritten as it was, by the unprivileged root */
    o[PROBE_IPC].wrote_same = 1;
    expect_class(o, 0644, "text", "isolated", "ipc", NULL);

    everywhere(o); /* net.netfilter.nf_hooks_lwtunnel: never written */
    json_t *entry = classified(o, 0644, "0", true);
    assert_string_equal(json_string_value(json_object_get(entry, "Class")), "one-way");
    json_decref(entry);
    assert_true(sysctl_key_one_way("net.netfilter.nf_hooks_lwtunnel"));
    assert_false(sysctl_key_one_way("net.core.somaxconn"));

    everywhere(o); /* a probe's write the kernel would not take back */
    o[PROBE_NET].wrote_other = o[PROBE_NET].leaked = o[PROBE_NET].not_restored = 1;
    entry = classified(o, 0644, "0", false);
    assert_true(json_is_true(json_object_get(entry, "HostChanged")));
    json_decref(entry);

    everywhere(o); /* vm.drop_caches */
    expect_class(o, 0200, NULL, "write-only", NULL, NULL);

    everywhere(o); /* net.ipv6.conf.all.stable_secret, unset */
    expect_class(o, 0600, NULL, "unreadable", NULL, NULL);

    everywhere(o); /* fs.file-nr: read-only everywhere is not "read-only inside" */
    for (int t = 0; t < PROBE_TYPE_COUNT; t++)
        o[t].writable_mode = 0;
    expect_class(o, 0444, "1 0 9", "global-visible", NULL, NULL);
}

static void test_conntrack_line(void **state)
{
    (void)state;
    uint32_t a[4];
    assert_int_equal(
        conntrack_line_addresses(
            "ipv4     2 tcp      6 117 TIME_WAIT src=10.88.0.2 dst=10.88.0.1 sport=40 dport=80 "
            "src=10.88.0.1 dst=10.88.0.2 sport=80 dport=40 [ASSURED] mark=0 use=1",
            a),
        4);
    assert_int_equal(a[0], 0x0a580002);
    assert_int_equal(a[1], 0x0a580001);
    /* A published port: only the reply names the container (10.88.0.3). */
    assert_int_equal(
        conntrack_line_addresses(
            "ipv4     2 tcp      6 86399 ESTABLISHED src=192.0.2.2 dst=192.0.2.1 sport=5000 "
            "dport=8080 src=10.88.0.3 dst=192.0.2.2 sport=80 dport=5000 [ASSURED] use=1\n",
            a),
        4);
    assert_int_equal(a[2], 0x0a580003);
    assert_int_equal(a[3], 0xc0000202);
    assert_int_equal(conntrack_line_addresses("ipv6 10 udp 17 src=fe80::1 dst=fe80::2", a), 0);
    assert_int_equal(conntrack_line_addresses("garbage", a), 0);
}

static json_t *table_row(const char *name, double percent, const char *top, double share)
{
    return json_pack("{s:s, s:{s:s, s:I}, s:I, s:f, s:s, s:[{s:s, s:I, s:f}], s:s, s:s}", "Table",
                     name, "Limit", "Key", "net.netfilter.nf_conntrack_max", "Value",
                     (json_int_t)1000, "Used", (json_int_t)(percent * 10), "Percent", percent,
                     "Unit", "entries", "Users", "Name", top, "Used", (json_int_t)1, "Percent",
                     share, "Shared", "one table for all", "Mitigation", "raise the limit");
}

static void test_risks(void **state)
{
    (void)state;
    json_t *tables =
        json_pack("[o, o, o]", table_row("conntrack", 91.0, "web", 64.0),
                  table_row("open files", 80.0, "host", 90.0), table_row("pids", 10.0, "db", 50.0));
    json_t *containers =
        json_pack("[{s:s, s:I, s:I, s:b, s:[]}, {s:s, s:I, s:I, s:b, s:[s]}]", "Name", "db",
                  "PidsLimit", (json_int_t)0, "MemoryLimit", (json_int_t)0, "Privileged", 0,
                  "SharedWithHost", "Name", "web", "PidsLimit", (json_int_t)100, "MemoryLimit",
                  (json_int_t)1 << 26, "Privileged", 1, "SharedWithHost", "net");
    json_t *risks = audit_risks(tables, containers, NULL);
    /* conntrack (high), privileged web (high), then open files, db pids, db memory, web net */
    assert_int_equal(json_array_size(risks), 6);
    json_t *first = json_array_get(risks, 0);
    assert_string_equal(json_string_value(json_object_get(first, "Level")), "high");
    assert_string_equal(json_string_value(json_object_get(first, "Subject")), "conntrack");
    assert_string_equal(json_string_value(json_object_get(first, "Container")), "web");
    assert_non_null(strstr(json_string_value(json_object_get(first, "Message")),
                           "conntrack 91% full (910 of 1000 entries, "
                           "net.netfilter.nf_conntrack_max); container web holds 64% of them"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(risks, 1), "Subject")),
                        "privileged");
    json_t *files = json_array_get(risks, 2);
    assert_string_equal(json_string_value(json_object_get(files, "Level")), "warning");
    assert_null(json_object_get(files, "Container")); /* the host holds most */
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(risks, 3), "Message")),
                           "container db has no --pids-limit"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(risks, 5), "Subject")),
                        "namespaces");
    json_decref(risks);
    json_decref(containers);
    /* Nothing wrong: no risks. */
    json_t *calm = json_pack("[o]", table_row("pids", 10.0, "db", 50.0));
    json_t *fine =
        json_pack("[{s:s, s:I, s:I, s:b, s:[]}]", "Name", "db", "PidsLimit", (json_int_t)10,
                  "MemoryLimit", (json_int_t)1 << 26, "Privileged", 0, "SharedWithHost");
    risks = audit_risks(calm, fine, NULL);
    assert_int_equal(json_array_size(risks), 0);
    json_decref(risks);
    json_decref(calm);
    json_decref(fine);
    json_decref(tables);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidates), cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_classify),   cmocka_unit_test(test_conntrack_line),
        cmocka_unit_test(test_risks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
