/* linux.resources beyond the limits husk's engine sets: hugepages, network
 * class and priorities, rdma, memory swappiness, block I/O throttles and
 * weights per device, and cgroup2 files by name ("unified"). Each becomes
 * a (controller, file, value) write. */
#include "spec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

static void add_file(struct runtime_resources *r, const char *controller, const char *file,
                     const char *value)
{
    r->files = xreallocarray(r->files, r->file_count + 1, sizeof(*r->files));
    r->files[r->file_count++] = (struct runtime_cgroup_file){
        .controller = xstrdup(controller), .file = xstrdup(file), .value = xstrdup(value)};
}

static int parse_hugepages(json_t *list, struct runtime_resources *r, husk_error_t *err)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *size = json_string_value(json_object_get(item, "pageSize"));
        json_t *limit = json_object_get(item, "limit");
        if (size == NULL || strchr(size, '/') != NULL || !json_is_integer(limit))
            return husk_error_set(err, 0,
                                  "config.json: linux.resources.hugepageLimits[%zu] needs pageSize "
                                  "and limit",
                                  i);
        char file[64], value[32];
        snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", size);
        snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)json_integer_value(limit));
        add_file(r, "hugetlb", file, value);
    }
    return 0;
}

static int parse_network(json_t *network, struct runtime_resources *r, husk_error_t *err)
{
    json_t *class_id = json_object_get(network, "classID");
    char value[128];
    if (class_id != NULL) {
        snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)json_integer_value(class_id));
        add_file(r, "net_cls", "net_cls.classid", value);
    }
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(network, "priorities"), i, item)
    {
        const char *name = json_string_value(json_object_get(item, "name"));
        if (name == NULL || strlen(name) > 64)
            return husk_error_set(err, 0,
                                  "config.json: linux.resources.network.priorities[%zu].name", i);
        snprintf(value, sizeof(value), "%s %" PRIu64, name,
                 (uint64_t)json_integer_value(json_object_get(item, "priority")));
        add_file(r, "net_prio", "net_prio.ifpriomap", value);
    }
    return 0;
}

static void parse_rdma(json_t *rdma, struct runtime_resources *r)
{
    const char *device;
    json_t *limits;
    json_object_foreach(rdma, device, limits)
    {
        json_t *handles = json_object_get(limits, "hcaHandles");
        json_t *objects = json_object_get(limits, "hcaObjects");
        char handle[40] = "", object[40] = "";
        if (handles)
            snprintf(handle, sizeof(handle), " hca_handle=%" PRIu64,
                     (uint64_t)json_integer_value(handles));
        if (objects)
            snprintf(object, sizeof(object), " hca_object=%" PRIu64,
                     (uint64_t)json_integer_value(objects));
        char *value = xasprintf("%s%s%s", device, handle, object);
        add_file(r, "rdma", "rdma.max", value);
        free(value);
    }
}

/* blockIO's per-device lists: "MAJOR:MINOR VALUE" lines. */
static int parse_block_devices(json_t *block, struct runtime_resources *r, husk_error_t *err)
{
    static const struct {
        const char *key, *file, *field;
    } lists[] = {
        {"weightDevice", "blkio.weight_device", "weight"},
        {"throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rate"},
        {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "rate"},
        {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "rate"},
        {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "rate"},
    };
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(block, lists[l].key), i, item)
        {
            json_t *major = json_object_get(item, "major"), *minor = json_object_get(item, "minor");
            json_t *value = json_object_get(item, lists[l].field);
            if (!json_is_integer(major) || !json_is_integer(minor))
                return husk_error_set(err, 0,
                                      "config.json: linux.resources.blockIO.%s[%zu] needs major "
                                      "and minor",
                                      lists[l].key, i);
            if (value == NULL)
                continue;
            char line[96];
            snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64,
                     (int64_t)json_integer_value(major), (int64_t)json_integer_value(minor),
                     (uint64_t)json_integer_value(value));
            add_file(r, "blkio", lists[l].file, line);
        }
    }
    return 0;
}

static int parse_unified(json_t *unified, struct runtime_resources *r, husk_error_t *err)
{
    const char *file;
    json_t *value;
    json_object_foreach(unified, file, value)
    {
        const char *dot = strchr(file, '.');
        if (dot == NULL || dot == file || strchr(file, '/') != NULL || !json_is_string(value))
            return husk_error_set(err, 0,
                                  "config.json: linux.resources.unified.%s: a cgroup2 file "
                                  "(CONTROLLER.NAME) and a string",
                                  file);
        char controller[64];
        snprintf(controller, sizeof(controller), "%.*s", (int)(dot - file), file);
        /* "unified:" marks a file of the cgroup2 hierarchy whatever v1 has. */
        char key[80];
        snprintf(key, sizeof(key), "unified:%s", controller);
        add_file(r, key, file, json_string_value(value));
    }
    return 0;
}

int runtime_resources_parse_files(json_t *resources, struct runtime_resources *r, husk_error_t *err)
{
    json_t *swappiness = json_object_get(json_object_get(resources, "memory"), "swappiness");
    if (swappiness != NULL && json_is_integer(swappiness)) {
        char value[24];
        snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)json_integer_value(swappiness));
        if ((uint64_t)json_integer_value(swappiness) <= 100)
            add_file(r, "memory", "memory.swappiness", value);
    }
    if (parse_hugepages(json_object_get(resources, "hugepageLimits"), r, err) < 0 ||
        parse_network(json_object_get(resources, "network"), r, err) < 0 ||
        parse_block_devices(json_object_get(resources, "blockIO"), r, err) < 0 ||
        parse_unified(json_object_get(resources, "unified"), r, err) < 0)
        return -1;
    parse_rdma(json_object_get(resources, "rdma"), r);
    return 0;
}

void runtime_resources_free_files(struct runtime_resources *r)
{
    for (size_t i = 0; i < r->file_count; i++) {
        free(r->files[i].controller);
        free(r->files[i].file);
        free(r->files[i].value);
    }
    free(r->files);
    r->files = NULL;
    r->file_count = 0;
}
