/* What the libFuzzer targets here share: turning the fuzzer's bytes into the
 * strings and JSON the parsers under test read. */
#ifndef HUSK_TESTS_FUZZ_H
#define HUSK_TESTS_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a NUL-terminated string (cut at its first NUL), malloc'd. */
char *fuzz_string(const uint8_t *data, size_t size);
/* DATA split at its NULs into *COUNT strings (at most MAX), a NULL-ended
 * malloc'd array; free with fuzz_strings_free. */
char **fuzz_strings(const uint8_t *data, size_t size, size_t max, size_t *count);
void fuzz_strings_free(char **strings);
/* DATA parsed as JSON as husk's loaders parse it (an object or array), or NULL. */
json_t *fuzz_json(const uint8_t *data, size_t size);
/* A fresh directory under $TMPDIR (or /tmp) that the caller removes; aborts
 * when it cannot be made. */
char *fuzz_temp_directory(void);

#endif
