/* Image references (src/image/reference.c) as `run`, `pull` and `tag` read
 * them: parsed, then printed back in every form the engine prints. */
#include <stdlib.h>

#include "../../src/image/reference.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    struct image_reference reference;
    husk_error_t err = NULL;
    if (image_reference_parse(text, &reference, &err) == 0) {
        char *repository = image_reference_repository(&reference);
        free(image_repository_familiar(repository));
        free(repository);
        free(image_reference_canonical(&reference));
        image_reference_free(&reference);
    }
    husk_error_free(&err);
    image_digest_valid(text);
    free(text);
    return 0;
}
