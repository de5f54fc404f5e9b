/* `--mount`, `-v` and `--tmpfs` specs (src/engine/volumes/mount_spec.c): the
 * first byte picks the flag, the rest is its value. */
#include <stdlib.h>

#include "../../src/engine/volumes/mount_spec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static int (*const parsers[])(const char *, struct mount_request *, husk_error_t *) = {
        mount_spec_parse_mount, mount_spec_parse_volume, mount_spec_parse_tmpfs};
    char *text = fuzz_string(data + 1, size - 1);
    struct mount_request m;
    husk_error_t err = NULL;
    /* As container_mounts.c does: M is freed whether the parse failed or not. */
    parsers[data[0] % 3](text, &m, &err);
    mount_request_free(&m);
    husk_error_free(&err);
    free(mount_spec_clean_target(text));
    mount_spec_volume_name_valid(text);
    free(text);
    return 0;
}
