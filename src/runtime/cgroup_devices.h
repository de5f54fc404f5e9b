/* Device access control on cgroup2, where there is no devices.allow file:
 * an eBPF program of type CGROUP_DEVICE attached to the container's cgroup. */
#ifndef HUSK_RUNTIME_CGROUP_DEVICES_H
#define HUSK_RUNTIME_CGROUP_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>

#include "../util/error.h"
#include "spec.h"

/* Translates the spec's rules (v1 semantics: later rules win, "a" resets)
 * into a BPF program. Returns the instruction count, or 0 if MAX is too small. */
size_t cgroup_devices_program(const struct runtime_device_rule *rules, size_t count,
                              struct bpf_insn *program, size_t max);
int cgroup_devices_attach(const char *cgroup_directory, const struct runtime_spec *spec,
                          husk_error_t *err);

#endif
