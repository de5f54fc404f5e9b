#include "json_text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* TEXT with each integer token above INT64_MAX (and at most UINT64_MAX)
 * written as the int64 with the same 64 bits; malloc()ed, NULL without
 * memory. A token grows by its minus sign at most. */
static char *wrap_unsigned_integers(const char *text, size_t length, size_t *out_length)
{
    char *out = malloc(length + length / 19 + 2);
    size_t o = 0;
    bool in_string = false;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        bool token_start = c >= '0' && c <= '9' && !in_string &&
                           (i == 0 || (text[i - 1] != '-' && text[i - 1] != '.' &&
                                       (text[i - 1] < '0' || text[i - 1] > '9')));
        if (!token_start) {
            if (in_string && c == '\\' && i + 1 < length) {
                out[o++] = c;
                c = text[++i];
            } else if (c == '"') {
                in_string = !in_string;
            }
            out[o++] = c;
            continue;
        }
        size_t end = i;
        while (end < length && text[end] >= '0' && text[end] <= '9')
            end++;
        bool integer = end == length || (text[end] != '.' && text[end] != 'e' && text[end] != 'E');
        char digits[24];
        unsigned long long value = 0;
        if (integer && end - i >= 19 && end - i <= 20) {
            memcpy(digits, text + i, end - i);
            digits[end - i] = '\0';
            errno = 0;
            value = strtoull(digits, NULL, 10);
        }
        if (value > (unsigned long long)INT64_MAX && errno == 0) {
            o += (size_t)snprintf(out + o, 24, "%lld", (long long)value);
        } else {
            memcpy(out + o, text + i, end - i);
            o += end - i;
        }
        i = end - 1;
    }
    out[o] = '\0';
    *out_length = o;
    return out;
}

json_t *json_loadb_uint64(const char *text, size_t length, json_error_t *error)
{
    json_t *value = json_loadb(text, length, 0, error);
    if (value == NULL && error != NULL && strstr(error->text, "too big integer") != NULL) {
        size_t wrapped_length = 0;
        char *wrapped = wrap_unsigned_integers(text, length, &wrapped_length);
        if (wrapped != NULL)
            value = json_loadb(wrapped, wrapped_length, 0, error);
        free(wrapped);
    }
    return value;
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
    return json_loadb_uint64(text, length, error);
}
