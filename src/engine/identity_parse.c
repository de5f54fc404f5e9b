#include "identity_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include "resources.h"

/* As Go's utf8.Valid: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    static const uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t extra = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : 3;
        if ((c >= 0x80 && c < 0xC2) || c > 0xF4 || i + extra >= n)
            return false;
        uint32_t code = extra == 0 ? c : c & (0x7F >> (extra + 1));
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (s[i + k] & 0x3F);
        }
        if (code < minimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

struct kv_list {
    char **entries;
    size_t count;
};

static void kv_add(struct kv_list *list, char *entry)
{
    list->entries = xreallocarray(list->entries, list->count + 2, sizeof(char *));
    list->entries[list->count++] = entry;
    list->entries[list->count] = NULL;
}

/* One line without its end (nor a '\r' before it): added to LIST, skipped,
 * or an error. */
static int kv_line(const char *line, size_t length, size_t number, bool from_environment,
                   struct kv_list *list, husk_error_t *err)
{
    if (!utf8_valid((const unsigned char *)line, length) || memchr(line, '\0', length) != NULL)
        return husk_error_set(err, 0, "invalid utf8 bytes at line %zu", number);
    while (length > 0 && strchr(" \t\v\f\r", *line) != NULL)
        line++, length--;
    if (length == 0 || line[0] == '#')
        return 0;
    const char *equals = memchr(line, '=', length);
    size_t key_length = equals ? (size_t)(equals - line) : length;
    if (key_length == 0)
        return husk_error_set(err, 0, "no variable name on line '%.*s'", (int)length, line);
    for (size_t i = 0; i < key_length; i++)
        if (line[i] == ' ' || line[i] == '\t')
            return husk_error_set(err, 0, "variable '%.*s' contains whitespaces", (int)key_length,
                                  line);
    if (equals != NULL) {
        kv_add(list, xstrndup(line, length));
        return 0;
    }
    cleanup_free char *key = xstrndup(line, length);
    const char *value = from_environment ? getenv(key) : NULL;
    if (value != NULL)
        kv_add(list, xasprintf("%s=%s", key, value));
    return 0;
}

int kv_file_parse(const char *text, size_t length, bool from_environment, char ***entries,
                  husk_error_t *err)
{
    struct kv_list list = {xcalloc(1, sizeof(char *)), 0};
    if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, length -= 3;
    for (size_t number = 1; length > 0; number++) {
        const char *end = memchr(text, '\n', length);
        size_t line = end ? (size_t)(end - text) : length;
        size_t used = end ? line + 1 : line;
        if (line > 0 && text[line - 1] == '\r')
            line--;
        if (kv_line(text, line, number, from_environment, &list, err) < 0) {
            cleanup_strvp(&list.entries);
            return -1;
        }
        text += used;
        length -= used;
    }
    *entries = list.entries;
    return 0;
}

int label_parse(const char *text, char **key, char **value, husk_error_t *err)
{
    const char *equals = strchr(text, '=');
    size_t length = equals ? (size_t)(equals - text) : strlen(text);
    *key = *value = NULL;
    if (length == 0)
        return husk_error_set(err, 0, "invalid --label \"%s\": empty name", text);
    if (strcspn(text, " \t\n\r\v\f") < length)
        return husk_error_set(err, 0, "invalid --label \"%s\": the name contains whitespaces",
                              text);
    *key = xstrndup(text, length);
    *value = xstrdup(equals ? equals + 1 : "");
    return 0;
}

bool ip_address_canonical(const char *text, char address[46])
{
    unsigned char bytes[16];
    if (inet_pton(AF_INET, text, bytes) == 1)
        return inet_ntop(AF_INET, bytes, address, 46) != NULL;
    if (inet_pton(AF_INET6, text, bytes) == 1)
        return inet_ntop(AF_INET6, bytes, address, 46) != NULL;
    return false;
}

int extra_host_parse(const char *text, char **entry, husk_error_t *err)
{
    /* NAME=IP, else split at the first ':' so that an IPv6 address may follow. */
    const char *separator = strchr(text, '=');
    if (separator == NULL)
        separator = strchr(text, ':');
    size_t name_length = separator ? (size_t)(separator - text) : 0;
    if (separator == NULL || name_length == 0 || memchr(text, ':', name_length) != NULL ||
        strcspn(text, " \t\n\r\v\f#") < name_length)
        return husk_error_set(err, 0, "invalid --add-host \"%s\": use NAME:IP or NAME=IP", text);
    cleanup_free char *address = xstrdup(separator + 1);
    size_t length = strlen(address);
    /* [::1] as well as ::1; the brackets are not recorded. */
    if (length > 2 && address[0] == '[' && address[length - 1] == ']') {
        memmove(address, address + 1, length - 2);
        address[length - 2] = '\0';
    }
    char canonical[46];
    if (strcmp(address, EXTRA_HOST_GATEWAY) != 0 && !ip_address_canonical(address, canonical))
        return husk_error_set(err, 0,
                              "invalid --add-host \"%s\": \"%s\" is not an IP address (nor "
                              "host-gateway)",
                              text, address);
    *entry = xasprintf("%.*s:%s", (int)name_length, text, address);
    return 0;
}

bool extra_host_split(const char *entry, const char *gateway, char *name, size_t name_size,
                      char address[46])
{
    const char *colon = strchr(entry, ':');
    if (colon == NULL || (size_t)(colon - entry) >= name_size)
        return false;
    snprintf(name, name_size, "%.*s", (int)(colon - entry), entry);
    if (strcmp(colon + 1, EXTRA_HOST_GATEWAY) == 0)
        return gateway != NULL && ip_address_canonical(gateway, address);
    return ip_address_canonical(colon + 1, address);
}

static int hex_digit(char c)
{
    return isdigit((unsigned char)c)    ? c - '0'
           : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
                                        : -1;
}

/* The forms of Go's net.ParseMAC for 6 bytes. */
static bool mac_digits(const char *text, uint8_t mac[6])
{
    size_t length = strlen(text);
    bool dotted = length == 14 && text[4] == '.' && text[9] == '.';
    if (!dotted && (length != 17 || (text[2] != ':' && text[2] != '-')))
        return false;
    char separator = dotted ? '.' : text[2];
    size_t group = dotted ? 4 : 2;
    for (size_t i = 0, byte = 0; i < length; i += group + 1) {
        for (size_t k = 0; k < group; k += 2, byte++) {
            int high = hex_digit(text[i + k]), low = hex_digit(text[i + k + 1]);
            if (high < 0 || low < 0)
                return false;
            mac[byte] = (uint8_t)(high << 4 | low);
        }
        if (i + group < length && text[i + group] != separator)
            return false;
    }
    return true;
}

int mac_address_parse(const char *text, uint8_t mac[6], husk_error_t *err)
{
    if (!mac_digits(text, mac))
        return husk_error_set(err, 0, "invalid --mac-address \"%s\": not a valid mac address",
                              text);
    static const uint8_t zero[6];
    if ((mac[0] & 1) != 0 || memcmp(mac, zero, 6) == 0)
        return husk_error_set(err, 0,
                              "invalid --mac-address \"%s\": a multicast or zero address cannot "
                              "be an interface's",
                              text);
    return 0;
}

int shm_size_parse(const char *text, int64_t *bytes, husk_error_t *err)
{
    if (!resource_size_parse(text, bytes))
        return husk_error_set(
            err, 0, "invalid --shm-size \"%s\": use a size such as 64m (b, k, m, g, t)", text);
    if (*bytes == 0)
        *bytes = SHM_SIZE_DEFAULT;
    return 0;
}

int stop_timeout_parse(const char *text, int *seconds, husk_error_t *err)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || value < INT_MIN || value > INT_MAX)
        return husk_error_set(err, 0, "invalid --stop-timeout \"%s\": not a number of seconds",
                              text);
    *seconds = (int)value;
    return 0;
}

int bool_flag_parse(const char *flag, const char *text, bool *value, husk_error_t *err)
{
    static const char *const truths[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const lies[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++) {
        if (strcmp(text, truths[i]) == 0 || strcmp(text, lies[i]) == 0) {
            *value = strcmp(text, truths[i]) == 0;
            return 0;
        }
    }
    return husk_error_set(err, 0, "invalid %s \"%s\": true or false", flag, text);
}

int attach_stream_parse(const char *text, int *stream, husk_error_t *err)
{
    static const char *const names[] = {"stdin", "stdout", "stderr"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *stream = 1 << i;
            return 0;
        }
    }
    return husk_error_set(
        err, 0, "invalid --attach \"%s\": valid streams are STDIN, STDOUT and STDERR", text);
}

/* Labels of letters, digits and inner hyphens, 1 to 63 each. */
static bool labels_valid(const char *name, size_t length)
{
    size_t label = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i == length || name[i] == '.') {
            if (label == 0 || label > 63 || name[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)name[i]) && !(name[i] == '-' && label > 0))
            return false;
        label++;
    }
    return true;
}

bool hostname_valid(const char *name, size_t max)
{
    size_t length = strlen(name);
    return length > 0 && length <= max && labels_valid(name, length);
}

bool dns_search_valid(const char *domain)
{
    size_t length = strlen(domain);
    if (strcmp(domain, ".") == 0)
        return true;
    if (length > 0 && domain[length - 1] == '.')
        length--;
    return length > 0 && length < 255 &&
           strcspn(domain, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < length &&
           labels_valid(domain, length);
}

bool network_alias_valid(const char *alias)
{
    size_t length = strlen(alias);
    return length > 0 && length <= 255 && alias[0] != '-' && alias[0] != '.' &&
           strspn(alias, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
               length;
}
