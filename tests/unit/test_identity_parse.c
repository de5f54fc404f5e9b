/* src/engine/identity_parse.h and dns_options.h: the parsers of --env-file,
 * --label-file, -l, --add-host, --mac-address, --shm-size and friends, and
 * the resolv.conf --dns and its kin make. */
#include <stdlib.h>

#include "../../src/engine/dns_options.h"
#include "../../src/engine/identity_parse.h"
#include "../../src/util/cleanup.h"
#include "unit.h"

static char **parse_ok(const char *text, bool from_environment)
{
    husk_error_t err = NULL;
    char **entries = NULL;
    if (kv_file_parse(text, strlen(text), from_environment, &entries, &err) < 0)
        fail_msg("rejected: %s", err->message);
    return entries;
}

static void parse_fails(const char *text, size_t length, const char *word)
{
    husk_error_t err = NULL;
    char **entries = NULL;
    length = length ? length : strlen(text);
    assert_int_equal(kv_file_parse(text, length, true, &entries, &err), -1);
    assert_null(entries);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_env_file_format(void **state)
{
    (void)state;
    setenv("HUSK_TEST_FROM_HOST", "host value", 1);
    unsetenv("HUSK_TEST_UNSET");
    cleanup_strv char **e = parse_ok("\xEF\xBB\xBF"
                                     "# a comment\n"
                                     "\n"
                                     "   \t\n"
                                     "A=1\n"
                                     "  B=two words  \r\n"
                                     "C=\"quoted\"\n"
                                     "EMPTY=\n"
                                     "HUSK_TEST_FROM_HOST\n"
                                     "HUSK_TEST_UNSET\n"
                                     "D=a=b\n"
                                     "#E=not\n"
                                     "LAST=no newline",
                                     true);
    const char *expected[] = {
        "A=1",   "B=two words  ",  "C=\"quoted\"", "EMPTY=", "HUSK_TEST_FROM_HOST=host value",
        "D=a=b", "LAST=no newline"};
    size_t n = 0;
    while (e[n] != NULL)
        n++;
    assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(e[i], expected[i]);
}

static void test_label_file_drops_bare_keys(void **state)
{
    (void)state;
    setenv("HUSK_TEST_FROM_HOST", "host value", 1);
    cleanup_strv char **e = parse_ok("a=1\nHUSK_TEST_FROM_HOST\nb\n", false);
    assert_string_equal(e[0], "a=1");
    assert_null(e[1]);
    cleanup_strv char **empty = parse_ok("", false);
    assert_null(empty[0]);
}

static void test_env_file_errors(void **state)
{
    (void)state;
    parse_fails("A=1\nBAD KEY=2\n", 0, "variable 'BAD KEY' contains whitespaces");
    parse_fails("=value\n", 0, "no variable name on line '=value'");
    parse_fails("A=1\nB=\xff\n", 0, "invalid utf8 bytes at line 2");
    parse_fails("A=\xc0\x80\n", 0, "invalid utf8 bytes at line 1");
    parse_fails("A=1\0B\n", 6, "line 1");
}

static void test_label(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    char *key = NULL, *value = NULL;
    assert_int_equal(label_parse("com.example.a=b=c", &key, &value, &err), 0);
    assert_string_equal(key, "com.example.a");
    assert_string_equal(value, "b=c");
    free(key);
    free(value);
    assert_int_equal(label_parse("flag", &key, &value, &err), 0);
    assert_string_equal(value, "");
    free(key);
    free(value);
    assert_int_equal(label_parse("=x", &key, &value, &err), -1);
    assert_error_contains(err, "invalid --label \"=x\": empty name");
    husk_error_free(&err);
    assert_int_equal(label_parse("a b=c", &key, &value, &err), -1);
    assert_error_contains(err, "whitespaces");
    husk_error_free(&err);
}

static void add_host_is(const char *text, const char *recorded)
{
    husk_error_t err = NULL;
    cleanup_free char *entry = NULL;
    if (extra_host_parse(text, &entry, &err) < 0)
        fail_msg("rejected %s: %s", text, err->message);
    assert_string_equal(entry, recorded);
}

static void add_host_fails(const char *text, const char *word)
{
    husk_error_t err = NULL;
    char *entry = NULL;
    assert_int_equal(extra_host_parse(text, &entry, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

static void test_add_host(void **state)
{
    (void)state;
    add_host_is("db:10.1.2.3", "db:10.1.2.3");
    add_host_is("db=10.1.2.3", "db:10.1.2.3");
    add_host_is("v6:2001:db8::1", "v6:2001:db8::1");
    add_host_is("v6=[2001:db8::1]", "v6:2001:db8::1");
    add_host_is("gw:host-gateway", "gw:host-gateway");
    add_host_fails("nothing", "invalid --add-host \"nothing\": use NAME:IP or NAME=IP");
    add_host_fails(":10.0.0.1", "use NAME:IP");
    add_host_fails("a b:10.0.0.1", "use NAME:IP");
    add_host_fails("db:not-an-ip", "\"not-an-ip\" is not an IP address");
    add_host_fails("db:10.0.0.256", "is not an IP address");
    add_host_fails("db=", "is not an IP address");

    char name[64], address[46];
    assert_true(extra_host_split("v6:2001:0db8:0::1", NULL, name, sizeof(name), address));
    assert_string_equal(name, "v6");
    assert_string_equal(address, "2001:db8::1");
    assert_true(extra_host_split("gw:host-gateway", "10.88.0.1", name, sizeof(name), address));
    assert_string_equal(address, "10.88.0.1");
    assert_false(extra_host_split("gw:host-gateway", NULL, name, sizeof(name), address));
}

static void test_mac_address(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    uint8_t mac[6];
    const uint8_t expected[6] = {0x92, 0xd0, 0xc6, 0x0a, 0x29, 0x33};
    const char *forms[] = {"92:d0:c6:0a:29:33", "92-D0-C6-0A-29-33", "92d0.c60a.2933"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mac_address_parse(forms[i], mac, &err), 0);
        assert_memory_equal(mac, expected, 6);
    }
    const char *bad[] = {"92:d0:c6:0a:29",    "92:d0:c6:0a:29:3g",  "92:d0-c6:0a:29:33",
                         "92d0c60a2933",      "92:d0:c6:0a:29:33:", "",
                         "92:d0:c6:0a:29:333"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(mac_address_parse(bad[i], mac, &err), -1);
        assert_error_contains(err, "not a valid mac address");
        husk_error_free(&err);
    }
    assert_int_equal(mac_address_parse("01:00:5e:00:00:01", mac, &err), -1);
    assert_error_contains(err, "multicast or zero");
    husk_error_free(&err);
    assert_int_equal(mac_address_parse("00:00:00:00:00:00", mac, &err), -1);
    husk_error_free(&err);
}

static void test_shm_size(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    int64_t bytes;
    assert_int_equal(shm_size_parse("128m", &bytes, &err), 0);
    assert_int_equal(bytes, 128 << 20);
    assert_int_equal(shm_size_parse("1G", &bytes, &err), 0);
    assert_int_equal(bytes, 1 << 30);
    assert_int_equal(shm_size_parse("512kb", &bytes, &err), 0);
    assert_int_equal(bytes, 512 << 10);
    assert_int_equal(shm_size_parse("4096", &bytes, &err), 0);
    assert_int_equal(bytes, 4096);
    assert_int_equal(shm_size_parse("0", &bytes, &err), 0);
    assert_int_equal(bytes, SHM_SIZE_DEFAULT);
    const char *bad[] = {"-1", "64x", "", "m", "1e3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(shm_size_parse(bad[i], &bytes, &err), -1);
        assert_error_contains(err, "invalid --shm-size");
        husk_error_free(&err);
    }
}

static void test_small_flags(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    int seconds, stream;
    bool value;
    assert_int_equal(stop_timeout_parse("30", &seconds, &err), 0);
    assert_int_equal(seconds, 30);
    assert_int_equal(stop_timeout_parse("-1", &seconds, &err), 0);
    assert_int_equal(seconds, -1);
    assert_int_equal(stop_timeout_parse("1.5", &seconds, &err), -1);
    assert_error_contains(err, "invalid --stop-timeout \"1.5\"");
    husk_error_free(&err);
    assert_int_equal(bool_flag_parse("--sig-proxy", "False", &value, &err), 0);
    assert_false(value);
    assert_int_equal(bool_flag_parse("--sig-proxy", "1", &value, &err), 0);
    assert_true(value);
    assert_int_equal(bool_flag_parse("--sig-proxy", "no", &value, &err), -1);
    assert_error_contains(err, "invalid --sig-proxy \"no\": true or false");
    husk_error_free(&err);
    assert_int_equal(attach_stream_parse("StdErr", &stream, &err), 0);
    assert_int_equal(stream, ATTACH_STDERR);
    assert_int_equal(attach_stream_parse("stdio", &stream, &err), -1);
    assert_error_contains(err, "valid streams are STDIN, STDOUT and STDERR");
    husk_error_free(&err);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(hostname_valid("web", 64));
    assert_true(hostname_valid("web-1.example.com", 64));
    assert_true(hostname_valid("1a", 64));
    assert_false(hostname_valid("", 64));
    assert_false(hostname_valid("-web", 64));
    assert_false(hostname_valid("web-", 64));
    assert_false(hostname_valid("we_b", 64));
    assert_false(hostname_valid("a..b", 64));
    assert_false(hostname_valid("a.", 64));
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    assert_false(hostname_valid(long_name, 64));
    assert_true(dns_search_valid("example.com"));
    assert_true(dns_search_valid("example.com."));
    assert_true(dns_search_valid("."));
    assert_false(dns_search_valid("123"));
    assert_false(dns_search_valid("bad_domain"));
    assert_true(network_alias_valid("db_1.svc"));
    assert_false(network_alias_valid("-db"));
    assert_false(network_alias_valid("d b"));
}

static void test_resolv_conf(void **state)
{
    (void)state;
    const char *host = "# the host's\n"
                       "nameserver 192.0.2.53\n"
                       "nameserver 192.0.2.54\n"
                       "domain old.example\n"
                       "search host.example other.example\n"
                       "options ndots:1\n"
                       "options rotate\n"
                       "sortlist 130.155.160.0\n";
    json_t *none = json_pack("{s:[], s:[], s:[]}", "Dns", "DnsSearch", "DnsOptions");
    cleanup_free char *copy = dns_resolv_conf(host, none);
    assert_string_equal(copy, host);
    json_t *dns = json_pack("{s:[s,s], s:[], s:[]}", "Dns", "192.0.2.1", "2001:db8::1", "DnsSearch",
                            "DnsOptions");
    cleanup_free char *with_dns = dns_resolv_conf(host, dns);
    assert_string_equal(with_dns, "nameserver 192.0.2.1\n"
                                  "nameserver 2001:db8::1\n"
                                  "search host.example other.example\n"
                                  "options ndots:1 rotate\n"
                                  "sortlist 130.155.160.0\n");
    json_t *all = json_pack("{s:[], s:[s,s], s:[s]}", "Dns", "DnsSearch", "a.example", "b.example",
                            "DnsOptions", "ndots:3");
    cleanup_free char *with_all = dns_resolv_conf(host, all);
    assert_string_equal(with_all, "nameserver 192.0.2.53\n"
                                  "nameserver 192.0.2.54\n"
                                  "search a.example b.example\n"
                                  "options ndots:3\n"
                                  "sortlist 130.155.160.0\n");
    json_t *root = json_pack("{s:[], s:[s], s:[]}", "Dns", "DnsSearch", ".", "DnsOptions");
    cleanup_free char *no_search = dns_resolv_conf(host, root);
    assert_null(strstr(no_search, "search"));
    json_decref(none);
    json_decref(dns);
    json_decref(all);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_file_format), cmocka_unit_test(test_label_file_drops_bare_keys),
        cmocka_unit_test(test_env_file_errors), cmocka_unit_test(test_label),
        cmocka_unit_test(test_add_host),        cmocka_unit_test(test_mac_address),
        cmocka_unit_test(test_shm_size),        cmocka_unit_test(test_small_flags),
        cmocka_unit_test(test_names),           cmocka_unit_test(test_resolv_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
