/* config.json as the OCI runtime face reads it (src/runtime/spec.c and
 * spec_process.c, spec_resources.c, hooks.c): into the plain C the launch
 * path acts on. No kernel work: parsing only. */
#include "../../src/runtime/spec.h"
#include "../../src/util/json_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *document = json_loadb_uint64((const char *)data, size, NULL);
    if (document == NULL)
        return 0;
    struct runtime_spec *spec = NULL;
    husk_error_t err = NULL;
    /* A relative root.path and relative mount sources go through the bundle. */
    if (runtime_spec_parse(document, "/run/bundle", &spec, &err) == 0)
        runtime_spec_free(spec);
    husk_error_free(&err);
    /* `exec --process FILE` reads a process object alone. */
    json_t *process = json_object_get(document, "process");
    if (process != NULL && runtime_spec_parse_process(process, &spec, &err) == 0)
        runtime_spec_free(spec);
    husk_error_free(&err);
    json_decref(document);
    return 0;
}
