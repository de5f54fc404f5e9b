/* `run`/`create`'s --security-opt, --device, --device-cgroup-rule and
 * --init: checked and resolved before anything of the container is made
 * (profile files read, host devices looked up), then applied to the spec
 * spec_build made and recorded in HostConfig where docker keeps them. */
#ifndef HUSK_ENGINE_SECURITY_PLAN_H
#define HUSK_ENGINE_SECURITY_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/error.h"
#include "options.h"
#include "security_options.h"

struct security_plan {
    struct security_options security;
    bool apparmor;                             /* this host runs AppArmor */
    json_t *devices;                           /* linux.devices entries for --device */
    json_t *device_rules;                      /* their cgroup rules, then --device-cgroup-rule's */
    json_t *recorded_devices, *recorded_rules; /* HostConfig.Devices, DeviceCgroupRules */
    int init;                                  /* --init: -1 not given, 0 or 1 */
};

/* Fills PLAN from O (a zeroed PLAN needs no free); on error, PLAN is freed.
 * Prints the notes for options this host cannot honour to stderr. */
int security_plan_resolve(const struct run_options *o, struct security_plan *plan,
                          husk_error_t *err);
/* Applies PLAN to SPEC, as spec_build made it. */
int security_plan_apply(const struct security_plan *plan, json_t *spec, husk_error_t *err);
/* HostConfig.SecurityOpt, MaskedPaths, ReadonlyPaths, Devices,
 * DeviceCgroupRules and Init. */
void security_plan_record(const struct security_plan *plan, json_t *spec, json_t *host_config);
void security_plan_free(struct security_plan *plan);

#endif
