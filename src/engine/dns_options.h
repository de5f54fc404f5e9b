/* A container's /etc/resolv.conf with --dns, --dns-search and --dns-option
 * (HostConfig.Dns, DnsSearch, DnsOptions), as docker writes it: the host's
 * file (or a network donor's) read as the resolver reads it, each of the
 * three replacing its part, the rest of the file kept. */
#ifndef HUSK_ENGINE_DNS_OPTIONS_H
#define HUSK_ENGINE_DNS_OPTIONS_H

#include <jansson.h>

/* BASE (a resolv.conf's text) with HOST_CONFIG's overrides; an unchanged
 * copy when it has none. Allocated. */
char *dns_resolv_conf(const char *base, json_t *host_config);

#endif
