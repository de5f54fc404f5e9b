/* Published ports: docker's -p syntax, and the port lists records keep. */
#ifndef HUSK_ENGINE_PORTS_H
#define HUSK_ENGINE_PORTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

struct port_mapping {
    uint32_t host_address; /* 0: every address */
    uint16_t host_port;    /* 0: any free one, chosen at start */
    uint16_t container_port;
    char protocol[4]; /* "tcp" or "udp" */
};

/* [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] */
int port_mapping_parse(const char *text, struct port_mapping *mapping, husk_error_t *err);
/* "80", "80/udp" (for --expose) -> port and protocol. */
int port_exposed_parse(const char *text, uint16_t *port, char protocol[4], husk_error_t *err);
/* docker's HostConfig.PortBindings entry shape: {"80/tcp": [{"HostIp", "HostPort"}]};
 * PUBLISHED (NetworkSettings.Ports) spells every address as 0.0.0.0. */
void port_bindings_add(json_t *bindings, const struct port_mapping *mapping, bool published);
/* Every binding of BINDINGS (that shape) as a list; *LIST is the caller's
 * to free. -1 with *ERR on a malformed entry. */
int port_bindings_list(json_t *bindings, struct port_mapping **list, size_t *count,
                       husk_error_t *err);
/* Back from that shape; false on a malformed entry. */
bool port_binding_read(const char *key, json_t *binding, struct port_mapping *mapping);

#endif
