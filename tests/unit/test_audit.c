#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

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

static void expect_class(struct probe_observation o[PROBE_TYPE_COUNT], mode_t mode,
                         const char *value, const char *class, const char *namespace,
                         const char *listed_in)
{
    struct probe_key key = {
        .name = "x", .path = "x", .host_mode = S_IFREG | mode, .host_value = (char *)value};
    json_t *entry = sysctl_classify(&key, o);
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

    everywhere(o); /* vm.drop_caches */
    expect_class(o, 0200, NULL, "write-only", NULL, NULL);

    everywhere(o); /* net.ipv6.conf.all.stable_secret, unset */
    expect_class(o, 0600, NULL, "unreadable", NULL, NULL);

    everywhere(o); /* fs.file-nr: read-only everywhere is not "read-only inside" */
    for (int t = 0; t < PROBE_TYPE_COUNT; t++)
        o[t].writable_mode = 0;
    expect_class(o, 0444, "1 0 9", "global-visible", NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidates),
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
