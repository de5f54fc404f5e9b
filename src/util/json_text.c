#include "json_text.h"

#include <stdio.h>
#include <string.h>

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
