/* src/image/store.h: image reference normalisation. */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/image/store.h"
#include "unit.h"

static void assert_normalises(const char *reference, const char *expected)
{
    char *name = image_reference_normalise(reference);
    if (name == NULL)
        fail_msg("\"%s\" rejected, expected \"%s\"", reference, expected);
    if (strcmp(name, expected) != 0) {
        char copy[256];
        snprintf(copy, sizeof(copy), "%s", name);
        free(name);
        fail_msg("\"%s\" -> \"%s\", expected \"%s\"", reference, copy, expected);
    }
    free(name);
}

static void assert_rejected(const char *reference)
{
    char *name = image_reference_normalise(reference);
    if (name != NULL) {
        char copy[256];
        snprintf(copy, sizeof(copy), "%s", name);
        free(name);
        fail_msg("\"%s\" accepted as \"%s\"", reference, copy);
    }
}

static void test_busybox_forms(void **state)
{
    (void)state;
    assert_normalises("busybox", "busybox");
    assert_normalises("busybox:latest", "busybox");
    assert_normalises("docker.io/library/busybox", "busybox");
    assert_normalises("docker.io/library/busybox:latest", "busybox");
    assert_normalises("library/busybox", "busybox");
    assert_normalises("library/busybox:latest", "busybox");
    assert_normalises("docker.io/busybox", "busybox");
}

static void test_other_names(void **state)
{
    (void)state;
    assert_normalises("alpine", "alpine");
    assert_normalises("my-org/my_app.v2", "my-org/my_app.v2");
    assert_normalises("docker.io/my-org/app:latest", "my-org/app");
    assert_normalises("0day", "0day");
}

static void test_malformed(void **state)
{
    (void)state;
    assert_rejected(NULL);
    assert_rejected("");
    assert_rejected("Busybox");
    assert_rejected("busyBox");
    assert_rejected(":tag");
    assert_rejected(":latest");
    assert_rejected("a//b");
    assert_rejected("-busybox");
    assert_rejected("/busybox");
    assert_rejected("busy box");
    assert_rejected("library/");
    assert_rejected("busybox:latest:latest");
    assert_rejected("busybox@sha256:abcd");
}

static void test_tags_other_than_latest(void **state)
{
    (void)state;
    assert_rejected("busybox:1.36");
    assert_rejected("busybox:");
    assert_rejected("docker.io/library/busybox:stable");
    assert_rejected("localhost:5000/busybox");
}

/* Docker's grammar: every path component is alphanumeric runs joined by
 * [._-] separators, so ".", "..", a leading separator or a trailing "/" are
 * not image names. The normalised name becomes a directory under
 * DATA_ROOT/images, so "a/../../x" reaches outside the image store. */
static void test_path_components_validated(void **state)
{
    (void)state;
    assert_rejected("a/../../../etc");
    assert_rejected("a/./b");
    assert_rejected("a/.hidden");
    assert_rejected("busybox/");
    assert_rejected("a/-b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busybox_forms),
        cmocka_unit_test(test_other_names),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_tags_other_than_latest),
        cmocka_unit_test(test_path_components_validated),
    };
    return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
