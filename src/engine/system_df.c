/* `system df -v`: the rows behind each sum of `system df`, in the shape of
 * docker's /system/df answer. */
#include <string.h>

#include "../image/store.h"
#include "../util/cleanup.h"
#include "../util/file.h"
#include "../util/xalloc.h"
#include "images.h"
#include "inspect.h"
#include "store.h"
#include "system.h"
#include "volumes/volume_commands.h"
#include "volumes/volume_store.h"

/* An image's layers (diffIDs, from its config) with their sizes. */
static json_t *image_layers(struct image_store *store, const char *id)
{
    json_t *layers = json_object();
    cleanup_free char *text = NULL;
    size_t length = 0;
    if (image_store_config_read(store, id, &text, &length, NULL) < 0)
        return layers;
    cleanup_json json_t *config = json_loadb(text, length, 0, NULL);
    size_t i;
    json_t *diff_id;
    json_array_foreach(json_object_get(json_object_get(config, "rootfs"), "diff_ids"), i, diff_id)
    {
        char digest[DIGEST_TEXT_SIZE];
        uint64_t size = 0;
        const char *name = json_string_value(diff_id);
        if (name != NULL && image_store_layer_blob(store, name, digest, &size, NULL) == 0)
            json_object_set_new(layers, name, json_integer((json_int_t)size));
    }
    return layers;
}

static json_int_t containers_of_image(json_t *containers, const char *id)
{
    json_int_t count = 0;
    size_t i;
    json_t *document;
    json_array_foreach(containers, i, document)
    {
        const char *image = json_string_value(json_object_get(document, "Image"));
        count += image != NULL && strcmp(image, id) == 0;
    }
    return count;
}

/* SharedSize: the bytes of its layers that another image holds too. */
static void add_image_usage(const struct engine_context *context, json_t *images,
                            json_t *containers)
{
    cleanup_store struct image_store *store = NULL;
    if (image_store_open(context->data_root, &store, NULL) < 0)
        return;
    cleanup_json json_t *layers_of = json_object();
    cleanup_json json_t *holders = json_object();
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image)
    {
        const char *id = json_string_value(json_object_get(image, "Id"));
        json_t *layers = image_layers(store, id);
        const char *layer;
        json_t *size;
        json_object_foreach(layers, layer, size)
        {
            json_int_t held = json_integer_value(json_object_get(holders, layer));
            json_object_set_new(holders, layer, json_integer(held + 1));
        }
        json_object_set_new(layers_of, id, layers);
    }
    json_array_foreach(images, i, image)
    {
        const char *id = json_string_value(json_object_get(image, "Id"));
        json_int_t shared = 0;
        const char *layer;
        json_t *size;
        json_object_foreach(json_object_get(layers_of, id), layer, size)
        {
            if (json_integer_value(json_object_get(holders, layer)) > 1)
                shared += json_integer_value(size);
        }
        json_object_set_new(image, "SharedSize", json_integer(shared));
        json_object_set_new(image, "Containers", json_integer(containers_of_image(containers, id)));
    }
}

static json_int_t volumes_of_container(json_t *document)
{
    json_int_t count = 0;
    size_t i;
    json_t *mount;
    json_array_foreach(json_object_get(document, "Mounts"), i, mount)
    {
        const char *type = json_string_value(json_object_get(mount, "Type"));
        count += type != NULL && strcmp(type, "volume") == 0;
    }
    return count;
}

static json_t *volume_rows(const struct engine_context *context)
{
    json_t *volumes = engine_volume_list(context);
    size_t i;
    json_t *volume;
    json_array_foreach(volumes, i, volume)
    {
        const char *name = json_string_value(json_object_get(volume, "Name"));
        cleanup_strv char **users = volume_users(context, name ? name : "");
        json_int_t links = 0;
        for (char **user = users; *user; user++)
            links++;
        unsigned long long size =
            directory_size(json_string_value(json_object_get(volume, "Mountpoint")));
        json_object_set_new(volume, "UsageData",
                            json_pack("{s:I, s:I}", "Size", (json_int_t)size, "RefCount", links));
    }
    return volumes;
}

int engine_system_df_verbose(const struct engine_context *context, json_t **usage,
                             husk_error_t *err)
{
    json_t *images = NULL;
    if (engine_image_list(context, &images, err) < 0)
        return -1;
    json_t *containers = engine_list(context, true);
    engine_add_sizes(context, containers);
    size_t i;
    json_t *document;
    json_array_foreach(containers, i, document)
    {
        json_object_set_new(document, "LocalVolumes", json_integer(volumes_of_container(document)));
    }
    add_image_usage(context, images, containers);
    json_int_t layers_size = 0;
    json_array_foreach(images, i, document)
    {
        layers_size += json_integer_value(json_object_get(document, "Size"));
    }
    *usage = json_pack("{s:I, s:o, s:o, s:o}", "LayersSize", layers_size, "Images", images,
                       "Containers", containers, "Volumes", volume_rows(context));
    return 0;
}
