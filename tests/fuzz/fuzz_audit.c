/* What `husk audit` and --sysctl read from files (src/audit/): the cached
 * sysctl catalog (JSON up to the first NUL), then strings that are taken as
 * a key (its canonical form, the catalog's entry for it), as a value read
 * from /proc/sys (the values the probe would write) and as a line of
 * /proc/net/nf_conntrack. */
#include <string.h>

#include "../../src/audit/shared_tables.h"
#include "../../src/audit/sysctl_catalog.h"
#include "../../src/audit/sysctl_probe.h"
#include "fuzz.h"

static void one_string(json_t *catalog, const char *text)
{
    char canonical[256];
    sysctl_key_canonical(text, canonical, sizeof(canonical));
    sysctl_key_one_way(text);
    json_t *entry = sysctl_catalog_entry(catalog, text);
    /* As --sysctl reads an entry (engine/sysctl_options.c). */
    const char *class = json_string_value(json_object_get(entry, "Class"));
    const char *namespace = json_string_value(json_object_get(entry, "Namespace"));
    if (class != NULL && namespace != NULL)
        (void)strcmp(class, "isolated");
    char candidates[2][PROBE_VALUE_SIZE];
    sysctl_probe_candidates(text, candidates, 2);
    uint32_t addresses[4];
    conntrack_line_addresses(text, addresses);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count = 0;
    char **strings = fuzz_strings(data, size, 16, &count);
    json_t *catalog = count > 0 ? json_loads(strings[0], 0, NULL) : NULL;
    if (catalog != NULL && !sysctl_catalog_usable(catalog, "6.1.0-test")) {
        json_decref(catalog);
        catalog = NULL;
    }
    for (size_t i = 0; i < count; i++)
        one_string(catalog, strings[i]);
    json_decref(catalog);
    fuzz_strings_free(strings);
    return 0;
}
