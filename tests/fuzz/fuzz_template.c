/* Go templates (src/cli/template*.c) as --format and -f take them: the
 * template up to the first NUL, run over the JSON after it, or over an
 * inspect-shaped document when there is none. */
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/template.h"
#include "fuzz.h"

static const char sample[] =
    "{\"Id\": \"4f3c2b1a\", \"Name\": \"/web\", \"Created\": \"2026-01-02T03:04:05.123456789Z\","
    " \"Config\": {\"Image\": \"busybox\", \"Env\": [\"A=1\", \"PATH=/bin\"], \"Cmd\": [\"sh\"],"
    " \"Labels\": {\"a\": \"b\", \"c.d\": \"\"}, \"Tty\": false}, \"State\": {\"Status\": "
    "\"running\", \"Pid\": 42, \"ExitCode\": 0, \"Running\": true}, \"HostConfig\": {\"Memory\": "
    "0, \"NanoCpus\": 1.5, \"Binds\": null}, \"Mounts\": [], \"Size\": 18446744073709551615}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    char *text = fuzz_string(data, nul ? (size_t)(nul - data) : size);
    json_t *document = nul ? fuzz_json(nul + 1, size - (size_t)(nul - data) - 1) : NULL;
    if (document == NULL)
        document = json_loads(sample, 0, NULL);
    struct template *template = NULL;
    husk_error_t err = NULL;
    if (template_parse(text, &template, &err) == 0) {
        char *output = NULL;
        if (template_execute(template, document, &output, &err) == 0)
            free(output);
        template_free(template);
    }
    husk_error_free(&err);
    json_decref(document);
    free(text);
    return 0;
}
