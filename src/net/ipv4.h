/* IPv4 addresses and subnets as numbers (host byte order), for address
 * management; parsing and printing in the dotted form users type. */
#ifndef HUSK_NET_IPV4_H
#define HUSK_NET_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

#define IPV4_TEXT_SIZE      16 /* "255.255.255.255" */
#define IPV4_CIDR_TEXT_SIZE 19

struct ipv4_subnet {
    uint32_t network;
    int prefix; /* 0..32 */
};

/* "10.88.0.1" -> number; false on anything else (no shorthand forms). */
bool ipv4_address_parse(const char *text, uint32_t *address);
void ipv4_address_format(uint32_t address, char text[IPV4_TEXT_SIZE]);
/* "10.88.0.0/16"; host bits must be zero, the prefix 8..30 (a network
 * with room for a gateway and at least one container). */
int ipv4_subnet_parse(const char *text, struct ipv4_subnet *subnet, husk_error_t *err);
void ipv4_subnet_format(const struct ipv4_subnet *subnet, char text[IPV4_CIDR_TEXT_SIZE]);
uint32_t ipv4_subnet_mask(const struct ipv4_subnet *subnet);
bool ipv4_subnet_contains(const struct ipv4_subnet *subnet, uint32_t address);
bool ipv4_subnets_overlap(const struct ipv4_subnet *a, const struct ipv4_subnet *b);
/* The first and last addresses containers may have: network+1 .. broadcast-1. */
uint32_t ipv4_subnet_first(const struct ipv4_subnet *subnet);
uint32_t ipv4_subnet_last(const struct ipv4_subnet *subnet);

#endif
