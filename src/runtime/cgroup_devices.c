#include "cgroup_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"

/* Registers while the program runs: R2 device type, R3 requested access,
 * R4 major, R5 minor (from struct bpf_cgroup_dev_ctx in R1). */
#define INSN(c, d, s, o, i)                                                                        \
    ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static unsigned access_bits(const char *access)
{
    unsigned bits = 0;
    bits |= strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0;
    bits |= strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0;
    bits |= strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0;
    return bits;
}

/* "a *:* rwm": every device, every access, which resets what came before.
 * An "a" rule with numbers or less access (`--device-cgroup-rule 'a 1:3
 * r'`) is only both a "c" and a "b" rule: taking it for the reset would
 * open every device. */
static bool is_wildcard_all(const struct runtime_device_rule *rule)
{
    return rule->type == 'a' && rule->major < 0 && rule->minor < 0 &&
           access_bits(rule->access) == 7;
}

/* One rule: every condition that fails jumps past the block's end. */
static size_t emit_rule(const struct runtime_device_rule *rule, struct bpf_insn *out)
{
    struct bpf_insn block[8];
    size_t n = 0;
    unsigned access = access_bits(rule->access);
    if (rule->type != 'a')
        block[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
                          rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
    if (access != 7) {
        block[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 3, 0, 0);
        if (rule->allow) {
            /* Allowed only when every requested access is in the rule. */
            block[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 6, 0, 0, (int)(~access & 7));
            block[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 6, 0, 0, 0);
        } else {
            block[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 6, 0, 0, (int)access);
            block[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 0, 0);
        }
    }
    if (rule->major >= 0)
        block[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int)rule->major);
    if (rule->minor >= 0)
        block[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int)rule->minor);
    block[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, rule->allow ? 1 : 0);
    block[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) != BPF_EXIT)
            block[i].off = (short)(n - i - 1);
    memcpy(out, block, n * sizeof(*block));
    return n;
}

size_t cgroup_devices_program(const struct runtime_device_rule *rules, size_t count,
                              struct bpf_insn *program, size_t max)
{
    /* A wildcard "a" rule resets everything before it and sets the default. */
    size_t first = 0;
    bool default_allow = true;
    for (size_t i = 0; i < count; i++)
        if (is_wildcard_all(&rules[i])) {
            first = i + 1;
            default_allow = rules[i].allow;
        }
    if (max < 7 + (count - first) * 8 + 2)
        return 0;
    size_t n = 0;
    program[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
    program[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
    program[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
    program[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16);
    program[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
    program[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
    /* Later rules win, so they are tested first. */
    for (size_t i = count; i > first; i--)
        n += emit_rule(&rules[i - 1], program + n);
    program[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, default_allow ? 1 : 0);
    program[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return n;
}

/* cgroup2 has no devices files: the same rules as a BPF program. */
static int attach_program(const struct cgroup_hierarchy *unified, const char *path,
                          const struct runtime_spec *spec, husk_error_t *err)
{
    size_t max = 8 + spec->device_rule_count * 8 + 2;
    cleanup_free struct bpf_insn *program = calloc(max, sizeof(*program));
    size_t length =
        program ? cgroup_devices_program(spec->device_rules, spec->device_rule_count, program, max)
                : 0;
    cleanup_free char *directory = cgroup_path(unified, path, NULL);
    if (length == 0 || directory == NULL)
        return husk_error_set(err, ENOMEM, "device filter");
    union bpf_attr load = {0};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = (uint64_t)(uintptr_t)program;
    load.insn_cnt = (uint32_t)length;
    load.license = (uint64_t)(uintptr_t) "Apache-2.0";
    cleanup_close int program_fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
    if (program_fd < 0)
        return husk_error_set(err, errno, "load the device filter");
    cleanup_close int cgroup_fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd < 0)
        return husk_error_set(err, errno, "open %s", directory);
    union bpf_attr attach = {0};
    attach.target_fd = (uint32_t)cgroup_fd;
    attach.attach_bpf_fd = (uint32_t)program_fd;
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
        return husk_error_set(err, errno, "attach the device filter to %s", directory);
    return 0;
}

size_t cgroup_devices_v1_lines(const struct runtime_device_rule *r, char lines[2][64])
{
    char major[24] = "*", minor[24] = "*";
    if (r->major >= 0)
        snprintf(major, sizeof(major), "%lld", (long long)r->major);
    if (r->minor >= 0)
        snprintf(minor, sizeof(minor), "%lld", (long long)r->minor);
    /* The kernel reads any line starting with "a" as "a *:* rwm". */
    if (is_wildcard_all(r)) {
        snprintf(lines[0], 64, "a");
        return 1;
    }
    if (r->type != 'a') {
        snprintf(lines[0], 64, "%c %s:%s %s", r->type, major, minor, r->access);
        return 1;
    }
    snprintf(lines[0], 64, "c %s:%s %s", major, minor, r->access);
    snprintf(lines[1], 64, "b %s:%s %s", major, minor, r->access);
    return 2;
}

/* v1: the rules in order, each to devices.allow or devices.deny. */
static int write_rules(const struct cgroup_hierarchy *devices, const char *path,
                       const struct runtime_spec *spec, husk_error_t *err)
{
    for (size_t i = 0; i < spec->device_rule_count; i++) {
        const struct runtime_device_rule *r = &spec->device_rules[i];
        char lines[2][64];
        size_t count = cgroup_devices_v1_lines(r, lines);
        for (size_t k = 0; k < count; k++)
            if (cgroup_write(devices, path, r->allow ? "devices.allow" : "devices.deny", lines[k],
                             err) < 0)
                return -1;
    }
    return 0;
}

int cgroup_devices_apply(const struct cgroup_layout *layout, const char *path,
                         const struct runtime_spec *spec, husk_error_t *err)
{
    if (spec == NULL || spec->device_rule_count == 0)
        return 0;
    const struct cgroup_hierarchy *devices = cgroup_layout_find(layout, "devices");
    if (devices != NULL)
        return write_rules(devices, path, spec, err);
    const struct cgroup_hierarchy *unified = cgroup_layout_unified(layout);
    if (unified == NULL)
        return husk_error_set(err, 0, "no devices cgroup to restrict device access");
    return attach_program(unified, path, spec, err);
}
