#include "volume_commands.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/cleanup.h"
#include "../../util/file.h"
#include "../../util/xalloc.h"
#include "volume_store.h"

int engine_volume_create(const struct engine_context *context, const char *name, json_t *labels,
                         json_t *options, char **name_out, husk_error_t *err)
{
    cleanup_json json_t *anonymous = NULL;
    if (name == NULL) {
        anonymous = labels ? json_deep_copy(labels) : json_object();
        json_object_set_new(anonymous, VOLUME_ANONYMOUS_LABEL, json_string(""));
        labels = anonymous;
    }
    return volume_create(context, name, labels, options, name_out, NULL, err);
}

static bool in_use(const struct engine_context *context, const char *name)
{
    cleanup_strv char **users = volume_users(context, name);
    return users[0] != NULL;
}

json_t *engine_volume_list(const struct engine_context *context)
{
    json_t *list = json_array();
    cleanup_strv char **names = volume_names(context);
    for (char **name = names; *name; name++) {
        json_t *document = NULL;
        if (volume_load(context, *name, &document, NULL) < 0)
            continue;
        json_object_set_new(document, "InUse", json_boolean(in_use(context, *name)));
        json_array_append_new(list, document);
    }
    return list;
}

int engine_volume_inspect(const struct engine_context *context, const char *name, json_t **document,
                          husk_error_t *err)
{
    return volume_load(context, name, document, err);
}

int engine_volume_remove(const struct engine_context *context, const char *name, bool force,
                         husk_error_t *err)
{
    husk_error_t failure = NULL;
    if (volume_remove(context, name, &failure) == 0)
        return 0;
    if (force && strncmp(failure->message, "No such volume", 14) == 0) {
        husk_error_free(&failure);
        return 0;
    }
    *err = failure;
    return -1;
}

static unsigned long long volume_bytes(const struct engine_context *context, const char *name)
{
    cleanup_free char *data = volume_mountpoint(context, name);
    return directory_size(data);
}

static void names_push(char ***list, size_t *count, const char *name)
{
    *list = xreallocarray(*list, *count + 2, sizeof(char *));
    (*list)[(*count)++] = xstrdup(name);
    (*list)[*count] = NULL;
}

int engine_volume_prune(const struct engine_context *context, bool all,
                        bool (*keep)(json_t *document, void *data), void *keep_data,
                        char ***removed, unsigned long long *reclaimed, husk_error_t *err)
{
    (void)err;
    volume_sweep_removals(context);
    cleanup_json json_t *volumes = engine_volume_list(context);
    size_t count = 0, i;
    json_t *document;
    *removed = xcalloc(1, sizeof(char *));
    *reclaimed = 0;
    json_array_foreach(volumes, i, document)
    {
        const char *name = json_string_value(json_object_get(document, "Name"));
        bool anonymous =
            json_object_get(json_object_get(document, "Labels"), VOLUME_ANONYMOUS_LABEL) != NULL;
        if (json_is_true(json_object_get(document, "InUse")) || (!all && !anonymous) ||
            (keep != NULL && keep(document, keep_data)))
            continue;
        unsigned long long bytes = volume_bytes(context, name);
        if (volume_remove(context, name, NULL) < 0)
            continue;
        *reclaimed += bytes;
        names_push(removed, &count, name);
    }
    return 0;
}
