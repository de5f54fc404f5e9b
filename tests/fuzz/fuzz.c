#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fuzz_string(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

char **fuzz_strings(const uint8_t *data, size_t size, size_t max, size_t *count)
{
    char **strings = calloc(max + 1, sizeof(char *));
    if (strings == NULL)
        abort();
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < max; i++) {
        if (i < size && data[i] != '\0')
            continue;
        if (i == size && start == size && n > 0)
            break; /* a trailing NUL does not add an empty string */
        strings[n++] = fuzz_string(data + start, i - start);
        start = i + 1;
    }
    *count = n;
    return strings;
}

void fuzz_strings_free(char **strings)
{
    for (char **s = strings; *s != NULL; s++)
        free(*s);
    free(strings);
}

json_t *fuzz_json(const uint8_t *data, size_t size)
{
    return json_loadb((const char *)data, size, 0, NULL);
}

char *fuzz_temp_directory(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/husk-fuzz.XXXXXX", base && *base ? base : "/tmp") < 0 ||
        mkdtemp(path) == NULL) {
        perror("husk fuzz: temporary directory");
        abort();
    }
    return path;
}
