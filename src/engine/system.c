#include "system.h"

#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/magic.h>

#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/version.h"
#include "../util/xalloc.h"
#include "images.h"
#include "inspect.h"
#include "store.h"
#include "volumes/volume_commands.h"

/* PRETTY_NAME of /etc/os-release, as docker's OperatingSystem. */
static char *operating_system(void)
{
    cleanup_fclose FILE *release = fopen("/etc/os-release", "re");
    char line[256];
    while (release != NULL && fgets(line, sizeof(line), release) != NULL) {
        if (strncmp(line, "PRETTY_NAME=", 12) != 0)
            continue;
        char *value = line + 12;
        value[strcspn(value, "\n")] = '\0';
        size_t length = strlen(value);
        if (length >= 2 && value[0] == '"' && value[length - 1] == '"') {
            value[length - 1] = '\0';
            value++;
        }
        return xstrdup(value);
    }
    return xstrdup("Linux");
}

static const char *cgroup_version(void)
{
    struct statfs st;
    return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC ? "2" : "1";
}

static json_t *container_counts(const struct engine_context *context)
{
    cleanup_json json_t *containers = engine_list(context, true);
    json_int_t running = 0, paused = 0;
    size_t i;
    json_t *document;
    json_array_foreach(containers, i, document)
    {
        const char *status =
            json_string_value(json_object_get(json_object_get(document, "State"), "Status"));
        running += status && strcmp(status, "running") == 0;
        paused += status && strcmp(status, "paused") == 0;
    }
    json_int_t total = (json_int_t)json_array_size(containers);
    return json_pack("{s:I, s:I, s:I, s:I}", "Containers", total, "ContainersRunning", running,
                     "ContainersPaused", paused, "ContainersStopped", total - running - paused);
}

int engine_system_info(const struct engine_context *context, json_t **info, husk_error_t *err)
{
    cleanup_json json_t *images = NULL;
    if (engine_image_list(context, &images, err) < 0)
        return -1;
    struct utsname host;
    struct sysinfo memory;
    uname(&host);
    sysinfo(&memory);
    cleanup_free char *os = operating_system();
    json_t *document = container_counts(context);
    json_t *more =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s}",
                  "Images", (json_int_t)json_array_size(images), "Driver", "overlay",
                  "CgroupDriver", "cgroupfs", "CgroupVersion", cgroup_version(), "KernelVersion",
                  host.release, "OperatingSystem", os, "OSType", "linux", "Architecture",
                  host.machine, "NCPU", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
                  (json_int_t)memory.totalram * (json_int_t)memory.mem_unit, "Name", host.nodename,
                  "ServerVersion", HUSK_VERSION, "DockerRootDir", context->data_root,
                  "DefaultRuntime", "husk");
    json_object_update(document, more);
    json_decref(more);
    *info = document;
    return 0;
}

static json_t *usage_entry(json_int_t total, json_int_t active, unsigned long long size,
                           unsigned long long reclaimable)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "Total", total, "Active", active, "Size",
                     (json_int_t)size, "Reclaimable", (json_int_t)reclaimable);
}

/* Images in use are those a container names by ID. */
static json_t *image_usage(json_t *images, json_t *containers)
{
    json_int_t active = 0;
    unsigned long long size = 0, reclaimable = 0;
    size_t i, k;
    json_t *image, *document;
    json_array_foreach(images, i, image)
    {
        const char *id = json_string_value(json_object_get(image, "Id"));
        unsigned long long bytes =
            (unsigned long long)json_integer_value(json_object_get(image, "Size"));
        bool used = false;
        json_array_foreach(containers, k, document)
        {
            const char *image_id = json_string_value(json_object_get(document, "Image"));
            used = used || (id && image_id && strcmp(id, image_id) == 0);
        }
        active += used;
        size += bytes;
        reclaimable += used ? 0 : bytes;
    }
    return usage_entry((json_int_t)json_array_size(images), active, size, reclaimable);
}

static json_t *container_usage(const struct engine_context *context, json_t *containers)
{
    json_int_t active = 0;
    unsigned long long size = 0, reclaimable = 0;
    size_t i;
    json_t *document;
    json_array_foreach(containers, i, document)
    {
        bool running = json_is_true(json_object_get(json_object_get(document, "State"), "Running"));
        cleanup_free char *directory =
            store_container_directory(context, json_string_value(json_object_get(document, "Id")));
        cleanup_free char *upper = store_container_layer_path(directory, "upper");
        unsigned long long bytes = directory_size(upper);
        active += running;
        size += bytes;
        reclaimable += running ? 0 : bytes;
    }
    return usage_entry((json_int_t)json_array_size(containers), active, size, reclaimable);
}

static json_t *volume_usage(json_t *volumes)
{
    json_int_t active = 0;
    unsigned long long size = 0, reclaimable = 0;
    size_t i;
    json_t *volume;
    json_array_foreach(volumes, i, volume)
    {
        bool used = json_is_true(json_object_get(volume, "InUse"));
        unsigned long long bytes =
            directory_size(json_string_value(json_object_get(volume, "Mountpoint")));
        active += used;
        size += bytes;
        reclaimable += used ? 0 : bytes;
    }
    return usage_entry((json_int_t)json_array_size(volumes), active, size, reclaimable);
}

int engine_system_df(const struct engine_context *context, json_t **usage, husk_error_t *err)
{
    cleanup_json json_t *images = NULL;
    if (engine_image_list(context, &images, err) < 0)
        return -1;
    cleanup_json json_t *containers = engine_list(context, true);
    cleanup_json json_t *volumes = engine_volume_list(context);
    *usage = json_pack("{s:o, s:o, s:o}", "Images", image_usage(images, containers), "Containers",
                       container_usage(context, containers), "Volumes", volume_usage(volumes));
    return 0;
}

void engine_add_sizes(const struct engine_context *context, json_t *documents)
{
    cleanup_json json_t *images = NULL;
    if (engine_image_list(context, &images, NULL) < 0)
        images = json_array();
    size_t i, k;
    json_t *document, *image;
    json_array_foreach(documents, i, document)
    {
        const char *id = json_string_value(json_object_get(document, "Id"));
        const char *image_id = json_string_value(json_object_get(document, "Image"));
        cleanup_free char *directory = store_container_directory(context, id ? id : "");
        cleanup_free char *upper = store_container_layer_path(directory, "upper");
        json_int_t own = (json_int_t)directory_size(upper), base = 0;
        json_array_foreach(images, k, image)
        {
            const char *candidate = json_string_value(json_object_get(image, "Id"));
            if (candidate && image_id && strcmp(candidate, image_id) == 0)
                base = json_integer_value(json_object_get(image, "Size"));
        }
        json_object_set_new(document, "SizeRw", json_integer(own));
        json_object_set_new(document, "SizeRootFs", json_integer(own + base));
    }
}
