#include "resources.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/file.h"

bool resource_size_parse(const char *text, int64_t *bytes)
{
    char *end = NULL;
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return false;
    /* Plain decimals only: strtod would also take "1e3" or "0x10". */
    size_t number = strspn(text, "0123456789."), dots = 0;
    for (size_t i = 0; i < number; i++)
        dots += text[i] == '.';
    if (dots > 1)
        return false;
    double value = strtod(text, &end);
    if (end != text + number)
        return false;
    static const char units[] = "bkmgt";
    double scale = 1;
    if (*end != '\0') {
        const char *unit = strchr(units, tolower((unsigned char)*end));
        if (unit == NULL)
            return false;
        for (long i = unit - units; i > 0; i--)
            scale *= 1024;
        end++;
        /* "k", "kb", "kib" (and "b" alone) */
        if (unit != units && tolower((unsigned char)*end) == 'i')
            end++;
        if (unit != units && tolower((unsigned char)*end) == 'b')
            end++;
    }
    double total = value * scale;
    if (*end != '\0' || !isfinite(total) || total >= 9.2e18)
        return false;
    *bytes = (int64_t)total;
    return true;
}

bool resource_list_parse(const char *text, int *highest)
{
    *highest = -1;
    if (text == NULL || text[0] == '\0')
        return false;
    for (const char *p = text; *p;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return false;
        long first = strtol(p, &end, 10), last = first;
        if (*end == '-') {
            if (!isdigit((unsigned char)end[1]))
                return false;
            last = strtol(end + 1, &end, 10);
        }
        if (last < first || last > 4095)
            return false;
        if (last > *highest)
            *highest = (int)last;
        if (*end == ',' && end[1] != '\0')
            end++;
        else if (*end != '\0')
            return false;
        p = end;
    }
    return true;
}

static int integer_flag(const char *flag, const char *text, int64_t minimum, int64_t maximum,
                        int64_t *value, husk_error_t *err)
{
    char *end = NULL;
    long long parsed = text ? strtoll(text, &end, 10) : 0;
    if (text == NULL || text[0] == '\0' || *end != '\0' || parsed < minimum || parsed > maximum)
        return husk_error_set(err, 0, "invalid %s \"%s\": use a whole number from %lld to %lld",
                              flag, text ? text : "", (long long)minimum, (long long)maximum);
    *value = parsed;
    return 0;
}

static int size_flag(const char *flag, const char *text, int64_t *value, husk_error_t *err)
{
    if (!resource_size_parse(text, value))
        return husk_error_set(err, 0,
                              "invalid %s \"%s\": use a size such as 512m or 2g (units b, k, m, g)",
                              flag, text);
    return 0;
}

static int parse_memory(const struct resource_flags *f, struct resource_limits *l,
                        husk_error_t *err)
{
    if (f->memory && size_flag("--memory", f->memory, &l->memory, err) < 0)
        return -1;
    if (f->memory && l->memory < RESOURCE_MEMORY_MINIMUM)
        return husk_error_set(err, 0, "invalid --memory \"%s\": the minimum is 6m", f->memory);
    if (f->memory_reservation &&
        size_flag("--memory-reservation", f->memory_reservation, &l->memory_reservation, err) < 0)
        return -1;
    if (f->memory_reservation && l->memory != RESOURCE_UNSET && l->memory_reservation > l->memory)
        return husk_error_set(err, 0, "--memory-reservation must be below --memory");
    if (f->memory_swap == NULL)
        return 0;
    if (l->memory == RESOURCE_UNSET)
        return husk_error_set(err, 0, "--memory-swap needs --memory (it limits memory + swap)");
    if (strcmp(f->memory_swap, "-1") == 0)
        l->memory_swap = -1;
    else if (size_flag("--memory-swap", f->memory_swap, &l->memory_swap, err) < 0)
        return -1;
    else if (l->memory_swap < l->memory)
        return husk_error_set(err, 0,
                              "invalid --memory-swap \"%s\": it is memory + swap, so at least "
                              "--memory (%s)",
                              f->memory_swap, f->memory);
    return 0;
}

static int parse_cpu(const struct resource_flags *f, struct resource_limits *l, husk_error_t *err)
{
    if (f->cpus && (f->cpu_period || f->cpu_quota))
        return husk_error_set(err, 0, "conflicting options: --cpus and --cpu-period/--cpu-quota");
    if (f->cpus) {
        char *end = NULL;
        double cpus = strtod(f->cpus, &end);
        if (f->cpus[0] == '\0' || *end != '\0' || !(cpus > 0) || cpus > 1024)
            return husk_error_set(
                err, 0, "invalid --cpus \"%s\": use a positive number such as 0.5", f->cpus);
        l->cpu_period = 100000;
        /* Rounded to nearest; positive here, so no llround() (and no libm). */
        l->cpu_quota = (int64_t)(cpus * 100000 + 0.5);
        if (l->cpu_quota < 1000)
            return husk_error_set(err, 0, "invalid --cpus \"%s\": the minimum is 0.01", f->cpus);
    }
    if ((f->cpu_shares &&
         integer_flag("--cpu-shares", f->cpu_shares, 2, 262144, &l->cpu_shares, err) < 0) ||
        (f->cpu_period &&
         integer_flag("--cpu-period", f->cpu_period, 1000, 1000000, &l->cpu_period, err) < 0) ||
        (f->cpu_quota &&
         integer_flag("--cpu-quota", f->cpu_quota, -1, INT32_MAX, &l->cpu_quota, err) < 0))
        return -1;
    if (f->cpu_quota && l->cpu_quota >= 0 && l->cpu_quota < 1000)
        return husk_error_set(err, 0, "invalid --cpu-quota \"%s\": the minimum is 1000 (or -1)",
                              f->cpu_quota);
    int highest;
    if (f->cpuset_cpus && !resource_list_parse(f->cpuset_cpus, &highest))
        return husk_error_set(err, 0, "invalid --cpuset-cpus \"%s\": use a list such as 0-2,4",
                              f->cpuset_cpus);
    if (f->cpuset_mems && !resource_list_parse(f->cpuset_mems, &highest))
        return husk_error_set(err, 0, "invalid --cpuset-mems \"%s\": use a list such as 0,1",
                              f->cpuset_mems);
    l->cpuset_cpus = f->cpuset_cpus;
    l->cpuset_mems = f->cpuset_mems;
    return 0;
}

int resource_limits_parse(const struct resource_flags *f, struct resource_limits *l,
                          husk_error_t *err)
{
    *l = (struct resource_limits){
        .memory = RESOURCE_UNSET,
        .memory_swap = RESOURCE_UNSET,
        .memory_reservation = RESOURCE_UNSET,
        .cpu_shares = RESOURCE_UNSET,
        .cpu_period = RESOURCE_UNSET,
        .cpu_quota = RESOURCE_UNSET,
        .pids_limit = RESOURCE_UNSET,
        .blkio_weight = RESOURCE_UNSET,
        .oom_kill_disable = f->oom_kill_disable,
    };
    if (parse_memory(f, l, err) < 0 || parse_cpu(f, l, err) < 0)
        return -1;
    if (f->pids_limit) {
        if (integer_flag("--pids-limit", f->pids_limit, -1, INT32_MAX, &l->pids_limit, err) < 0)
            return -1;
        if (l->pids_limit == 0)
            l->pids_limit = -1; /* docker: 0 means unlimited */
    }
    if (f->blkio_weight &&
        integer_flag("--blkio-weight", f->blkio_weight, 10, 1000, &l->blkio_weight, err) < 0)
        return -1;
    return 0;
}

static int online_highest(const char *path)
{
    cleanup_free char *text = NULL;
    int highest = -1;
    if (file_read_all(AT_FDCWD, path, &text, NULL, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    return resource_list_parse(text, &highest) ? highest : -1;
}

int resource_limits_check_host(const struct resource_limits *l, husk_error_t *err)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (l->cpu_quota > 0 && l->cpu_period > 0 && l->cpu_quota > cpus * l->cpu_period)
        return husk_error_set(err, 0, "--cpus %.2f is more than the %ld CPUs this host has",
                              (double)l->cpu_quota / (double)l->cpu_period, cpus);
    int highest = -1, cpu = online_highest("/sys/devices/system/cpu/online");
    if (l->cpuset_cpus && resource_list_parse(l->cpuset_cpus, &highest) && highest > cpu)
        return husk_error_set(err, 0,
                              "--cpuset-cpus %s: CPU %d does not exist (this host has 0-%d)",
                              l->cpuset_cpus, highest, cpu);
    int node = online_highest("/sys/devices/system/node/online");
    if (l->cpuset_mems && resource_list_parse(l->cpuset_mems, &highest) &&
        highest > (node < 0 ? 0 : node))
        return husk_error_set(
            err, 0, "--cpuset-mems %s: memory node %d does not exist (this host has 0-%d)",
            l->cpuset_mems, highest, node < 0 ? 0 : node);
    return 0;
}

bool resource_limits_any(const struct resource_limits *l)
{
    return l->memory != RESOURCE_UNSET || l->memory_reservation != RESOURCE_UNSET ||
           l->memory_swap != RESOURCE_UNSET || l->oom_kill_disable ||
           l->cpu_shares != RESOURCE_UNSET || l->cpu_quota != RESOURCE_UNSET ||
           l->cpu_period != RESOURCE_UNSET || l->cpuset_cpus || l->cpuset_mems ||
           l->pids_limit != RESOURCE_UNSET || l->blkio_weight != RESOURCE_UNSET;
}

static void set_integer(json_t *object, const char *key, int64_t value)
{
    if (value != RESOURCE_UNSET)
        json_object_set_new(object, key, json_integer((json_int_t)value));
}

json_t *resource_limits_to_spec(const struct resource_limits *l)
{
    json_t *memory = json_object(), *cpu = json_object(), *resources = json_object();
    set_integer(memory, "limit", l->memory);
    set_integer(memory, "reservation", l->memory_reservation);
    set_integer(memory, "swap", l->memory_swap);
    if (l->oom_kill_disable)
        json_object_set_new(memory, "disableOOMKiller", json_true());
    set_integer(cpu, "shares", l->cpu_shares);
    set_integer(cpu, "quota", l->cpu_quota);
    set_integer(cpu, "period", l->cpu_period);
    if (l->cpuset_cpus)
        json_object_set_new(cpu, "cpus", json_string(l->cpuset_cpus));
    if (l->cpuset_mems)
        json_object_set_new(cpu, "mems", json_string(l->cpuset_mems));
    json_object_set_new(resources, "memory", memory);
    json_object_set_new(resources, "cpu", cpu);
    if (l->pids_limit != RESOURCE_UNSET)
        json_object_set_new(resources, "pids",
                            json_pack("{s:I}", "limit", (json_int_t)l->pids_limit));
    if (l->blkio_weight != RESOURCE_UNSET)
        json_object_set_new(resources, "blockIO",
                            json_pack("{s:I}", "weight", (json_int_t)l->blkio_weight));
    return resources;
}

/* docker's HostConfig resource fields: 0 or "" when not set. */
void resource_limits_record(const struct resource_flags *flags, const char *cgroup_parent,
                            json_t *host_config)
{
    struct resource_limits l;
    if (resource_limits_parse(flags, &l, NULL) < 0)
        return;
#define OR_ZERO(v) ((json_int_t)((v) == RESOURCE_UNSET ? 0 : (v)))
    bool cpus = flags->cpus != NULL;
    cleanup_json json_t *fields = json_pack(
        "{s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:s}", "Memory",
        OR_ZERO(l.memory), "MemorySwap", OR_ZERO(l.memory_swap), "MemoryReservation",
        OR_ZERO(l.memory_reservation), "OomKillDisable", l.oom_kill_disable, "NanoCpus",
        cpus ? (json_int_t)(l.cpu_quota * 10000) : 0, "CpuShares", OR_ZERO(l.cpu_shares),
        "CpuPeriod", cpus ? 0 : OR_ZERO(l.cpu_period), "CpuQuota", cpus ? 0 : OR_ZERO(l.cpu_quota),
        "CpusetCpus", l.cpuset_cpus ? l.cpuset_cpus : "", "CpusetMems",
        l.cpuset_mems ? l.cpuset_mems : "", "PidsLimit", OR_ZERO(l.pids_limit), "BlkioWeight",
        OR_ZERO(l.blkio_weight), "CgroupParent", cgroup_parent ? cgroup_parent : "");
#undef OR_ZERO
    json_object_update(host_config, fields);
}
