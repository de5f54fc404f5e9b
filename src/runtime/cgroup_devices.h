/* Device access control: v1's devices.allow and devices.deny files, or on
 * cgroup2, which has no such files, an eBPF program of type CGROUP_DEVICE
 * attached to the container's cgroup. */
#ifndef HUSK_RUNTIME_CGROUP_DEVICES_H
#define HUSK_RUNTIME_CGROUP_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>

#include "../util/error.h"
#include "cgroup_layout.h"
#include "spec.h"

/* Translates the spec's rules (v1 semantics: later rules win, "a" resets)
 * into a BPF program. Returns the instruction count, or 0 if MAX is too small. */
size_t cgroup_devices_program(const struct runtime_device_rule *rules, size_t count,
                              struct bpf_insn *program, size_t max);
/* RULE as v1's devices.allow/devices.deny lines (one, or a "c" and a "b"
 * line for an "a" rule that is not "a *:* rwm"); returns how many. */
size_t cgroup_devices_v1_lines(const struct runtime_device_rule *rule, char lines[2][64]);
/* Applies the spec's device rules to PATH's cgroup (made by cgroup_create):
 * the devices hierarchy when v1 has one, else a BPF program on cgroup2. */
int cgroup_devices_apply(const struct cgroup_layout *layout, const char *path,
                         const struct runtime_spec *spec, husk_error_t *err);

#endif
