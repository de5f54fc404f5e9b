/* docker's --device HOST[:CONTAINER][:PERMISSIONS] and --device-cgroup-rule
 * 'TYPE MAJOR:MINOR ACCESS': host device nodes made again in the container
 * (linux.devices) and what the device cgroup lets it open
 * (linux.resources.devices). */
#ifndef HUSK_ENGINE_DEVICES_H
#define HUSK_ENGINE_DEVICES_H

#include <jansson.h>

#include "../util/error.h"

struct device_mapping {
    char *host;          /* as given (a relative one is husk's cwd's) */
    char *container;     /* absolute; the host path when not given */
    char permissions[4]; /* cgroup access, "rwm" by default */
};

/* docker's syntax and checks: at most three ':'-separated parts, a middle
 * part that is r, w, m (each once) is the permissions, the container path
 * absolute. "invalid --device ..." otherwise. */
int device_mapping_parse(const char *text, struct device_mapping *mapping, husk_error_t *err);
void device_mapping_free(struct device_mapping *mapping);

/* The host's device node at MAPPING's host path (a symlink followed), or
 * every node under it when it is a directory (at the same place under the
 * container path), appended to DEVICES as linux.devices entries (type,
 * numbers, mode and owner of the host's node) and to RULES as device cgroup
 * rules with MAPPING's permissions. Nothing found is docker's "error
 * gathering device information while adding custom device". */
int device_mapping_resolve(const struct device_mapping *mapping, json_t *devices, json_t *rules,
                           husk_error_t *err);

/* HostConfig.Devices' entry: PathOnHost, PathInContainer, CgroupPermissions. */
json_t *device_mapping_record(const struct device_mapping *mapping);

/* 'c 1:3 rwm', 'b 8:* r', 'a *:* m' (docker's ^[acb] ([0-9]+|\*):([0-9]+|\*)
 * [rwm]{1,3}$) as an allowing linux.resources.devices entry, "*" as -1. */
json_t *device_cgroup_rule_parse(const char *text, husk_error_t *err);

#endif
