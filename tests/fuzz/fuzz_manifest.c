/* Image manifests and indexes (src/image/manifest.c), OCI and Docker v2, as
 * a registry or an archive hands them over: the kind, the manifest's
 * descriptors, an index's choice of platform, a config's diff_ids. */
#include <stdlib.h>

#include "../../src/image/manifest.h"
#include "fuzz.h"

static void select_platforms(json_t *document)
{
    static const char *const platforms[][3] = {
        {"linux", "amd64", ""}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"}, {"", "", ""}};
    for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
        char *digest = NULL;
        husk_error_t err = NULL;
        if (index_select(document, platforms[i][0], platforms[i][1], platforms[i][2], &digest,
                         &err) == 0)
            free(digest);
        husk_error_free(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *document = fuzz_json(data, size);
    if (document == NULL)
        return 0;
    const char *kind = manifest_kind(document);
    husk_error_t err = NULL;
    if (kind == NULL || media_type_is_manifest(kind)) {
        struct manifest manifest;
        if (manifest_parse(document, &manifest, &err) == 0)
            manifest_free(&manifest);
        husk_error_free(&err);
    }
    if (kind == NULL || media_type_is_index(kind))
        select_platforms(document);
    /* The same bytes as an image config against one and two layers. */
    static const char *const diff_ids[] = {
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000"};
    for (size_t count = 0; count <= 2; count++) {
        config_check(document, diff_ids, count, &err);
        husk_error_free(&err);
    }
    json_decref(document);
    return 0;
}
