/* src/image/manifest.h: manifests, indexes and configs as registries send them. */
#include <stdlib.h>

#include "../../src/image/manifest.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static json_t *parsed(const char *text)
{
    json_t *document = json_loads(text, 0, NULL);
    if (document == NULL)
        fail_msg("bad test JSON: %s", text);
    return document;
}

static void assert_refused(const char *text, const char *word)
{
    json_t *document = parsed(text);
    struct manifest m;
    husk_error_t err = NULL;
    assert_int_equal(manifest_parse(document, &m, &err), -1);
    assert_error_contains(err, word);
    husk_error_free(&err);
    json_decref(document);
}

static void test_oci_and_docker_manifests(void **state)
{
    (void)state;
    const char *texts[] = {
        "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"config\":{\"digest\":\"" D1
        "\",\"size\":10},\"layers\":[{\"mediaType\":\"application/"
        "vnd.oci.image.layer.v1.tar+zstd\","
        "\"digest\":\"" D2 "\",\"size\":20}]}",
        "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST
        "\",\"config\":{\"digest\":\"" D1 "\",\"size\":10},\"layers\":[{\"mediaType\":"
                                          "\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
        "\"digest\":\"" D2 "\",\"size\":20}]}",
        /* OCI allows the manifest's mediaType to be absent. */
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":10},\"layers\":[{"
        "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D2
        "\",\"size\":20}]}",
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *document = parsed(texts[i]);
        struct manifest m;
        husk_error_t err = NULL;
        assert_int_equal(manifest_parse(document, &m, &err), 0);
        assert_no_error(err);
        assert_string_equal(m.config.digest, D1);
        assert_int_equal(m.layer_count, 1);
        assert_int_equal(m.layers[0].size, 20);
        manifest_free(&m);
        json_decref(document);
    }
}

static void test_refused_manifests(void **state)
{
    (void)state;
    assert_refused("{\"schemaVersion\":1,\"fsLayers\":[]}", "not an image manifest");
    assert_refused("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                   "\",\"size\":1},\"layers\":[]}",
                   "no layers");
    assert_refused(
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:00\",\"size\":1},\"layers\":[]}",
        "sha256");
    assert_refused("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":99999999},"
                   "\"layers\":[]}",
                   "4 MiB");
    assert_refused("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                   "\",\"size\":1},\"layers\":[{"
                   "\"mediaType\":\"application/x-rar\",\"digest\":\"" D2 "\",\"size\":1}]}",
                   "cannot unpack");
    assert_refused(
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},\"layers\":[{"
        "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D2 "\"}]}",
        "no size");
}

static void test_index_selection(void **state)
{
    (void)state;
    json_t *index = parsed(
        "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_INDEX "\",\"manifests\":["
        "{\"digest\":\"" D1 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\","
        "\"variant\":\"v7\"}},"
        "{\"digest\":\"" D2 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}");
    assert_string_equal(manifest_kind(index), MEDIA_OCI_INDEX);
    char *digest = NULL;
    assert_int_equal(index_select(index, "linux", "arm64", "v8", &digest, NULL), 0);
    assert_string_equal(digest, D2);
    free(digest);
    assert_int_equal(index_select(index, "linux", "arm", "v7", &digest, NULL), 0);
    assert_string_equal(digest, D1);
    free(digest);
    husk_error_t err = NULL;
    assert_int_equal(index_select(index, "linux", "arm", "v6", &digest, &err), -1);
    assert_error_contains(err, "no image for linux/arm/v6");
    husk_error_free(&err);
    json_decref(index);
}

static void test_config_check(void **state)
{
    (void)state;
    json_t *config =
        parsed("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}");
    const char *right[] = {D1, D2}, *swapped[] = {D2, D1};
    assert_int_equal(config_check(config, right, 2, NULL), 0);
    husk_error_t err = NULL;
    assert_int_equal(config_check(config, swapped, 2, &err), -1);
    assert_error_contains(err, "layer 1");
    husk_error_free(&err);
    assert_int_equal(config_check(config, right, 1, &err), -1);
    assert_error_contains(err, "lists 2 layers");
    husk_error_free(&err);
    json_decref(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oci_and_docker_manifests),
        cmocka_unit_test(test_refused_manifests),
        cmocka_unit_test(test_index_selection),
        cmocka_unit_test(test_config_check),
    };
    return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
