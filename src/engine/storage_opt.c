#include "storage_opt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "resources.h"

static int parse_size(const char *text, uint64_t *bytes, husk_error_t *err)
{
    int64_t value;
    /* docker's units.RAMInBytes, as --memory: "10m", "1.5g", "512". */
    if (!resource_size_parse(text, &value) || value < 0)
        return husk_error_set(err, 0,
                              "invalid size: '%s' (--storage-opt size= takes a size such as "
                              "10g: b, k, m, g, t)",
                              text);
    *bytes = (uint64_t)value;
    return 0;
}

static int parse_one(const char *option, struct storage_opt *out, json_t *record, husk_error_t *err)
{
    const char *equals = strchr(option, '=');
    if (equals == NULL)
        return husk_error_set(err, 0, "invalid storage option \"%s\": missing '=' separator",
                              option);
    cleanup_free char *key = xstrndup(option, (size_t)(equals - option));
    const char *value = equals + 1;
    /* The daemon's check, which lowers the key: "Size=1g" is size. */
    if (strcasecmp(key, "size") != 0)
        return husk_error_set(err, 0,
                              "unknown storage option \"%s\": --storage-opt knows only size=", key);
    if (parse_size(value, &out->size, err) < 0)
        return -1;
    out->size_given = true;
    json_object_set_new(record, key, json_string(value));
    return 0;
}

int storage_opt_parse(const char *const *values, size_t count, struct storage_opt *out,
                      json_t **record, husk_error_t *err)
{
    memset(out, 0, sizeof(*out));
    cleanup_json json_t *map = json_object();
    for (size_t i = 0; i < count; i++)
        if (parse_one(values[i], out, map, err) < 0)
            return -1;
    if (record != NULL)
        *record = count > 0 ? steal_pointer(&map) : NULL;
    return 0;
}
