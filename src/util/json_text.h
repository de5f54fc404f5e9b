/* Small text helpers over jansson values. */
#ifndef HUSK_UTIL_JSON_TEXT_H
#define HUSK_UTIL_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The strings of ARRAY joined by SEPARATOR into OUT (cut at SIZE); "" when empty. */
void json_strings_join(json_t *array, const char *separator, char *out, size_t size);

/* json_loadb, except that integers above INT64_MAX (a uint64 in the
 * runtime-spec: 18446744073709551615 is RLIM_INFINITY) are taken as the
 * int64 with the same bits, which jansson refuses as "too big"; a reader
 * casts them back with (uint64_t). */
json_t *json_loadb_uint64(const char *text, size_t length, json_error_t *error);
/* Parses the file at PATH (relative to DIRFD) read whole: jansson's own
 * json_load_file reads it a character at a time through stdio, which costs
 * more than the parse. On failure ERROR says why, as json_load_file does.
 * Integers are read as json_loadb_uint64 reads them. */
json_t *json_load_path(int dirfd, const char *path, json_error_t *error);

#endif
