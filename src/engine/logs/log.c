#include "log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/section.h"

MONITOR_PATH size_t log_local_header(char *header, size_t size, enum log_stream stream,
                                     const char *time, size_t length)
{
    int n = snprintf(header, size, "%c %s %zu\n", stream, time, length);
    return n < 0 ? 0 : (size_t)n;
}

/* The length of the valid UTF-8 sequence at P (1 to 4), or 0 when it is
 * not one: the checks of Go's utf8.DecodeRune, which docker's encoder uses. */
MONITOR_PATH static size_t utf8_sequence(const unsigned char *p, size_t length)
{
    unsigned char c = p[0];
    size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    unsigned char low = 0x80, high = 0xbf;
    if (c < 0xc2 || c > 0xf4 || length < need)
        return 0;
    if (c == 0xe0)
        low = 0xa0;
    else if (c == 0xed)
        high = 0x9f;
    else if (c == 0xf0)
        low = 0x90;
    else if (c == 0xf4)
        high = 0x8f;
    if (p[1] < low || p[1] > high)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return need;
}

/* One character of P as JSON into OUT (6 bytes at most); *USED the input
 * bytes it took. Escapes what Go's encoder escapes: ", \, control
 * characters, <, > and & (HTML-safe), U+2028, U+2029. */
MONITOR_PATH static size_t escape_one(const unsigned char *p, size_t length, char out[6],
                                      size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = p[0];
    *used = 1;
    if (c >= 0x80) {
        size_t n = utf8_sequence(p, length);
        if (n == 0) {
            memcpy(out, "\\ufffd", 6);
            return 6;
        }
        *used = n;
        if (n == 3 && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            memcpy(out, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            return 6;
        }
        memcpy(out, p, n);
        return n;
    }
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') {
        out[0] = '\\';
        out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
        return 2;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        memcpy(out, "\\u00", 4);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15];
        return 6;
    }
    out[0] = (char)c;
    return 1;
}

MONITOR_PATH size_t log_json_escaped_length(const char *data, size_t length)
{
    size_t total = 0;
    char scratch[6];
    while (length > 0) {
        size_t used;
        total += escape_one((const unsigned char *)data, length, scratch, &used);
        data += used;
        length -= used;
    }
    return total;
}

MONITOR_PATH size_t log_json_escape(const char **data, size_t *length, char *out, size_t size)
{
    size_t written = 0;
    while (*length > 0 && size - written >= 6) {
        size_t used;
        written += escape_one((const unsigned char *)*data, *length, out + written, &used);
        *data += used;
        *length -= used;
    }
    return written;
}

size_t log_parse(const char *buffer, size_t length,
                 void (*each)(const struct log_entry *entry, void *data), void *data)
{
    size_t offset = 0;
    while (offset < length) {
        const char *header = buffer + offset;
        const char *end = memchr(header, '\n', length - offset);
        if (end == NULL)
            break;
        char stream = 0, time[64];
        size_t size = 0;
        cleanup_free char *line = strndup(header, (size_t)(end - header));
        if (sscanf(line, "%c %63s %zu", &stream, time, &size) != 3)
            break;
        size_t body = (size_t)(end - buffer) + 1;
        if (body + size > length)
            break;
        struct log_entry entry = {stream, time, buffer + body, size};
        each(&entry, data);
        offset = body + size;
    }
    return offset;
}

static void json_line(const char *line, size_t length,
                      void (*each)(const struct log_entry *entry, void *data), void *data)
{
    json_t *object = json_loadb(line, length, JSON_ALLOW_NUL, NULL);
    json_t *log = json_object_get(object, "log");
    const char *stream = json_string_value(json_object_get(object, "stream"));
    const char *time = json_string_value(json_object_get(object, "time"));
    if (json_is_string(log) && stream != NULL && time != NULL) {
        struct log_entry entry = {strcmp(stream, "stderr") == 0 ? LOG_STDERR : LOG_STDOUT, time,
                                  json_string_value(log), json_string_length(log)};
        each(&entry, data);
    }
    json_decref(object);
}

size_t log_json_parse(const char *buffer, size_t length,
                      void (*each)(const struct log_entry *entry, void *data), void *data)
{
    size_t offset = 0;
    while (offset < length) {
        const char *end = memchr(buffer + offset, '\n', length - offset);
        if (end == NULL)
            break;
        json_line(buffer + offset, (size_t)(end - buffer - offset), each, data);
        offset = (size_t)(end - buffer) + 1;
    }
    return offset;
}
