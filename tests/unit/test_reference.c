/* src/image/reference.h: docker's reference grammar and defaults. */
#include <stdlib.h>

#include "../../src/image/reference.h"
#include "unit.h"

static void assert_canonical(const char *text, const char *expected)
{
    struct image_reference reference;
    husk_error_t err = NULL;
    if (image_reference_parse(text, &reference, &err) < 0)
        fail_msg("\"%s\" refused: %s", text, err->message);
    char *canonical = image_reference_canonical(&reference);
    if (strcmp(canonical, expected) != 0)
        fail_msg("\"%s\" -> \"%s\", expected \"%s\"", text, canonical, expected);
    free(canonical);
    image_reference_free(&reference);
}

static void assert_refused(const char *text, const char *word)
{
    struct image_reference reference;
    husk_error_t err = NULL;
    if (image_reference_parse(text, &reference, &err) == 0)
        fail_msg("\"%s\" accepted", text);
    assert_error_contains(err, word);
    husk_error_free(&err);
}

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_docker_hub_defaults(void **state)
{
    (void)state;
    assert_canonical("busybox", "docker.io/library/busybox:latest");
    assert_canonical("busybox:1.36", "docker.io/library/busybox:1.36");
    assert_canonical("library/busybox", "docker.io/library/busybox:latest");
    assert_canonical("docker.io/busybox", "docker.io/library/busybox:latest");
    assert_canonical("index.docker.io/library/busybox", "docker.io/library/busybox:latest");
    assert_canonical("nicolaka/netshoot", "docker.io/nicolaka/netshoot:latest");
    assert_canonical("a/b/c:v1", "docker.io/a/b/c:v1");
}

static void test_domains(void **state)
{
    (void)state;
    assert_canonical("localhost:5000/x:tag", "localhost:5000/x:tag");
    assert_canonical("localhost/x", "localhost/x:latest");
    assert_canonical("registry.example.com/team/app", "registry.example.com/team/app:latest");
    assert_canonical("127.0.0.1:5000/app", "127.0.0.1:5000/app:latest");
    assert_canonical("[::1]:5000/app", "[::1]:5000/app:latest");
    /* No dot, colon or "localhost": a path component, not a host. */
    assert_canonical("myhost/app", "docker.io/myhost/app:latest");
}

static void test_digests(void **state)
{
    (void)state;
    assert_canonical("busybox@" DIGEST, "docker.io/library/busybox@" DIGEST);
    assert_canonical("busybox:1@" DIGEST, "docker.io/library/busybox:1@" DIGEST);
    assert_canonical("localhost:5000/x@" DIGEST, "localhost:5000/x@" DIGEST);
    assert_refused("busybox@sha256:abc", "digest");
    assert_refused("busybox@sha512:" DIGEST, "digest");
    assert_refused(
        "busybox@SHA256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        "digest");
}

static void test_separators(void **state)
{
    (void)state;
    assert_canonical("my-org/my_app.v2", "docker.io/my-org/my_app.v2:latest");
    assert_canonical("a__b", "docker.io/library/a__b:latest");
    assert_canonical("a---b", "docker.io/library/a---b:latest");
    assert_refused("a___b", "lower-case");
    assert_refused("a..b", "lower-case");
    assert_refused("-a", "lower-case");
    assert_refused("a-", "lower-case");
    assert_refused("a//b", "lower-case");
    assert_refused("../etc", "invalid reference format");
    assert_refused("./x", "invalid reference format");
    assert_refused("Busybox", "lower-case");
}

static void test_tags(void **state)
{
    (void)state;
    assert_canonical("x:v1.2-rc_3", "docker.io/library/x:v1.2-rc_3");
    assert_canonical("x:_t", "docker.io/library/x:_t");
    assert_refused("x:", "tag");
    assert_refused("x:.t", "tag");
    assert_refused("x:-t", "tag");
    assert_refused("x:a/b", "invalid reference format");
    char long_tag[140];
    memset(long_tag, 'a', sizeof(long_tag));
    memcpy(long_tag, "x:", 2);
    long_tag[2 + 129] = '\0';
    assert_refused(long_tag, "tag");
}

static void test_bad_domains_and_lengths(void **state)
{
    (void)state;
    assert_refused("", "empty");
    assert_refused("bad_host.com/x", "host");
    assert_refused("-host.com/x", "host");
    assert_refused("host.com:/x", "host");
    assert_refused("host.com:123456/x", "host");
    assert_refused("[zz]:5000/x", "host");
    char name[300];
    memset(name, 'a', sizeof(name));
    name[299] = '\0';
    assert_refused(name, "255");
}

static void test_familiar_names(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"docker.io/library/busybox", "busybox"},
        {"docker.io/nicolaka/netshoot", "nicolaka/netshoot"},
        {"docker.io/library/a/b", "library/a/b"},
        {"localhost:5000/x", "localhost:5000/x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *familiar = image_repository_familiar(cases[i][0]);
        assert_string_equal(familiar, cases[i][1]);
        free(familiar);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docker_hub_defaults),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_bad_domains_and_lengths),
        cmocka_unit_test(test_familiar_names),
    };
    return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
