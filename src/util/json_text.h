/* Small text helpers over jansson values. */
#ifndef HUSK_UTIL_JSON_TEXT_H
#define HUSK_UTIL_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The strings of ARRAY joined by SEPARATOR into OUT (cut at SIZE); "" when empty. */
void json_strings_join(json_t *array, const char *separator, char *out, size_t size);

#endif
