#include "ports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/ipv4.h"
#include "../util/xalloc.h"

static bool port_number(const char *text, size_t length, bool zero_allowed, uint16_t *port)
{
    char copy[8];
    if (length == 0 || length >= sizeof(copy) || strspn(text, "0123456789") < length)
        return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    long value = strtol(copy, NULL, 10);
    if (value > 65535 || (value == 0 && !zero_allowed))
        return false;
    *port = (uint16_t)value;
    return true;
}

static bool protocol_parse(const char *slash, char protocol[4])
{
    if (slash == NULL) {
        snprintf(protocol, 4, "tcp");
        return true;
    }
    if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
        return false;
    snprintf(protocol, 4, "%s", slash + 1);
    return true;
}

int port_exposed_parse(const char *text, uint16_t *port, char protocol[4], husk_error_t *err)
{
    const char *slash = strchr(text, '/');
    size_t length = slash ? (size_t)(slash - text) : strlen(text);
    if (!port_number(text, length, false, port) || !protocol_parse(slash, protocol))
        return husk_error_set(err, 0, "invalid port \"%s\": use PORT[/tcp|/udp], 1 to 65535", text);
    return 0;
}

int port_mapping_parse(const char *text, struct port_mapping *mapping, husk_error_t *err)
{
    memset(mapping, 0, sizeof(*mapping));
    const char *slash = strchr(text, '/');
    size_t length = slash ? (size_t)(slash - text) : strlen(text);
    char copy[64];
    if (length >= sizeof(copy) || !protocol_parse(slash, mapping->protocol))
        goto bad;
    memcpy(copy, text, length);
    copy[length] = '\0';
    /* Split from the right: CONTAINERPORT, then HOSTPORT, then HOSTIP. */
    char *container = strrchr(copy, ':');
    char *host_port = NULL, *host_address = NULL;
    if (container != NULL) {
        *container++ = '\0';
        host_port = strrchr(copy, ':');
        if (host_port != NULL) {
            *host_port++ = '\0';
            host_address = copy;
        } else {
            host_port = copy;
        }
    } else {
        container = copy;
    }
    if (!port_number(container, strlen(container), false, &mapping->container_port))
        goto bad;
    if (host_port != NULL && host_port[0] != '\0' &&
        !port_number(host_port, strlen(host_port), false, &mapping->host_port))
        goto bad;
    if (host_address != NULL && host_address[0] != '\0' &&
        !ipv4_address_parse(host_address, &mapping->host_address))
        return husk_error_set(err, 0,
                              "invalid published port \"%s\": \"%s\" is not an IPv4 address", text,
                              host_address);
    return 0;
bad:
    return husk_error_set(err, 0,
                          "invalid published port \"%s\": use [HOSTIP:][HOSTPORT:]CONTAINERPORT"
                          "[/tcp|/udp], ports 1 to 65535",
                          text);
}

void port_bindings_add(json_t *bindings, const struct port_mapping *mapping, bool published)
{
    char key[16], address[IPV4_TEXT_SIZE] = "", port[8] = "";
    if (published)
        snprintf(address, sizeof(address), "0.0.0.0");
    snprintf(key, sizeof(key), "%u/%s", mapping->container_port, mapping->protocol);
    if (mapping->host_address != 0)
        ipv4_address_format(mapping->host_address, address);
    if (mapping->host_port != 0)
        snprintf(port, sizeof(port), "%u", mapping->host_port);
    json_t *list = json_object_get(bindings, key);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(bindings, key, list);
    }
    json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", address, "HostPort", port));
}

bool port_binding_read(const char *key, json_t *binding, struct port_mapping *mapping)
{
    memset(mapping, 0, sizeof(*mapping));
    const char *address = json_string_value(json_object_get(binding, "HostIp"));
    const char *port = json_string_value(json_object_get(binding, "HostPort"));
    unsigned container_port;
    char protocol[4];
    if (sscanf(key, "%5u/%3s", &container_port, protocol) != 2 || container_port == 0 ||
        container_port > 65535 || address == NULL || port == NULL)
        return false;
    mapping->container_port = (uint16_t)container_port;
    snprintf(mapping->protocol, sizeof(mapping->protocol), "%s", protocol);
    if (address[0] != '\0' && strcmp(address, "0.0.0.0") != 0 &&
        !ipv4_address_parse(address, &mapping->host_address))
        return false;
    return port[0] == '\0' || port_number(port, strlen(port), true, &mapping->host_port);
}

int port_bindings_list(json_t *bindings, struct port_mapping **list, size_t *count,
                       husk_error_t *err)
{
    *list = NULL;
    *count = 0;
    const char *key;
    json_t *bound;
    json_object_foreach(bindings, key, bound)
    {
        size_t i;
        json_t *binding;
        json_array_foreach(bound, i, binding)
        {
            *list = xreallocarray(*list, *count + 1, sizeof(**list));
            if (!port_binding_read(key, binding, &(*list)[*count]))
                return husk_error_set(err, 0, "port binding %s is damaged", key);
            (*count)++;
        }
    }
    return 0;
}
