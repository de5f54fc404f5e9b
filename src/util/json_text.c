#include "json_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "file.h"

void json_strings_join(json_t *array, const char *separator, char *out, size_t size)
{
    size_t i;
    json_t *item;
    out[0] = '\0';
    json_array_foreach(array, i, item)
    {
        size_t used = strlen(out);
        if (used < size)
            snprintf(out + used, size - used, "%s%s", i ? separator : "",
                     json_string_value(item) ? json_string_value(item) : "");
    }
}

json_t *json_load_path(int dirfd, const char *path, json_error_t *error)
{
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (file_read_all(dirfd, path, &text, &length, NULL) < 0) {
        int saved = errno;
        if (error != NULL) {
            *error = (json_error_t){.line = -1, .column = -1, .position = 0};
            snprintf(error->text, sizeof(error->text), "unable to open %s: %s", path,
                     strerror(saved));
            snprintf(error->source, sizeof(error->source), "%s", path);
        }
        errno = saved;
        return NULL;
    }
    return json_loadb(text, length, 0, error);
}
