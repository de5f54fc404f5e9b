/* Small text helpers over jansson values. */
#ifndef HUSK_UTIL_JSON_TEXT_H
#define HUSK_UTIL_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The strings of ARRAY joined by SEPARATOR into OUT (cut at SIZE); "" when empty. */
void json_strings_join(json_t *array, const char *separator, char *out, size_t size);

/* Parses the file at PATH (relative to DIRFD) read whole: jansson's own
 * json_load_file reads it a character at a time through stdio, which costs
 * more than the parse. On failure ERROR says why, as json_load_file does. */
json_t *json_load_path(int dirfd, const char *path, json_error_t *error);

#endif
