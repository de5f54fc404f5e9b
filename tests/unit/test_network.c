/* src/net/ipv4.h, src/engine/ports.h and sysctl key rules: the pure parts of
 * networking. */
#include <stdbool.h>
#include <stdlib.h>

#include "../../src/engine/ports.h"
#include "../../src/net/ipv4.h"
#include "unit.h"

static void test_address_parse(void **state)
{
    (void)state;
    uint32_t a;
    assert_true(ipv4_address_parse("10.88.0.1", &a));
    assert_int_equal(a, 0x0A580001u);
    assert_true(ipv4_address_parse("255.255.255.255", &a));
    assert_int_equal(a, 0xFFFFFFFFu);
    const char *bad[] = {"",           "10.88.0",   "10.88.0.256", "10.88.0.1.", "a.b.c.d",
                         "10.088.0.1", " 10.0.0.1", "10.0.0.1/8",  "1.2.3.4x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ipv4_address_parse(bad[i], &a))
            fail_msg("accepted \"%s\"", bad[i]);
    char text[IPV4_TEXT_SIZE];
    ipv4_address_format(0xC0000201u, text);
    assert_string_equal(text, "192.0.2.1");
}

static void test_subnet(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct ipv4_subnet s, t;
    assert_int_equal(ipv4_subnet_parse("10.88.0.0/16", &s, &err), 0);
    assert_int_equal(s.network, 0x0A580000u);
    assert_int_equal(s.prefix, 16);
    assert_int_equal(ipv4_subnet_first(&s), 0x0A580001u);
    assert_int_equal(ipv4_subnet_last(&s), 0x0A58FFFEu);
    assert_true(ipv4_subnet_contains(&s, 0x0A581234u));
    assert_false(ipv4_subnet_contains(&s, 0x0A590000u));
    assert_int_equal(ipv4_subnet_parse("10.88.5.0/24", &t, &err), 0);
    assert_true(ipv4_subnets_overlap(&s, &t));
    assert_true(ipv4_subnets_overlap(&t, &s));
    assert_int_equal(ipv4_subnet_parse("10.89.0.0/24", &t, &err), 0);
    assert_false(ipv4_subnets_overlap(&s, &t));
    assert_int_equal(ipv4_subnet_parse("10.93.0.0/30", &t, &err), 0);
    assert_int_equal(ipv4_subnet_last(&t) - ipv4_subnet_first(&t), 1);
    char text[IPV4_CIDR_TEXT_SIZE];
    ipv4_subnet_format(&t, text);
    assert_string_equal(text, "10.93.0.0/30");
    assert_int_equal(ipv4_subnet_parse("10.91.0.1/24", &s, &err), -1);
    assert_error_contains(err, "did you mean 10.91.0.0/24?");
    husk_error_free(&err);
    const char *bad[][2] = {{"10.0.0.0", "use ADDRESS/PREFIX"},
                            {"10.0.0.0/", "use ADDRESS/PREFIX"},
                            {"10.0.0.0/33", "use ADDRESS/PREFIX"},
                            {"10.0.0.0/31", "8 to 30"},
                            {"0.0.0.0/0", "8 to 30"},
                            {"10.0.0.0/2x", "ADDRESS/PREFIX"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ipv4_subnet_parse(bad[i][0], &s, &err), -1);
        assert_error_contains(err, bad[i][1]);
        husk_error_free(&err);
    }
}

static void test_port_mapping(void **state)
{
    (void)state;
    husk_error_t err = NULL;
    struct port_mapping m;
    assert_int_equal(port_mapping_parse("8080:80", &m, &err), 0);
    assert_int_equal(m.host_port, 8080);
    assert_int_equal(m.container_port, 80);
    assert_int_equal(m.host_address, 0);
    assert_string_equal(m.protocol, "tcp");
    assert_int_equal(port_mapping_parse("127.0.0.1:53:5353/udp", &m, &err), 0);
    assert_int_equal(m.host_address, 0x7F000001u);
    assert_int_equal(m.host_port, 53);
    assert_int_equal(m.container_port, 5353);
    assert_string_equal(m.protocol, "udp");
    assert_int_equal(port_mapping_parse("80", &m, &err), 0);
    assert_int_equal(m.host_port, 0);
    assert_int_equal(m.container_port, 80);
    assert_int_equal(port_mapping_parse("10.0.0.1::80", &m, &err), 0);
    assert_int_equal(m.host_port, 0);
    assert_int_equal(m.host_address, 0x0A000001u);
    const char *bad[] = {"",     "0", "65536:80", "80:0",     "80/sctp",
                         "a:80", ":", "1:2:3:4",  "8080:80/", "-1:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (port_mapping_parse(bad[i], &m, &err) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_error_contains(err, "invalid published port");
        husk_error_free(&err);
    }
    uint16_t port;
    char protocol[4];
    assert_int_equal(port_exposed_parse("53/udp", &port, protocol, &err), 0);
    assert_int_equal(port, 53);
    assert_string_equal(protocol, "udp");
    assert_int_equal(port_exposed_parse("0", &port, protocol, &err), -1);
    husk_error_free(&err);
}

static void test_port_bindings_round_trip(void **state)
{
    (void)state;
    json_t *bindings = json_object();
    struct port_mapping m = {.host_address = 0x7F000001u, .host_port = 8081, .container_port = 80};
    snprintf(m.protocol, sizeof(m.protocol), "tcp");
    port_bindings_add(bindings, &m, false);
    struct port_mapping any = {.host_port = 0, .container_port = 80};
    snprintf(any.protocol, sizeof(any.protocol), "tcp");
    port_bindings_add(bindings, &any, false);
    json_t *list = json_object_get(bindings, "80/tcp");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "HostIp")),
                        "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "HostPort")),
                        "");
    struct port_mapping back;
    assert_true(port_binding_read("80/tcp", json_array_get(list, 0), &back));
    assert_int_equal(back.host_address, m.host_address);
    assert_int_equal(back.host_port, 8081);
    assert_true(port_binding_read("80/tcp", json_array_get(list, 1), &back));
    assert_int_equal(back.host_port, 0);
    json_t *published = json_object();
    port_bindings_add(published, &any, true);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(published, "80/tcp"), 0), "HostIp")),
                        "0.0.0.0");
    assert_false(port_binding_read("80", json_array_get(list, 0), &back));
    json_decref(published);
    json_decref(bindings);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_parse),
        cmocka_unit_test(test_subnet),
        cmocka_unit_test(test_port_mapping),
        cmocka_unit_test(test_port_bindings_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
