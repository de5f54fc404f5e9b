#include "log_details.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/xalloc.h"

static const char *const tag_fields[] = {"ID",          "FullID",    "Name",       "ImageID",
                                         "ImageFullID", "ImageName", "DaemonName", NULL};

/* FIELD's value for RECORD (a pointer into it, or into BUFFER). */
static const char *field_value(const char *field, const json_t *record, char buffer[16])
{
    const char *id = json_string_value(json_object_get(record, "Id")) ?: "";
    const char *image = json_string_value(json_object_get(record, "Image")) ?: "";
    if (strncmp(image, "sha256:", 7) == 0)
        image += 7;
    if (strcmp(field, "ID") == 0 || strcmp(field, "ImageID") == 0) {
        snprintf(buffer, 13, "%s", field[0] == 'I' && field[1] == 'D' ? id : image);
        return buffer;
    }
    if (strcmp(field, "FullID") == 0)
        return id;
    if (strcmp(field, "ImageFullID") == 0)
        return image;
    if (strcmp(field, "Name") == 0) {
        const char *name = json_string_value(json_object_get(record, "Name")) ?: "";
        return name[0] == '/' ? name + 1 : name;
    }
    if (strcmp(field, "ImageName") == 0)
        return json_string_value(json_object_get(json_object_get(record, "Config"), "Image")) ?: "";
    return "husk";
}

/* Expands TAG into OUT (when not NULL); -1 at the first unknown field. */
static int expand(const char *tag, const json_t *record, FILE *out, char **bad)
{
    const char *p = tag;
    while (*p != '\0') {
        const char *open = strstr(p, "{{");
        if (open == NULL) {
            if (out)
                fputs(p, out);
            break;
        }
        if (out)
            fwrite(p, 1, (size_t)(open - p), out);
        const char *close = strstr(open, "}}");
        const char *start = open + 2 + strspn(open + 2, " ");
        size_t length = close ? (size_t)(close - start) : 0;
        while (length > 0 && start[length - 1] == ' ')
            length--;
        bool known = false;
        for (size_t i = 0; close && start[0] == '.' && tag_fields[i] != NULL; i++)
            known = known || (length - 1 == strlen(tag_fields[i]) &&
                              strncmp(start + 1, tag_fields[i], length - 1) == 0);
        if (!known) {
            *bad = xstrndup(open, close ? (size_t)(close + 2 - open) : strlen(open));
            return -1;
        }
        if (out) {
            char buffer[16];
            cleanup_free char *field = xstrndup(start + 1, length - 1);
            fputs(field_value(field, record, buffer), out);
        }
        p = close + 2;
    }
    return 0;
}

int log_tag_check(const char *tag, husk_error_t *err)
{
    cleanup_free char *bad = NULL;
    if (expand(tag, NULL, NULL, &bad) < 0)
        return husk_error_set(err, 0,
                              "invalid --log-opt tag=\"%s\": %s is not one of {{.ID}}, "
                              "{{.FullID}}, {{.Name}}, {{.ImageID}}, {{.ImageFullID}}, "
                              "{{.ImageName}}, {{.DaemonName}}",
                              tag, bad);
    return 0;
}

char *log_tag_expand(const char *tag, const json_t *record)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cleanup_free char *bad = NULL;
    expand(tag, record, out, &bad);
    fclose(out);
    return text;
}

/* Go's url.QueryEscape. */
static void query_escape(const char *text, FILE *out)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p) != NULL)
            fputc(*p, out);
        else if (*p == ' ')
            fputc('+', out);
        else
            fprintf(out, "%%%02X", *p);
    }
}

static bool in_list(const char *list, const char *key)
{
    size_t length = strlen(key);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t item = comma ? (size_t)(comma - p) : strlen(p);
        if (item == length && strncmp(p, key, length) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

static bool matches(const char *pattern, const char *key)
{
    regex_t regex;
    if (pattern == NULL || regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool match = regexec(&regex, key, 0, NULL, 0) == 0;
    regfree(&regex);
    return match;
}

/* docker's ExtraAttributes: the labels and environment variables the log
 * options name, and the tag. */
static json_t *attributes(const json_t *record)
{
    json_t *config = json_object_get(record, "Config");
    json_t *options = json_object_get(
        json_object_get(json_object_get(record, "HostConfig"), "LogConfig"), "Config");
    const char *labels = json_string_value(json_object_get(options, "labels"));
    const char *labels_regex = json_string_value(json_object_get(options, "labels-regex"));
    const char *env = json_string_value(json_object_get(options, "env"));
    const char *env_regex = json_string_value(json_object_get(options, "env-regex"));
    const char *tag = json_string_value(json_object_get(options, "tag"));
    json_t *attributes = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(json_object_get(config, "Labels"), key, value)
    {
        if (in_list(labels, key) || matches(labels_regex, key))
            json_object_set(attributes, key, value);
    }
    size_t i;
    json_array_foreach(json_object_get(config, "Env"), i, value)
    {
        const char *entry = json_string_value(value) ?: "";
        const char *equals = strchr(entry, '=');
        if (equals == NULL)
            continue;
        cleanup_free char *name = xstrndup(entry, (size_t)(equals - entry));
        if (in_list(env, name) || matches(env_regex, name))
            json_object_set_new(attributes, name, json_string(equals + 1));
    }
    if (tag != NULL && tag[0] != '\0') {
        cleanup_free char *expanded = log_tag_expand(tag, record);
        json_object_set_new(attributes, "tag", json_string(expanded));
    }
    return attributes;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *log_details_prefix(const json_t *record)
{
    json_t *attrs = attributes(record);
    size_t count = json_object_size(attrs), n = 0;
    const char **keys = xcalloc(count + 1, sizeof(*keys));
    const char *key;
    json_t *value;
    json_object_foreach(attrs, key, value) keys[n++] = key;
    qsort(keys, n, sizeof(*keys), compare_keys);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        query_escape(keys[i], out);
        fputc('=', out);
        query_escape(json_string_value(json_object_get(attrs, keys[i])) ?: "", out);
    }
    fclose(out);
    free(keys);
    json_decref(attrs);
    return text;
}
