#include "ipv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ipv4_address_parse(const char *text, uint32_t *address)
{
    unsigned parts[4];
    char tail;
    if (text == NULL || strspn(text, "0123456789.") != strlen(text) ||
        sscanf(text, "%3u.%3u.%3u.%3u%c", &parts[0], &parts[1], &parts[2], &parts[3], &tail) != 4)
        return false;
    uint32_t value = 0;
    for (int i = 0; i < 4; i++) {
        if (parts[i] > 255)
            return false;
        value = value << 8 | parts[i];
    }
    /* Leading zeros are octal to some tools: refuse rather than guess. */
    for (const char *p = text; *p; p++)
        if (*p == '0' && (p == text || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
            return false;
    *address = value;
    return true;
}

void ipv4_address_format(uint32_t address, char text[IPV4_TEXT_SIZE])
{
    snprintf(text, IPV4_TEXT_SIZE, "%u.%u.%u.%u", address >> 24, (address >> 16) & 255,
             (address >> 8) & 255, address & 255);
}

uint32_t ipv4_subnet_mask(const struct ipv4_subnet *subnet)
{
    return subnet->prefix == 0 ? 0 : UINT32_MAX << (32 - subnet->prefix);
}

int ipv4_subnet_parse(const char *text, struct ipv4_subnet *subnet, husk_error_t *err)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    char address_text[IPV4_TEXT_SIZE];
    char *end = NULL;
    if (slash == NULL || (size_t)(slash - text) >= sizeof(address_text))
        return husk_error_set(err, 0,
                              "invalid subnet \"%s\": use ADDRESS/PREFIX, e.g. 10.89.0.0/24",
                              text ? text : "");
    memcpy(address_text, text, (size_t)(slash - text));
    address_text[slash - text] = '\0';
    long prefix = strtol(slash + 1, &end, 10);
    uint32_t address;
    if (!ipv4_address_parse(address_text, &address) || end == slash + 1 || *end != '\0' ||
        prefix < 0 || prefix > 32)
        return husk_error_set(err, 0,
                              "invalid subnet \"%s\": use ADDRESS/PREFIX, e.g. 10.89.0.0/24", text);
    if (prefix < 8 || prefix > 30)
        return husk_error_set(err, 0, "invalid subnet \"%s\": the prefix must be 8 to 30", text);
    struct ipv4_subnet parsed = {address, (int)prefix};
    if ((address & ~ipv4_subnet_mask(&parsed)) != 0) {
        char meant[IPV4_CIDR_TEXT_SIZE];
        parsed.network = address & ipv4_subnet_mask(&parsed);
        ipv4_subnet_format(&parsed, meant);
        return husk_error_set(err, 0, "invalid subnet \"%s\": host bits are set (did you mean %s?)",
                              text, meant);
    }
    *subnet = parsed;
    return 0;
}

void ipv4_subnet_format(const struct ipv4_subnet *subnet, char text[IPV4_CIDR_TEXT_SIZE])
{
    char address[IPV4_TEXT_SIZE];
    ipv4_address_format(subnet->network, address);
    snprintf(text, IPV4_CIDR_TEXT_SIZE, "%s/%d", address, subnet->prefix);
}

bool ipv4_subnet_contains(const struct ipv4_subnet *subnet, uint32_t address)
{
    return (address & ipv4_subnet_mask(subnet)) == subnet->network;
}

bool ipv4_subnets_overlap(const struct ipv4_subnet *a, const struct ipv4_subnet *b)
{
    const struct ipv4_subnet *wider = a->prefix <= b->prefix ? a : b;
    const struct ipv4_subnet *narrower = wider == a ? b : a;
    return ipv4_subnet_contains(wider, narrower->network);
}

uint32_t ipv4_subnet_first(const struct ipv4_subnet *subnet)
{
    return subnet->network + 1;
}

uint32_t ipv4_subnet_last(const struct ipv4_subnet *subnet)
{
    return (subnet->network | ~ipv4_subnet_mask(subnet)) - 1;
}
