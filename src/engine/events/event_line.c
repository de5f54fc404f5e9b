#include "event_line.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy with the keys in order (docker's maps marshal sorted), strings only. */
static json_t *sorted_copy(json_t *attributes)
{
    json_t *copy = json_object();
    size_t count = json_object_size(attributes), n = 0;
    cleanup_free const char **keys = xcalloc(count + 1, sizeof(char *));
    const char *key;
    json_t *value;
    json_object_foreach(attributes, key, value) keys[n++] = key;
    qsort(keys, n, sizeof(char *), compare_keys);
    for (size_t i = 0; i < n; i++) {
        value = json_object_get(attributes, keys[i]);
        if (json_is_string(value))
            json_object_set(copy, keys[i], value);
    }
    return copy;
}

static json_t *message(const char *type, const char *action, const char *actor_id,
                       json_t *attributes, const struct timespec *when)
{
    json_t *m = json_object();
    /* docker still fills the deprecated fields for containers and images. */
    bool container = strcmp(type, "container") == 0;
    if (container || strcmp(type, "image") == 0) {
        json_object_set_new(m, "status", json_string(action));
        json_object_set_new(m, "id", json_string(actor_id));
    }
    const char *image = json_string_value(json_object_get(attributes, "image"));
    if (container && image != NULL)
        json_object_set_new(m, "from", json_string(image));
    json_object_set_new(m, "Type", json_string(type));
    json_object_set_new(m, "Action", json_string(action));
    json_object_set_new(m, "Actor",
                        json_pack("{s:s, s:O}", "ID", actor_id, "Attributes", attributes));
    json_object_set_new(m, "scope", json_string("local"));
    json_object_set_new(m, "time", json_integer((json_int_t)when->tv_sec));
    json_object_set_new(m, "timeNano",
                        json_integer((json_int_t)when->tv_sec * 1000000000 + when->tv_nsec));
    return m;
}

/* Makes the line shorter by about EXCESS bytes: the longest value is cut
 * (on a UTF-8 boundary), and once every value is empty the attribute with
 * the longest key goes. False when there is nothing left to shorten. */
static bool shorten(json_t *attributes, size_t excess)
{
    const char *key, *longest = NULL, *longest_key = NULL;
    size_t length = 0, key_length = 0;
    json_t *value;
    json_object_foreach(attributes, key, value)
    {
        size_t n = json_string_length(value);
        if (longest == NULL || n > length)
            longest = key, length = n;
        if (longest_key == NULL || strlen(key) > key_length)
            longest_key = key, key_length = strlen(key);
    }
    if (longest == NULL)
        return false;
    if (length == 0)
        return json_object_del(attributes, longest_key), true;
    const char *text = json_string_value(json_object_get(attributes, longest));
    size_t cut = excess < length / 2 ? length - excess : length / 2;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    json_object_set_new(attributes, longest, json_stringn(text, cut));
    return true;
}

size_t event_line_format(const char *type, const char *action, const char *actor_id,
                         json_t *attributes, const struct timespec *when, char *buffer)
{
    cleanup_json json_t *fitted = sorted_copy(attributes);
    for (;;) {
        cleanup_json json_t *m = message(type, action, actor_id ? actor_id : "", fitted, when);
        size_t length = json_dumpb(m, buffer, EVENT_LINE_MAX - 1, JSON_COMPACT);
        if (length > 0 && length < EVENT_LINE_MAX) {
            buffer[length] = '\n';
            return length + 1;
        }
        if (length == 0 || !shorten(fitted, length - (EVENT_LINE_MAX - 1)))
            return 0;
    }
}
