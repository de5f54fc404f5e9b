#include "security_plan.h"

#include <stdio.h>
#include <string.h>

#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "devices.h"

/* A user namespace may not make device nodes: the runtime binds the
 * host's node at the container's path instead, taking that path on the
 * host too. Another path would bind whatever the host has there. */
static int check_userns_path(const struct run_options *o, const char *given,
                             const struct device_mapping *m, husk_error_t *err)
{
    if (o->userns_mode == NULL || strcmp(o->userns_mode, "private") != 0 ||
        strcmp(m->host, m->container) == 0)
        return 0;
    return husk_error_set(err, 0,
                          "conflicting options: --device %s and --userns private (a device keeps "
                          "its host path there: the host's node is bound in)",
                          given);
}

static int resolve_devices(const struct run_options *o, struct security_plan *plan,
                           husk_error_t *err)
{
    for (size_t i = 0; i < o->device_count; i++) {
        struct device_mapping mapping;
        if (device_mapping_parse(o->devices[i], &mapping, err) < 0)
            return -1;
        int rc = check_userns_path(o, o->devices[i], &mapping, err);
        if (rc == 0)
            rc = device_mapping_resolve(&mapping, plan->devices, plan->device_rules, err);
        if (rc == 0)
            json_array_append_new(plan->recorded_devices, device_mapping_record(&mapping));
        device_mapping_free(&mapping);
        if (rc < 0)
            return -1;
    }
    for (size_t i = 0; i < o->device_cgroup_rule_count; i++) {
        json_t *rule = device_cgroup_rule_parse(o->device_cgroup_rules[i], err);
        if (rule == NULL)
            return -1;
        json_array_append_new(plan->device_rules, rule);
        if (plan->recorded_rules == NULL)
            plan->recorded_rules = json_array();
        json_array_append_new(plan->recorded_rules, json_string(o->device_cgroup_rules[i]));
    }
    return 0;
}

int security_plan_resolve(const struct run_options *o, struct security_plan *plan,
                          husk_error_t *err)
{
    *plan = (struct security_plan){
        .devices = json_array(),
        .device_rules = json_array(),
        .recorded_devices = json_array(),
        .init = -1,
    };
    if (o->init != NULL && (plan->init = security_bool_parse(o->init)) < 0) {
        husk_error_set(err, 0, "invalid --init=%s: true or false", o->init);
        goto fail;
    }
    if (security_options_parse(o->security_opts, o->security_opt_count, &plan->security, err) < 0 ||
        resolve_devices(o, plan, err) < 0)
        goto fail;
    plan->apparmor = security_apparmor_enabled();
    security_options_warn(&plan->security, plan->apparmor, security_selinux_enabled(), stderr);
    return 0;
fail:
    security_plan_free(plan);
    return -1;
}

int security_plan_apply(const struct security_plan *plan, json_t *spec, husk_error_t *err)
{
    if (security_options_apply(&plan->security, plan->apparmor, spec, err) < 0)
        return -1;
    json_t *linux_section = json_object_get(spec, "linux");
    json_t *cgroup = json_object_get(json_object_get(linux_section, "resources"), "devices");
    /* After the defaults: later rules win, so these open what they deny. */
    json_array_extend(json_object_get(linux_section, "devices"), plan->devices);
    json_array_extend(cgroup, plan->device_rules);
    if (plan->init == 1) {
        json_t *annotations = json_object_get(spec, "annotations");
        if (!json_is_object(annotations)) {
            annotations = json_object();
            json_object_set_new(spec, "annotations", annotations);
        }
        json_object_set_new(annotations, RUNTIME_INIT_ANNOTATION, json_string("true"));
    }
    return 0;
}

void security_plan_record(const struct security_plan *plan, json_t *spec, json_t *host_config)
{
    security_options_record(&plan->security, spec, host_config);
    json_object_set(host_config, "Devices", plan->recorded_devices);
    json_object_set(host_config, "DeviceCgroupRules",
                    plan->recorded_rules ? plan->recorded_rules : json_null());
    json_object_set_new(host_config, "Init",
                        plan->init < 0 ? json_null() : json_boolean(plan->init));
}

void security_plan_free(struct security_plan *plan)
{
    security_options_free(&plan->security);
    json_decref(plan->devices);
    json_decref(plan->device_rules);
    json_decref(plan->recorded_devices);
    json_decref(plan->recorded_rules);
    *plan = (struct security_plan){.init = -1};
}
