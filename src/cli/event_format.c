#include "event_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's RFC3339NanoFixed in local time: nine decimals, "Z" or "+01:00". */
static void format_time(long long ns, char *buffer, size_t size)
{
    time_t seconds = (time_t)(ns / 1000000000LL);
    long nanoseconds = (long)(ns % 1000000000LL);
    if (nanoseconds < 0)
        nanoseconds += 1000000000L, seconds--;
    struct tm tm;
    localtime_r(&seconds, &tm);
    char date[32], zone[8] = "Z";
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    long offset = tm.tm_gmtoff;
    if (offset != 0)
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", offset < 0 ? '-' : '+',
                 labs(offset) / 3600 % 100, labs(offset) / 60 % 60);
    snprintf(buffer, size, "%s.%09ld%s", date, nanoseconds, zone);
}

static void append(char **text, size_t *length, const char *piece)
{
    size_t n = strlen(piece);
    *text = xrealloc(*text, *length + n + 1);
    memcpy(*text + *length, piece, n + 1);
    *length += n;
}

char *event_format_text(json_t *event)
{
    json_t *actor = json_object_get(event, "Actor");
    json_t *attributes = json_object_get(actor, "Attributes");
    long long ns = json_integer_value(json_object_get(event, "timeNano"));
    if (ns == 0)
        ns = json_integer_value(json_object_get(event, "time")) * 1000000000LL;
    char when[64];
    format_time(ns, when, sizeof(when));
    char *text =
        xasprintf("%s %s %s %s", when, json_string_value(json_object_get(event, "Type")) ?: "",
                  json_string_value(json_object_get(event, "Action")) ?: "",
                  json_string_value(json_object_get(actor, "ID")) ?: "");
    size_t length = strlen(text), count = json_object_size(attributes), n = 0;
    if (count == 0)
        return text;
    cleanup_free const char **keys = xcalloc(count, sizeof(char *));
    const char *key;
    json_t *value;
    json_object_foreach(attributes, key, value) keys[n++] = key;
    qsort(keys, n, sizeof(char *), compare_keys);
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *pair =
            xasprintf("%s%s=%s", i == 0 ? " (" : ", ", keys[i],
                      json_string_value(json_object_get(attributes, keys[i])) ?: "");
        append(&text, &length, pair);
    }
    append(&text, &length, ")");
    return text;
}

json_t *event_format_view(json_t *event)
{
    static const char *const names[][2] = {{"status", "Status"}, {"id", "ID"},
                                           {"from", "From"},     {"Type", "Type"},
                                           {"Action", "Action"}, {"scope", "Scope"}};
    json_t *view = json_object();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *value = json_string_value(json_object_get(event, names[i][0]));
        json_object_set_new(view, names[i][1], json_string(value ? value : ""));
    }
    json_t *actor = json_object_get(event, "Actor");
    json_t *attributes = json_object_get(actor, "Attributes");
    const char *id = json_string_value(json_object_get(actor, "ID"));
    json_object_set_new(view, "Actor",
                        json_pack("{s:s, s:o}", "ID", id ? id : "", "Attributes",
                                  attributes ? json_incref(attributes) : json_object()));
    json_object_set_new(view, "Time",
                        json_integer(json_integer_value(json_object_get(event, "time"))));
    json_object_set_new(view, "TimeNano",
                        json_integer(json_integer_value(json_object_get(event, "timeNano"))));
    return view;
}
